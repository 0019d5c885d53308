"""grids.services.photos: type by content, size and pixel limits, re-encoding that drops every piece of metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image

from grids.services.photos import MAX_SIDE, photo_clean, photos_clean
from tests.grids.intake.conftest import jpeg_with_gps, png_bytes, upload


def _open(content) -> Image.Image:
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


def test_jpeg_with_gps_is_reencoded_without_any_exif():
    original = jpeg_with_gps(size=(3000, 2000))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has a position

    cleaned = photo_clean(upload(original, name="我的照片 (1).JPG"))

    image = _open(cleaned)
    assert image.format == "JPEG"
    assert max(image.size) == MAX_SIDE and image.size == (2048, 1365)  # scaled down, proportions kept
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"TestCam" not in cleaned.read() and "我的照片" not in cleaned.name
    assert cleaned.name.endswith(".jpg") and len(cleaned.name) == 36  # uuid4 hex + ".jpg"


def test_exif_orientation_is_applied_before_it_is_dropped():
    image = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert _open(photo_clean(upload(buffer.getvalue()))).size == (20, 40)


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_png_and_palette_images_become_jpeg_on_white(mode):
    data = png_bytes(mode="RGBA") if mode == "RGBA" else _palette_png()
    image = _open(photo_clean(upload(data, name="screen.png", content_type="image/png")))
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.getpixel((1, 1))[0] > 240  # transparent became white, not black


def _palette_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (20, 20), 0).save(buffer, "PNG", transparency=0)
    return buffer.getvalue()


def test_webp_is_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(buffer, "WEBP")
    assert _open(photo_clean(upload(buffer.getvalue(), name="a.webp", content_type="image/webp"))).format == "JPEG"


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [
    pytest.param(b"%PDF-1.4 not a photo at all", id="pdf-renamed-jpg"),
    pytest.param(b"<script>alert(1)</script>", id="html-renamed-jpg"),
    pytest.param(jpeg_with_gps(size=(200, 100))[:300], id="truncated-jpeg"),
    pytest.param(_gif(), id="gif"),
    pytest.param(b"", id="empty"),
])
def test_anything_that_is_not_a_jpeg_png_or_webp_is_refused_by_content(data):
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(data, name="photo.jpg"))  # the name and the declared type are not trusted
    assert exc.value.code == "photo_not_image"
    assert "photo.jpg" in exc.value.messages[0] and "JPEG" in exc.value.messages[0]


def test_a_file_over_the_limit_is_refused_before_it_is_opened(settings):
    settings.GONGZHI_PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(b"\xff\xd8" + b"0" * 2048))
    assert exc.value.code == "photo_too_large" and "IMG_0001.jpg" in exc.value.messages[0]


def test_a_small_file_that_decodes_to_too_many_pixels_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000), 0).save(buffer, "PNG")  # 81 megapixels in a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(buffer.getvalue(), name="bomb.png", content_type="image/png"))
    assert exc.value.code == "photo_too_many_pixels"


def test_photos_clean_reports_every_bad_file_and_refuses_more_than_three():
    with pytest.raises(ValidationError) as exc:
        photos_clean([upload(b"nope", name="a.jpg"), upload(jpeg_with_gps((50, 50))), upload(b"x", name="c.jpg")])
    assert len(exc.value.error_list) == 2
    with pytest.raises(ValidationError) as exc:
        photos_clean([upload(jpeg_with_gps((20, 20))) for _ in range(4)])
    assert exc.value.code == "too_many_photos"


@pytest.mark.django_db
def test_case_and_photos_are_written_together_or_not_at_all(tree, cats, monkeypatch, settings):
    """If storing the second photo fails, the case is rolled back and the first photo's file removed again."""
    from pathlib import Path

    from grids.models import Incident, IncidentPhoto
    from grids.services.intake import intake_web_report

    real_save, calls = IncidentPhoto.save, []

    def failing_save(self, *args, **kwargs):
        calls.append(self.image.name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(IncidentPhoto, "save", failing_save)
    photos = photos_clean([upload(jpeg_with_gps((50, 50))), upload(jpeg_with_gps((60, 50)))])
    data = {"request_type": "help", "category": cats.lamp, "title": "t", "description": "d", "grid": tree.grids[0],
            "reporter_phone": "13812345678"}
    with pytest.raises(OSError):
        intake_web_report(data=data, photos=photos)
    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0
    root = Path(settings.MEDIA_ROOT)
    assert len(calls) == 2 and not [p for p in root.rglob("*") if p.is_file()]
