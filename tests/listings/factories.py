"""Factories for the list catalogues, for every listings test (catalogue, admission, certificates).

make_list_kind(district=..., purpose=...) and make_list_item(kind=..., **fields) write rows directly (fast, no
permission check), each item with its first revision like the services write. Use the services
(listings.services.catalogue) where the behaviour under test is the write itself."""

import datetime
import itertools

from listings.models import ListItem, ListItemRevision, ListItemStatus, ListKind, ListPurpose

_seq = itertools.count(1)

DEFAULT_VALID_FROM = datetime.date(2024, 1, 1)
KIND_NAMES = {
    ListPurpose.SELF_GOVERNANCE: "依法自治事项清单",
    ListPurpose.ASSISTING: "依法协助政府工作事项清单",
    ListPurpose.NEGATIVE: "严禁作为责任主体事项清单",
    ListPurpose.CERTIFICATE: "出具证明事项清单",
    ListPurpose.CERTIFICATE_FORBIDDEN: "不得出具的证明事项清单",
    ListPurpose.OTHER: "社区小微权力清单",
}


def make_list_kind(*, district, purpose: str = ListPurpose.ASSISTING, code: str | None = None,
                   name: str | None = None, **fields) -> ListKind:
    n = next(_seq)
    return ListKind.objects.create(district=district, purpose=purpose, code=code or f"{purpose.replace('_', '-')}-{n}",
                                   name=name or KIND_NAMES.get(purpose, f"清单{n}"), **fields)


def make_list_item(*, kind: ListKind, code: str | None = None, name: str | None = None,
                   valid_from: datetime.date = DEFAULT_VALID_FROM, status: str = ListItemStatus.ACTIVE,
                   revision: bool = True, **fields) -> ListItem:
    """An item (in force from 2024-01-01 unless told otherwise). Required fields per purpose are filled in: an
    assisting item gets a responsible body, a forbidden certificate the office that issues it instead."""
    n = next(_seq)
    if kind.purpose == ListPurpose.ASSISTING and not fields.get("responsible_department"):
        fields.setdefault("responsible_body", "区民政局")
    if kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN:
        fields.setdefault("issuing_office", "公安派出所")
    item = ListItem.objects.create(kind=kind, code=code or f"T-{n:03d}", name=name or f"事项{n}",
                                   valid_from=valid_from, status=status, **fields)
    if revision:
        from listings.services.catalogue import snapshot

        ListItemRevision.objects.create(item=item, version=item.version, snapshot=snapshot(item), change="created")
    return item
