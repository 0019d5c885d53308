"""The column spec of every register workbook: one declarative list per register.

The same list drives the template (headers, text-formatted columns, the "说明" sheet), the importer (header
check, cell types, which column an error belongs to) and the export (same headers, so an export can be edited
and imported again). Headers and the 说明 texts are the Chinese file format itself, so they are not translated;
the English key is the stable machine name.

References are resolved by natural key, never by database id:
- grid            by its 15-digit (grid) or 18-digit (micro-grid) code;
- building        by its 5-digit number within the community of the row's grid;
- housing unit    by building number + 单元 + 房号;
- household       by its number within the row's grid;
- care groups     by name (or code), several separated by 、 or ,.
"""

from dataclasses import dataclass

# Cell kinds.
TEXT = "text"
INT = "int"
DECIMAL = "decimal"
DATE = "date"
CHOICE = "choice"
BOOL = "bool"
ID_NUMBER = "id_number"  # text; 18 characters; never a number cell
PHONE = "phone"  # text; never a number cell
DIGITS = "digits"  # code-like text that Excel would mangle as a number (credit code, household number)
GRID = "grid"  # 15/18-digit region code
BUILDING = "building"  # 5-digit building number within the community
CARE_GROUPS = "care_groups"

KIND_LABELS = {
    TEXT: "文本",
    INT: "整数",
    DECIMAL: "数字（可带小数）",
    DATE: "日期（YYYY-MM-DD）",
    CHOICE: "选项",
    BOOL: "是/否",
    ID_NUMBER: "文本（18位身份证号）",
    PHONE: "文本（电话号码）",
    DIGITS: "文本（编码）",
    GRID: "文本（15位网格编码或18位微网格编码）",
    BUILDING: "文本（5位楼栋编号）",
    CARE_GROUPS: "文本（多个用、或,分隔）",
}

# Kinds written and read as text ("@"), so Excel never turns them into 1.1E+17 or drops leading zeros.
TEXT_FORMAT_KINDS = frozenset({ID_NUMBER, PHONE, DIGITS, GRID, BUILDING})
# Kinds masked in an export unless the editor explicitly asks for full values.
MASKED_KINDS = frozenset({ID_NUMBER, PHONE})

BOOL_TRUE = ("是", "y", "yes", "true", "1", "在营", "有效")
BOOL_FALSE = ("否", "n", "no", "false", "0", "停业", "无效")


@dataclass(frozen=True)
class Column:
    key: str  # English key, also the service field name where the column feeds one field directly
    header: str  # Chinese header (the file format)
    kind: str = TEXT
    required: bool = False
    help: str = ""  # explanation in the 说明 sheet
    example: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label); the label is what the export writes
    aliases: tuple[tuple[str, str], ...] = ()  # extra accepted spellings (alias, code)
    header_aliases: tuple[str, ...] = ()  # other headers accepted for this column on import

    @property
    def as_text(self) -> bool:
        return self.kind in TEXT_FORMAT_KINDS

    @property
    def masked(self) -> bool:
        return self.kind in MASKED_KINDS

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def label_for(self, code) -> str:
        return dict(self.choices).get(code, code or "")

    def allowed_text(self) -> str:
        if self.kind == CHOICE:
            return "、".join(f"{label}（{code}）" for code, label in self.choices)
        if self.kind == BOOL:
            return "是、否"
        return ""


def _grid(help_text="本行记录所属的网格。") -> Column:
    return Column("grid", "网格编码", GRID, required=True, example="110101001001001",
                  help=help_text + "填写15位网格编码或18位微网格编码，须在您的管辖范围内。",
                  header_aliases=("网格代码",))


def _building_ref(required=False, help_text="") -> Column:
    return Column("building", "楼栋编号", BUILDING, required=required, example="00012",
                  help=help_text or "所在楼栋在本社区内的5位编号（如00012，也可写12）。")


def _entrance() -> Column:
    return Column("entrance", "单元", TEXT, example="1单元", help="单元名称，与房屋登记一致；没有单元可留空。")


def _room(required=False, help_text="") -> Column:
    return Column("room", "房号", TEXT, required=required, example="301",
                  help=help_text or "房号，与房屋登记一致。填写房号时须同时填写楼栋编号。")


RESIDENT_COLUMNS: tuple[Column, ...] = (
    _grid(),
    Column("name", "姓名", TEXT, required=True, example="王芳", help="居民姓名，最多64字。"),
    Column("id_number", "身份证号", ID_NUMBER, required=True, example="11010519491231002X",
           help="18位公民身份号码（按GB 11643校验），末位可为X。本列必须是文本格式；"
                "作为导入时的唯一标识：已登记的号码将更新该居民。",
           header_aliases=("身份证号码", "公民身份号码")),
    Column("gender", "性别", CHOICE, example="女", choices=(("M", "男"), ("F", "女")),
           help="由身份证号自动得出，可留空；如填写须与身份证号一致。"),
    Column("birth_date", "出生日期", DATE, example="1949-12-31",
           help="由身份证号自动得出，可留空；如填写须与身份证号一致。格式YYYY-MM-DD或Excel日期。"),
    Column("phone", "联系电话", PHONE, example="13812345678", help="11位手机号或带区号的固定电话（如010-62345678）。",
           header_aliases=("手机号", "手机号码", "电话")),
    Column("household", "户编号", DIGITS, example="H000123", help="所属户在本网格内的户编号（须已在“户”登记中存在）；可留空。"),
    _building_ref(help_text="居住房屋所在楼栋的5位编号；与单元、房号一起确定房屋（须已在“房屋”登记中存在）。"),
    _entrance(),
    _room(),
    Column("residence_type", "居住类型", CHOICE, example="户籍",
           choices=(("registered", "户籍"), ("resident", "常住"), ("floating", "流动")),
           aliases=(("户籍人口", "registered"), ("常住人口", "resident"), ("流动人口", "floating")),
           help="留空时新登记为“户籍”，已登记的不修改。"),
    Column("relation_to_head", "与户主关系", TEXT, example="配偶", help="如户主、配偶、子女。"),
    Column("political_status", "政治面貌", CHOICE, example="群众",
           choices=(("masses", "群众"), ("party_member", "中共党员"), ("league_member", "共青团员"), ("other", "其他党派")),
           aliases=(("党员", "party_member"), ("团员", "league_member"), ("民主党派", "other")),
           help="留空时新登记为“群众”，已登记的不修改。"),
    Column("status", "状态", CHOICE, example="在住",
           choices=(("active", "在住"), ("moved_out", "已迁出"), ("deceased", "已故")),
           aliases=(("迁出", "moved_out"), ("死亡", "deceased")),
           help="留空时新登记为“在住”，已登记的不修改。"),
    Column("care_groups", "关怀对象", CARE_GROUPS, example="独居老人、残疾人",
           help="关怀对象类别名称，多个用顿号、或逗号分隔；须是系统中已有的类别。留空表示没有。"),
    Column("emergency_contact", "紧急联系人", TEXT, example="李明"),
    Column("emergency_phone", "紧急联系电话", PHONE, example="13987654321"),
    Column("notes", "备注", TEXT, example="", help="最多2000字。"),
)

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    _grid(),
    Column("number", "户编号", DIGITS, required=True, example="H000123",
           help="户在本网格内的编号（网格内唯一）；与网格编码一起作为导入时的唯一标识。"),
    Column("kind", "户类型", CHOICE, example="户籍户",
           choices=(("registered", "户籍户"), ("resident", "常住户"), ("floating", "流动户")),
           aliases=(("户籍", "registered"), ("常住", "resident"), ("流动", "floating")),
           help="留空时新登记为“户籍户”，已登记的不修改。"),
    _building_ref(help_text="居住房屋所在楼栋的5位编号；与单元、房号一起确定房屋；可留空。"),
    _entrance(),
    _room(),
)

BUILDING_COLUMNS: tuple[Column, ...] = (
    _grid("楼栋所属的网格。"),
    Column("number", "楼栋编号", BUILDING, required=True, example="00012",
           help="楼栋在本社区内的5位编号00001–99999（也可写12，自动补足为00012）；与社区一起作为导入时的唯一标识。"),
    Column("name", "楼栋名称", TEXT, required=True, example="12号楼", help="最多100字。"),
    Column("kind", "类型", CHOICE, example="住宅",
           choices=(("residential", "住宅"), ("commercial", "商业"), ("mixed", "商住混合"), ("public", "公共设施")),
           aliases=(("商住", "mixed"),), help="留空时新登记为“住宅”，已登记的不修改。"),
    Column("floors", "层数", INT, example="6", help="地上层数，整数；可留空。"),
    Column("address", "地址", TEXT, example="幸福路12号", help="最多200字。"),
)

HOUSING_UNIT_COLUMNS: tuple[Column, ...] = (
    _grid("房屋所在楼栋所属的网格（用于确定社区）。"),
    _building_ref(required=True, help_text="房屋所在楼栋在本社区内的5位编号（须已在“楼栋”登记中存在）。"),
    Column("entrance", "单元", TEXT, example="1单元", help="单元名称；没有单元可留空。楼栋+单元+房号作为导入时的唯一标识。"),
    _room(required=True, help_text="房号，如301。"),
    Column("area", "建筑面积（平方米）", DECIMAL, example="85.5", help="数字，最多两位小数；可留空。",
           header_aliases=("面积", "建筑面积")),
    Column("usage", "用途", CHOICE, example="自住",
           choices=(("self_occupied", "自住"), ("rented", "出租"), ("vacant", "空置")),
           aliases=(("自用", "self_occupied"), ("租赁", "rented"), ("闲置", "vacant")),
           help="留空时新登记为“自住”，已登记的不修改。"),
)

ORGANISATION_COLUMNS: tuple[Column, ...] = (
    _grid(),
    Column("name", "名称", TEXT, required=True, example="幸福便利店", help="组织名称，最多120字。",
           header_aliases=("组织名称", "单位名称")),
    Column("kind", "类型", CHOICE, required=True, example="商铺",
           choices=(("unit", "单位"), ("enterprise", "企业"), ("shop", "商铺"), ("social", "社会组织")),
           aliases=(("机关事业单位", "unit"), ("门店", "shop"))),
    Column("credit_code", "统一社会信用代码", DIGITS, example="91110105MA0000000Y",
           help="18位统一社会信用代码（GB 32100校验）；填写时作为导入时的唯一标识，未填写时以网格+名称识别。"),
    _building_ref(help_text="所在楼栋在本社区内的5位编号；可留空。"),
    Column("address", "地址", TEXT, example="幸福路12号底商"),
    Column("contact_name", "联系人", TEXT, example="赵敏"),
    Column("contact_phone", "联系电话", PHONE, example="010-62345678"),
    Column("employees", "从业人数", INT, example="5", help="整数；可留空。"),
    Column("is_active", "是否在营", BOOL, example="是", help="是/否；留空时新登记为“是”，已登记的不修改。"),
)


def headers(columns) -> list[str]:
    return [column.header for column in columns]
