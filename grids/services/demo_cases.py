"""Demo cases for 示范区 (`seed_demo_cases`, run after grids.services.demo.demo_seed): about thirty cases that went
through the real lifecycle services — reported on every channel, dispatched by the routing rules, signed for,
handled, contacted, answered, verified, closed and rated; one overdue, one whistled (吹哨), one returned (退单),
reopened, merged, rejected, extended, with a co-handler — so the staff queues, the case pages and the metrics
show real rows in the demo.

- Deterministic: the plan (CASES) is fixed data; each case is placed in time relative to the moment of seeding
  (reported N hours ago, each step M hours after the report), so the queues always show live deadlines. Every
  service call gets that simulated `now`; the rows those services stamp with the wall clock (the case's and the
  events' created_at, assignments, whistle calls, extension requests) are then set to the same simulated
  moment, so the history reads in order.
- Idempotent: a case is keyed by its external_id ("demo-case-NN") within the district; an existing one is left
  alone. Each case is written in its own savepoint: a case the services refuse (say, a demo account was
  disabled) is skipped with a message and tried again on the next run.
- The demo accounts act (demo_grid, demo_community, demo_street, demo_department, demo_district): cases whose
  unit has no account (another community's staff, another department) simply wait, as they would.
- After creating cases, the deadline sweep runs once, so overdue cases carry their 催办/督办 records at once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone

from governance.lib.exceptions import ApplicationError
from governance.lib.request_context import Actor, reset_actor, set_actor
from governance.models import Department, User
from grids.models import (
    Assignment,
    Category,
    ExtensionRequest,
    Incident,
    IncidentEvent,
    Region,
    RegionLevel,
    WhistleCall,
    WhistleSummons,
)
from grids.services import incidents as lifecycle
from grids.services.demo import DISTRICT_CODE, SEED_ACTOR
from grids.services.dispatch import incident_dispatch
from grids.services.whistle import whistle_blow, whistle_report_in

logger = logging.getLogger(__name__)

EXTERNAL_PREFIX = "demo-case-"
ACCOUNTS = {"grid": "demo_grid", "community": "demo_community", "street": "demo_street",
            "department": "demo_department", "district": "demo_district"}
DISPATCH_AFTER_HOURS = 0.05  # the dispatch task runs within minutes of the report


@dataclass(frozen=True)
class Step:
    hours: float  # after the report
    action: str
    who: str = ""  # a key of ACCOUNTS
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCase:
    key: str  # external_id suffix
    grid: str  # region code suffix after the district code (street + community + grid)
    category: str  # category code (grids.data.categories)
    channel: str
    request_type: str
    title: str
    description: str
    hours_ago: float
    steps: tuple = ()
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    urgency: str = "normal"
    address: str = ""
    entered_by: str = ""  # a key of ACCOUNTS for patrol and staff entry

    @property
    def external_id(self) -> str:
        return f"{EXTERNAL_PREFIX}{self.key}"


def s(hours, action, who="", **args) -> Step:
    return Step(hours, action, who, args)


DH = "001001"  # 东湖街道 东湖社区
HS = "001002"  # 东湖街道 槐树岭社区
XF = "001003"  # 东湖街道 学府社区
NY = "002001"  # 南苑街道 南苑北里社区
FL = "002002"  # 南苑街道 枫林社区

CASES: tuple[DemoCase, ...] = (
    # --- 东湖社区第一网格 (demo_grid's grid): grid-level items go to its grid worker ------------------------------
    DemoCase("01", f"{DH}001", "010104", "web", "complaint", "东湖小区3号楼垃圾桶满溢",
             "3号楼东侧的两个垃圾桶从昨晚起就满了，垃圾堆到地上，有异味。", 2,
             reporter_name="刘桂兰", reporter_phone="13910010001", address="东湖路东湖小区3号楼东侧"),
    DemoCase("02", f"{DH}001", "030102", "patrol", "report", "5号楼楼道内电动自行车充电",
             "巡查发现5号楼2单元一层楼道内有电动自行车飞线充电，存在火灾隐患。", 20, entered_by="grid",
             address="东湖小区5号楼2单元", steps=(
                 s(0.5, "sign", "grid"), s(0.6, "start", "grid", note="已联系楼栋长，上门劝导"),
                 s(1, "contact", "grid", method="visit", reached=True, note="车主答应当天移走，改到集中充电桩充电"))),
    DemoCase("03", f"{DH}001", "010301", "patrol", "report", "东湖小区宣传栏乱贴小广告",
             "小区北门宣传栏和电线杆上贴满开锁、办证小广告。", 30 * 24, entered_by="grid", steps=(
                 s(1, "sign", "grid"), s(1.5, "start", "grid"),
                 s(20, "answer", "grid", answer="已组织志愿者清理北门宣传栏和周边电线杆上的小广告，并张贴文明提示。"),
                 s(30, "verify", "community", passed=True, note="现场查看已清理干净"),
                 s(48, "rate", resolution="resolved", satisfaction="satisfied"))),
    DemoCase("04", f"{DH}001", "050103", "web", "report", "8号楼502出租房疑似未登记",
             "8号楼502近期住进多名租户，进出频繁，不知道是否登记。", 12 * 24,
             reporter_name="周德明", reporter_phone="13910010004", steps=(
                 s(2, "sign", "grid"), s(3, "start", "grid"),
                 s(5, "contact", "grid", method="phone", reached=True, note="已回电说明将上门核实"),
                 s(6 * 24, "extension", "grid", days=10, reason="房东在外地，约定下周回京后一同办理登记"),
                 s(6 * 24 + 3, "decide", "community", approved=True, note="同意延期"))),
    DemoCase("05", f"{DH}001", "010104", "phone", "complaint", "东湖小区北门垃圾桶长期满溢",
             "北门垃圾桶每天下午就满了，清运不及时，夏天气味很大。", 9 * 24, entered_by="community",
             reporter_name="孙玉梅", reporter_phone="13910010005", steps=(
                 s(30, "sign", "grid"), s(31, "start", "grid"),
                 s(32, "contact", "grid", method="phone", reached=False, note="无人接听"),
                 s(50, "contact", "grid", method="phone", reached=True, note="已说明正在协调增加清运频次"))),
    DemoCase("06", f"{DH}001", "010301", "web", "complaint", "单元门上被贴满小广告",
             "6号楼1单元门上又被贴了很多小广告，撕了又贴。", 3 * 24,
             reporter_name="钱淑华", reporter_phone="13910010006", steps=(
                 s(1, "sign", "grid"), s(1.2, "start", "grid"),
                 s(2, "contact", "grid", method="phone", reached=True),
                 s(48, "answer", "grid", answer="已清理6号楼1单元门上的小广告，并在单元门安装了提示牌，将加强巡查。"))),
    # --- 东湖社区: community-level items go to the community (demo_community) -------------------------------------
    DemoCase("07", f"{DH}002", "070102", "web", "help", "东湖西里2号楼楼道灯不亮",
             "2号楼3单元三楼到五楼的楼道灯都不亮，老人晚上上下楼很不方便。", 5,
             reporter_name="吴秀英", reporter_phone="13910010007", address="东湖西里2号楼3单元"),
    DemoCase("08", f"{DH}003", "050201", "walk_in", "help", "楼上漏水引发邻里矛盾",
             "居民来社区反映楼上卫生间漏水，与楼上住户多次沟通未果，双方发生争执。", 2 * 24, entered_by="community",
             reporter_name="郑国强", reporter_phone="13910010008", steps=(
                 s(0.5, "sign", "community"), s(1, "start", "community"),
                 s(3, "contact", "community", method="visit", reached=True, note="已约双方周六上午在社区调解室面谈"))),
    DemoCase("09", f"{DH}001", "030101", "web", "report", "消防通道被私家车占用",
             "东湖小区1号楼和2号楼之间的消防通道长期停着几辆私家车。", 26 * 24,
             reporter_name="王建国", reporter_phone="13910010009", steps=(
                 s(0.5, "sign", "community"), s(1, "start", "community"),
                 s(1.5, "contact", "community", method="phone", reached=True),
                 s(12, "answer", "community", answer="已联系车主挪车，在消防通道施划禁停标线并安装提示牌，物业每日巡查。"),
                 s(20, "verify", "grid", passed=True, note="消防通道已畅通，标线清晰"),
                 s(40, "rate", resolution="resolved", satisfaction="basically"))),
    DemoCase("10", f"{DH}001", "070201", "web", "help", "顶楼房屋雨后渗漏",
             "东湖小区7号楼601每次下雨屋顶都渗水，墙皮脱落。", 8 * 24,
             reporter_name="陈凤英", reporter_phone="13910010010", steps=(
                 s(2, "sign", "community"), s(3, "start", "community"),
                 s(4, "contact", "community", method="visit", reached=True, note="上门查看，屋面防水层老化"),
                 s(20, "answer", "community", answer="已联系物业对屋面做临时修补，并申请维修资金进行整体翻修。"),
                 s(30, "verify", "grid", passed=True, note="临时修补已完成"),
                 s(40, "rate", resolution="unresolved", satisfaction="dissatisfied", comment="下雨还是漏"),
                 s(44, "reopen", reason="居民反映雨后仍渗漏，临时修补无效"),
                 s(44.1, "dispatch"),
                 s(46, "sign", "street"), s(47, "start", "street"),
                 s(49, "contact", "street", method="phone", reached=True, note="已告知街道正协调房管所整体维修"))),
    DemoCase("11", f"{DH}001", "070103", "hotline", "complaint", "东湖小区保洁不到位",
             "12345转来：东湖小区内中心绿地垃圾多日无人清扫。", 18 * 24,
             reporter_name="李淑珍", reporter_phone="13910010011", steps=(
                 s(1, "sign", "community"), s(2, "start", "community"),
                 s(3, "contact", "community", method="phone", reached=True),
                 s(30, "answer", "community", answer="已督促物业增加保洁频次，绿地垃圾已清理，社区每周检查一次。"),
                 s(50, "verify", "grid", passed=True, note="绿地已清扫干净"),
                 s(70, "rate", resolution="resolved", satisfaction="satisfied"))),
    DemoCase("12", f"{DH}001", "070301", "web", "complaint", "小区主干道乱停车堵塞通行",
             "东湖小区主干道两侧停满车，救护车进不来。", 8 * 24,
             reporter_name="赵永康", reporter_phone="13910010012", steps=(
                 s(1, "sign", "community"), s(2, "start", "community"),
                 s(3, "contact", "community", method="phone", reached=True),
                 s(3 * 24, "answer", "community", answer="已在主干道施划禁停线并通知车主。"),
                 s(4 * 24, "verify", "grid", passed=False, note="晚上仍有车辆停放，需落实夜间巡查"),
                 s(4 * 24 + 2, "contact", "community", method="sms", reached=True, note="短信告知正在落实夜间巡查"),
                 s(7 * 24, "answer", "community", answer="物业已安排夜间巡查并设置隔离桩，主干道保持畅通。"))),
    DemoCase("13", f"{DH}005", "010101", "web", "complaint", "望湖苑南侧空地堆放垃圾",
             "望湖苑南门外空地被人倾倒建筑垃圾和生活垃圾。", 4 * 24,
             reporter_name="黄德胜", reporter_phone="13910010013", steps=(
                 s(1, "sign", "community"), s(2, "start", "community"),
                 s(3, "co", "community", department="CGZF", note="涉及建筑垃圾倾倒，请城管协助查处"),
                 s(5, "co_sign", "department"),
                 s(6, "contact", "community", method="phone", reached=True))),
    DemoCase("14", f"{DH}002", "010101", "web", "complaint", "东湖西里西门废品站占道堆放",
             "西门外废品收购站把废品堆到人行道上，还无照经营，多次反映没有解决。", 3 * 24,
             reporter_name="林翠花", reporter_phone="13910010014", steps=(
                 s(1, "sign", "community"), s(2, "start", "community"),
                 s(4, "contact", "community", method="visit", reached=True),
                 s(24, "whistle", "community", departments=["CGZF", "SCJG"],
                   reason="废品站占道堆放并涉嫌无照经营，社区劝导无效，请城管、市场监管联合处置"),
                 s(24.5, "report_in", "department", department="CGZF",
                   part="城管中队负责占道堆放查处，明日上午到场"))),
    DemoCase("15", f"{DH}003", "050202", "phone", "consult", "咨询离婚财产分割",
             "居民来电咨询离婚时房产如何分割。", 10 * 24, entered_by="community",
             reporter_name="冯丽", reporter_phone="13910010015", steps=(
                 s(1, "reject", "community",
                   reason="属个人法律咨询，不属社区受理范围，已告知拨打12348公共法律服务热线。"),)),
    DemoCase("16", f"{DH}002", "070102", "web", "help", "2号楼3单元楼道黑",
             "2号楼3单元楼道灯坏了好几天了。", 4,
             reporter_name="何玉兰", reporter_phone="13910010016", steps=(
                 s(0.5, "merge", "community", into="07", note="同一楼道照明问题"),)),
    DemoCase("17", f"{DH}001", "070301", "web", "complaint", "夜间车辆占用盲道",
             "东湖小区南门外盲道晚上总被车辆占用。", 24, anonymous=True, steps=(
                 s(1, "sign", "community"), s(2, "start", "community"))),
    DemoCase("18", f"{DH}003", "070103", "web", "complaint", "湖光花园背街保洁差",
             "湖光花园背街小巷落叶和垃圾很多，好几天没人扫。", 5 * 24,
             reporter_name="罗春生", reporter_phone="13910010018", steps=(
                 s(1, "return", "community", reason="背街小巷属街道环卫所保洁范围，请街道派单"),
                 s(1.1, "dispatch"),
                 s(3, "sign", "street"), s(4, "start", "street"))),
    # --- 东湖街道: street-level items go to the street's centre (demo_street) ----------------------------------------
    DemoCase("19", f"{HS}001", "020104", "web", "complaint", "地铁口共享单车堆积",
             "槐树岭地铁站B口共享单车堆满人行道，轮椅过不去。", 20,
             reporter_name="谢金凤", reporter_phone="13910010019"),
    DemoCase("20", f"{XF}002", "020103", "phone", "complaint", "学府路饭店店外经营",
             "学府路北段几家饭店晚上把桌椅摆到人行道上。", 5 * 24, entered_by="street",
             reporter_name="宋海涛", reporter_phone="13910010020", steps=(
                 s(2, "sign", "street"), s(3, "start", "street"),
                 s(5, "contact", "street", method="phone", reached=True),
                 s(4 * 24, "answer", "street", answer="已约谈商户并签订门前三包责任书，店外桌椅已撤回。"))),
    DemoCase("21", f"{DH}004", "B040101", "web", "report", "行道树倾斜有倒伏危险",
             "东湖路滨湖家园门口一棵行道树严重倾斜，刮风时晃得厉害。", 15 * 24,
             reporter_name="唐振华", reporter_phone="13910010021", steps=(
                 s(1, "sign", "street"), s(1.5, "start", "street"),
                 s(2, "contact", "street", method="phone", reached=True),
                 s(10, "answer", "street", answer="园林养护队已对倾斜树木进行扶正加固，并修剪了过密枝条。"),
                 s(30, "verify", "community", passed=True, note="树木已加固"),
                 s(50, "rate", resolution="resolved", satisfaction="satisfied"))),
    DemoCase("22", f"{XF}001", "050203", "walk_in", "help", "装修工人被拖欠工资",
             "多名装修工人反映学府花园某装修公司拖欠三个月工资。", 7 * 24, entered_by="street",
             reporter_name="韩立新", reporter_phone="13910010022", steps=(
                 s(2, "sign", "street"), s(3, "start", "street"),
                 s(4, "contact", "street", method="visit", reached=True, note="已登记工人名单和欠薪金额"),
                 s(6 * 24, "extension", "street", days=25, reason="需人社部门劳动监察介入调查，时间较长"))),
    DemoCase("23", f"{DH}002", "030103", "web", "report", "楼内消火栓箱损坏",
             "东湖西里4号楼各层消火栓箱玻璃破损、水带缺失。", 35 * 24,
             reporter_name="曹宝山", reporter_phone="13910010023", steps=(
                 s(3, "sign", "street"), s(4, "start", "street"),
                 s(5, "contact", "street", method="phone", reached=True),
                 s(6 * 24, "answer", "street", answer="已督促物业更换消火栓箱玻璃并补齐水带，消防设施检测合格。"),
                 s(7 * 24, "verify", "community", passed=True, note="已逐层检查"),
                 s(8 * 24, "rate", resolution="resolved", satisfaction="satisfied"))),
    # --- 城管执法局 (demo_department): department-level items -------------------------------------------------------
    DemoCase("24", f"{XF}003", "020101", "hotline", "complaint", "学府路早市占道经营",
             "12345转来：学府路每天早上摊贩占道经营，堵塞交通。", 3,
             reporter_name="邓秀珍", reporter_phone="13910010024"),
    DemoCase("25", f"{DH}002", "020201", "web", "complaint", "工地夜间施工噪声扰民",
             "东湖西里对面工地每天晚上十一点以后还在施工，影响休息。", 2 * 24,
             reporter_name="彭晓燕", reporter_phone="13910010025", steps=(
                 s(1, "sign", "department"), s(2, "start", "department"),
                 s(3, "contact", "department", method="phone", reached=True, note="已告知今晚到场检查"))),
    DemoCase("26", f"{DH}005", "B010201", "web", "help", "望湖苑门前路灯不亮",
             "望湖苑门前东湖路上连续三盏路灯不亮。", 22 * 24,
             reporter_name="肖德明", reporter_phone="13910010026", steps=(
                 s(2, "sign", "department"), s(3, "start", "department"),
                 s(4, "contact", "department", method="phone", reached=True),
                 s(2 * 24, "answer", "department", answer="路灯维护单位已更换三盏路灯的灯具和线路，已恢复照明。"),
                 s(3 * 24, "verify", "community", passed=True, note="夜间查看路灯已亮"),
                 s(4 * 24, "rate", resolution="resolved", satisfaction="satisfied"))),
    DemoCase("27", f"{HS}003", "010201", "phone", "report", "一层住户私自扩建",
             "槐荫里3号楼一层住户在绿地上加盖彩钢房。", 2 * 24, entered_by="street",
             reporter_name="田秀梅", reporter_phone="13910010027", steps=(
                 s(3, "sign", "department"),
                 s(6, "contact", "department", method="phone", reached=True, note="已约定周三到现场勘查"))),
    # --- units without a demo account: these wait, as they would ----------------------------------------------------
    DemoCase("28", f"{NY}001", "060101", "hotline", "help", "南苑北里一区停水",
             "12345转来：南苑北里一区3号楼从早上起停水，没有通知。", 5,
             reporter_name="潘桂芝", reporter_phone="13910010028", urgency="urgent"),
    DemoCase("29", f"{FL}002", "050201", "web", "help", "楼上住户噪声纠纷",
             "枫林绿洲楼上住户每天深夜拖拽家具，沟通无效。", 24,
             reporter_name="蒋海燕", reporter_phone="13910010029"),
    DemoCase("30", f"{NY}003", "020202", "web", "complaint", "工地扬尘严重",
             "南苑北里三区旁边工地没有覆盖，刮风时尘土飞扬。", 10,
             reporter_name="蔡永刚", reporter_phone="13910010030"),
)


# --- the writer ----------------------------------------------------------------------------------------------------
class _Skip(Exception):
    pass


class _Seeder:
    def __init__(self, *, district: Region, now: datetime.datetime):
        self.district, self.now = district, now
        self.users = {key: User.objects.filter(username=username, is_active=True).first()
                      for key, username in ACCOUNTS.items()}
        self.departments = {d.code.rsplit(f"{DISTRICT_CODE}-", 1)[-1]: d
                            for d in Department.objects.filter(district=district)}
        self.grids = {r.code: r for r in Region.objects.filter(path__startswith=district.path,
                                                               level=RegionLevel.GRID, valid_to__isnull=True)}
        self.categories = {c.code: c for c in Category.objects.filter(code__in={case.category for case in CASES})}
        self.by_key = {i.external_id[len(EXTERNAL_PREFIX):]: i for i in Incident.objects.filter(
            external_id__startswith=EXTERNAL_PREFIX, grid__path__startswith=district.path)}

    def user(self, key: str) -> User:
        user = self.users.get(key)
        if user is None:
            raise _Skip(f"the account {ACCOUNTS[key]} does not exist or is disabled")
        return user

    def department(self, code: str) -> Department:
        department = self.departments.get(code)
        if department is None:
            raise _Skip(f"department {DISTRICT_CODE}-{code} does not exist")
        return department

    # Rows the services stamp with the wall clock are set to the simulated moment of the step.
    def _marks(self) -> dict:
        return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for model in (IncidentEvent, Assignment, WhistleCall, ExtensionRequest)}

    def _restamp(self, incident: Incident, marks: dict, at: datetime.datetime) -> None:
        for model, last in marks.items():
            model.objects.filter(pk__gt=last, incident=incident).update(created_at=at)

    def create(self, case: DemoCase) -> Incident:
        grid = self.grids.get(f"{DISTRICT_CODE}{case.grid}")
        category = self.categories.get(case.category)
        if grid is None or category is None:
            raise _Skip(f"grid {case.grid} or category {case.category} is missing")
        reported = self.now - datetime.timedelta(hours=case.hours_ago)
        if any(step.hours > case.hours_ago for step in case.steps):
            raise _Skip("a step lies in the future")  # a plan error; the tests check the plan
        marks = self._marks()
        incident = lifecycle.incident_report(
            channel=case.channel, request_type=case.request_type, category=category, title=case.title,
            description=case.description, grid=grid, address=case.address, reporter_name=case.reporter_name,
            reporter_phone=case.reporter_phone, anonymous=case.anonymous, urgency=case.urgency,
            reported_by=self.user(case.entered_by) if case.entered_by else None,
            hotline_order_no=f"DEMO12345{case.key}" if case.channel == "hotline" else None,
            external_id=case.external_id, now=reported)
        Incident.objects.filter(pk=incident.pk).update(created_at=reported)
        self._restamp(incident, marks, reported)
        self.step(incident, Step(DISPATCH_AFTER_HOURS, "dispatch"), reported)
        for step in case.steps:
            self.step(incident, step, reported)
        return incident

    def step(self, incident: Incident, step: Step, reported: datetime.datetime) -> None:
        at = reported + datetime.timedelta(hours=step.hours)
        marks = self._marks()
        args, pk = dict(step.args), incident.pk
        actor = self.user(step.who) if step.who else None
        action = step.action
        if action == "dispatch":
            incident_dispatch(incident_id=pk, now=at)
        elif action == "sign":
            lifecycle.incident_sign_for(actor=actor, incident_id=pk, now=at)
        elif action == "co_sign":
            lifecycle.incident_sign_for(actor=actor, incident_id=pk, now=at)
        elif action == "start":
            lifecycle.incident_start(actor=actor, incident_id=pk, note=args.get("note", ""), now=at)
        elif action == "contact":
            lifecycle.incident_contact(actor=actor, incident_id=pk, now=at, **args)
        elif action == "answer":
            lifecycle.incident_answer(actor=actor, incident_id=pk, now=at, **args)
        elif action == "verify":
            lifecycle.incident_verify(actor=actor, incident_id=pk, now=at, **args)
        elif action == "rate":
            lifecycle.incident_rate(incident_id=pk, now=at, **args)
        elif action == "reopen":
            lifecycle.incident_reopen(incident_id=pk, now=at, **args)
        elif action == "return":
            lifecycle.incident_return(actor=actor, incident_id=pk, now=at, **args)
        elif action == "reject":
            lifecycle.incident_reject(actor=actor, incident_id=pk, now=at, **args)
        elif action == "merge":
            target = self.by_key.get(args["into"])
            if target is None:
                raise _Skip(f"the case to merge into ({args['into']}) is missing")
            lifecycle.incident_merge(actor=actor, incident_id=pk, duplicate_of=target.pk, note=args.get("note", ""),
                                     now=at)
        elif action == "extension":
            lifecycle.extension_request(actor=actor, incident_id=pk, reason=args["reason"], now=at,
                                        new_handle_by=Incident.objects.get(pk=pk).handle_by
                                        + datetime.timedelta(days=args["days"]))
        elif action == "decide":
            extension = ExtensionRequest.objects.get(incident_id=pk, state=ExtensionRequest.State.PENDING)
            lifecycle.extension_decide(actor=actor, extension_id=extension.pk, now=at, **args)
        elif action == "co":
            lifecycle.incident_add_co_handler(actor=actor, incident_id=pk, note=args.get("note", ""), now=at,
                                              department=self.department(args["department"]))
        elif action == "whistle":
            whistle_blow(actor=actor, incident_id=pk, reason=args["reason"], now=at,
                         departments=[self.department(code) for code in args["departments"]])
        elif action == "report_in":
            summons = WhistleSummons.objects.get(whistle__incident_id=pk,
                                                 department=self.department(args["department"]))
            whistle_report_in(actor=actor, summons_id=summons.pk, part=args["part"], now=at)
        else:
            raise ValueError(f"unknown demo step {action}")
        self._restamp(incident, marks, at)


def seed_demo_cases(*, stdout=None, now: datetime.datetime | None = None) -> dict:
    """Create the demo cases that do not exist yet (see the module docstring). Returns {"created": [...keys],
    "skipped": {key: reason}, "existing": n}."""
    result = {"created": [], "skipped": {}, "existing": 0}

    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(line)

    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
    if district is None:
        say(f"Demo cases: the demo district {DISTRICT_CODE} does not exist; run seed_demo first. 请先加载演示辖区。")
        return result
    now = now or timezone.now()
    token = set_actor(Actor(username=SEED_ACTOR))
    try:
        with transaction.atomic():
            seeder = _Seeder(district=district, now=now)
            for case in CASES:
                if case.key in seeder.by_key:
                    result["existing"] += 1
                    continue
                try:
                    with transaction.atomic():
                        seeder.by_key[case.key] = seeder.create(case)
                except (_Skip, ApplicationError, ValidationError, ObjectDoesNotExist, ValueError) as exc:
                    reason = getattr(exc, "message", None) or str(exc)
                    if hasattr(exc, "message_dict"):
                        reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                    result["skipped"][case.key] = str(reason)
                    logger.warning("demo case %s skipped: %s", case.key, reason)
                    continue
                result["created"].append(case.key)
        if result["created"]:
            from grids.services.deadlines import incident_deadlines_sweep

            incident_deadlines_sweep(now=now)  # overdue demo cases get their 催办/督办 records now
    finally:
        reset_actor(token)
    total = len(result["created"]) + result["existing"]
    if result["created"]:
        say(f"Demo cases: {len(result['created'])} created, {total} of {len(CASES)} present. "
            f"演示案件已创建。")
    else:
        say(f"Demo cases: all {total} present; nothing created or changed. 演示案件已存在，未做任何修改。")
    for key, reason in result["skipped"].items():
        say(f"  demo case {key} skipped: {reason}")
    return result
