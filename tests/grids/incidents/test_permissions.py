"""allowed_actions(user, incident): what the case page offers each role at each step, and that the services
refuse exactly what the predicates refuse."""

import pytest

from grids.incident_permissions import ACTION_STATES, ACTIONS, allowed_actions, can
from grids.models import Incident
from grids.services.incidents import extension_request, incident_answer
from grids.services.whistle import whistle_blow

pytestmark = pytest.mark.django_db
S = Incident.Status


def test_every_action_has_states():
    assert set(ACTION_STATES) == set(ACTIONS)


def test_dispatched_grid_case(world):
    incident = world.incident("grid")
    assert allowed_actions(world.grid_worker, incident) == {"sign_for", "return"}
    assert allowed_actions(world.community_staff, incident) == {"reject", "merge", "whistle", "add_co_handler"}
    assert allowed_actions(world.street_staff, incident) == {"reject", "merge", "whistle", "add_co_handler"}
    for nobody in ("sibling_grid_worker", "other_community_staff", "other_street_staff", "handler", "resident",
                   "district_official"):
        assert allowed_actions(getattr(world, nobody), incident) == set(), nobody


def test_registered_case_offers_dispatch(world):
    incident = world.incident("street", dispatch=False)
    assert allowed_actions(world.street_staff, incident) == {"dispatch", "reject", "merge"}
    assert allowed_actions(world.district_official, incident) == {"dispatch"}
    assert allowed_actions(world.grid_worker, incident) == set()


def test_in_hand_department_case(world):
    incident = world.advance(world.incident("department"), to=S.IN_HAND)
    assert allowed_actions(world.handler, incident) == {"contact", "answer", "extension_request", "add_co_handler"}
    assert allowed_actions(world.other_handler, incident) == set()
    assert allowed_actions(world.community_staff, incident) == {"whistle", "add_co_handler"}
    extension_request(actor=world.handler, incident_id=incident.pk, new_handle_by=incident.handle_by.replace(
        year=incident.handle_by.year + 1), reason="需上级审批")
    assert "extension_request" not in allowed_actions(world.handler, incident)
    assert allowed_actions(world.district_official, incident) == {"extension_decide"}
    assert "extension_decide" not in allowed_actions(world.street_staff, incident)


def test_answered_case_offers_verify_to_others_than_the_answerer(world):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    incident = incident_answer(actor=world.grid_worker, incident_id=incident.pk, answer="已清理")
    assert allowed_actions(world.grid_worker, incident) == {"contact"}
    assert allowed_actions(world.community_staff, incident) == {"verify"}
    assert allowed_actions(world.street_staff, incident) == set()


def test_summoned_department_may_report_in(world):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    whistle_blow(actor=world.community_staff, incident_id=incident.pk, departments=[world.department], reason="协调")
    assert allowed_actions(world.handler, incident) == {"report_in", "sign_for", "contact"}
    assert allowed_actions(world.other_handler, incident) == set()


def test_finished_cases_offer_nothing_to_staff(world):
    incident = world.advance(world.incident("grid"), to=S.RATED)
    for who in ("grid_worker", "community_staff", "street_staff", "district_official", "handler"):
        assert allowed_actions(getattr(world, who), incident) == set()


def test_anonymous_and_inactive_get_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    incident = world.incident("grid")
    assert allowed_actions(AnonymousUser(), incident) == set()
    world.grid_worker.is_active = False
    assert not can(world.grid_worker, "sign_for", incident)
