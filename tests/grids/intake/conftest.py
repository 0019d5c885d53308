import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image


@pytest.fixture(autouse=True)
def _intake_settings(settings, tmp_path):
    settings.ROOT_URLCONF = "tests.grids.intake.urls"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGZHI_INTAKE_CHALLENGE = False  # the challenge has its own tests, which switch it on


def _node(parent, code, name, **kwargs):
    from grids.models import Category

    create = dict(tree="event", code=code, name=name, **kwargs)
    if parent is None:
        return Category.objects.add_root(create_kwargs=create)
    parent.refresh_from_db()
    return Category.objects.add_child(parent, create_kwargs=create)


@pytest.fixture
def cats(db):
    """Two top classes, three levels; leaves at depth 3 (one inactive)."""
    city = _node(None, "01", "市容环境")
    sanitation = _node(city, "0101", "环境卫生")
    rubbish = _node(sanitation, "010101", "垃圾堆放", keywords="垃圾 乱扔")
    water = _node(sanitation, "010102", "道路积水")
    facilities = _node(None, "02", "公共设施")
    lighting = _node(facilities, "0201", "照明设施")
    lamp = _node(lighting, "020101", "路灯不亮", keywords="路灯 照明")
    inactive = _node(lighting, "020102", "已停用项目", is_active=False)
    return SimpleNamespace(city=city, sanitation=sanitation, rubbish=rubbish, water=water, facilities=facilities,
                           lighting=lighting, lamp=lamp, inactive=inactive)


def jpeg_with_gps(size=(3000, 2000), color=(200, 120, 40)) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "Phone X"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 30.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def png_bytes(size=(40, 30), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 0) if mode == "RGBA" else 1).save(buffer, "PNG")
    return buffer.getvalue()


def upload(data: bytes, name="IMG_0001.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def report_data(tree, cats, **overrides) -> dict:
    data = {
        "request_type": "help",
        "category": str(cats.lamp.pk),
        "title": "3号楼门前路灯不亮",
        "description": "路灯已经坏了一个星期，晚上很黑。",
        "grid": str(tree.grids[0].pk),
        "building": "",
        "address": "幸福路3号",
        "latitude": "",
        "longitude": "",
        "reporter_phone": "13812345678",
        "reporter_name": "王秀英",
        "category_q": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
