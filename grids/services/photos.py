"""Photos sent with a case: checked by their content, re-encoded, stored under a generated name.

- Size: at most `photo_max_bytes()` each (GONGZHI_PHOTO_MAX_BYTES, default 8 MB), checked before Pillow opens
  anything; the pixel count is bounded too (a small file can still decode to gigabytes).
- Type: what Pillow finds in the bytes, restricted to JPEG (with its multi-picture MPO variant), PNG and WebP.
  The client's file name and Content-Type are never trusted nor stored.
- Re-encoding: the pixels only (after applying the EXIF orientation) go into a fresh image that is saved as
  JPEG, at most MAX_SIDE pixels on its longer side. EXIF (GPS position, phone model, time), XMP, ICC and
  comments stay behind with the original bytes.
- Name: uuid4 + ".jpg" under the model's upload_to ("incidents/%Y/%m/").

No ORM in `photo_clean`; `photos_attach` writes the rows (inside the caller's transaction) and
`photos_discard` removes stored files when that transaction is rolled back.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_PHOTOS = 3
MAX_SIDE = 2048
MAX_PIXELS = 60_000_000  # 60 megapixels: larger than any phone photo that fits in the byte limit
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")  # Pillow's JPEG opener also returns multi-picture JPEGs (MPO)
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def photo_max_bytes() -> int:
    return int(getattr(settings, "GONGZHI_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g}"


def _shown_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name if len(name) <= 40 else name[:37] + "…"


def too_many_message() -> str:
    return _("Attach at most %(n)d photos. 最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}


def _not_an_image(upload) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP photo. Choose a photo taken with a phone or camera "
          "(on an iPhone: Settings → Camera → Formats → Most Compatible). "
          "“%(name)s”不是JPEG、PNG或WebP格式的照片，请选择手机或相机拍摄的照片"
          "（苹果手机可在“设置-相机-格式”中选择“兼容性最佳”）。") % {"name": _shown_name(upload)},
        code="photo_not_image")


def photo_clean(upload) -> ContentFile:
    """One uploaded file -> a re-encoded JPEG (ContentFile named <uuid4>.jpg). Raises ValidationError."""
    max_bytes = photo_max_bytes()
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; a photo may be at most %(max)s MB. "
              "照片“%(name)s”有%(size)s MB，每张不能超过%(max)s MB，请换一张或缩小后再选择。")
            % {"name": _shown_name(upload), "size": f"{size / 1024 / 1024:.1f}", "max": _mb(max_bytes)},
            code="photo_too_large")
    if size == 0:
        raise _not_an_image(upload)
    try:
        data = _reencode(upload)
    except _TooManyPixels:
        raise ValidationError(
            _("“%(name)s” has too many pixels to process; choose a smaller photo. "
              "照片“%(name)s”像素过大，请换一张较小的照片。") % {"name": _shown_name(upload)},
            code="photo_too_many_pixels") from None
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes is the same answer for the user
        raise _not_an_image(upload) from None
    return ContentFile(data, name=f"{uuid.uuid4().hex}.jpg")


class _TooManyPixels(Exception):
    pass


def _reencode(upload) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        upload.seek(0)
        with Image.open(upload, formats=ACCEPTED_FORMATS) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _TooManyPixels
            probe.verify()  # structure and checksums; the image cannot be used after this
        upload.seek(0)
        with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale where JPEG allows it
            image.load()
            oriented = ImageOps.exif_transpose(image)
            rgb = _flatten(oriented)
    clean = Image.new("RGB", rgb.size, (255, 255, 255))  # a fresh image: pixels only, no metadata at all
    clean.paste(rgb)
    clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent pixels onto white (a PNG screenshot with alpha would otherwise turn black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def photos_clean(uploads) -> list[ContentFile]:
    """Every upload, or a ValidationError listing every bad one (so the user fixes them all at once)."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(too_many_message(), code="too_many_photos")
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(photo_clean(upload))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned


def photos_attach(*, incident, photos, kind="report", uploaded_by=None, stored: list | None = None) -> list:
    """IncidentPhoto rows for already-cleaned photos. Call inside the transaction that creates the case; every
    row whose file was written is appended to `stored` at once, so the caller can `photos_discard(stored)` if
    that transaction fails, even half-way through this function."""
    from grids.models import IncidentPhoto

    rows = stored if stored is not None else []
    for content in photos:
        row = IncidentPhoto(incident=incident, kind=kind, uploaded_by=uploaded_by)
        row.image.save(content.name, content, save=False)
        rows.append(row)
        row.save()
    return rows


def photos_discard(rows) -> None:
    """Remove the stored files of rows whose transaction was rolled back (the rows themselves are gone)."""
    for row in rows:
        name = row.image.name
        if name:
            try:
                row.image.storage.delete(name)
            except OSError:
                pass
