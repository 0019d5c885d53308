"""The case page: what it shows (header, deadlines, full timeline, contact log, units, whistle summonses with each
department's part, extensions, supervision, photos through a scoped view), the reporter's data masked with an
audited reveal (and none at all for an anonymous report), 404 outside the scope, and a flat query count."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from governance.models import AuditLog
from grids.models import HandlingLevel, Incident, IncidentPhoto, Supervision, WhistleSummons
from grids.services.deadlines import incident_deadlines_sweep
from grids.services.incidents import extension_request, incident_add_co_handler, incident_contact
from grids.services.whistle import whistle_blow, whistle_report_in
from tests.grids.cases.helpers import en

pytestmark = pytest.mark.django_db
S = Incident.Status
PHONE = "13812345678"


def detail(pk):
    return reverse("grids:incident_detail", args=[pk])


def add_photo(incident, kind="report", color=(90, 90, 160)) -> IncidentPhoto:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    photo = IncidentPhoto(incident=incident, kind=kind)
    photo.image.save("p.jpg", ContentFile(buffer.getvalue()), save=True)
    return photo


def section(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"(.*?)</(ol|ul|table|section|dd)>', html, re.S)
    assert match, element_id
    return match.group(1)


def test_the_case_page_shows_the_whole_case(world, en_client_for):
    incident = world.incident("grid", reporter_name="王秀英", reporter_phone=PHONE, address="幸福路3号")
    incident = world.advance(incident, to=S.IN_HAND)
    incident_contact(actor=world.grid_worker, incident_id=incident.pk, method="phone", reached=False, note="无人接听")
    incident_contact(actor=world.grid_worker, incident_id=incident.pk, method="visit", reached=True, note="已上门")
    incident_add_co_handler(actor=world.grid_worker, incident_id=incident.pk, region=world.community)
    whistle_blow(actor=world.community_staff, incident_id=incident.pk,
                 departments=[world.department, world.other_department], reason="需要联合执法")

    summons = WhistleSummons.objects.get(department=world.department)
    whistle_report_in(actor=world.handler, summons_id=summons.pk, part="城管负责拆除违建")
    extension_request(actor=world.grid_worker, incident_id=incident.pk, reason="等待物业配合",
                      new_handle_by=incident.handle_by + datetime.timedelta(days=3))
    photo = add_photo(incident)
    # The deadline sweep, run after the report-in deadline passed, writes supervision records.
    incident_deadlines_sweep(now=timezone.now() + datetime.timedelta(hours=3))
    assert Supervision.objects.filter(incident=incident).exists()

    response = en_client_for(world.community_staff).get(detail(incident.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert incident.tracking_code in html and incident.title in html
    assert "环境卫生" in html and world.cats.grid.name in html  # the category path
    assert world.grid.name in html and world.community.name in html and "幸福路3号" in html
    # Full timeline: every event, internal ones included, with the actor.
    timeline = section(html, "timeline")
    assert timeline.count('class="event ') == incident.events.count()
    assert en("Contact with the requester") in timeline and world.grid_worker.display_name in timeline
    assert en("Whistle blown (吹哨)") in timeline and en("Supervision (催办/督办)") in timeline
    # Contact log: who, how, reached or not.
    contacts = section(html, "contact-log")
    assert contacts.count("<li>") == 2 and "无人接听" in contacts and en("Not reached") in contacts
    # Lead unit and co-handlers.
    units = section(html, "units")
    assert world.grid.name in units and world.community.name in units and world.department.name in units
    assert en("Co-handler") in units and en("Lead unit") in units
    # Each summoned department's part.
    assert "城管负责拆除违建" in html and world.other_department.name in html
    # The extension request and the supervision records.
    assert "等待物业配合" in section(html, "extensions")
    supervision = section(html, "supervisions")
    assert supervision.count("<li>") == Supervision.objects.filter(incident=incident).count()
    assert en("Report-in") in supervision and en("Overdue") in supervision and "report_in:" not in supervision
    # The photo, through the scoped view.
    photo_url = reverse("grids:incident_photo", args=[incident.pk, photo.pk])
    assert f'src="{photo_url}"' in html and "/media/" not in html
    # The reporter: masked, never in plaintext.
    assert PHONE not in html and "138****5678" in html and "王秀英" not in html


def test_photos_are_served_only_within_the_scope(world, client_for):
    incident = world.incident("grid")
    other = world.incident("grid", grid=world.sibling_grid)
    photo, foreign = add_photo(incident), add_photo(other)
    url = reverse("grids:incident_photo", args=[incident.pk, photo.pk])
    response = client_for(world.grid_worker).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert client_for(world.sibling_grid_worker).get(url).status_code == 404
    assert client_for(world.resident).get(url).status_code == 404
    # Another case's photo under this case's address.
    assert client_for(world.grid_worker).get(
        reverse("grids:incident_photo", args=[incident.pk, foreign.pk])).status_code == 404
    photo.image.storage.delete(photo.image.name)
    assert client_for(world.grid_worker).get(url).status_code == 404  # file gone: 404, not 500


def test_404_outside_the_jurisdiction(world, client_for):
    incident = world.incident("grid")
    for who in (world.sibling_grid_worker, world.other_community_staff, world.other_street_staff,
                world.other_handler, world.resident):
        client = client_for(who)
        assert client.get(detail(incident.pk)).status_code == 404
        assert client.post(reverse("grids:incident_action", args=[incident.pk, "sign_for"])).status_code == 404
        assert client.post(reverse("grids:incident_reveal", args=[incident.pk]),
                           {"field": "reporter_phone"}).status_code == 404
    assert client_for(world.grid_worker).get(detail(999999)).status_code == 404
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_reveal_the_reporters_phone_is_a_logged_post(world, client_for):
    incident = world.incident("grid", reporter_name="王秀英", reporter_phone=PHONE)
    client = client_for(world.grid_worker)
    assert PHONE not in client.get(detail(incident.pk)).content.decode()
    assert client.get(reverse("grids:incident_reveal", args=[incident.pk])).status_code == 405
    response = client.post(reverse("grids:incident_reveal", args=[incident.pk]), {"field": "reporter_phone"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="revealed" data-masked="138****5678" data-reveal-seconds="60">{PHONE}</span>' in html
    assert "王秀英" not in html  # only the field asked for
    row = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert row.object_type == "grids.incident" and row.object_id == str(incident.pk)
    assert row.detail == {"field": "reporter_phone"} and row.username == world.grid_worker.username
    assert PHONE not in str(row.detail) + row.object_repr
    # A field that is not revealable.
    response = client.post(reverse("grids:incident_reveal", args=[incident.pk]), {"field": "description"})
    assert response.status_code == 400 and AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count() == 1


def test_an_anonymous_report_shows_no_reporter_data_and_cannot_be_revealed(world, en_client_for):
    incident = world.incident("grid", reporter_name="王秀英", reporter_phone=PHONE, anonymous=True)
    client = en_client_for(world.grid_worker)
    html = client.get(detail(incident.pk)).content.decode()
    assert "reporter-anonymous" in html and "138****5678" not in html and PHONE not in html
    assert "王*英" not in html and 'name="field"' not in html
    response = client.post(reverse("grids:incident_reveal", args=[incident.pk]), {"field": "reporter_phone"})
    assert response.status_code == 400 and en(
        "The requester asked to stay anonymous to the handlers. 诉求人要求对承办人匿名。") in response.content.decode()
    assert PHONE not in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()


def test_deadline_marks_on_the_case_page(world, client_for):
    overdue = world.incident("grid", now=timezone.now() - datetime.timedelta(days=2))
    fresh = world.incident("grid")
    client = client_for(world.grid_worker)
    html = client.get(detail(overdue.pk)).content.decode()
    assert 'id="case-overdue"' in html and 'class="deadline deadline-overdue" data-deadline="sign_for"' in html
    html = client.get(detail(fresh.pk)).content.decode()
    assert 'id="case-overdue"' not in html and 'class="deadline deadline-ok" data-deadline="sign_for"' in html
    signed = world.advance(world.incident("grid"), to=S.SIGNED)
    html = client.get(detail(signed.pk)).content.decode()
    assert 'class="deadline deadline-met" data-deadline="sign_for"' in html


def _actions(html: str) -> set[str]:
    return set(re.findall(r'name="do" value="([a-z_]+)"', html))


def test_only_the_actions_allowed_now_are_offered(world, client_for, en_client_for):
    incident = world.incident("grid")
    assert _actions(client_for(world.grid_worker).get(detail(incident.pk)).content.decode()) == {"sign_for", "return"}
    assert _actions(client_for(world.community_staff).get(detail(incident.pk)).content.decode()) == {
        "reject", "merge", "whistle", "add_co_handler"}
    assert _actions(client_for(world.sibling_grid_worker).get(detail(world.incident(
        "grid", grid=world.sibling_grid).pk)).content.decode()) == {"sign_for", "return"}
    world.advance(incident, to=S.SIGNED)
    assert _actions(client_for(world.grid_worker).get(detail(incident.pk)).content.decode()) == {
        "start", "contact", "return", "extension_request", "add_co_handler"}
    world.advance(incident, to=S.CLOSED)
    html = en_client_for(world.grid_worker).get(detail(incident.pk)).content.decode()
    assert _actions(html) == set() and en("Nothing for you to do on this case now.") in html
    dept = world.incident(HandlingLevel.DEPARTMENT)
    assert _actions(client_for(world.handler).get(detail(dept.pk)).content.decode()) == {"sign_for", "return"}


def test_case_page_query_count_is_flat(world, client_for, count_queries):
    incident = world.advance(world.incident("grid", reporter_phone=PHONE), to=S.IN_HAND)
    whistle_blow(actor=world.community_staff, incident_id=incident.pk, departments=[world.department],
                 reason="协助")
    client = client_for(world.community_staff)

    def grow(n):
        for i in range(n):
            incident_contact(actor=world.grid_worker, incident_id=incident.pk, method="phone", reached=bool(i % 2),
                             note=f"第{i}次联系")
            add_photo(incident, kind="before")
        incident_add_co_handler(actor=world.grid_worker, incident_id=incident.pk,
                                department=world.other_department if n == 1 else None,
                                region=None if n == 1 else world.tree.streets[0])

    grow(1)
    url = detail(incident.pk)
    client.get(url)  # warm-up
    few = count_queries(lambda: client.get(url))
    grow(8)
    many = count_queries(lambda: client.get(url))
    assert incident.events.count() > 12 and incident.photos.count() == 9
    assert many == few


def test_a_merged_case_links_to_the_case_it_joined_and_back(world, client_for):
    from grids.services.incidents import incident_merge

    original, duplicate = world.incident("grid"), world.incident("grid", grid=world.sibling_grid)
    incident_merge(actor=world.community_staff, incident_id=duplicate.pk, duplicate_of=original.pk)
    staff = client_for(world.community_staff)
    html = staff.get(detail(duplicate.pk)).content.decode()
    assert f'<a href="{detail(original.pk)}">{original.tracking_code}</a>' in html
    html = staff.get(detail(original.pk)).content.decode()
    assert f'<a href="{detail(duplicate.pk)}">{duplicate.tracking_code}</a>' in html
    # The sibling grid's worker sees the duplicate but not the original: its code, without a link.
    html = client_for(world.sibling_grid_worker).get(detail(duplicate.pk)).content.decode()
    assert original.tracking_code in html and f'href="{detail(original.pk)}"' not in html
