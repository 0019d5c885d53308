"""Category writes: who may write, every validation rule (one message per field), deactivation of a subtree."""

import pytest
from django.core.exceptions import ValidationError

from governance.lib.exceptions import PermissionDeniedError
from governance.models import AuditLog
from grids.models import Category
from grids.services.categories import (
    category_create,
    category_deactivate,
    category_is_reportable,
    category_update,
)

pytestmark = pytest.mark.django_db

EDITORS_NOT = ["grid_worker", "community_staff", "street_staff", "department_handler", "resident", "system_admin",
               "security_admin", "auditor"]


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


@pytest.mark.parametrize("role", EDITORS_NOT)
def test_only_district_officials_may_write(people, small_tree, role):
    user = getattr(people, role)
    with pytest.raises(PermissionDeniedError):
        category_create(actor=user, parent=small_tree.mid, tree="event", code="010103", name="道路不洁",
                        handling_level="street")
    with pytest.raises(PermissionDeniedError):
        category_update(actor=user, category=small_tree.garbage, name="改名")
    with pytest.raises(PermissionDeniedError):
        category_deactivate(actor=user, category=small_tree.top)
    small_tree.garbage.refresh_from_db()
    assert small_tree.garbage.name == "暴露垃圾" and small_tree.garbage.is_active
    assert not Category.objects.filter(code="010103").exists()


def test_an_inactive_official_may_not_write(official, small_tree):
    official.is_active = False
    official.save()
    with pytest.raises(PermissionDeniedError):
        category_update(actor=official, category=small_tree.garbage, name="改名")


def test_create_a_leaf_and_a_root(official, small_tree, departments):
    audits = AuditLog.objects.filter(object_type="grids.category", action="create").count()
    leaf = category_create(actor=official, parent=small_tree.mid, tree="event", code=" 010103 ", name=" 道路不洁 ",
                           handling_level="department", department=departments["CGZF"], sign_for_hours=24,
                           handle_hours=168, urgent_handle_hours=72, opening_conditions="路面脏污。",
                           closing_conditions="清扫干净。", keywords="路面")
    assert (leaf.code, leaf.name, leaf.depth, leaf.tree) == ("010103", "道路不洁", 3, "event")
    assert Category.objects.get_parent(leaf) == small_tree.mid and category_is_reportable(leaf)
    root = category_create(actor=official, tree="component", code="b05", name="其他设施")
    assert (root.code, root.depth, root.tree) == ("B05", 1, "component")
    assert AuditLog.objects.filter(object_type="grids.category", action="create").count() == audits + 2


@pytest.mark.parametrize("fields, field", [
    ({"code": "0101"}, "code"),  # taken
    ({"code": "020101"}, "code"),  # does not start with the parent's code
    ({"code": "0101"}, "code"),  # equal to the parent's code
    ({"code": "01-01-03"}, "code"),  # not letters/digits
    ({"name": "  "}, "name"),
    ({"handling_level": ""}, "handling_level"),  # a 细类 needs a level
    ({"handling_level": "province"}, "handling_level"),
    ({"handling_level": "department"}, "department"),  # ...and its department
    ({"sign_for_hours": 0}, "sign_for_hours"),
    ({"handle_hours": -5}, "handle_hours"),
    ({"handle_hours": 10_000_000}, "handle_hours"),
    ({"sign_for_hours": 48, "handle_hours": 24}, "sign_for_hours"),
    ({"urgent_handle_hours": 200}, "urgent_handle_hours"),  # longer than 168
    ({"urgent_handle_hours": 0}, "urgent_handle_hours"),
    ({"urgent_handle_hours": 12, "emergency_handle_hours": 24}, "emergency_handle_hours"),
    ({"opening_conditions": "长" * 2001}, "opening_conditions"),
    ({"keywords": "词" * 201}, "keywords"),
    ({"name": "名" * 101}, "name"),
])
def test_validation_names_the_field(official, small_tree, fields, field):
    arguments = {"code": "010103", "name": "道路不洁", "handling_level": "street", **fields}
    with pytest.raises(ValidationError) as exc_info:
        category_create(actor=official, parent=small_tree.mid, tree="event", **arguments)
    errors = _errors(exc_info)
    assert field in errors, errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in errors[field]), errors  # zh + en
    assert not Category.objects.filter(name="道路不洁").exists()


def test_the_parent_must_be_in_the_same_tree(official, small_tree):
    with pytest.raises(ValidationError) as exc_info:
        category_create(actor=official, parent=small_tree.cmid, tree="event", code="B010102", name="污水井盖",
                        handling_level="street")
    assert "parent" in _errors(exc_info)


def test_the_department_must_be_active_and_of_the_officials_district(official, small_tree, departments,
                                                                       other_district_department):
    with pytest.raises(ValidationError) as exc_info:
        category_update(actor=official, category=small_tree.garbage, handling_level="department",
                        department=other_district_department)
    assert "department" in _errors(exc_info)
    departments["HB"].is_active = False
    departments["HB"].save()
    with pytest.raises(ValidationError) as exc_info:
        category_update(actor=official, category=small_tree.garbage, handling_level="department",
                        department=departments["HB"])
    assert "department" in _errors(exc_info)


def test_update_changes_fields_and_no_change_writes_nothing(official, small_tree, departments):
    category = category_update(actor=official, category=small_tree.garbage, name="暴露垃圾（含杂物）",
                               handling_level="department", department=departments["CGZF"], handle_hours=72)
    category.refresh_from_db()
    assert (category.name, category.handling_level, category.department_id, category.handle_hours) == (
        "暴露垃圾（含杂物）", "department", departments["CGZF"].pk, 72)
    audits = AuditLog.objects.filter(object_type="grids.category").count()
    category_update(actor=official, category=category, name="暴露垃圾（含杂物）", handle_hours=72)
    assert AuditLog.objects.filter(object_type="grids.category").count() == audits


def test_unknown_or_structural_fields_are_refused(official, small_tree):
    with pytest.raises(ValidationError):
        category_update(actor=official, category=small_tree.garbage, tree="component")
    with pytest.raises(ValidationError) as exc_info:
        category_update(actor=official, category=small_tree.mid, code="0109")  # has sub-categories
    assert "code" in _errors(exc_info)


def test_deactivating_deactivates_the_subtree_and_reactivation_needs_an_active_parent(official, small_tree):
    assert category_deactivate(actor=official, category=small_tree.mid) == 3
    assert not Category.objects.filter(path__startswith=small_tree.mid.path, is_active=True).exists()
    assert Category.objects.get(pk=small_tree.top.pk).is_active
    garbage = Category.objects.get(pk=small_tree.garbage.pk)
    assert not category_is_reportable(garbage)
    with pytest.raises(ValidationError) as exc_info:
        category_update(actor=official, category=garbage, is_active=True)
    assert "is_active" in _errors(exc_info)
    category_update(actor=official, category=Category.objects.get(pk=small_tree.mid.pk), is_active=True)
    category_update(actor=official, category=garbage, is_active=True)
    assert category_is_reportable(Category.objects.get(pk=garbage.pk))
    # Deactivating through an update cascades too.
    category_update(actor=official, category=Category.objects.get(pk=small_tree.top.pk), is_active=False)
    assert not Category.objects.filter(path__startswith=small_tree.top.path, is_active=True).exists()


def test_reportable_means_an_active_leaf_at_depth_three(official, small_tree):
    assert not category_is_reportable(small_tree.top)
    assert not category_is_reportable(small_tree.mid)
    assert category_is_reportable(small_tree.garbage) and category_is_reportable(small_tree.cover)
    assert not category_is_reportable(None)
    # A 细类 that gets an active 4th level stops being reportable itself; deactivating the child restores it.
    child = category_create(actor=official, parent=small_tree.garbage, tree="event", code="01010101", name="生活垃圾",
                            handling_level="community")
    assert not category_is_reportable(Category.objects.get(pk=small_tree.garbage.pk))
    assert category_is_reportable(child)
    category_deactivate(actor=official, category=child)
    assert category_is_reportable(Category.objects.get(pk=small_tree.garbage.pk))
