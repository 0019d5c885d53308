"""Writes to the responsibility list (责任清单): the 事件 and 部件 category trees.

- category_create / category_update / category_deactivate: district officials only (PermissionDeniedError
  otherwise); every rule is checked here, so the pages, the Excel import and the seed share one set of rules.
- category_seed_defaults: the default list (grids.data.categories), idempotent by code.
- categories_export / categories_import: one tree as an .xlsx workbook (the register import's file format,
  helpers and {row, column, message} error report); an import writes all of its rows or none of them.

Rules
- code: 1–16 capital letters or digits, unique across both trees; a child's code starts with its parent's code
  and is longer (01 → 0101 → 010101, B01 → B0101 → B010101). It is the natural key of the Excel import; a
  category with sub-categories keeps its code.
- a child belongs to its parent's tree; categories are not moved (neither on the pages nor by import).
- limits in hours, 1…MAX_LIMIT_HOURS; sign-for ≤ handling; urgent and emergency limits ≤ handling, emergency ≤
  urgent.
- an item at depth ≥ 3 (细类) needs a handling level; the "department" level needs an active department of the
  official's district.
- deactivating a category deactivates its whole subtree; a category is activated only under an active parent.
- reportable (usable for a new case) = active, depth ≥ 3 and no active sub-category (category_is_reportable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, PermissionDeniedError
from governance.models import AuditLog, Department, Role
from governance.services.audit import audit_record
from grids.data.categories import DEPARTMENT as DATA_DEPARTMENT
from grids.data.categories import STREET as DATA_STREET
from grids.data.categories import TREES, Leaf, walk
from grids.imports import columns as c
from grids.imports.cells import CellError, parse_cell
from grids.imports.workbook import WorkbookError, export_workbook, read_upload, read_workbook
from grids.models import Category, CategoryTree, HandlingLevel, Region, RegionLevel

REPORTABLE_DEPTH = 3  # 大类 / 小类 / 细类: cases are reported on 细类 (and deeper) only
MAX_DEPTH = 5
MAX_LIMIT_HOURS = 24 * 366
MAX_CONDITIONS_LENGTH = 2000
DEFAULT_SIGN_FOR_HOURS = 24
DEFAULT_HANDLE_HOURS = 7 * 24
CODE_RE = re.compile(r"^[A-Z0-9]{1,16}$")
LIMIT_FIELDS = ("sign_for_hours", "handle_hours", "urgent_handle_hours", "emergency_handle_hours")
TEXT_FIELDS = ("code", "name", "keywords", "handling_level", "opening_conditions", "closing_conditions")
EDITABLE_FIELDS = frozenset({*TEXT_FIELDS, *LIMIT_FIELDS, "department", "is_active"})
TREE_TITLES = {CategoryTree.EVENT: "事件分类", CategoryTree.COMPONENT: "部件分类"}  # sheet names (file format)


# --- permissions ---------------------------------------------------------------------------------------------

def can_edit_categories(user) -> bool:
    """District officials edit the responsibility list (everybody on the staff reads it)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.role == Role.DISTRICT_OFFICIAL and user.region_id)


def _ensure_editor(actor) -> None:
    if not can_edit_categories(actor):
        raise PermissionDeniedError(_("Only district officials may change the responsibility list. "
                                      "仅区级用户可修改责任清单。"))


def category_is_reportable(category: Category | None) -> bool:
    """May a new case be filed under this category? Active, a 细类 (depth ≥ 3) with no active sub-category, and
    every ancestor active. At most two queries (none for an inactive or shallow node)."""
    if category is None or not category.is_active or category.depth < REPORTABLE_DEPTH:
        return False
    steplen = Category.steplen
    ancestors = [category.path[: steplen * d] for d in range(1, category.depth)]
    if Category.objects.filter(path__in=ancestors, is_active=False).exists():
        return False
    if category.numchild == 0:
        return True
    return not Category.objects.filter(path__startswith=category.path, depth=category.depth + 1,
                                       is_active=True).exists()


# --- validation ------------------------------------------------------------------------------------------------

def _normalise(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value = (value or "").strip()
            if name == "code":
                value = value.upper()
        out[name] = value
    return out


def _check_limits(category: Category, errors: dict) -> None:
    for name in LIMIT_FIELDS:
        value = getattr(category, name)
        if value is None:
            if name in ("sign_for_hours", "handle_hours"):
                errors[name] = _("Enter the limit in hours. 请填写时限（小时）。")
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT_HOURS:
            errors[name] = _("Enter whole hours from 1 to %(max)d. 时限应为1至%(max)d之间的整数小时。") % {
                "max": MAX_LIMIT_HOURS}
    if errors.keys() & set(LIMIT_FIELDS):
        return
    handle = category.handle_hours
    if category.sign_for_hours > handle:
        errors["sign_for_hours"] = _("The sign-for limit cannot be longer than the handling limit. "
                                     "签收时限不能长于处置时限。")
    for name in ("urgent_handle_hours", "emergency_handle_hours"):
        value = getattr(category, name)
        if value is not None and value > handle:
            errors[name] = _("An urgent limit cannot be longer than the normal one. 紧急时限不能长于一般时限。")
    urgent, emergency = category.urgent_handle_hours, category.emergency_handle_hours
    if "emergency_handle_hours" not in errors and urgent is not None and emergency is not None and emergency > urgent:
        errors["emergency_handle_hours"] = _("The emergency limit cannot be longer than the urgent one. "
                                             "特急时限不能长于紧急时限。")


def _validate(category: Category, parent: Category | None, *, district_id: int | None,
              department_changed: bool) -> None:
    """Every rule of the module docstring; raises ValidationError with one message per field."""
    errors: dict[str, str] = {}
    code = category.code
    if not CODE_RE.fullmatch(code or ""):
        errors["code"] = _("Use 1–16 capital letters or digits, e.g. 010101 or B0101. 编码应为1–16位大写字母或数字。")
    elif parent is not None and (not code.startswith(parent.code) or code == parent.code):
        errors["code"] = _("The code must start with the parent's code %(code)s and be longer. "
                           "编码须以上级编码%(code)s开头且更长。") % {"code": parent.code}
    elif Category.objects.filter(code=code).exclude(pk=category.pk).exists():
        errors["code"] = _("This code is already in use. 该编码已被使用。")
    if not category.name:
        errors["name"] = _("Enter a name. 请填写名称。")
    if category.tree not in CategoryTree.values:
        errors["tree"] = _("Choose the event tree or the component tree. 请选择事件或部件分类树。")
    elif parent is not None and parent.tree != category.tree:
        errors["parent"] = _("The parent category belongs to the other tree. 上级分类属于另一棵分类树。")
    depth = parent.depth + 1 if parent is not None else 1
    if depth > MAX_DEPTH:
        errors["parent"] = _("The list has at most %(n)d levels. 分类最多%(n)d级。") % {"n": MAX_DEPTH}
    _check_limits(category, errors)
    level = category.handling_level
    if level and level not in HandlingLevel.values:
        errors["handling_level"] = _("Choose grid, community, street or department. 请选择网格、社区、街道或部门。")
    elif not level and depth >= REPORTABLE_DEPTH:
        errors["handling_level"] = _("Choose who handles cases of this item (细类). 请选择处置层级。")
    department = category.department if category.department_id else None
    if level == HandlingLevel.DEPARTMENT and department is None:
        errors["department"] = _("A department-level item needs its responsible department. 请选择责任部门。")
    elif department is not None and department_changed:
        if not department.is_active:
            errors["department"] = _("This department is inactive. 该部门已停用。")
        elif district_id is not None and department.district_id != district_id:
            errors["department"] = _("Choose a department of your district. 请选择本区的部门。")
    for name, limit in (("name", 100), ("keywords", 200), ("opening_conditions", MAX_CONDITIONS_LENGTH),
                        ("closing_conditions", MAX_CONDITIONS_LENGTH)):
        if len(getattr(category, name) or "") > limit:
            errors[name] = _("At most %(n)d characters. 最多%(n)d字。") % {"n": limit}
    if category.is_active and parent is not None and not parent.is_active:
        errors["is_active"] = _("The parent category is inactive; activate it first. 上级分类已停用，请先启用上级分类。")
    try:
        category.full_clean(exclude=["path", "depth", "numchild", "code", "department"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)


def _create(*, parent: Category | None, tree: str, district_id: int | None, **fields) -> Category:
    if parent is not None:
        parent = Category.objects.get(pk=parent.pk)  # fresh: depth, is_active, numchild
    fields = _normalise(fields)
    category = Category(tree=tree, **fields)
    _validate(category, parent, district_id=district_id, department_changed=True)
    try:
        with transaction.atomic():
            if parent is None:
                return Category.objects.add_root(instance=category)
            return Category.objects.add_child(parent, instance=category)
    except IntegrityError:
        raise ValidationError({"code": _("This code is already in use. 该编码已被使用。")}) from None


def _update(*, category: Category, district_id: int | None, **fields) -> Category:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(names)s. 以下字段不能修改：%(names)s。")
                              % {"names": ", ".join(sorted(unknown))})
    category = Category.objects.select_for_update().get(pk=category.pk)
    fields = _normalise(fields)
    if "department" in fields:
        department = fields.pop("department")
        fields["department_id"] = department.pk if department is not None else None
    changed = {name: value for name, value in fields.items() if getattr(category, name) != value}
    if not changed:
        return category
    if "code" in changed and category.numchild:
        raise ValidationError({"code": _("A category with sub-categories keeps its code. 有下级分类时不能修改编码。")})
    deactivating = changed.get("is_active") is False
    for name, value in changed.items():
        setattr(category, name, value)
    if "department_id" in changed:
        category.department = Department.objects.filter(pk=category.department_id).first()
    parent = Category.objects.get_parent(category, update=True)
    _validate(category, parent, district_id=district_id, department_changed="department_id" in changed)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ValidationError({"code": _("This code is already in use. 该编码已被使用。")}) from None
    if deactivating:
        _deactivate_subtree(category)
    return category


def _deactivate_subtree(category: Category) -> int:
    """Deactivate the node's active descendants (each saved: the audit trail records every one)."""
    count = 0
    for node in Category.objects.select_for_update().filter(path__startswith=category.path, is_active=True) \
            .exclude(pk=category.pk).order_by("path"):
        node.is_active = False
        node.save(update_fields=["is_active"])
        count += 1
    return count


# --- the services ----------------------------------------------------------------------------------------------

@transaction.atomic
def category_create(*, actor, parent: Category | None = None, tree: str, code: str, name: str, keywords: str = "",
                    handling_level: str = "", department: Department | None = None,
                    sign_for_hours: int = DEFAULT_SIGN_FOR_HOURS, handle_hours: int = DEFAULT_HANDLE_HOURS,
                    urgent_handle_hours: int | None = None, emergency_handle_hours: int | None = None,
                    opening_conditions: str = "", closing_conditions: str = "", is_active: bool = True) -> Category:
    _ensure_editor(actor)
    return _create(parent=parent, tree=tree, district_id=actor.region_id, code=code, name=name, keywords=keywords,
                   handling_level=handling_level, department=department, sign_for_hours=sign_for_hours,
                   handle_hours=handle_hours, urgent_handle_hours=urgent_handle_hours,
                   emergency_handle_hours=emergency_handle_hours, opening_conditions=opening_conditions,
                   closing_conditions=closing_conditions, is_active=is_active)


@transaction.atomic
def category_update(*, actor, category: Category, **fields) -> Category:
    """Change any of EDITABLE_FIELDS; is_active=False deactivates the subtree too. No change → no write."""
    _ensure_editor(actor)
    return _update(category=category, district_id=actor.region_id, **fields)


@transaction.atomic
def category_deactivate(*, actor, category: Category) -> int:
    """Deactivate a category and everything below it. Returns how many categories were deactivated."""
    _ensure_editor(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    count = 0
    if category.is_active:
        category.is_active = False
        category.save(update_fields=["is_active"])
        count = 1
    return count + _deactivate_subtree(category)


# --- the default list --------------------------------------------------------------------------------------------

def _seed_district(district: Region | None) -> Region | None:
    if district is not None:
        return district
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT, valid_to__isnull=True)[:2])
    return districts[0] if len(districts) == 1 else None


class _DepartmentResolver:
    """Department keys (grids.data.categories) → one active department of the district whose name contains the
    key; none or several → unresolved (the caller warns)."""

    def __init__(self, district: Region | None):
        self.departments = list(Department.objects.filter(district=district, is_active=True).order_by("code")) \
            if district is not None else []
        self.problems: dict[str, str] = {}
        self.codes: dict[str, list[str]] = {}

    def resolve(self, key: str, code: str) -> Department | None:
        if not key:
            return None
        matches = [d for d in self.departments if key in d.name]
        if len(matches) == 1:
            return matches[0]
        self.codes.setdefault(key, []).append(code)
        if not matches:
            self.problems[key] = "no department of the district has this name 本区没有名称含此关键字的部门"
        else:
            self.problems[key] = (f"matches {len(matches)} departments 匹配到{len(matches)}个部门: "
                                  + "、".join(d.name for d in matches))
        return None

    def warnings(self) -> list[str]:
        return [f"{key}: {problem}; left with the street centre (街道中心派单) or without a department: "
                f"{', '.join(self.codes[key])}" for key, problem in self.problems.items()]


def category_seed_defaults(*, district: Region | None = None) -> dict:
    """Write the default responsibility list (grids.data.categories). Idempotent by code: existing categories are
    left alone, except that a department-level item which an earlier run left with the street (its department
    did not exist yet: level street, no department) is completed once the department exists.

    Departments are found by name within `district` (default: the only current district). A department-level item
    whose department cannot be resolved (none or several matches) is created at street level without a
    department, with a warning; nothing fails.

    Returns {"district", "created", "completed", "existing", "warnings"}."""
    district = _seed_district(district)
    resolver = _DepartmentResolver(district)
    result = {"district": district.code if district is not None else None, "created": 0, "completed": 0,
              "existing": 0, "warnings": []}
    with transaction.atomic():
        by_code = {category.code: category for category in Category.objects.all()}
        for tree, nodes in TREES.items():
            for parent_code, _depth, entry in walk(nodes):
                found = by_code.get(entry.code)
                department = resolver.resolve(entry.department, entry.code) if isinstance(entry, Leaf) else None
                if found is not None:
                    if found.tree != tree:
                        result["warnings"].append(f"{entry.code}: exists in the other tree; left alone 编码已用于另一棵树")
                    elif (isinstance(entry, Leaf) and entry.level == DATA_DEPARTMENT and department is not None
                          and found.department_id is None and found.handling_level == DATA_STREET):
                        found.handling_level, found.department = DATA_DEPARTMENT, department
                        found.save(update_fields=["handling_level", "department"])
                        result["completed"] += 1
                    else:
                        result["existing"] += 1
                    continue
                parent = by_code.get(parent_code) if parent_code else None
                if parent_code and parent is None:
                    result["warnings"].append(f"{entry.code}: parent {parent_code} is missing 上级分类不存在")
                    continue
                fields = {"code": entry.code, "name": entry.name, "keywords": entry.keywords}
                if isinstance(entry, Leaf):
                    level = entry.level
                    if level == DATA_DEPARTMENT and department is None:
                        level = DATA_STREET
                    limits = entry.limits
                    fields.update(
                        handling_level=level, department=department, sign_for_hours=limits.sign_for_hours,
                        handle_hours=limits.handle_hours, urgent_handle_hours=limits.urgent_handle_hours,
                        emergency_handle_hours=limits.emergency_handle_hours, opening_conditions=entry.opening,
                        closing_conditions=entry.closing)
                by_code[entry.code] = _create(parent=parent, tree=tree, district_id=None, **fields)
                result["created"] += 1
    result["warnings"] += resolver.warnings()
    return result


# --- Excel -------------------------------------------------------------------------------------------------------

LEVEL_CHOICES = (("grid", "网格"), ("community", "社区"), ("street", "街道"), ("department", "部门"))

CATEGORY_COLUMNS: tuple[c.Column, ...] = (
    c.Column("code", "编码", c.DIGITS, required=True, example="010101",
             help="分类编码，1–16位大写字母或数字，两棵分类树内唯一；下级编码以上级编码开头（如01 → 0101 → 010101）。"
                  "作为导入时的唯一标识：已有编码的分类将被更新。有下级分类的编码不能修改。",
             header_aliases=("分类编码", "代码")),
    c.Column("parent", "上级编码", c.DIGITS, example="0101",
             help="上级分类的编码；大类留空。上级须已存在，或在本文件中。不能通过导入移动已有分类。",
             header_aliases=("上级分类编码",)),
    c.Column("name", "名称", c.TEXT, required=True, example="暴露垃圾", help="最多100字。",
             header_aliases=("分类名称",)),
    c.Column("handling_level", "处置层级", c.CHOICE, example="社区", choices=LEVEL_CHOICES,
             aliases=(("网格员", "grid"), ("社区居委会", "community"), ("街道办事处", "street"), ("职能部门", "department"),
                      ("区直部门", "department")),
             help="细类（第三级及以下）必填：谁处置这类事件。大类、小类可留空。", header_aliases=("层级",)),
    c.Column("department_code", "责任部门编码", c.DIGITS, example="110199-CGZF",
             help="本区责任部门的编码（导出文件中已填写）；填写编码时可不填部门名称。处置层级为“部门”时，编码或名称必填其一。"),
    c.Column("department", "责任部门", c.TEXT, example="示范区城市管理综合行政执法局（城管执法局）",
             help="本区责任部门的全称，或能唯一识别部门的简称（如“住建局”）。同时填写编码时须与编码一致。",
             header_aliases=("责任部门名称", "主责部门")),
    c.Column("sign_for_hours", "签收时限（小时）", c.INT, example="24",
             help="整数小时，1–8784；不得长于处置时限。留空时新建为24，已有的不修改。", header_aliases=("签收时限",)),
    c.Column("handle_hours", "处置时限（小时）", c.INT, example="168",
             help="整数小时：一般7天=168，复杂15天=360，水电气热24。留空时新建为168，已有的不修改。",
             header_aliases=("处置时限",)),
    c.Column("urgent_handle_hours", "紧急处置时限（小时）", c.INT, example="72",
             help="紧急件的处置时限，可留空（按处置时限）；不得长于处置时限。", header_aliases=("紧急时限",)),
    c.Column("emergency_handle_hours", "特急处置时限（小时）", c.INT, example="2",
             help="特急（突发）件的处置时限，可留空（按平台默认2小时）；不得长于紧急处置时限。", header_aliases=("特急时限",)),
    c.Column("opening_conditions", "立案条件", c.TEXT, example="道路、广场等公共区域有暴露堆放的垃圾，面积1平方米以上。",
             help="最多2000字。"),
    c.Column("closing_conditions", "结案条件", c.TEXT, example="垃圾清运完毕，现场无明显残留。", help="最多2000字。"),
    c.Column("keywords", "关键词", c.TEXT, example="垃圾 堆放 杂物", help="用空格分隔，上报时用于搜索分类；最多200字。"),
    c.Column("is_active", "是否启用", c.BOOL, example="是",
             help="是/否；留空时新建为“是”，已有的不修改。停用某分类会同时停用其全部下级。"),
)
_COLUMN_BY_KEY = {column.key: column for column in CATEGORY_COLUMNS}
_ORDER = {column.key: index for index, column in enumerate(CATEGORY_COLUMNS)}
_LEVEL_LABELS = dict(LEVEL_CHOICES)


def _tree_or_error(tree: str) -> str:
    if tree not in CategoryTree.values:
        raise ValidationError({"tree": _("Choose the event tree or the component tree. 请选择事件或部件分类树。")})
    return tree


def _export_rows(categories: list[Category]):
    by_path = {category.path: category for category in categories}
    steplen = Category.steplen
    for category in categories:
        parent = by_path.get(category.path[:-steplen]) if category.depth > 1 else None
        department = category.department
        yield {
            "code": category.code, "parent": parent.code if parent else "", "name": category.name,
            "handling_level": _LEVEL_LABELS.get(category.handling_level, ""),
            "department_code": department.code if department else "", "department": department.name if department else "",
            "sign_for_hours": category.sign_for_hours, "handle_hours": category.handle_hours,
            "urgent_handle_hours": category.urgent_handle_hours, "emergency_handle_hours": category.emergency_handle_hours,
            "opening_conditions": category.opening_conditions, "closing_conditions": category.closing_conditions,
            "keywords": category.keywords, "is_active": "是" if category.is_active else "否",
        }


def categories_export(*, tree: str) -> bytes:
    """One tree as .xlsx, in tree order (parents first), with the import's headers: edit it and import it again."""
    tree = _tree_or_error(tree)
    categories = list(Category.objects.filter(tree=tree).select_related("department").order_by("path"))
    content, _rows = export_workbook(CATEGORY_COLUMNS, TREE_TITLES[CategoryTree(tree)], _export_rows(categories))
    return content


def categories_export_filename(*, tree: str) -> str:
    return f"{TREE_TITLES[CategoryTree(_tree_or_error(tree))]}-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"


@dataclass
class CategoryImportResult:
    tree: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "column" (header), "message"}, by row then column

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    row: int
    present: frozenset
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # column key ("" = whole row) -> message

    def error(self, key: str, message) -> None:
        self.errors.setdefault(key, str(message))

    def has(self, key: str) -> bool:
        return key in self.present


class _ImportRun:
    def __init__(self, actor, tree: str):
        self.actor, self.tree = actor, tree
        self.district_id = actor.region_id
        departments = list(Department.objects.filter(district_id=self.district_id))
        self.departments_by_code = {d.code.upper(): d for d in departments}
        self.departments = departments

    # parsing and references (no writes)
    def parse(self, number: int, cells: dict) -> _Row:
        row = _Row(row=number, present=frozenset(cells))
        for key, raw in cells.items():
            column = _COLUMN_BY_KEY[key]
            try:
                value = parse_cell(column, raw)
            except CellError as exc:
                row.error(key, exc.message)
                continue
            if key in ("code", "parent") and value is not None:
                value = value.upper()
            row.values[key] = value
            if column.required and value is None:
                row.error(key, _("This column is required. 此列必填。"))
        self._department(row)
        return row

    def _department(self, row: _Row) -> None:
        code, name = row.values.get("department_code"), row.values.get("department")
        if not (row.has("department_code") or row.has("department")):
            return
        department = None
        if code:
            department = self.departments_by_code.get(code.upper())
            if department is None:
                row.error("department_code", _("No department of your district has the code %(code)s. "
                                               "本区没有编码为%(code)s的部门。") % {"code": code})
                return
            if name and name != department.name and name not in department.name:
                row.error("department", _("The name does not match the department code (%(name)s). "
                                          "部门名称与编码不一致（%(name)s）。") % {"name": department.name})
                return
        elif name:
            exact = [d for d in self.departments if d.name == name]
            matches = exact or [d for d in self.departments if name in d.name]
            if len(matches) != 1:
                message = (_("No department of your district has this name. 本区没有该名称的部门。") if not matches else
                           _("The name fits several departments; enter the department code. 名称对应多个部门，请填写部门编码。"))
                row.error("department", message)
                return
            department = matches[0]
        row.values["_department"] = department

    def fields_for(self, row: _Row, existing: Category | None) -> dict:
        """Service arguments: a column left out of the file leaves the field alone; a blank cell clears a text
        field or an optional limit, and leaves the two main limits and is_active alone (defaults when new)."""
        v = row.values
        fields: dict = {}
        for key in ("name", "keywords", "handling_level", "opening_conditions", "closing_conditions"):
            if row.has(key):
                fields[key] = v.get(key) or ""
        if row.has("department_code") or row.has("department"):
            fields["department"] = v.get("_department")
        for key in ("sign_for_hours", "handle_hours"):
            if row.has(key) and v.get(key) is not None:
                fields[key] = v[key]
        for key in ("urgent_handle_hours", "emergency_handle_hours"):
            if row.has(key):
                fields[key] = v.get(key)
        if row.has("is_active") and v.get("is_active") is not None:
            fields["is_active"] = v["is_active"]
        if existing is None:
            fields.setdefault("sign_for_hours", DEFAULT_SIGN_FOR_HOURS)
            fields.setdefault("handle_hours", DEFAULT_HANDLE_HOURS)
        return fields

    @staticmethod
    def changed(existing: Category, fields: dict) -> bool:
        for name, value in fields.items():
            current = existing.department if name == "department" else getattr(existing, name)
            if name == "department":
                if (current.pk if current else None) != (value.pk if value else None):
                    return True
            elif current != value:
                return True
        return False

    def service_errors(self, row: _Row, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                row.error("", message)
            return
        for name, messages in exc.message_dict.items():
            if name == "department":
                key = "department_code" if row.has("department_code") else "department"
            elif name in _COLUMN_BY_KEY:
                key = name
            else:
                key = ""
            row.error(key, messages[0])

    def report(self, rows: list[_Row]) -> list[dict]:
        errors = []
        for row in sorted(rows, key=lambda r: r.row):
            for key in sorted(row.errors, key=lambda k: _ORDER.get(k, -1)):
                header = _COLUMN_BY_KEY[key].header if key in _COLUMN_BY_KEY else ""
                errors.append({"row": row.row, "column": header, "message": row.errors[key]})
        return errors


def categories_import(*, actor, file, tree: str) -> CategoryImportResult:
    """Import one tree from an .xlsx upload (or bytes). Natural key: the code; the parent by its code.

    All or nothing: every row goes through the same services as the pages inside ONE transaction, which is
    rolled back if any row has an error; the result then lists every error as {row, column, message} and
    nothing is written. Rows equal to the stored category are not written at all, so importing an export again
    changes nothing. An unreadable or malformed file raises InvalidInput with a message for the user."""
    _ensure_editor(actor)
    tree = _tree_or_error(tree)
    data = read_upload(file)
    try:
        sheet = read_workbook(data, CATEGORY_COLUMNS, max_rows=settings.GONGZHI_IMPORT_MAX_ROWS,
                              max_bytes=settings.GONGZHI_IMPORT_MAX_BYTES)
    except WorkbookError as exc:
        raise InvalidInput(exc.message) from None
    run = _ImportRun(actor, tree)
    rows = [run.parse(number, {column.key: value for column, value in zip(sheet.columns, values, strict=False)
                               if column is not None}) for number, values in sheet.rows]
    result = CategoryImportResult(tree=tree, rows=len(rows))

    first_row: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code")
        if code:
            first = first_row.setdefault(code, row.row)
            if first != row.row:
                row.error("code", _("Same category as row %(row)d (duplicate in the file). 与第%(row)d行重复。")
                          % {"row": first})
    codes = {row.values.get("code") for row in rows} | {row.values.get("parent") for row in rows}
    existing = {category.code: category for category in
                Category.objects.filter(code__in=[code for code in codes if code]).select_related("department")}
    steplen = Category.steplen
    parent_paths = {category.path[:-steplen] for category in existing.values() if category.depth > 1}
    parent_code_by_path = dict(Category.objects.filter(path__in=parent_paths).values_list("path", "code"))

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    done: dict[str, Category] = {}
    # A valid child code is longer than its parent's, so shorter codes first puts every parent before its children.
    ordered = sorted(rows, key=lambda r: (len(r.values.get("code") or ""), r.row))
    with transaction.atomic():
        for row in ordered:
            code = row.values.get("code")
            if not code or "code" in row.errors:
                continue
            found = existing.get(code)
            parent_code = row.values.get("parent") or ""
            if found is not None:
                if found.tree != tree:
                    row.error("code", _("This code belongs to the other tree. 该编码属于另一棵分类树。"))
                    continue
                if row.has("parent"):
                    stored = parent_code_by_path.get(found.path[:-steplen], "") if found.depth > 1 else ""
                    if stored != parent_code:
                        row.error("parent", _("Categories cannot be moved by import (the stored parent is "
                                              "“%(code)s”). 不能通过导入移动分类（现上级编码为“%(code)s”）。")
                                  % {"code": stored or "—"})
                        continue
            if row.errors:
                continue
            fields = run.fields_for(row, found)
            try:
                with transaction.atomic():
                    if found is None:
                        parent = None
                        if parent_code:
                            parent = done.get(parent_code) or existing.get(parent_code)
                            if parent is None:
                                parent_row = first_row.get(parent_code)
                                row.error("parent", (_("The parent's row %(row)d has errors. 上级分类所在的第%(row)d行有错误。")
                                                     % {"row": parent_row}) if parent_row else
                                          _("No category has the code %(code)s (in the list or above in this file). "
                                            "未找到编码为%(code)s的上级分类。") % {"code": parent_code})
                                continue
                        done[code] = _create(parent=parent, tree=tree, district_id=run.district_id, code=code,
                                             **fields)
                        counts["created"] += 1
                    elif run.changed(found, fields):
                        done[code] = _update(category=found, district_id=run.district_id, **fields)
                        counts["updated"] += 1
                    else:
                        done[code] = found
                        counts["unchanged"] += 1
            except ValidationError as exc:
                run.service_errors(row, exc)
        errors = run.report(rows)
        if errors:
            transaction.set_rollback(True)
    if errors:
        result.errors = errors
        outcome = AuditLog.Outcome.FAILURE
    else:
        result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        outcome = AuditLog.Outcome.SUCCESS
    audit_record(action=AuditLog.Action.IMPORT, object_type=Category._meta.label_lower, object_repr=f"categories {tree}",
                 outcome=outcome, detail={"tree": tree, "rows": len(rows), "errors": len(errors), **(
                     {} if errors else counts)})
    return result
