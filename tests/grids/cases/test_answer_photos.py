"""Photos after handling go with the answer: checked and re-encoded like the resident's, stored as kind "after";
a bad file is a clear message on the form with the answer text kept, and nothing (no status change, no file) is
left behind."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grids.models import Incident, IncidentPhoto

pytestmark = pytest.mark.django_db
S = Incident.Status


def _png(name="after.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _answer(client, incident, text, *files):
    return client.post(reverse("grids:incident_action", args=[incident.pk, "answer"]),
                       {"answer-answer": text, "answer-photos": list(files)})


def test_the_answer_carries_photos_after_handling(world, client_for, settings):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    response = _answer(client_for(world.grid_worker), incident, "已清理完毕。", _png())
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == S.ANSWERED
    photo = IncidentPhoto.objects.get(incident=incident)
    assert (photo.kind, photo.uploaded_by) == (IncidentPhoto.Kind.AFTER, world.grid_worker)
    assert (settings.MEDIA_ROOT / photo.image.name).exists()
    assert not photo.image.name.endswith("after.png")  # stored under a generated name
    # The case page shows it through the scoped photo view.
    html = client_for(world.grid_worker).get(reverse("grids:incident_detail", args=[incident.pk])).content.decode()
    assert reverse("grids:incident_photo", args=[incident.pk, photo.pk]) in html


def test_a_file_that_is_not_a_photo_is_refused_and_the_answer_kept(world, client_for, settings):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    fake = SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = _answer(client_for(world.grid_worker), incident, "已清理完毕，附照片。", fake)
    assert response.status_code == 400
    html = response.content.decode()
    assert "已清理完毕，附照片。" in html and "<script>alert(1)</script>" not in html
    incident.refresh_from_db()
    assert incident.status == S.IN_HAND and not IncidentPhoto.objects.filter(incident=incident).exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failed_answer_leaves_no_photo_file(world, settings):
    """The second photo fails to store after the first was written: the transaction rolls back and the first
    file is removed too."""
    from django.core.files.base import ContentFile

    from grids.services.incidents import incident_answer
    from grids.services.photos import photos_clean

    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    broken = ContentFile(b"not stored")  # no name: storing it raises
    with pytest.raises(Exception):  # noqa: B017
        incident_answer(actor=world.grid_worker, incident_id=incident.pk, answer="已处理。",
                        photos=photos_clean([_png()]) + [broken])
    incident.refresh_from_db()
    assert incident.status == S.IN_HAND
    assert not IncidentPhoto.objects.filter(incident=incident).exists()
    media = settings.MEDIA_ROOT
    assert media.exists() and not any(p.is_file() for p in media.rglob("*"))
