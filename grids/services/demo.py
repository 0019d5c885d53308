"""The demo district 示范区 (`manage.py seed_demo`): a believable, deterministic and idempotent data set.

- Deterministic: the whole plan is drawn from `random.Random(DEMO_SEED)` before the database is read, and ages
  are counted from the fixed REFERENCE_DATE, so every run on every machine plans the same rows.
- Idempotent: every row is keyed on a natural key (region code, department code, building number within the
  community, room within the building, household number within the grid, the ID number's blind index, the
  organisation's name within its grid, the worker's name within the community, username), so a second run finds
  everything and writes nothing. Existing rows are never modified (a changed demo password stays changed), except
  to fill in a link the seed planned and that is still empty (head of household, 楼栋长, a worker's account).
- One transaction; the bulk registers (buildings, housing, households, residents, care tags, organisations) go in
  with bulk_create, which still encrypts (EncryptedTextField encrypts in get_prep_value). Rows written with save()
  are audited by the signals; each bulk insert is recorded as one IMPORT audit row.
- The ID numbers are synthetic and checksum-valid (GB 11643). Their first six digits are the demo district's own
  code 110199 or, for people born elsewhere, code "0199" under a province's first prefecture (e.g. 410199), a
  county number not used in GB/T 2260, so a synthetic number cannot be a real person's.

No Faker here (a test dependency): the name tables below are small and hand-written.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation

from governance.lib.codes import credit_code_check_char
from governance.lib.pii import blind_index, id_check_char
from governance.lib.request_context import Actor, actor_for, reset_actor, set_actor
from governance.models import AuditLog, Department, Role, User
from governance.services.accounts import account_set_role
from governance.services.audit import audit_record
from grids.models import (
    Building,
    CareGroup,
    FormerNetwork,
    GridKind,
    Household,
    HousingUnit,
    Organisation,
    Region,
    RegionLevel,
    Resident,
    SpecialGroupRecord,
)
from grids.services.categories import category_seed_defaults
from workforce.models import GridAssignment, Worker

# The one documented demo password (≥ 12 characters, upper + lower case, digits and symbols).
DEMO_PASSWORD = "Gongzhi-Demo-2026"  # noqa: S105 - public by design, printed by `manage.py demo_accounts`
DEMO_SEED = 20260101
REFERENCE_DATE = datetime.date(2025, 7, 1)  # "today" for ages, hire dates and grades: fixed so the plan never drifts
VALID_FROM = datetime.date(2024, 1, 1)  # the one network of grids took effect on this date
SEED_ACTOR = "seed_demo"

DISTRICT_CODE = "110199"
DISTRICT_NAME = "示范区"

# --- the region tree ------------------------------------------------------------------------------------------------
# (street code, street name, [(community code, community name, road, estates (one per basic grid),
#                              dedicated grids [(name, kind of site, site name)])])
LAYOUT = (
    ("001", "东湖街道", (
        ("001", "东湖社区", "东湖路", ("东湖小区", "东湖西里", "湖光花园", "滨湖家园", "望湖苑"), ()),
        ("002", "槐树岭社区", "槐树岭路", ("槐树岭一区", "槐树岭二区", "槐荫里", "岭南雅苑"),
         (("示范区实验小学专属网格", "school", "示范区实验小学"),)),
        ("003", "学府社区", "学府路", ("学府花园", "书香苑", "学院路北院", "文汇家园"),
         (("示范区第一中学专属网格", "school", "示范区第一中学"),)),
    )),
    ("002", "南苑街道", (
        ("001", "南苑北里社区", "南苑路", ("南苑北里一区", "南苑北里二区", "南苑北里三区", "苑景新村", "南苑公寓"),
         (("南苑农贸市场专属网格", "market", "南苑农贸市场"),)),
        ("002", "枫林社区", "枫林路", ("枫林小区", "枫林绿洲", "红枫苑", "林语家园"), ()),
    )),
)
_CN_ORDINALS = "一二三四五六七八九十"
ALL_NETWORKS = [FormerNetwork.PARTY.value, FormerNetwork.LAW.value, FormerNetwork.CIVIL.value, FormerNetwork.URBAN.value]
# Micro-grids: (community code suffix "street+community", basic-grid sequence, building index within the grid).
MICRO_GRIDS = (("001001", 1, 1), ("001001", 1, 2), ("001002", 1, 1), ("002001", 1, 1))
# Fully registered basic grids (300–500 households); the demo grid worker's grid is one of them.
FULL_GRIDS = (f"{DISTRICT_CODE}001001001", f"{DISTRICT_CODE}002001002", f"{DISTRICT_CODE}002002001")
# Grids of these communities get a GeoJSON boundary (the others show that boundaries are optional).
BOUNDARY_COMMUNITIES = ("001001", "001002", "001003", "002001")

CARE_GROUPS = (
    ("living_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("widowed", "孤寡老人"),
    ("disability", "残疾人"),
    ("dibao", "低保户"),
    ("low_income", "低收入"),
    ("veteran", "优抚对象"),
    ("left_behind_child", "留守儿童"),
    ("left_behind_woman", "留守妇女"),
)

# (code, name, kind, duty phone); every department is bound to the demo district.
DEPARTMENTS = (
    (f"{DISTRICT_CODE}-CGZF", "示范区城市管理综合行政执法局（城管执法局）", Department.Kind.GOVERNMENT, "010-62990101"),
    (f"{DISTRICT_CODE}-ZJ", "示范区住房和城乡建设局（住建局）", Department.Kind.GOVERNMENT, "010-62990102"),
    (f"{DISTRICT_CODE}-SCJG", "示范区市场监督管理局（市场监管局）", Department.Kind.GOVERNMENT, "010-62990103"),
    (f"{DISTRICT_CODE}-MZ", "示范区民政局", Department.Kind.GOVERNMENT, "010-62990104"),
    (f"{DISTRICT_CODE}-HB", "示范区生态环境局", Department.Kind.GOVERNMENT, "010-62990105"),
    (f"{DISTRICT_CODE}-GA-DH", "示范区公安分局东湖派出所", Department.Kind.POLICE, "010-62990110"),
    (f"{DISTRICT_CODE}-GA-NY", "示范区公安分局南苑派出所", Department.Kind.POLICE, "010-62990111"),
    (f"{DISTRICT_CODE}-GS", "示范区自来水公司（供水公司）", Department.Kind.UTILITY, "010-62990120"),
    (f"{DISTRICT_CODE}-GD", "示范区供电公司", Department.Kind.UTILITY, "010-62990121"),
    (f"{DISTRICT_CODE}-RQ", "示范区燃气公司", Department.Kind.UTILITY, "010-62990122"),
)

DEMO_GRID_CODE = f"{DISTRICT_CODE}001001001"  # 东湖社区第一网格
DEMO_COMMUNITY_CODE = f"{DISTRICT_CODE}001001"  # 东湖社区
DEMO_STREET_CODE = f"{DISTRICT_CODE}001"  # 东湖街道
DEMO_DEPARTMENT_CODE = f"{DISTRICT_CODE}-CGZF"  # 城管执法局


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str  # "" = the name of the community worker the account belongs to
    region_code: str = ""
    department_code: str = ""


# Created in this order: the security administrator exists before the street account it grants a permission to.
DEMO_ACCOUNTS = (
    DemoAccount("demo_resident", Role.RESIDENT, "王秀兰", region_code=DEMO_GRID_CODE),
    DemoAccount("demo_grid", Role.GRID_WORKER, "", region_code=DEMO_GRID_CODE),
    DemoAccount("demo_community", Role.COMMUNITY_STAFF, "", region_code=DEMO_COMMUNITY_CODE),
    DemoAccount("demo_security", Role.SECURITY_ADMIN, "安全管理员"),
    DemoAccount("demo_street", Role.STREET_STAFF, "赵志刚", region_code=DEMO_STREET_CODE),
    DemoAccount("demo_department", Role.DEPARTMENT_HANDLER, "陈建军", department_code=DEMO_DEPARTMENT_CODE),
    DemoAccount("demo_district", Role.DISTRICT_OFFICIAL, "刘海涛", region_code=DISTRICT_CODE),
    DemoAccount("demo_sysadmin", Role.SYSTEM_ADMIN, "系统管理员"),
    DemoAccount("demo_auditor", Role.AUDITOR, "安全审计员"),
)
ROLE_NAMES_ZH = {
    Role.RESIDENT: "居民", Role.GRID_WORKER: "网格员", Role.COMMUNITY_STAFF: "社区工作人员", Role.STREET_STAFF: "街道工作人员",
    Role.DEPARTMENT_HANDLER: "部门承办人", Role.DISTRICT_OFFICIAL: "区级", Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员", Role.AUDITOR: "安全审计员",
}
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)
# Display order of the accounts table (by role, from the resident up to the three administrators).
DEMO_ACCOUNTS_DISPLAY_ORDER = ("demo_resident", "demo_grid", "demo_community", "demo_street", "demo_department",
                               "demo_district", "demo_sysadmin", "demo_security", "demo_auditor")

# --- names ----------------------------------------------------------------------------------------------------------
# Surnames roughly by frequency (the first ones are drawn most often), and a few compound ones.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
             "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
_GIVEN = {  # (era, gender) -> given names typical of people born then
    ("old", "M"): ("建国", "国强", "志刚", "德明", "福生", "永康", "树林", "玉山", "长顺", "振华", "文革", "保国",
                   "德胜", "金海", "庆祥", "宝山", "连生", "春生"),
    ("old", "F"): ("秀英", "桂兰", "玉兰", "淑珍", "凤英", "秀兰", "桂芝", "淑华", "玉梅", "素芬", "翠花", "桂英",
                   "秀珍", "玉珍", "淑英", "凤兰", "金凤", "兰英"),
    ("mid", "M"): ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "海波", "建华", "志强", "晓东", "建军", "海涛",
                   "立新", "卫东", "红军", "永刚", "国华", "新民"),
    ("mid", "F"): ("丽", "静", "敏", "燕", "艳", "娟", "红梅", "丽娟", "晓燕", "海燕", "秀梅", "丽华", "春梅",
                   "美玲", "雪梅", "晓红", "慧", "霞", "莉", "玲"),
    ("young", "M"): ("浩然", "子轩", "宇航", "俊杰", "博文", "梓豪", "一鸣", "天佑", "家豪", "子墨", "思远", "皓轩",
                     "明哲", "睿", "鑫", "宇", "晨阳", "嘉懿", "铭泽", "昊天"),
    ("young", "F"): ("欣怡", "梓涵", "雨桐", "思琪", "佳怡", "诗涵", "语嫣", "可馨", "紫萱", "一诺", "雨欣", "梦瑶",
                     "婧", "悦", "晨曦", "若汐", "佳琪", "子涵", "心怡", "雅琪"),
}
# Province codes of people born outside the demo district; the ID prefix is "<province>0199" (see module docstring).
_MIGRANT_PROVINCES = ("13", "14", "15", "21", "22", "23", "34", "36", "37", "41", "42", "43", "51", "61", "62")
_MOBILE_PREFIXES = tuple(f"13{d}" for d in range(10)) + ("150", "151", "152", "153", "155", "156", "157", "158",
                                                         "159") + tuple(f"18{d}" for d in range(10))

_SHOPS = ("便利店", "五金店", "理发店", "兰州拉面", "早点铺", "水果店", "洗衣店", "药店", "小超市", "修鞋配钥匙",
          "烟酒店", "面包房", "粮油店", "快递驿站", "眼镜店", "文具店", "花店", "家电维修")
_SHOP_OWNERS = ("老王", "张记", "李记", "刘姐", "陈师傅", "好邻居", "鑫源", "福满多", "邻里", "惠民", "佳佳", "顺心")
_ENTERPRISES = ("示范区{road}物业管理有限公司", "北京{estate}餐饮管理有限公司", "北京示范{n}科技有限公司",
                "北京{road}商贸有限公司", "示范区{estate}家政服务有限公司")
_SOCIAL_ORGS = ("{community}老年协会", "{community}夕阳红志愿服务队", "{community}书画社", "{community}舞蹈队",
                "{community}邻里互助会", "{community}平安志愿者协会")
_UNITS = ("{community}卫生服务站", "{community}幼儿园", "{community}养老服务驿站", "{road}邮政所")

_RELATIONS = {"head": "户主", "spouse": "配偶", "son": "子", "daughter": "女", "father": "父亲", "mother": "母亲",
              "grandson": "孙子", "granddaughter": "孙女", "tenant": "合租人"}


# --- credit codes (GB 32100 with the GB 11714 organisation code inside) -----------------------------------------------
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(registrar: str, kind: str, region: str, body8: str) -> str:
    """A checksum-valid unified social credit code from its parts (registrar 1, kind 1, region 6, organisation 8)."""
    org_check = 11 - sum(int(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    org = body8 + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = registrar + kind + region + org
    return first17 + credit_code_check_char(first17)


# --- the plan -------------------------------------------------------------------------------------------------------
@dataclass
class _Plan:
    regions: list[dict] = field(default_factory=list)
    buildings: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    households: list[dict] = field(default_factory=list)
    residents: list[dict] = field(default_factory=list)
    special: list[dict] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)


class _Planner:
    """Draws the whole district from one seeded random stream. No database access."""

    def __init__(self, seed: int = DEMO_SEED):
        self.rng = random.Random(seed)
        self.plan = _Plan()
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self._credit_bodies: set[str] = set()
        self._household_seq: Counter = Counter()
        self._grid_households: Counter = Counter()

    # people
    def surname(self) -> str:
        if self.rng.random() < 0.01:
            return self.rng.choice(_COMPOUND_SURNAMES)
        # triangular draw: common surnames come up more often
        return _SURNAMES[int(self.rng.triangular(0, len(_SURNAMES), 0))]

    def given(self, gender: str, birth_year: int) -> str:
        era = "old" if birth_year < 1965 else "mid" if birth_year < 1990 else "young"
        return self.rng.choice(_GIVEN[(era, gender)])

    def birth(self, age: int) -> datetime.date:
        return REFERENCE_DATE - datetime.timedelta(days=age * 365 + self.rng.randint(0, 364))

    def id_number(self, birth: datetime.date, gender: str, local: bool, region: str | None = None) -> str:
        region = region or (DISTRICT_CODE if local else f"{self.rng.choice(_MIGRANT_PROVINCES)}0199")
        while True:
            sex_digit = self.rng.choice("13579" if gender == "M" else "02468")
            first17 = f"{region}{birth:%Y%m%d}{self.rng.randint(0, 99):02d}{sex_digit}"
            number = first17 + id_check_char(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(_MOBILE_PREFIXES)}{self.rng.randint(0, 99_999_999):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def person(self, *, age: int, gender: str | None = None, surname: str | None = None, local: bool = True,
               relation: str = "head", residence_type: str = Resident.ResidenceType.REGISTERED,
               family: dict | None = None) -> dict:
        """One person; with `family` (a parent or child), the same surname line and ID region (place of birth)."""
        gender = gender or self.rng.choice("MF")
        birth = self.birth(age)
        has_phone = age >= 14 and not (age >= 80 and self.rng.random() < 0.3)
        if age >= 60:
            political = Resident.PoliticalStatus.PARTY_MEMBER if self.rng.random() < 0.15 else Resident.PoliticalStatus.MASSES
        elif age >= 18:
            roll = self.rng.random()
            political = (Resident.PoliticalStatus.PARTY_MEMBER if roll < 0.10 else
                         Resident.PoliticalStatus.LEAGUE_MEMBER if age <= 28 and roll < 0.35 else
                         Resident.PoliticalStatus.OTHER if roll > 0.99 else Resident.PoliticalStatus.MASSES)
        elif age >= 14:
            political = Resident.PoliticalStatus.LEAGUE_MEMBER if self.rng.random() < 0.4 else Resident.PoliticalStatus.MASSES
        else:
            political = Resident.PoliticalStatus.MASSES
        return {
            "name": (surname or self.surname()) + self.given(gender, birth.year),
            "gender": gender,
            "birth_date": birth,
            "id_number": self.id_number(birth, gender, local, family["id_number"][:6] if family else None),
            "phone": self.phone() if has_phone else "",
            "emergency_contact": "",
            "emergency_phone": "",
            "residence_type": residence_type,
            "relation_to_head": _RELATIONS[relation],
            "political_status": political,
            "care": set(),
            "age": age,
        }

    def household_members(self, usage: str) -> tuple[str, list[dict]]:
        """(household kind, members; the first member is the head) for one occupied housing unit."""
        rng = self.rng
        if usage == HousingUnit.Usage.RENTED:
            kind = Household.Kind.FLOATING if rng.random() < 0.85 else Household.Kind.RESIDENT
            rtype = Resident.ResidenceType.FLOATING if kind == Household.Kind.FLOATING else Resident.ResidenceType.RESIDENT
            local = kind != Household.Kind.FLOATING
            roll = rng.random()
            head = self.person(age=rng.randint(22, 40), local=local, residence_type=rtype)
            members = [head]
            if roll < 0.35:  # a young couple, sometimes with a small child
                spouse = self.person(age=max(20, head["age"] + rng.randint(-4, 3)), gender="F" if head["gender"] == "M" else "M",
                                     local=local, relation="spouse", residence_type=rtype)
                members.append(spouse)
                if rng.random() < 0.4:
                    father = head if head["gender"] == "M" else spouse
                    child_gender = rng.choice("MF")
                    members.append(self.person(age=rng.randint(0, 8), gender=child_gender, surname=_surname_of(father),
                                               family=father, relation="son" if child_gender == "M" else "daughter",
                                               residence_type=rtype))
            elif roll < 0.6:  # flat-sharers (合租)
                for _ in range(rng.randint(1, 2)):
                    members.append(self.person(age=rng.randint(21, 35), local=False, relation="tenant",
                                               residence_type=Resident.ResidenceType.FLOATING))
            return kind, members

        kind = Household.Kind.REGISTERED if rng.random() < 0.85 else Household.Kind.RESIDENT
        rtype = Resident.ResidenceType.REGISTERED if kind == Household.Kind.REGISTERED else Resident.ResidenceType.RESIDENT
        roll = rng.random()

        def couple(age_lo, age_hi):
            husband = self.person(age=rng.randint(age_lo, age_hi), gender="M", residence_type=rtype)
            wife = self.person(age=max(age_lo - 3, husband["age"] + rng.randint(-5, 2)), gender="F",
                               local=rng.random() < 0.75, relation="spouse", residence_type=rtype)
            return husband, wife

        def child(parent, age_lo, age_hi, relation_boy="son", relation_girl="daughter"):
            gender = rng.choice("MF")
            return self.person(age=rng.randint(age_lo, age_hi), gender=gender, surname=_surname_of(parent), family=parent,
                               relation=relation_boy if gender == "M" else relation_girl, residence_type=rtype)

        if roll < 0.13:  # an old person living alone
            elder = self.person(age=rng.randint(66, 92), residence_type=rtype)
            elder["care"].add("living_alone")
            elder["care"].add("empty_nest")
            if rng.random() < 0.25:
                elder["care"].add("widowed")
            else:
                son = self.person(age=max(30, elder["age"] - rng.randint(24, 32)), gender="M",
                                  surname=_surname_of(elder) if elder["gender"] == "M" else None)
                elder["emergency_contact"] = son["name"]
                elder["emergency_phone"] = son["phone"] or self.phone()
                self._ids.discard(son["id_number"])  # the child lives elsewhere: not registered here
            return kind, [elder]
        if roll < 0.28:  # an old couple on their own
            husband, wife = couple(63, 88)
            for member in (husband, wife):
                member["care"].add("empty_nest")
            return kind, [husband, wife]
        if roll < 0.53:  # parents and one or two children
            husband, wife = couple(28, 48)
            members = [husband, wife]
            for _ in range(1 if rng.random() < 0.7 else 2):
                members.append(child(husband, 0, max(0, min(20, husband["age"] - 24))))
            return kind, members
        if roll < 0.70:  # three generations
            husband, wife = couple(34, 50)
            members = [husband, wife, child(husband, 2, max(2, min(20, husband["age"] - 25)))]
            grandfather = self.person(age=husband["age"] + rng.randint(24, 32), gender="M", surname=_surname_of(husband),
                                      family=husband, relation="father", residence_type=rtype)
            members.append(grandfather)
            if rng.random() < 0.6:
                members.append(self.person(age=grandfather["age"] + rng.randint(-4, 1), gender="F", relation="mother",
                                           residence_type=rtype))
            return kind, members
        if roll < 0.82:  # a middle-aged couple and a grown-up child
            husband, wife = couple(46, 60)
            return kind, [husband, wife, child(husband, 19, 30)]
        if roll < 0.88:  # grandparents raising a grandchild whose parents work away (留守儿童)
            husband, wife = couple(58, 72)
            grandchild = child(husband, 4, 14, "grandson", "granddaughter")
            grandchild["care"].add("left_behind_child")
            return kind, [husband, wife, grandchild]
        if roll < 0.92:  # a mother and children while the father works far away (留守妇女)
            mother = self.person(age=rng.randint(28, 45), gender="F", residence_type=rtype)
            mother["care"].add("left_behind_woman")
            members = [mother, child(mother, 1, max(1, min(16, mother["age"] - 22)))]
            return kind, members
        return kind, [self.person(age=rng.randint(24, 58), residence_type=rtype)]  # a single adult

    # places
    def build(self) -> _Plan:
        plan = self.plan
        plan.regions.append({"code": DISTRICT_CODE, "parent": None, "level": RegionLevel.DISTRICT, "name": DISTRICT_NAME,
                             "description": "演示数据：虚构的区，编码与人员信息均为合成数据。"})
        for street_no, (street_suffix, street_name, communities) in enumerate(LAYOUT):
            street_code = DISTRICT_CODE + street_suffix
            plan.regions.append({"code": street_code, "parent": DISTRICT_CODE, "level": RegionLevel.STREET,
                                 "name": street_name, "description": f"{street_name}网格化服务管理中心"})
            for community_no, (community_suffix, community_name, road, estates, dedicated) in enumerate(communities):
                community_code = street_code + community_suffix
                plan.regions.append({"code": community_code, "parent": street_code, "level": RegionLevel.COMMUNITY,
                                     "name": community_name})
                self._community(street_no, community_no, community_code, community_name, road, estates, dedicated)
        self._special_groups()
        return plan

    def _boundary(self, street_no: int, community_no: int, index: int) -> dict:
        """A rectangle in the community's block; grids run west→east, then north→south, three to a row."""
        west = 116.270 + community_no * 0.014
        north = 39.925 - street_no * 0.020
        col, row = index % 3, index // 3
        w, e = round(west + col * 0.004, 6), round(west + (col + 1) * 0.004, 6)
        n, s = round(north - row * 0.003, 6), round(north - (row + 1) * 0.003, 6)
        return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}

    def _community(self, street_no, community_no, community_code, community_name, road, estates, dedicated):
        rng, plan = self.rng, self.plan
        with_boundaries = community_code[6:] in BOUNDARY_COMMUNITIES
        next_building = 1
        grid_codes = []
        for index, estate in enumerate(estates):
            grid_code = f"{community_code}{index + 1:03d}"
            grid_codes.append(grid_code)
            networks = ALL_NETWORKS if rng.random() < 0.8 else ALL_NETWORKS[:3]
            plan.regions.append({
                "code": grid_code, "parent": community_code, "level": RegionLevel.GRID,
                "name": f"{community_name}第{_CN_ORDINALS[index]}网格", "grid_kind": GridKind.BASIC,
                "absorbed_networks": list(networks),
                "boundary": self._boundary(street_no, community_no, index) if with_boundaries else None,
                "description": f"{estate}及周边",
            })
            gate = rng.randint(1, 60)
            # A few grids are fully registered, inside the 300–500 household band; the others show a grid still
            # being registered (a handful of buildings), which the sizing check flags.
            full = grid_code in FULL_GRIDS
            target = rng.randint(340, 440) if full else 0
            count, b = rng.randint(3, 4), 0
            while b < count or self._grid_households[grid_code] < target:
                number = f"{next_building:05d}"
                next_building += 1
                building_grid = grid_code
                micro = [m for m in MICRO_GRIDS if m[0] == community_code[6:] and m[1] == index + 1 and m[2] == b + 1]
                if micro:
                    building_grid = f"{grid_code}{b + 1:03d}"
                    plan.regions.append({
                        "code": building_grid, "parent": grid_code, "level": RegionLevel.MICRO_GRID,
                        "name": f"{estate}{b + 1}号楼微网格", "absorbed_networks": [],
                        "description": "楼栋微网格：楼栋长、党小组设在楼栋里",
                    })
                floors = 6 if full else rng.choice((5, 6, 6, 6))
                entrances = rng.choice((2, 3, 3, 4)) if full else rng.choice((1, 1, 2))
                plan.buildings.append({
                    "key": (community_code, number), "grid": building_grid, "community": community_code,
                    "number": number, "name": f"{estate}{b + 1}号楼", "kind": Building.Kind.RESIDENTIAL,
                    "address": f"北京市{DISTRICT_NAME}{road}{gate}号院{estate}{b + 1}号楼", "floors": floors,
                    "head": None,
                })
                self._units((community_code, number), building_grid, floors, entrances)
                b += 1
            # shops and organisations of the grid
            for _ in range(rng.randint(1, 3)):
                owner = rng.choice(_SHOP_OWNERS)
                self._organisation(grid_code, None, f"{owner}{rng.choice(_SHOPS)}（{estate}店）", Organisation.Kind.SHOP,
                                   f"北京市{DISTRICT_NAME}{road}{gate}号院底商", employees=rng.randint(1, 6))
            if index == 0:
                for template in _UNITS[:2]:
                    self._organisation(grid_code, None, template.format(community=community_name, road=road),
                                       Organisation.Kind.UNIT, f"北京市{DISTRICT_NAME}{road}{gate}号",
                                       employees=rng.randint(6, 30), registrar="1", kind_digit="2")
                for template in _SOCIAL_ORGS[:3]:
                    self._organisation(grid_code, None, template.format(community=community_name),
                                       Organisation.Kind.SOCIAL, f"{community_name}居委会", employees=0,
                                       registrar="5", kind_digit="1" if rng.random() < 0.5 else "9",
                                       blank_code=rng.random() < 0.5)
            if rng.random() < 0.4:
                template = rng.choice(_ENTERPRISES)
                self._organisation(grid_code, None, template.format(road=road.removesuffix("路"), estate=estate,
                                                                    n=rng.choice("华信诚达远航星辰")),
                                   Organisation.Kind.ENTERPRISE, f"北京市{DISTRICT_NAME}{road}{gate}号院",
                                   employees=rng.randint(5, 80), registrar="9", kind_digit="1")
        for offset, (grid_name, site_kind, site_name) in enumerate(dedicated):
            index = len(estates) + offset
            grid_code = f"{community_code}{index + 1:03d}"
            grid_codes.append(grid_code)
            plan.regions.append({
                "code": grid_code, "parent": community_code, "level": RegionLevel.GRID, "name": grid_name,
                "grid_kind": GridKind.DEDICATED,
                "absorbed_networks": ["party", "law"] if site_kind == "school" else ["party", "law", "urban"],
                "boundary": self._boundary(street_no, community_no, index) if with_boundaries else None,
                "description": f"专属网格：{site_name}",
            })
            number = f"{next_building:05d}"
            next_building += 1
            address = f"北京市{DISTRICT_NAME}{road}{rng.randint(61, 99)}号"
            if site_kind == "school":
                plan.buildings.append({"key": (community_code, number), "grid": grid_code, "community": community_code,
                                       "number": number, "name": f"{site_name}教学楼", "kind": Building.Kind.PUBLIC,
                                       "address": address, "floors": 5, "head": None})
                self._organisation(grid_code, (community_code, number), site_name, Organisation.Kind.UNIT, address,
                                   employees=rng.randint(80, 180), registrar="1", kind_digit="2")
                self._organisation(grid_code, (community_code, number), f"{site_name}家长委员会", Organisation.Kind.SOCIAL,
                                   address, employees=0, blank_code=True)
            else:
                plan.buildings.append({"key": (community_code, number), "grid": grid_code, "community": community_code,
                                       "number": number, "name": f"{site_name}大棚", "kind": Building.Kind.COMMERCIAL,
                                       "address": address, "floors": 1, "head": None})
                self._organisation(grid_code, (community_code, number), f"北京{site_name}管理有限公司",
                                   Organisation.Kind.ENTERPRISE, address, employees=rng.randint(10, 30),
                                   registrar="9", kind_digit="1")
                goods = ("蔬菜", "水果", "鲜肉", "水产", "粮油", "豆制品", "调料干货", "熟食", "鸡蛋禽类", "主食厨房")
                for stall, item in enumerate(goods, start=1):
                    self._organisation(grid_code, (community_code, number),
                                       f"{site_name}A{stall:02d}号摊位·{self.surname()}记{item}", Organisation.Kind.SHOP,
                                       address, employees=rng.randint(1, 3))
        self._workers(community_code, community_name, grid_codes)

    def _units(self, building_key, grid_code, floors, entrances):
        rng, plan = self.rng, self.plan
        community_code = building_key[0]
        for entrance in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for pos in (1, 2):
                    room = f"{floor}{pos:02d}"
                    roll = rng.random()
                    usage = (HousingUnit.Usage.VACANT if roll < 0.12 else HousingUnit.Usage.RENTED if roll < 0.34
                             else HousingUnit.Usage.SELF_OCCUPIED)
                    key = (community_code, building_key[1], f"{entrance}单元", room)
                    area = Decimal(rng.choice((48, 56, 62, 75, 86, 92, 108))) + Decimal(rng.randint(0, 99)) / 100
                    plan.units.append({"key": key, "building": building_key, "grid": grid_code,
                                       "entrance": f"{entrance}单元", "room": room, "area": area, "usage": usage})
                    if usage == HousingUnit.Usage.VACANT:
                        continue
                    self._household(grid_code, key, usage)

    def _household(self, grid_code, unit_key, usage):
        plan = self.plan
        kind, members = self.household_members(usage)
        self._household_seq[grid_code] += 1
        self._grid_households[grid_code[:15]] += 1  # counted on the basic grid, micro-grids included
        number = f"{grid_code[-6:]}-{self._household_seq[grid_code]:04d}"
        plan.households.append({"grid": grid_code, "number": number, "unit": unit_key, "kind": kind,
                                "head": members[0]["id_number"]})
        roll = self.rng.random()
        shared = "dibao" if roll < 0.02 else "low_income" if roll < 0.045 else None
        for member in members:
            if shared:
                member["care"].add(shared)
            if self.rng.random() < (0.06 if member["age"] >= 60 else 0.015):
                member["care"].add("disability")
            if member["gender"] == "M" and member["age"] >= 55 and self.rng.random() < 0.05:
                member["care"].add("veteran")
            member.update({"grid": grid_code, "household": (grid_code, number), "unit": unit_key})
            plan.residents.append(member)

    def _organisation(self, grid_code, building_key, name, kind, address, *, employees=None, registrar="",
                      kind_digit="", blank_code=False):
        rng = self.rng
        code = ""
        if registrar and not blank_code:
            while True:
                body = f"{rng.randint(0, 99_999_999):08d}"
                if body not in self._credit_bodies:
                    self._credit_bodies.add(body)
                    break
            code = credit_code(registrar, kind_digit, DISTRICT_CODE, body)
        gender = rng.choice("MF")
        birth_year = REFERENCE_DATE.year - rng.randint(28, 60)
        self.plan.organisations.append({
            "grid": grid_code, "building": building_key, "name": name, "kind": kind, "credit_code": code,
            "address": address, "contact_name": self.surname() + self.given(gender, birth_year),
            "contact_phone": self.phone(), "employees": employees,
        })

    def _worker(self, community_code, used_names, *, post, title, grade_range, account=None) -> dict:
        rng = self.rng
        while True:
            gender = rng.choice("MF")
            birth_year = REFERENCE_DATE.year - rng.randint(26, 52)
            name = self.surname() + self.given(gender, birth_year)
            if name not in used_names:
                used_names.add(name)
                break
        hire = datetime.date(rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28))
        lo, hi = grade_range
        bonus = rng.choice((0, 1, 1, 2))  # 本科 +1, 硕士 +2
        grade = max(lo, min(hi, lo + (REFERENCE_DATE - hire).days // (3 * 365) + bonus))
        worker = {"community": community_code, "name": name, "phone": self.phone(), "post": post, "title": title,
                  "grade": grade, "hire_date": hire, "account": account}
        self.plan.workers.append(worker)
        return worker

    def _workers(self, community_code, community_name, grid_codes):
        """书记兼主任, one or two deputies, two committee members, and one full-time grid worker per grid."""
        rng, plan = self.rng, self.plan
        used: set[str] = set()
        head = self._worker(community_code, used, post=Worker.Post.HEAD, title="党委书记、居委会主任", grade_range=(7, 18),
                            account="demo_community" if community_code == DEMO_COMMUNITY_CODE else None)
        deputies = [self._worker(community_code, used, post=Worker.Post.DEPUTY, title=title, grade_range=(4, 15))
                    for title in ("党委副书记", "居委会副主任")[: rng.randint(1, 2)]]
        members = [self._worker(community_code, used, post=Worker.Post.STAFF, title="居委会委员", grade_range=(1, 12))
                   for _ in range(2)]
        grid_heads = [head, *deputies, *members]
        for index, grid_code in enumerate(grid_codes):
            full_time = self._worker(community_code, used, post=Worker.Post.STAFF, title="专职网格员", grade_range=(1, 12),
                                     account="demo_grid" if grid_code == DEMO_GRID_CODE else None)
            since = max(VALID_FROM, full_time["hire_date"])
            plan.assignments.append({"community": community_code, "worker": full_time["name"], "grid": grid_code,
                                     "duty": GridAssignment.Duty.FULL_TIME, "since": since})
            grid_head = grid_heads[index % len(grid_heads)]
            plan.assignments.append({"community": community_code, "worker": grid_head["name"], "grid": grid_code,
                                     "duty": GridAssignment.Duty.GRID_HEAD,
                                     "since": max(VALID_FROM, grid_head["hire_date"])})

    def _special_groups(self):
        """A handful of 特殊人群 records among adults, plus a 楼栋长 for each residential building."""
        rng, plan = self.rng, self.plan
        adults = [r for r in plan.residents if 25 <= r["age"] <= 60 and not r["care"]]
        kinds = [SpecialGroupRecord.Kind.COMMUNITY_CORRECTION] * 2 + [SpecialGroupRecord.Kind.RELEASED] * 2 + \
                [SpecialGroupRecord.Kind.MENTAL_ILLNESS] * 2 + [SpecialGroupRecord.Kind.DRUG] + \
                [SpecialGroupRecord.Kind.PETITION] * 2
        notes = {
            SpecialGroupRecord.Kind.COMMUNITY_CORRECTION: "社区矫正期内，每月走访一次",
            SpecialGroupRecord.Kind.RELEASED: "安置帮教对象，已落实就业",
            SpecialGroupRecord.Kind.MENTAL_ILLNESS: "监护人已落实，按时服药",
            SpecialGroupRecord.Kind.DRUG: "社区康复期，定期随访",
            SpecialGroupRecord.Kind.PETITION: "诉求已登记，包案领导已联系",
        }
        for person, kind in zip(rng.sample(adults, len(kinds)), kinds, strict=True):
            plan.special.append({"id_number": person["id_number"], "grid": person["grid"], "kind": kind,
                                 "since": REFERENCE_DATE - datetime.timedelta(days=rng.randint(60, 1500)),
                                 "notes": notes[kind]})
        by_building: dict[tuple, list[dict]] = {}
        for resident in plan.residents:
            by_building.setdefault(resident["unit"][:2], []).append(resident)
        for building in plan.buildings:
            candidates = [r for r in by_building.get(building["key"], []) if 40 <= r["age"] <= 72]
            if candidates:
                party = [r for r in candidates if r["political_status"] == Resident.PoliticalStatus.PARTY_MEMBER]
                building["head"] = rng.choice(party or candidates)["id_number"]


def _surname_of(person: dict) -> str:
    name = person["name"]
    return name[:2] if name[:2] in _COMPOUND_SURNAMES else name[:1]


def build_plan(seed: int = DEMO_SEED) -> _Plan:
    return _Planner(seed).build()


# --- writing --------------------------------------------------------------------------------------------------------
def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Writer:
    def __init__(self, plan: _Plan):
        self.plan = plan
        self.created: Counter = Counter()
        self.regions: dict[str, Region] = {}

    def _bulk(self, model, objects: list, label: str) -> None:
        if not objects:
            return
        model.objects.bulk_create(objects, batch_size=500)
        self.created[label] += len(objects)
        audit_record(action=AuditLog.Action.IMPORT, object_type=model._meta.label_lower,
                     object_repr=f"{SEED_ACTOR}: {len(objects)}", detail={"source": SEED_ACTOR, "created": len(objects)})

    def run(self) -> None:
        self.care_groups()
        self.region_tree()
        self.departments()
        if categories := category_seed_defaults(district=self.district)["created"]:  # the responsibility list 责任清单
            self.created["categories"] += categories
        self.buildings()
        self.units()
        self.households()
        self.residents()
        self.heads()
        self.organisations()
        self.workers()
        self.accounts()

    def care_groups(self):
        existing = set(CareGroup.objects.values_list("code", flat=True))
        for code, name in CARE_GROUPS:
            if code not in existing:
                CareGroup.objects.create(code=code, name=name)
                self.created["care_groups"] += 1
        self.care = dict(CareGroup.objects.values_list("code", "id"))

    def region_tree(self):
        codes = [spec["code"] for spec in self.plan.regions]
        self.regions = {r.code: r for r in Region.objects.filter(code__in=codes, valid_to__isnull=True)}
        for spec in self.plan.regions:
            found = self.regions.get(spec["code"])
            if found is not None:
                if found.level != spec["level"]:
                    raise ValueError(f"Region {spec['code']} exists as a {found.level}, not a {spec['level']}.")
                continue
            fields = {"level": spec["level"], "name": spec["name"], "code": spec["code"], "valid_from": VALID_FROM,
                      "grid_kind": spec.get("grid_kind", ""), "absorbed_networks": spec.get("absorbed_networks", []),
                      "boundary": spec.get("boundary"), "description": spec.get("description", "")}
            node = Region(**fields)
            node.full_clean(exclude=["path", "depth", "numchild"])
            if spec["parent"] is None:
                node = Region.objects.add_root(instance=node)
            else:  # treebeard locks and re-reads the parent, so a stale numchild does no harm
                node = Region.objects.add_child(self.regions[spec["parent"]], instance=node)
            self.regions[spec["code"]] = node
            self.created[f"regions_{spec['level']}"] += 1
        self.district = self.regions[DISTRICT_CODE]

    def departments(self):
        existing = set(Department.objects.filter(code__in=[d[0] for d in DEPARTMENTS]).values_list("code", flat=True))
        for code, name, kind, phone in DEPARTMENTS:
            if code not in existing:
                Department.objects.create(code=code, name=name, kind=kind, phone=phone, district=self.district)
                self.created["departments"] += 1

    def _building_map(self) -> dict[tuple, int]:
        communities = {spec["community"] for spec in self.plan.buildings}
        rows = Building.objects.filter(community__in=[self.regions[c].pk for c in communities]).values_list(
            "community__code", "number", "id")
        return {(c, n): pk for c, n, pk in rows}

    def buildings(self):
        existing = self._building_map()
        new = [Building(grid=self.regions[b["grid"]], community=self.regions[b["community"]], number=b["number"],
                        name=b["name"], address=b["address"], kind=b["kind"], floors=b["floors"])
               for b in self.plan.buildings if b["key"] not in existing]
        self._bulk(Building, new, "buildings")
        self.building_ids = self._building_map() if new else existing

    def _unit_map(self) -> dict[tuple, int]:
        rows = HousingUnit.objects.filter(building_id__in=self.building_ids.values()).values_list(
            "building_id", "entrance", "room", "id")
        by_id = {pk: key for key, pk in self.building_ids.items()}
        return {(*by_id[b], e, r): pk for b, e, r, pk in rows}

    def units(self):
        existing = self._unit_map()
        new = [HousingUnit(grid=self.regions[u["grid"]], building_id=self.building_ids[u["building"]],
                           entrance=u["entrance"], room=u["room"], area=u["area"], usage=u["usage"])
               for u in self.plan.units if u["key"] not in existing]
        self._bulk(HousingUnit, new, "housing_units")
        self.unit_ids = self._unit_map() if new else existing

    def _household_map(self) -> dict[tuple, int]:
        grid_ids = {self.regions[h["grid"]].pk: h["grid"] for h in self.plan.households}
        rows = Household.objects.filter(grid_id__in=grid_ids).values_list("grid_id", "number", "id")
        return {(grid_ids[g], n): pk for g, n, pk in rows}

    def households(self):
        existing = self._household_map()
        new = [Household(grid=self.regions[h["grid"]], number=h["number"], housing_unit_id=self.unit_ids[h["unit"]],
                         kind=h["kind"]) for h in self.plan.households if (h["grid"], h["number"]) not in existing]
        self._bulk(Household, new, "households")
        self.household_ids = self._household_map() if new else existing

    @staticmethod
    def _ids_by_hash(hashes) -> dict[str, int]:
        found = {}
        for chunk in _chunks(hashes):
            found.update(Resident.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "id"))
        return found

    def residents(self):
        plan = self.plan
        for r in plan.residents:
            r["hash"] = blind_index(r["id_number"])
        existing = self._ids_by_hash([r["hash"] for r in plan.residents])
        new = [Resident(grid=self.regions[r["grid"]], household_id=self.household_ids[r["household"]],
                        housing_unit_id=self.unit_ids[r["unit"]], name=r["name"], gender=r["gender"],
                        birth_date=r["birth_date"], id_number=r["id_number"], id_number_hash=r["hash"],
                        phone=r["phone"], emergency_contact=r["emergency_contact"],
                        emergency_phone=r["emergency_phone"], residence_type=r["residence_type"],
                        relation_to_head=r["relation_to_head"], political_status=r["political_status"])
               for r in plan.residents if r["hash"] not in existing]
        self._bulk(Resident, new, "residents")
        self.resident_ids = self._ids_by_hash([r["hash"] for r in plan.residents]) if new else existing

        through = Resident.care_groups.through
        wanted = {(self.resident_ids[r["hash"]], self.care[code]) for r in plan.residents for code in r["care"]}
        have = set()
        for chunk in _chunks({pair[0] for pair in wanted}):
            have.update(through.objects.filter(resident_id__in=chunk).values_list("resident_id", "caregroup_id"))
        self._bulk(through, [through(resident_id=r, caregroup_id=c) for r, c in sorted(wanted - have)], "care_tags")

        special_ids = {self.resident_ids[blind_index(s["id_number"])]: s for s in plan.special}
        have = set(SpecialGroupRecord.objects.filter(resident_id__in=special_ids).values_list("resident_id", "kind"))
        self._bulk(SpecialGroupRecord, [
            SpecialGroupRecord(resident_id=rid, grid=self.regions[s["grid"]], kind=s["kind"], since=s["since"],
                               notes=s["notes"])
            for rid, s in special_ids.items() if (rid, s["kind"]) not in have], "special_records")

    def heads(self):
        """Heads of household and 楼栋长, set only where none is recorded yet."""
        by_hash = self.resident_ids
        # One UPDATE: the planned head of each demo household is its member recorded as 户主.
        head = Resident.objects.filter(household=OuterRef("pk"), relation_to_head=_RELATIONS["head"]).order_by("id")
        updated = 0
        for chunk in _chunks(self.household_ids.values()):
            updated += Household.objects.filter(id__in=chunk, head__isnull=True).update(
                head_id=Subquery(head.values("id")[:1]))
        if updated:
            self.created["household_heads"] += updated
        wanted = {self.building_ids[b["key"]]: by_hash[blind_index(b["head"])] for b in self.plan.buildings if b["head"]}
        todo = list(Building.objects.filter(id__in=wanted, head__isnull=True).only("id", "head"))
        for building in todo:
            building.head_id = wanted[building.pk]
        if todo:
            Building.objects.bulk_update(todo, ["head"], batch_size=500)
            self.created["building_heads"] += len(todo)

    def organisations(self):
        grid_ids = {self.regions[o["grid"]].pk for o in self.plan.organisations}
        existing = set(Organisation.objects.filter(grid_id__in=grid_ids).values_list("grid__code", "name"))
        new = [Organisation(grid=self.regions[o["grid"]],
                            building_id=self.building_ids[o["building"]] if o["building"] else None,
                            name=o["name"], kind=o["kind"], credit_code=o["credit_code"], address=o["address"],
                            contact_name=o["contact_name"], contact_phone=o["contact_phone"], employees=o["employees"])
               for o in self.plan.organisations if (o["grid"], o["name"]) not in existing]
        self._bulk(Organisation, new, "organisations")

    def workers(self):
        community_ids = {self.regions[w["community"]].pk for w in self.plan.workers}
        workers = {(w.community.code, w.name): w
                   for w in Worker.objects.filter(community_id__in=community_ids).select_related("community")}
        for spec in self.plan.workers:
            key = (spec["community"], spec["name"])
            if key not in workers:
                workers[key] = Worker.objects.create(
                    community=self.regions[spec["community"]], name=spec["name"], phone=spec["phone"], post=spec["post"],
                    title=spec["title"], grade=spec["grade"], hire_date=spec["hire_date"])
                self.created["workers"] += 1
        self.worker_objects = workers
        self.account_workers = {spec["account"]: workers[(spec["community"], spec["name"])]
                                for spec in self.plan.workers if spec["account"]}
        have = set(GridAssignment.objects.filter(worker__in=[w.pk for w in workers.values()], active=True)
                   .values_list("worker_id", "grid_id", "duty"))
        for spec in self.plan.assignments:
            worker = workers[(spec["community"], spec["worker"])]
            grid = self.regions[spec["grid"]]
            if (worker.pk, grid.pk, spec["duty"]) not in have:
                GridAssignment.objects.create(worker=worker, grid=grid, duty=spec["duty"], since=spec["since"])
                have.add((worker.pk, grid.pk, spec["duty"]))
                self.created["grid_assignments"] += 1

    def accounts(self):
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
        for spec in DEMO_ACCOUNTS:
            worker = self.account_workers.get(spec.username)
            if spec.username in users:
                user = users[spec.username]
            else:
                user = User(username=spec.username, role=spec.role, full_name=spec.full_name or worker.name,
                            region=self.regions[spec.region_code] if spec.region_code else None,
                            department=Department.objects.get(code=spec.department_code) if spec.department_code else None,
                            password_changed_at=timezone.now())
                validate_password(DEMO_PASSWORD, user)
                user.set_password(DEMO_PASSWORD)
                user.save()
                users[spec.username] = user
                self.created["accounts"] += 1
                security = users.get("demo_security") if spec.role == Role.STREET_STAFF else None
                if security is not None and security.is_active and security.role == Role.SECURITY_ADMIN:
                    self._grant_special_groups(user, security)
            if worker is not None and worker.user_id is None and not Worker.objects.filter(user=user).exists():
                worker.user = user
                worker.save(update_fields=["user"])

    @staticmethod
    def _grant_special_groups(user: User, security_admin: User) -> None:
        """The security administrator grants the street account the right to see 特殊人群, through the same
        service (and the same `grant` audit row) as the roles-and-grants page."""
        token = set_actor(actor_for(security_admin))
        try:
            account_set_role(actor=security_admin, user_id=user.pk, role=user.role, may_view_special_groups=True)
        finally:
            reset_actor(token)
        user.refresh_from_db(fields=["may_view_special_groups"])


# --- entry point ----------------------------------------------------------------------------------------------------
def demo_totals() -> dict[str, int]:
    """What the demo district holds now (its subtree only; the accounts are the demo accounts)."""
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
    if district is None:
        return {}
    in_tree = {"grid__path__startswith": district.path}
    regions = Counter(Region.objects.filter(path__startswith=district.path).values_list("level", flat=True))
    return {
        "streets": regions[RegionLevel.STREET],
        "communities": regions[RegionLevel.COMMUNITY],
        "grids": regions[RegionLevel.GRID],
        "micro_grids": regions[RegionLevel.MICRO_GRID],
        "buildings": Building.objects.filter(**in_tree).count(),
        "housing_units": HousingUnit.objects.filter(**in_tree).count(),
        "households": Household.objects.filter(**in_tree).count(),
        "residents": Resident.objects.filter(**in_tree).count(),
        "care_tags": Resident.care_groups.through.objects.filter(resident__grid__path__startswith=district.path).count(),
        "special_records": SpecialGroupRecord.objects.filter(**in_tree).count(),
        "organisations": Organisation.objects.filter(**in_tree).count(),
        "departments": Department.objects.filter(district=district).count(),
        "workers": Worker.objects.filter(community__path__startswith=district.path).count(),
        "grid_assignments": GridAssignment.objects.filter(grid__path__startswith=district.path, active=True).count(),
        "accounts": User.objects.filter(username__in=DEMO_USERNAMES).count(),
    }


def demo_seed(*, stdout=None) -> dict:
    """Build (or complete) the demo district in one transaction. Returns {"created": {...}, "totals": {...}}."""
    plan = build_plan()
    token = set_actor(Actor(username=SEED_ACTOR))
    try:
        with transaction.atomic():
            writer = _Writer(plan)
            writer.run()
            totals = demo_totals()
    finally:
        reset_actor(token)
    result = {"district": DISTRICT_CODE, "created": dict(writer.created), "totals": totals}
    if stdout is not None:
        for line in summary_lines(result):
            stdout.write(line)
    return result


def summary_lines(result: dict) -> list[str]:
    t = result["totals"]
    lines = [
        f"Demo district {DISTRICT_NAME} ({result['district']}): {t['streets']} streets 街道, {t['communities']} "
        f"communities 社区, {t['grids']} grids 网格, {t['micro_grids']} micro-grids 微网格",
        f"  {t['buildings']} buildings 楼栋, {t['housing_units']} housing units 房屋, {t['households']} households 户, "
        f"{t['residents']} residents 居民 ({t['care_tags']} care tags 关怀标记, {t['special_records']} special-group "
        f"records 特殊人群)",
        f"  {t['organisations']} organisations 单位/企业/商铺/社会组织, {t['departments']} departments 部门, "
        f"{t['workers']} community workers 社区工作者, {t['grid_assignments']} grid assignments",
    ]
    created = {k: v for k, v in result["created"].items() if v}
    if created:
        lines.append("  Created this run: " + ", ".join(f"{k} {v}" for k, v in sorted(created.items())))
    else:
        lines.append("  Already complete: nothing created or changed. 演示数据已存在，未做任何修改。")
    return lines


# --- the accounts table (shared by seed_demo and demo_accounts) -------------------------------------------------------
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def demo_account_rows(*, show_passwords: bool) -> list[tuple[str, str, str, str]]:
    """(username, role, jurisdiction, password) for each demo account that exists, in display order."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("region", "department")}
    rows = []
    for username in DEMO_ACCOUNTS_DISPLAY_ORDER:
        user = users.get(username)
        if user is None:
            continue
        if user.department_id:
            where = user.department.name
        elif user.region_id:
            where = f"{user.region.name} {user.region.code}"
        else:
            where = "—"
        if user.may_view_special_groups:
            where += " (+特殊人群)"
        if not show_passwords:
            shown = "(hidden)"
        elif not user.is_active:
            shown = "(account disabled)"
        else:
            shown = DEMO_PASSWORD  # as seeded; not verified (Argon2 is slow on purpose) and may have been changed
        with translation.override("en"):
            role = f"{Role(user.role).label} {ROLE_NAMES_ZH.get(user.role, '')}".strip()
        rows.append((username, role, where, shown))
    return rows


def format_demo_accounts(rows) -> list[str]:
    header = ("Username 用户名", "Role 角色", "Jurisdiction 辖区/部门", "Password 密码")
    widths = [max(_width(str(row[i])) for row in [header, *rows]) for i in range(4)]
    line = "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(_pad(str(v), w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return out
