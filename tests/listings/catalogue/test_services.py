"""listings.services.catalogue: versioning (a revision per change, none without a change), status changes with
their end dates, every validation rule with its bilingual message, and who may write."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from governance.lib.exceptions import InvalidTransition, PermissionDeniedError
from governance.models import AuditLog, Role
from listings.models import ListItem, ListItemRevision, ListItemStatus, ListKind
from listings.services.catalogue import (
    list_item_create,
    list_item_set_status,
    list_item_update,
    list_kind_create,
    list_kind_update,
)
from tests.factories import DepartmentFactory, make_user
from tests.listings.factories import make_list_item, make_list_kind

pytestmark = pytest.mark.django_db

D = datetime.date


def _create(actor, kind, **overrides):
    fields = dict(code="XZ-01", name="协助开展低保入户调查", valid_from=D(2025, 1, 1), responsible_body="区民政局",
                  legal_basis="《社会救助暂行办法》第十一条", keywords="低保, 入户调查、低保")
    fields.update(overrides)
    return list_item_create(actor=actor, kind=kind, **fields)


def _messages(exc_info) -> dict:
    return {name: " ".join(messages) for name, messages in exc_info.value.message_dict.items()}


# --- versioning ---------------------------------------------------------------------------------------------------

def test_create_writes_version_one_with_its_snapshot(official, assisting, department):
    item = _create(official, assisting, responsible_department=department, funding_yuan="20000.50",
                   staff_attached=Decimal("0.5"), note="区减负工作组第1号文件")

    assert item.version == 1
    assert item.keywords == "低保 入户调查"  # separators normalised, duplicate dropped
    [revision] = item.revisions.all()
    assert (revision.version, revision.change, revision.actor, revision.note) == (1, "created", official,
                                                                                   "区减负工作组第1号文件")
    assert revision.snapshot["name"] == "协助开展低保入户调查"
    assert revision.snapshot["funding_yuan"] == "20000.50"
    assert revision.snapshot["responsible_department"] == department.pk
    assert revision.snapshot["responsible_department_name"] == "测试区民政局"
    assert revision.snapshot["valid_from"] == "2025-01-01"


def test_each_change_is_a_new_version_and_revision(official, assisting):
    item = _create(official, assisting)

    item = list_item_update(actor=official, item=item, name="协助开展最低生活保障入户调查", note="名称规范")
    item = list_item_update(actor=official, item=item, funding_yuan=Decimal("1000"))

    assert item.version == 3
    revisions = list(item.revisions.order_by("version"))
    assert [(r.version, r.change) for r in revisions] == [(1, "created"), (2, "updated"), (3, "updated")]
    assert revisions[1].snapshot["name"] == "协助开展最低生活保障入户调查"
    assert revisions[1].note == "名称规范"
    assert revisions[0].snapshot["name"] == "协助开展低保入户调查"  # the old wording stays readable
    assert revisions[2].snapshot["funding_yuan"] == "1000"
    item.refresh_from_db()
    assert item.name == "协助开展最低生活保障入户调查" and item.funding_yuan == Decimal("1000")


def test_an_update_without_a_change_writes_nothing(official, assisting):
    item = _create(official, assisting, funding_yuan=Decimal("1000.00"))
    audits = AuditLog.objects.count()

    same = list_item_update(actor=official, item=item, name=" 协助开展低保入户调查 ", funding_yuan="1000",
                            keywords="低保 入户调查")

    assert same.version == 1
    assert item.revisions.count() == 1
    assert AuditLog.objects.count() == audits


def test_a_change_is_audited(official, assisting):
    item = _create(official, assisting)
    list_item_update(actor=official, item=item, name="新名称")
    assert AuditLog.objects.filter(action="update", object_type="listings.listitem", object_id=str(item.pk)).exists()


# --- status -------------------------------------------------------------------------------------------------------

def test_repeal_ends_the_item_the_day_before_it_takes_effect(official, assisting):
    item = _create(official, assisting, valid_from=D(2024, 1, 1))

    item = list_item_set_status(actor=official, item=item, status="repealed", note="区减负办通知",
                                effective=D(2026, 1, 1), today=D(2025, 12, 1))

    assert (item.status, item.valid_to, item.version) == ("repealed", D(2025, 12, 31), 2)
    revision = item.revisions.get(version=2)
    assert (revision.change, revision.note, revision.snapshot["status"]) == ("status", "区减负办通知", "repealed")
    # Still in force in the days before it ended, not after: the lists of an earlier day keep it.
    assert item.in_force_on(D(2025, 12, 31)) and not item.in_force_on(D(2026, 1, 1))


def test_suspend_without_a_date_takes_effect_today(official, assisting):
    item = _create(official, assisting, valid_from=D(2024, 1, 1))
    item = list_item_set_status(actor=official, item=item, status="suspended", note="暂停执行", today=D(2026, 3, 10))
    assert item.valid_to == D(2026, 3, 9)
    assert not item.in_force_on(D(2026, 3, 10))


def test_stopping_an_item_that_never_started_leaves_no_day_in_force(official, assisting):
    item = _create(official, assisting, valid_from=D(2026, 5, 1))
    item = list_item_set_status(actor=official, item=item, status="repealed", note="取消", today=D(2026, 3, 10))
    assert item.valid_to is None
    assert not any(item.in_force_on(day) for day in (D(2026, 5, 1), D(2027, 1, 1)))


def test_an_earlier_end_date_is_kept(official, assisting):
    item = _create(official, assisting, valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))
    item = list_item_set_status(actor=official, item=item, status="repealed", note="到期后废止", today=D(2026, 1, 1))
    assert item.valid_to == D(2024, 12, 31)


def test_resume_makes_the_item_open_ended_again(official, assisting):
    item = _create(official, assisting, valid_from=D(2024, 1, 1))
    item = list_item_set_status(actor=official, item=item, status="suspended", note="暂停", today=D(2026, 1, 1))
    item = list_item_set_status(actor=official, item=item, status="active", today=D(2026, 2, 1))
    assert (item.status, item.valid_to, item.version) == ("active", None, 3)
    assert [r.snapshot["status"] for r in item.revisions.order_by("version")] == ["active", "suspended", "active"]


def test_suspending_or_repealing_needs_a_reason(official, assisting):
    item = _create(official, assisting)
    with pytest.raises(ValidationError) as exc:
        list_item_set_status(actor=official, item=item, status="repealed", note="  ")
    assert "请填写原因" in _messages(exc)["note"]
    item.refresh_from_db()
    assert item.status == "active" and item.version == 1


def test_asking_for_the_current_status_changes_nothing(official, assisting):
    item = _create(official, assisting)
    list_item_set_status(actor=official, item=item, status="suspended", note="暂停")
    again = list_item_set_status(actor=official, item=item, status="suspended", note="暂停")
    assert again.version == 2 and item.revisions.count() == 2


@pytest.mark.parametrize("current", ListItemStatus.values)
@pytest.mark.parametrize("target", ListItemStatus.values)
def test_transition_table(official, assisting, current, target):
    item = make_list_item(kind=assisting, status=current, valid_to=D(2030, 1, 1) if current != "active" else None)
    allowed = target in ListItem.TRANSITIONS[current]
    if current == target:
        assert list_item_set_status(actor=official, item=item, status=target, note="x").version == item.version
    elif allowed:
        assert list_item_set_status(actor=official, item=item, status=target, note="x").status == target
    else:
        with pytest.raises(InvalidTransition):
            list_item_set_status(actor=official, item=item, status=target, note="x")


def test_repealed_is_final():
    assert ListItem.TRANSITIONS[ListItemStatus.REPEALED] == set()


# --- validation ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field", "chinese"), [
    ({"valid_from": D(2025, 6, 1), "valid_to": D(2025, 5, 31)}, "valid_to", "结束日期早于开始日期"),
    ({"valid_from": None}, "valid_from", "请填写生效日期"),
    ({"funding_yuan": Decimal("-1")}, "funding_yuan", "不能为负数"),
    ({"funding_yuan": "abc"}, "funding_yuan", "请填写数字"),
    ({"funding_yuan": Decimal("10.123")}, "funding_yuan", "最多两位小数"),
    ({"staff_attached": Decimal("-0.5")}, "staff_attached", "不能为负数"),
    ({"staff_attached": Decimal("100000")}, "staff_attached", "不能超过"),
    ({"code": "XZ 01"}, "code", "编号只能包含"),
    ({"code": ""}, "code", "请填写事项编号"),
    ({"name": "   "}, "name", "请填写名称"),
    ({"name": "长" * 201}, "name", "最多200字"),
    ({"responsible_body": ""}, "responsible_department", "请填写责任部门或责任主体"),
    ({"position": -1}, "position", "请填写0至"),
])
def test_bad_input_is_refused_with_a_bilingual_message(official, assisting, overrides, field, chinese):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _create(official, assisting, **overrides)
    messages = _messages(exc)
    assert chinese in messages[field]
    assert any(ch.isascii() and ch.isalpha() for ch in messages[field])  # the English sentence is there too
    assert not ListItem.objects.exists() and not ListItemRevision.objects.exists()


def test_code_is_unique_per_list_but_not_across_lists(official, assisting, tree):
    _create(official, assisting)
    with pytest.raises(ValidationError) as exc:
        _create(official, assisting, name="另一个")
    assert "本清单中已有该编号" in _messages(exc)["code"]
    other = make_list_kind(district=tree.district, purpose="self_governance")
    assert _create(official, other).code == "XZ-01"


def test_a_forbidden_certificate_names_the_office_that_issues_it(official, forbidden):
    with pytest.raises(ValidationError) as exc:
        list_item_create(actor=official, kind=forbidden, code="ZM-05", name="无犯罪记录证明", valid_from=D(2024, 1, 1))
    assert "应出具该证明的部门" in _messages(exc)["issuing_office"]
    item = list_item_create(actor=official, kind=forbidden, code="ZM-05", name="无犯罪记录证明",
                            valid_from=D(2024, 1, 1), issuing_office="公安派出所")
    assert item.issuing_office == "公安派出所"


def test_responsible_department_must_be_of_the_district_and_active(official, assisting, other_tree, department):
    foreign = DepartmentFactory(district=other_tree.district)
    with pytest.raises(ValidationError) as exc:
        _create(official, assisting, responsible_department=foreign)
    assert "请选择本区的部门" in _messages(exc)["responsible_department"]
    item = _create(official, assisting, responsible_department=department)
    department.is_active = False
    department.save()
    # An item keeps a department that was set before it became inactive; it cannot be newly chosen.
    assert list_item_update(actor=official, item=item, name="改名").version == 2
    with pytest.raises(ValidationError) as exc:
        _create(official, assisting, code="XZ-02", responsible_department=department)
    assert "该部门已停用" in _messages(exc)["responsible_department"]


def test_update_refuses_unknown_fields_and_the_status(official, assisting):
    item = _create(official, assisting)
    with pytest.raises(ValidationError):
        list_item_update(actor=official, item=item, status="repealed")
    with pytest.raises(ValidationError):
        list_item_update(actor=official, item=item, kind=assisting)


def test_an_invalid_update_leaves_the_item_as_it_was(official, assisting):
    item = _create(official, assisting)
    with pytest.raises(ValidationError):
        list_item_update(actor=official, item=item, name="新名称", valid_to=D(2020, 1, 1))
    item.refresh_from_db()
    assert (item.name, item.valid_to, item.version, item.revisions.count()) == ("协助开展低保入户调查", None, 1, 1)


# --- permissions ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.GRID_WORKER, Role.RESIDENT])
def test_only_district_officials_write(tree, assisting, role):
    region = {Role.COMMUNITY_STAFF: tree.communities[0], Role.STREET_STAFF: tree.streets[0],
              Role.GRID_WORKER: tree.grids[0], Role.RESIDENT: tree.communities[0]}[role]
    user = make_user(role, region=region)
    with pytest.raises(PermissionDeniedError):
        _create(user, assisting)
    item = make_list_item(kind=assisting)
    with pytest.raises(PermissionDeniedError):
        list_item_update(actor=user, item=item, name="x")
    with pytest.raises(PermissionDeniedError):
        list_item_set_status(actor=user, item=item, status="repealed", note="x")
    with pytest.raises(PermissionDeniedError):
        list_kind_create(actor=user, district=tree.district, code="x", name="x", purpose="other")


def test_officials_of_another_district_cannot_write(other_official, assisting, tree):
    with pytest.raises(PermissionDeniedError):
        _create(other_official, assisting)
    with pytest.raises(PermissionDeniedError):
        list_kind_update(actor=other_official, kind=assisting, name="改名")
    with pytest.raises(PermissionDeniedError):
        list_kind_create(actor=other_official, district=tree.district, code="x", name="x", purpose="other")


def test_department_handlers_and_inactive_officials_cannot_write(tree, assisting, department):
    handler = make_user(Role.DEPARTMENT_HANDLER, department=department)
    inactive = make_user(Role.DISTRICT_OFFICIAL, region=tree.district, is_active=False)
    for user in (handler, inactive):
        with pytest.raises(PermissionDeniedError):
            _create(user, assisting)


# --- kinds ------------------------------------------------------------------------------------------------------------

def test_kind_create_and_update(official, tree):
    kind = list_kind_create(actor=official, district=tree.district, code="Micro-Power", name="社区小微权力清单",
                            purpose="other", position=60)
    assert (kind.code, kind.purpose, kind.position) == ("micro-power", "other", 60)
    kind = list_kind_update(actor=official, kind=kind, name="小微权力清单", purpose="self_governance")
    assert (kind.name, kind.purpose) == ("小微权力清单", "self_governance")


@pytest.mark.parametrize(("fields", "field", "chinese"), [
    ({"code": "有中文"}, "code", "代码只能包含"),
    ({"name": ""}, "name", "请填写名称"),
    ({"purpose": "wishlist"}, "purpose", "请选择清单类别"),
])
def test_kind_validation(official, tree, fields, field, chinese):
    values = dict(code="extra", name="管理服务清单", purpose="other")
    values.update(fields)
    with pytest.raises(ValidationError) as exc:
        list_kind_create(actor=official, district=tree.district, **values)
    assert chinese in _messages(exc)[field]
    assert not ListKind.objects.exists()


def test_kind_code_is_unique_per_district(official, tree, other_tree, other_official, assisting):
    with pytest.raises(ValidationError) as exc:
        list_kind_create(actor=official, district=tree.district, code="assisting", name="x", purpose="assisting")
    assert "本区已有该代码的清单" in _messages(exc)["code"]
    assert list_kind_create(actor=other_official, district=other_tree.district, code="assisting", name="x",
                            purpose="assisting").pk


def test_a_list_with_items_keeps_its_purpose(official, assisting):
    make_list_item(kind=assisting)
    with pytest.raises(ValidationError) as exc:
        list_kind_update(actor=official, kind=assisting, purpose="negative")
    assert "不能修改类别" in _messages(exc)["purpose"]
    assisting.refresh_from_db()
    assert assisting.purpose == "assisting"


def test_lists_belong_to_a_district(official, tree):
    with pytest.raises(ValidationError):
        list_kind_create(actor=official, district=tree.communities[0], code="x", name="x", purpose="other")
