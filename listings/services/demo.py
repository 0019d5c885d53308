"""The demo district's lists (`seed_demo_lists`), run after grids.services.demo.demo_seed.

Deterministic (fixed data in listings.data.demo_lists, fixed dates) and idempotent: a list is found by its code in
the district, an item by its code in the list; what exists is left alone, so a second run writes nothing. Items are
written through the same internal service code as the pages, so each has its version and first revision (actor:
none, note "示范数据"), and the one repealed sample item has its status revision too. One transaction."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from governance.lib.request_context import Actor, reset_actor, set_actor
from governance.models import Department
from grids.models import Region, RegionLevel
from listings.data.demo_lists import KINDS, VALID_FROM
from listings.models import ListItemStatus, ListKind
from listings.services.catalogue import _item_create, _item_set_status, _kind_create

DISTRICT_CODE = "110199"
SEED_ACTOR = "seed_demo"
SEED_NOTE = "示范数据"


def _fields(spec: dict, *, departments: dict[str, Department], all_sample: bool) -> dict:
    fields = {key: value for key, value in spec.items() if key not in ("department", "body", "repeal", "code")}
    fields["valid_from"] = spec.get("valid_from", VALID_FROM)
    fields["is_sample"] = bool(all_sample or spec.get("is_sample", False))
    for key in ("funding_yuan", "staff_attached"):
        if fields.get(key) is not None:
            fields[key] = Decimal(fields[key])
    body = spec.get("body", "")
    department = None
    suffix = spec.get("department")
    if suffix:
        department = departments.get(f"{DISTRICT_CODE}-{suffix}")
        if department is None:  # the departments were not seeded: name the office in words
            body = body or suffix
    fields["responsible_department"] = department
    fields["responsible_body"] = body
    return fields


def seed_demo_lists(*, stdout=None) -> None:
    """Load the demo lists into 示范区 (district code 110199). Nothing to do without that district."""
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
    if district is None:
        if stdout is not None:
            stdout.write("Demo lists: district 110199 not found; run the demo seed first. 未找到示范区。")
        return
    created_kinds = created_items = 0
    token = set_actor(Actor(username=SEED_ACTOR))
    try:
        with transaction.atomic():
            departments = {department.code: department
                           for department in Department.objects.filter(district=district, is_active=True)}
            for position, (code, name, purpose, description, items, all_sample) in enumerate(KINDS, start=1):
                kind = ListKind.objects.filter(district=district, code=code).first()
                if kind is None:
                    kind = _kind_create(district=district, code=code, name=name, purpose=purpose,
                                        description=description, position=position * 10)
                    created_kinds += 1
                existing = set(kind.items.values_list("code", flat=True))
                for index, spec in enumerate(items, start=1):
                    if spec["code"] in existing:
                        continue
                    fields = _fields(spec, departments=departments, all_sample=all_sample)
                    item = _item_create(kind=kind, actor=None, note=SEED_NOTE, code=spec["code"],
                                        position=index * 10, **fields)
                    repeal = spec.get("repeal")
                    if repeal:
                        _item_set_status(item=item, actor=None, status=ListItemStatus.REPEALED, note=repeal["note"],
                                         effective=repeal["effective"], today=repeal["effective"])
                    created_items += 1
    finally:
        reset_actor(token)
    if stdout is not None:
        total = ListKind.objects.filter(district=district).count()
        stdout.write(f"Demo lists 清单: {total} lists in 示范区; created this run: {created_kinds} lists, "
                     f"{created_items} items.")
