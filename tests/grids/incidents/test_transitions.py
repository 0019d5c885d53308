"""The TRANSITIONS table, pair by pair: an allowed move succeeds with one event row, any other raises
InvalidTransition and changes nothing; a move to the current status is a no-op."""

import itertools

import pytest

from governance.lib.exceptions import InvalidTransition
from grids.models import Category, Incident, IncidentEvent, Region
from grids.services.incidents import incident_transition
from tests.grids.incidents.factories import make_incident

pytestmark = pytest.mark.django_db

STATUSES = list(Incident.Status)
PAIRS = list(itertools.product(STATUSES, STATUSES))


@pytest.fixture
def case(db):
    """The smallest setup (169 cases): one district → street → community → grid chain and one street-level leaf."""
    add = Region.objects.add_child
    district = Region.objects.add_root(create_kwargs=dict(level="district", name="区", code="110101"))
    street = add(district, create_kwargs=dict(level="street", name="街道", code="110101001"))
    community = add(street, create_kwargs=dict(level="community", name="社区", code="110101001001"))
    grid = add(community, create_kwargs=dict(level="grid", name="网格", code="110101001001001", grid_kind="basic"))
    root = Category.objects.add_root(create_kwargs=dict(tree="event", code="T1", name="大类"))
    leaf = Category.objects.add_child(root, create_kwargs=dict(tree="event", code="T11", name="细类",
                                                              handling_level="street"))
    return make_incident(grid=grid, category=leaf, dispatch=False)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair(case, current, target):
    Incident.objects.filter(pk=case.pk).update(status=current)
    events_before = IncidentEvent.objects.filter(incident=case).count()

    if current == target:
        result = incident_transition(incident_id=case.pk, to=target)
        assert result.status == current
        assert IncidentEvent.objects.filter(incident=case).count() == events_before
    elif target in Incident.TRANSITIONS[current]:
        result = incident_transition(incident_id=case.pk, to=target, note="n", public=False)
        assert result.status == target
        event = IncidentEvent.objects.filter(incident=case).latest("pk")
        assert (event.kind, event.from_status, event.to_status, event.note, event.public) == (
            "transition", current, target, "n", False)
        assert Incident.objects.get(pk=case.pk).status == target
    else:
        with pytest.raises(InvalidTransition) as exc:
            incident_transition(incident_id=case.pk, to=target)
        assert exc.value.extra == {"current": str(current), "target": str(target)}
        assert Incident.objects.get(pk=case.pk).status == current
        assert IncidentEvent.objects.filter(incident=case).count() == events_before


def test_table_covers_every_status_and_only_known_ones():
    assert set(Incident.TRANSITIONS) == set(STATUSES)
    for targets in Incident.TRANSITIONS.values():
        assert set(targets) <= set(STATUSES)
    # Terminal states stay terminal.
    assert Incident.TRANSITIONS[Incident.Status.REJECTED] == set()
    assert Incident.TRANSITIONS[Incident.Status.MERGED] == set()


def test_every_status_is_reachable_from_reported():
    seen, frontier = {Incident.Status.REPORTED}, [Incident.Status.REPORTED]
    while frontier:
        for nxt in Incident.TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(STATUSES)
