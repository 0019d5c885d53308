import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from governance.lib.exceptions import PermissionDeniedError
from governance.lib.pii import blind_index
from governance.models import AuditLog, Role
from grids.models import Resident
from grids.services.registers import resident_create, resident_update
from grids.services.reveal import pii_reveal
from tests.factories import make_grid_worker, make_id_number, make_user

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"


def test_create_derives_birth_date_and_gender_and_hash(tree):
    worker = make_grid_worker(tree.grids[0])
    resident = resident_create(actor=worker, grid=tree.grids[0], name=" 王芳 ", id_number=VALID.lower(),
                               phone="+86 138 1234 5678")
    resident.refresh_from_db()
    assert resident.name == "王芳"
    assert resident.id_number == VALID
    assert str(resident.birth_date) == "1949-12-31" and resident.gender == "F"
    assert resident.id_number_hash == blind_index(VALID)
    assert resident.phone == "13812345678"


def test_id_number_and_phone_encrypted_at_rest(tree):
    worker = make_grid_worker(tree.grids[0])
    resident_create(actor=worker, grid=tree.grids[0], name="王芳", id_number=VALID, phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash FROM grids_resident")
        raw_id, raw_phone, raw_hash = cursor.fetchone()
    assert VALID not in raw_id and raw_id.startswith("v1:")
    assert "13812345678" not in raw_phone
    assert VALID not in raw_hash
    assert Resident.objects.get(id_number_hash=blind_index(VALID)).id_number == VALID


@pytest.mark.parametrize(
    ("id_number", "phone", "field"),
    [
        ("110105194912310021", "", "id_number"),     # wrong check digit
        ("", "", "id_number"),
        ("<script>alert(1)</script>", "", "id_number"),
        (VALID, "1234", "phone"),
    ],
)
def test_bad_input_names_the_field(tree, id_number, phone, field):
    worker = make_grid_worker(tree.grids[0])
    with pytest.raises(ValidationError) as exc:
        resident_create(actor=worker, grid=tree.grids[0], name="王芳", id_number=id_number, phone=phone)
    assert field in exc.value.message_dict
    assert Resident.objects.count() == 0


def test_duplicate_id_number_refused(tree):
    worker = make_grid_worker(tree.grids[0])
    resident_create(actor=worker, grid=tree.grids[0], name="王芳", id_number=VALID)
    with pytest.raises(ValidationError) as exc:
        resident_create(actor=worker, grid=tree.grids[0], name="李四", id_number=VALID)
    assert "id_number" in exc.value.message_dict


def test_oversize_name_refused(tree):
    worker = make_grid_worker(tree.grids[0])
    with pytest.raises(ValidationError) as exc:
        resident_create(actor=worker, grid=tree.grids[0], name="名" * 65, id_number=VALID)
    assert "name" in exc.value.message_dict


def test_grid_outside_jurisdiction_refused(tree):
    worker = make_grid_worker(tree.grids[0])
    with pytest.raises(ValidationError) as exc:
        resident_create(actor=worker, grid=tree.grids[5], name="王芳", id_number=VALID)
    assert "grid" in exc.value.message_dict


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICIAL, Role.SYSTEM_ADMIN, Role.RESIDENT])
def test_roles_that_may_not_write(tree, role):
    user = make_user(role, region=tree.district if role == Role.DISTRICT_OFFICIAL else None)
    with pytest.raises(PermissionDeniedError):
        resident_create(actor=user, grid=tree.grids[0], name="王芳", id_number=VALID)


def test_update_keeps_hash_in_step(tree):
    worker = make_grid_worker(tree.grids[0])
    resident = resident_create(actor=worker, grid=tree.grids[0], name="王芳", id_number=VALID)
    other = make_id_number()
    resident_update(actor=worker, resident=resident, id_number=other)
    resident.refresh_from_db()
    assert resident.id_number_hash == blind_index(other)


def test_reveal_is_audited_once_per_view(tree):
    worker = make_grid_worker(tree.grids[0])
    resident = resident_create(actor=worker, grid=tree.grids[0], name="王芳", id_number=VALID)
    before = AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count()
    assert pii_reveal(actor=worker, obj=resident, field="id_number") == VALID
    pii_reveal(actor=worker, obj=resident, field="id_number")
    rows = AuditLog.objects.filter(action=AuditLog.Action.REVEAL)
    assert rows.count() == before + 2
    assert rows.first().detail == {"field": "id_number"}
    assert VALID not in str(rows.first().detail)


def test_missing_grid_is_a_field_error_not_a_crash(tree):
    from grids.services.registers import building_create, household_create, organisation_create

    worker = make_grid_worker(tree.grids[0])
    for create, fields in (
        (resident_create, {"name": "王芳", "id_number": VALID}),
        (building_create, {"number": "00001", "name": "1号楼"}),
        (household_create, {"number": "H1"}),
        (organisation_create, {"name": "小店", "kind": "shop"}),
    ):
        with pytest.raises(ValidationError) as exc:
            create(actor=worker, **fields)
        assert "grid" in exc.value.message_dict
