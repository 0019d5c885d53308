"""The resident's public report form: happy path, every kind of bad input, the no-JS category search, the htmx
fragments, the challenge and the rate limit."""

import html as htmllib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import ExifTags, Image

from grids.models import Incident, IncidentPhoto
from tests.grids.intake.conftest import jpeg_with_gps, png_bytes, report_data, upload
from tests.grids.intake.helpers import make_building, option_values, selected, solve

pytestmark = pytest.mark.django_db

REPORT = "/report/"


def _post(client, data, files=None, **extra):
    return client.post(REPORT, {**data, **(files or {})}, **extra)


def _stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the page ----------------------------------------------------------------------------------------------------

def test_the_form_is_public_grouped_and_shows_the_privacy_notice_before_submit(client, tree, cats):
    response = client.get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    # Categories: a plain <select> grouped by top class, active leaves only; a search box driving htmx.
    assert '<optgroup label="公共设施">' in page and '<optgroup label="市容环境">' in page
    assert "照明设施 › 路灯不亮" in page and "已停用项目" not in page
    assert set(option_values(page, "category")) == {str(c.pk) for c in (cats.rubbish, cats.water, cats.lamp)}
    assert 'hx-get="/report/categories/"' in page and 'name="_category_search"' in page
    # Grids grouped by street · community; the building list follows the grid through htmx.
    assert '<optgroup label="第1街道 · 1-1社区">' in page and 'hx-get="/report/buildings/"' in page
    assert set(option_values(page, "grid")) == {str(g.pk) for g in tree.grids}
    # PIPL notice (who, what and why, how long, rights) above the submit button; no inline script, own CSS.
    assert page.index('id="privacy-notice"') < page.index('type="submit" class="btn btn-primary btn-large"')
    assert "12345" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "css/intake.css" in page and "js/intake.js" in page
    assert 'name="photos"' in page and "multiple" in page and 'enctype="multipart/form-data"' in page


def test_done_page_without_a_report_goes_back_to_the_form(client):
    response = client.get("/report/done/")
    assert response.status_code == 302 and response["Location"] == REPORT


# --- happy path --------------------------------------------------------------------------------------------------

def test_a_resident_reports_with_a_photo_and_gets_a_tracking_code(client, tree, cats):
    photo = jpeg_with_gps(size=(4000, 3000))
    response = _post(client, report_data(tree, cats, reporter_phone="138 1234 5678"),
                     {"photos": [upload(photo, name="IMG_2041 家门口.jpg")]})

    assert response.status_code == 302 and response["Location"] == "/report/done/"
    incident = Incident.objects.get()
    assert incident.channel == "web" and incident.request_type == "help" and incident.urgency == "normal"
    assert incident.category == cats.lamp and incident.grid == tree.grids[0]
    assert incident.title == "3号楼门前路灯不亮" and incident.address == "幸福路3号"
    assert incident.reporter_phone == "13812345678" and incident.reporter_name == "王秀英"
    assert incident.anonymous is False and incident.reported_by is None

    done = client.get(response["Location"]).content.decode()
    assert incident.tracking_code in done
    assert f'href="/track/{incident.tracking_code}/"' in done

    # The photo: stored re-encoded as JPEG under a generated name, at most 2048 px, with no EXIF (no GPS).
    row = IncidentPhoto.objects.get(incident=incident)
    assert row.kind == "report" and row.uploaded_by is None
    assert re.fullmatch(r"incidents/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", row.image.name)
    assert "IMG_2041" not in row.image.name
    stored = Path(django_settings.MEDIA_ROOT) / row.image.name
    with Image.open(stored) as image:
        assert image.format == "JPEG" and max(image.size) == 2048
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info
    assert b"TestCam" not in stored.read_bytes()


def test_building_map_point_and_anonymity_are_recorded(client, tree, cats):
    building = make_building(tree.grids[0])
    response = _post(client, report_data(tree, cats, building=str(building.pk), latitude="39.9075123",
                                         longitude="116.397128", anonymous="on"))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.building == building and incident.anonymous is True
    assert str(incident.latitude) == "39.907512" and str(incident.longitude) == "116.397128"


def test_three_photos_of_each_accepted_type(client, tree, cats):
    webp = io.BytesIO()
    Image.new("RGB", (30, 30)).save(webp, "WEBP")
    files = [upload(jpeg_with_gps((60, 40))), upload(png_bytes(), "a.png", "image/png"),
             upload(webp.getvalue(), "b.webp", "image/webp")]
    assert _post(client, report_data(tree, cats), {"photos": files}).status_code == 302
    assert IncidentPhoto.objects.count() == 3 and len(_stored_files()) == 3


# --- bad input ---------------------------------------------------------------------------------------------------

def _big_file() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024)


BAD = [
    # (id, overrides, photos, the field whose message must show, a piece of the message)
    ("title-empty", {"title": ""}, None, "title", "必填"),
    ("title-too-long", {"title": "长" * 101}, None, "title", "100"),
    ("description-empty", {"description": "  "}, None, "description", "必填"),
    ("description-too-long", {"description": "字" * 4001}, None, "description", "4000"),
    ("category-empty", {"category": ""}, None, "category", "必填"),
    ("category-unknown", {"category": "999999"}, None, "category", "请从列表中选择"),
    ("category-not-a-number", {"category": "路灯"}, None, "category", "请从列表中选择"),
    ("category-top-class", {"category": "TOP"}, None, "category", "请从列表中选择"),
    ("category-inactive", {"category": "INACTIVE"}, None, "category", "请从列表中选择"),
    ("grid-missing", {"grid": ""}, None, "grid", "必填"),
    ("grid-does-not-exist", {"grid": "987654"}, None, "grid", "请从列表中选择"),
    ("grid-is-a-community", {"grid": "COMMUNITY"}, None, "grid", "请从列表中选择"),
    ("building-of-another-grid", {"building": "OTHER_BUILDING"}, None, "building", ""),
    ("request-type-unknown", {"request_type": "bribe"}, None, "request_type", ""),
    ("phone-empty", {"reporter_phone": ""}, None, "reporter_phone", "必填"),
    ("phone-malformed", {"reporter_phone": "12345"}, None, "reporter_phone", "11位手机号"),
    ("phone-letters", {"reporter_phone": "138abcd5678"}, None, "reporter_phone", "11位手机号"),
    ("latitude-out-of-range", {"latitude": "95", "longitude": "116.4"}, None, "latitude", "90"),
    ("only-latitude", {"latitude": "39.9"}, None, "longitude", "经度和纬度"),
    ("photo-20-mb", {}, lambda: [upload(_big_file())], "photos", "8 MB"),
    ("photo-not-an-image", {}, lambda: [upload(b"MZ\x90\x00 this is an exe", name="photo.jpg")], "photos",
     "JPEG"),
    ("photo-too-many", {}, lambda: [upload(jpeg_with_gps((20, 20))) for _ in range(4)], "photos", "3"),
]


def _resolve(value, tree, cats):
    if value == "TOP":
        return str(cats.city.pk)
    if value == "INACTIVE":
        return str(cats.inactive.pk)
    if value == "COMMUNITY":
        return str(tree.communities[0].pk)
    if value == "OTHER_BUILDING":
        return str(make_building(tree.grids[1], number="00002", name="外网格楼").pk)
    return value


@pytest.mark.parametrize(("overrides", "photos", "field", "fragment"),
                         [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_bad_input_is_refused_with_a_message_and_everything_typed_is_kept(client, tree, cats, overrides, photos,
                                                                         field, fragment):
    data = report_data(tree, cats, **{k: _resolve(v, tree, cats) for k, v in overrides.items()})
    response = _post(client, data, {"photos": photos()} if photos else None)

    assert response.status_code == 400
    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0 and _stored_files() == []
    page = response.content.decode()
    errors = response.context["form"].errors
    assert field in errors, errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert 'class="form-errors"' in page
    # The message sits next to its field (the field's own error block; the input is marked invalid).
    if field != "request_type":
        assert f'id="id_{field}_error"' in page and 'aria-invalid="true"' in page
    # What was typed is still there (except what was wrong, and the photos, which the browser forgets).
    if field != "title":
        assert f'value="{data["title"]}"' in page
    if field != "description":
        assert htmllib.escape(data["description"]) in page
    if field != "reporter_phone":
        assert f'value="{data["reporter_phone"]}"' in page
    if field not in ("grid", "building"):
        assert selected(page, "grid") == [data["grid"]]
    if field not in ("category",):
        assert selected(page, "category") == [data["category"]]
    if photos:
        assert "please choose them again" in page or "重新选择照片" in page


def test_all_empty_lists_every_required_field(client, tree, cats):
    response = client.post(REPORT, {})
    assert response.status_code == 400 and Incident.objects.count() == 0
    assert set(response.context["form"].errors) >= {"request_type", "category", "title", "description", "grid",
                                                    "reporter_phone"}


def test_script_tags_are_stored_as_text_and_shown_escaped(client, tree, cats):
    title = '<script>alert("x")</script>路灯'
    description = '<img src=x onerror="alert(1)"> 楼下&nbsp;积水'
    # Shown escaped when the form comes back with an error …
    page = _post(client, report_data(tree, cats, title=title, description=description, reporter_phone="1")
                 ).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert htmllib.escape(title) in page
    # … stored as typed once accepted, and escaped on the tracking page.
    assert _post(client, report_data(tree, cats, title=title, description=description)).status_code == 302
    incident = Incident.objects.get()
    assert incident.title == title and incident.description == description
    page = client.get(f"/track/{incident.tracking_code}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "&amp;nbsp;" in page


# --- category search without JavaScript, and the htmx fragments ---------------------------------------------------

def test_category_search_without_javascript_keeps_everything_and_validates_nothing(client, tree, cats):
    data = report_data(tree, cats, category="", category_q="垃圾", title="楼道堆满杂物", reporter_phone="")
    response = client.post(REPORT, {**data, "_category_search": "1"})
    assert response.status_code == 200 and Incident.objects.count() == 0
    page = response.content.decode()
    assert option_values(page, "category") == [str(cats.rubbish.pk)]
    assert 'value="楼道堆满杂物"' in page and 'value="垃圾"' in page
    assert 'class="error"' not in page and 'class="form-errors"' not in page


def test_category_search_keeps_the_chosen_category_listed(client, tree, cats):
    data = report_data(tree, cats, category=str(cats.lamp.pk), category_q="积水")
    page = client.post(REPORT, {**data, "_category_search": "1"}).content.decode()
    assert set(option_values(page, "category")) == {str(cats.water.pk), str(cats.lamp.pk)}
    assert selected(page, "category") == [str(cats.lamp.pk)]


def test_category_fragment_filters_and_keeps_the_selection(client, tree, cats):
    page = client.get("/report/categories/", {"category_q": "垃圾"}).content.decode()
    assert "垃圾堆放" in page and "路灯不亮" not in page and "<optgroup" in page
    page = client.get("/report/categories/", {"category_q": "积水", "category": str(cats.lamp.pk)}).content.decode()
    assert "道路积水" in page and re.search(rf'value="{cats.lamp.pk}"\s+selected', page)
    page = client.get("/report/categories/", {"category_q": "不存在的东西"}).content.decode()
    assert "disabled" in page and "<optgroup" not in page
    assert "已停用项目" not in client.get("/report/categories/", {"category_q": "停用"}).content.decode()


def test_building_fragment_lists_the_buildings_of_the_grid(client, tree, cats):
    mine = make_building(tree.grids[0], number="00001", name="本网格楼")
    make_building(tree.grids[2], number="00001", name="别处的楼")
    page = client.get("/report/buildings/", {"grid": str(tree.grids[0].pk)}).content.decode()
    assert f'value="{mine.pk}"' in page and "本网格楼" in page and "别处的楼" not in page
    for bad in ("", "abc", "999999", str(tree.communities[0].pk)):
        page = client.get("/report/buildings/", {"grid": bad}).content.decode()
        assert page.count("<option") == 1


def test_after_an_error_the_building_list_is_that_of_the_chosen_grid(client, tree, cats):
    building = make_building(tree.grids[0])
    page = _post(client, report_data(tree, cats, building=str(building.pk), title="")).content.decode()
    assert selected(page, "building") == [str(building.pk)]


# --- the challenge -----------------------------------------------------------------------------------------------

@pytest.fixture
def challenge_on(settings):
    settings.GONGZHI_INTAKE_CHALLENGE = True


def test_challenge_right_answer(client, tree, cats, challenge_on):
    token, answer = solve(client.get(REPORT).content.decode())
    response = _post(client, report_data(tree, cats, challenge_token=token, challenge_answer=answer))
    assert response.status_code == 302 and Incident.objects.count() == 1


def test_challenge_wrong_answer_gives_a_new_question_and_keeps_the_values(client, tree, cats, challenge_on):
    token, answer = solve(client.get(REPORT).content.decode())
    response = _post(client, report_data(tree, cats, challenge_token=token, challenge_answer=str(int(answer) + 1)),
                     {"photos": [upload(jpeg_with_gps((30, 30)))]})
    assert response.status_code == 400 and Incident.objects.count() == 0 and _stored_files() == []
    page = response.content.decode()
    assert "答案不正确" in page or "not right" in page
    new_token, _answer = solve(page)
    assert new_token != token
    assert 'value="3号楼门前路灯不亮"' in page and 'value="13812345678"' in page
    assert 'name="challenge_answer" id="id_challenge_answer" value=""' in page
    assert "重新选择照片" in page or "choose them again" in page


def test_challenge_token_cannot_be_reused(client, tree, cats, challenge_on):
    token, answer = solve(client.get(REPORT).content.decode())
    assert _post(client, report_data(tree, cats, challenge_token=token, challenge_answer=answer)).status_code == 302
    again = _post(client, report_data(tree, cats, challenge_token=token, challenge_answer=answer))
    assert again.status_code == 400 and Incident.objects.count() == 1
    assert "已使用过" in again.content.decode() or "already used" in again.content.decode()


def test_challenge_expired(client, tree, cats, challenge_on, settings):
    token, answer = solve(client.get(REPORT).content.decode())
    settings.GONGZHI_INTAKE_CHALLENGE_MAX_AGE = -1  # the page was left open too long
    response = _post(client, report_data(tree, cats, challenge_token=token, challenge_answer=answer))
    assert response.status_code == 400 and Incident.objects.count() == 0
    assert "已过期" in response.content.decode() or "expired" in response.content.decode()


def test_challenge_missing(client, tree, cats, challenge_on):
    response = _post(client, report_data(tree, cats))
    assert response.status_code == 400 and "challenge_answer" in response.context["form"].errors


# --- flood protection --------------------------------------------------------------------------------------------

def test_accepted_reports_per_address_are_limited_with_a_friendly_page(client, tree, cats, settings):
    settings.GONGZHI_INTAKE_RATE = "2/10m"
    for _ in range(2):
        assert _post(client, report_data(tree, cats)).status_code == 302
    response = _post(client, report_data(tree, cats))
    assert response.status_code == 429 and Incident.objects.count() == 2
    page = response.content.decode()
    assert "12345" in page and "110" in page
    assert "grids/intake/rate_limited.html" in [t.name for t in response.templates]
    # Another address is not affected.
    assert _post(client, report_data(tree, cats), REMOTE_ADDR="10.1.2.3").status_code == 302


def test_every_post_counts_against_a_looser_limit(client, tree, cats, settings):
    settings.GONGZHI_INTAKE_POST_RATE = "3/10m"
    for _ in range(3):
        assert _post(client, report_data(tree, cats, title="")).status_code == 400
    response = _post(client, report_data(tree, cats))
    assert response.status_code == 429 and Incident.objects.count() == 0


def test_a_resident_who_mistypes_a_few_times_is_not_locked_out(client, tree, cats):
    for _ in range(6):
        assert _post(client, report_data(tree, cats, reporter_phone="123")).status_code == 400
    assert _post(client, report_data(tree, cats)).status_code == 302


def test_the_form_page_query_count_does_not_grow_with_grids_and_categories(client, tree, cats, count_queries):
    from tests.factories import make_tree
    from tests.grids.intake.conftest import _node

    client.get(REPORT)  # warm-up
    few = count_queries(lambda: client.get(REPORT))
    make_tree("110102")
    for n in range(5):
        _node(cats.sanitation, f"01019{n}", f"新增细类{n}")
    many = count_queries(lambda: client.get(REPORT))
    assert many == few
    page = client.get(REPORT).content.decode()
    assert "新增细类4" in page and len(option_values(page, "grid")) == 16
