"""Forms of the intake pages: the resident's report, the grid worker's patrol report, staff entry.

They parse input only; the rules live in the lifecycle's `incident_report`, whose ValidationErrors come back to
the fields through `add_service_errors`. Choices are built in a fixed number of queries (grids grouped by
community, categories grouped by top class) and validated against the same lists, so a posted id that is not
offered (unknown, inactive, outside the user's grids) is an invalid choice, never a 500.

Photos are checked and re-encoded in `clean_photos` (grids.services.photos), after the challenge: a failed
challenge costs no image decoding.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from governance.lib.pii import normalize_phone, validate_phone
from grids.forms import ServiceErrorsMixin
from grids.models import Building, Category, Channel, Region, RegionLevel, RequestType, Urgency
from grids.services.challenge import ChallengeError, challenge_check, challenge_enabled, challenge_new
from grids.services.photos import MAX_PHOTOS, photo_max_bytes, photos_clean, too_many_message

INDENT = "\u3000"
GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)
CHOICE_UNKNOWN = _("Choose one of the listed options. 请从列表中选择。")
SIX_PLACES = Decimal("0.000001")


# --- choice lists ---------------------------------------------------------------------------------------------

def _leaf_queryset(q: str = ""):
    """Active reportable leaves, searchable by name, keywords and code (the categories module's selector)."""
    from grids.selectors.categories import category_leaves

    return category_leaves(q=q)


def category_groups(*, q: str = "", keep=None) -> tuple[list, dict]:
    """([(top class, [(id, "subclass › item"), ...]), ...], {id: Category}) in two queries. `keep`: a Category to
    list even when the search does not match it (the one already chosen)."""
    leaves = list(_leaf_queryset(q=(q or "").strip()[:50]))
    if keep is not None and all(leaf.pk != keep.pk for leaf in leaves):
        leaves.append(keep)
    steplen = Category.steplen
    ancestor_paths = {leaf.path[: steplen * n] for leaf in leaves for n in range(1, leaf.depth)}
    names = dict(Category.objects.filter(path__in=ancestor_paths).values_list("path", "name")) if leaves else {}
    groups: dict[str, list] = {}
    for leaf in sorted(leaves, key=lambda c: c.path):
        top = names.get(leaf.path[:steplen], "")
        middle = [names.get(leaf.path[: steplen * n], "") for n in range(2, leaf.depth)]
        label = " › ".join([name for name in middle if name] + [leaf.name])
        groups.setdefault(top, []).append((str(leaf.pk), label))
    return list(groups.items()), {str(leaf.pk): leaf for leaf in leaves}


def grid_groups(grids) -> tuple[list, dict]:
    """Current grids grouped by "street · community", micro-grids indented under their grid. Two queries."""
    grids = sorted(grids, key=lambda r: r.path)
    steplen = Region.steplen
    parents = {g.path[: steplen * 2] for g in grids} | {g.path[: steplen * 3] for g in grids}
    names = dict(Region.objects.filter(path__in=parents).values_list("path", "name")) if grids else {}
    groups: dict[str, list] = {}
    for grid in grids:
        street, community = names.get(grid.path[: steplen * 2], ""), names.get(grid.path[: steplen * 3], "")
        label = grid.name if grid.level == RegionLevel.GRID else INDENT + grid.name
        groups.setdefault(f"{street} · {community}" if street else community, []).append((str(grid.pk), label))
    return list(groups.items()), {str(g.pk): g for g in grids}


def public_grids():
    return Region.objects.filter(level__in=GRID_LEVELS, valid_to__isnull=True)


def buildings_in(grid) -> list:
    if grid is None:
        return []
    return list(Building.objects.filter(grid__path__startswith=grid.path).only("pk", "number", "name")
                .order_by("number"))


def building_choices(grid) -> list:
    return [("", gettext("— none / not listed —"))] + [(str(b.pk), f"{b.number} {b.name}") for b in buildings_in(grid)]


# --- fields -----------------------------------------------------------------------------------------------------

class ObjectChoiceField(forms.ChoiceField):
    """A (grouped) choice whose value is an object from a dict built with the choices: no query to clean."""

    def __init__(self, *, empty_label, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": CHOICE_UNKNOWN})
        super().__init__(**kwargs)
        self.empty_label = empty_label
        self.objects: dict = {}

    def set_options(self, groups, objects) -> None:
        self.objects = objects
        self.choices = [("", self.empty_label), *groups]

    def valid_value(self, value):
        return str(value) in self.objects

    def clean(self, value):
        value = super().clean(value)
        return self.objects.get(str(value)) if value not in self.empty_values else None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS files; the list goes to grids.services.photos in the form's clean_photos."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "multiple": True}))
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(too_many_message(), code="too_many_photos")
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CoordinateField(forms.DecimalField):
    """A latitude or longitude typed or filled by the phone; rounded to 6 places (≈ 0.1 m)."""

    def __init__(self, *, limit, **kwargs):
        super().__init__(required=False, min_value=Decimal(-limit), max_value=Decimal(limit),
                         widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP) if value is not None else None


# Urgency in the intake forms' own words: the catalogue gives "Urgent" and "Emergency" the same translation (紧急).
URGENCY_CHOICES = [
    (Urgency.NORMAL, pgettext_lazy("urgency", "Normal")),
    (Urgency.URGENT, pgettext_lazy("urgency", "Urgent")),
    (Urgency.EMERGENCY, pgettext_lazy("urgency", "Emergency (handled within hours)")),
]


def _text(label, max_length, *, required=True, help_text="", **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs or None))


def _phone_field(label, *, required):
    return forms.CharField(
        label=label, max_length=32, required=required,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Mobile 13812345678 or landline 010-62345678. 手机或带区号的固定电话。"))


# --- forms ------------------------------------------------------------------------------------------------------

class IntakeForm(ServiceErrorsMixin, forms.Form):
    """Shared set-up: grouped category and grid choices, buildings of the chosen grid, photos, a map point."""

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_query = (self.data.get("category_q") or "").strip()[:50] if self.is_bound else ""
        if "category" in self.fields:
            self._setup_categories()
        if "grid" in self.fields:
            self._setup_grids(public_grids() if grids is None else grids)
        if "photos" in self.fields:
            self.fields["photos"].help_text = gettext(
                "Up to %(n)d photos (JPEG, PNG or WebP), at most %(mb)s MB each. 最多%(n)d张，每张不超过%(mb)s MB。"
            ) % {"n": MAX_PHOTOS, "mb": f"{photo_max_bytes() / 1024 / 1024:g}"}
            self.fields["photos"].widget.attrs.update({
                "data-max-files": MAX_PHOTOS, "data-max-bytes": photo_max_bytes(),
                "data-too-many": too_many_message(),
                "data-too-large": gettext("Too large, choose a smaller photo: 照片过大，请换一张："),
            })

    # categories: every leaf validates; the search only narrows what is listed
    def _setup_categories(self):
        field = self.fields["category"]
        groups, objects = category_groups()
        field.set_options(groups, objects)
        field.widget.attrs.update({"class": "category-select"})
        if self.search_query:
            chosen = objects.get(str(self.data.get("category") or ""))
            shown, _shown_objects = category_groups(q=self.search_query, keep=chosen)
            field.choices = [("", field.empty_label), *shown]  # every leaf still validates (field.objects)
        if "category_q" in self.fields:
            self.fields["category_q"].widget.attrs.update({
                "hx-get": reverse("intake:category_search"), "hx-target": "#id_category", "hx-swap": "innerHTML",
                "hx-trigger": "input changed delay:300ms, search", "hx-include": "#id_category",
                "hx-sync": "this:replace", "autocomplete": "off", "enterkeyhint": "search",
                "aria-controls": "id_category"})

    def _setup_grids(self, grids):
        groups, objects = grid_groups(grids)
        self.fields["grid"].set_options(groups, objects)
        if "building" in self.fields:
            self.fields["grid"].widget.attrs.update({
                "hx-get": reverse("intake:grid_buildings"), "hx-target": "#id_building", "hx-swap": "innerHTML",
                "hx-trigger": "change", "aria-controls": "id_building"})
            key = str(self.data.get("grid") or "") if self.is_bound else str(self.initial.get("grid") or "")
            self.fields["building"].choices = building_choices(objects.get(key))

    # per-field cleaning
    def clean_reporter_phone(self):
        value = self.cleaned_data.get("reporter_phone", "")
        if not value:
            return ""
        validate_phone(value)
        return normalize_phone(value)

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        if not files or self.errors.get("challenge_answer"):
            return []
        return photos_clean(files)

    def clean(self):
        data = super().clean()
        grid, building_id = data.get("grid"), data.get("building")
        if building_id:
            if grid is None:
                data["building"] = None
            else:
                building = Building.objects.filter(pk=building_id, grid__path__startswith=grid.path).first()
                if building is None:
                    self.add_error("building", gettext("Choose a building of the chosen grid, or none. "
                                                       "请选择所选网格内的楼栋，或不选。"))
                data["building"] = building
        else:
            data["building"] = None
        coordinates_typed = "latitude" in self.fields and not ({"latitude", "longitude"} & set(self.errors))
        if coordinates_typed and (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude" if data.get("longitude") is None else "latitude",
                           gettext("Give both latitude and longitude, or neither. 经度和纬度要么都填，要么都不填。"))
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("category_q", "challenge_answer", "photos", "channel"):
            data.pop(name, None)
        return data

    @property
    def photos(self) -> list:
        return self.cleaned_data.get("photos") or []

    @property
    def photos_were_posted(self) -> bool:
        """Photos came with a request whose form is now shown again: the browser has forgotten them."""
        return self.is_bound and bool(getattr(self, "files", None) and self.files.getlist("photos"))


def _category_field():
    return ObjectChoiceField(label=_("What kind of problem"), empty_label=_("— choose a category —"))


def _grid_field(label=None):
    return ObjectChoiceField(label=label or _("Grid (where it is)"), empty_label=_("— choose the grid —"))


def _description_field(label, *, max_length=4000, rows=6):
    return forms.CharField(label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}))


class ResidentReportForm(IntakeForm):
    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices,
                                     initial=RequestType.HELP, widget=forms.RadioSelect)
    category_q = _text(_("Search the categories"), 50, required=False, type="search",
                       help_text=_("Type a word, e.g. 路灯, 垃圾, 噪音. 输入关键词查找分类。"))
    category = _category_field()
    title = _text(pgettext_lazy("case", "Title"), 100, help_text=_("One short line, e.g. 3号楼门前路灯不亮. 一句话概括。"))
    description = _description_field(_("What happened"))
    grid = _grid_field()
    building = forms.ChoiceField(label=_("Building (optional)"), required=False, choices=())
    address = _text(_("Address or landmark (optional)"), 200, required=False,
                    help_text=_("If the building is not listed: street, number, landmark. 楼栋不在列表中时请填写地址或标志物。"))
    latitude = CoordinateField(limit=90, label=_("Latitude (optional)"))
    longitude = CoordinateField(limit=180, label=_("Longitude (optional)"))
    reporter_phone = _phone_field(_("Call-back phone"), required=True)
    reporter_name = _text(_("Your name (optional)"), 64, required=False, autocomplete="name")
    anonymous = forms.BooleanField(label=_("Keep my name and phone hidden from the handlers"), required=False,
                                   help_text=_("Only the intake centre sees them, to call you back. "
                                               "仅受理中心可见，用于回访。"))
    challenge_answer = _text(_("Check question"), 8, required=False, inputmode="numeric", autocomplete="off")
    photos = PhotosField(label=_("Photos (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if challenge_enabled():
            self.challenge = challenge_new()  # always a fresh question for the page being rendered
            self.fields["challenge_answer"].label = self.challenge.question
        else:
            self.challenge = None
            del self.fields["challenge_answer"]

    def clean_challenge_answer(self):
        value = self.cleaned_data.get("challenge_answer", "")
        try:
            challenge_check(token=self.data.get("challenge_token", ""), answer=value)
        except ChallengeError as exc:
            raise ValidationError(exc.message, code=f"challenge_{exc.code}") from None
        return ""


class StaffEntryForm(IntakeForm):
    """A walk-in or a phone call entered by community or street staff: the resident's fields plus the channel
    and urgency; the caller's phone is optional (a walk-in may have none)."""

    channel = forms.ChoiceField(label=_("How did it come in"), choices=[(c.value, c.label) for c in
                                                                        (Channel.PHONE, Channel.WALK_IN)],
                                initial=Channel.PHONE, widget=forms.RadioSelect)
    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices,
                                     initial=RequestType.HELP, widget=forms.RadioSelect)
    category_q = _text(_("Search the categories"), 50, required=False, type="search")
    category = _category_field()
    urgency = forms.ChoiceField(label=_("Urgency"), choices=URGENCY_CHOICES, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    title = _text(pgettext_lazy("case", "Title"), 100)
    description = _description_field(_("What the caller reports"))
    grid = _grid_field()
    building = forms.ChoiceField(label=_("Building (optional)"), required=False, choices=())
    address = _text(_("Address or landmark (optional)"), 200, required=False)
    latitude = CoordinateField(limit=90, label=_("Latitude (optional)"))
    longitude = CoordinateField(limit=180, label=_("Longitude (optional)"))
    reporter_name = _text(_("Caller's name (optional)"), 64, required=False, autocomplete="off")
    reporter_phone = _phone_field(_("Caller's phone"), required=False)
    anonymous = forms.BooleanField(label=_("The caller asks to stay anonymous to the handlers"), required=False)
    photos = PhotosField(label=_("Photos (optional)"))


class PatrolReportForm(IntakeForm):
    """A grid worker on patrol, on a phone: what, where (their own grids), a line of text, a photo."""

    category_q = _text(_("Search the categories"), 50, required=False, type="search")
    category = _category_field()
    grid = _grid_field(_("Grid"))
    description = _description_field(_("What you found"), max_length=1000, rows=3)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=URGENCY_CHOICES, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    address = _text(_("Exact place (optional)"), 200, required=False)
    latitude = CoordinateField(limit=90, label=_("Latitude (optional)"))
    longitude = CoordinateField(limit=180, label=_("Longitude (optional)"))
    photos = PhotosField(label=_("Photos"))

    def service_data(self) -> dict:
        data = super().service_data()
        data["title"] = patrol_title(data.get("description", ""), data.get("category"))
        return data


def patrol_title(description: str, category) -> str:
    """The first line of the description (the case list needs a title; a worker on patrol types one line)."""
    first = (description or "").strip().splitlines()[0].strip() if (description or "").strip() else ""
    title = first or (category.name if category is not None else "")
    return title if len(title) <= 60 else title[:59] + "…"


# --- the public tracking page -------------------------------------------------------------------------------------

RESOLUTION_CHOICES = [("resolved", _("Resolved (已解决)")), ("partly", _("Partly resolved (部分解决)")),
                      ("unresolved", _("Not resolved (未解决)"))]
SATISFACTION_CHOICES = [("satisfied", _("Satisfied (满意)")), ("basically", _("Basically satisfied (基本满意)")),
                        ("dissatisfied", _("Dissatisfied (不满意)"))]


class TrackLookupForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "enterkeyhint": "go"}),
        help_text=_("The code you were given when you reported, e.g. on the confirmation page or by SMS. "
                    "提交诉求后得到的受理编号。"))

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


_DATE_PART_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_code(value: str) -> str:
    """Codes are read out on the phone and typed by elderly users: drop spaces and dashes, full-width forms, lower
    case; in the date part of a "GZyymmdd…" code, O / I / L are taken for 0 / 1 (the random part never contains
    0, 1, O or I)."""
    text = "".join(chr(ord(ch) - 0xFEE0) if "！" <= ch <= "～" else ch for ch in str(value or ""))
    text = "".join(text.split()).replace("-", "").upper()
    if text.startswith("GZ") and len(text) > 8:
        text = "GZ" + text[2:8].translate(_DATE_PART_FIXES) + text[8:]
    return text


class PhoneTailMixin(forms.Form):
    """The last 4 digits of the call-back phone: only the person who reported (or was called) can act."""

    phone_tail = forms.CharField(label=_("Last 4 digits of your call-back phone"), max_length=4, min_length=4,
                                 required=False, widget=forms.TextInput(attrs={
                                     "inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}))

    def __init__(self, *args, phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.phone = normalize_phone(phone or "")
        if not self.phone:
            del self.fields["phone_tail"]
        else:
            self.fields["phone_tail"].required = True

    def clean_phone_tail(self):
        from django.utils.crypto import constant_time_compare

        value = (self.cleaned_data.get("phone_tail") or "").strip()
        if not constant_time_compare(value, self.phone[-4:]):
            raise ValidationError(gettext("These are not the last 4 digits of the phone given with this case. "
                                          "回访电话后4位不正确。"), code="phone_tail_wrong")
        return value


class RatingForm(PhoneTailMixin):
    resolution = forms.ChoiceField(label=_("Was the problem solved?"), choices=RESOLUTION_CHOICES,
                                   widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("How satisfied are you?"), choices=SATISFACTION_CHOICES,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["resolution", "satisfaction", "comment", "phone_tail"]


class ReopenForm(PhoneTailMixin):
    reason = forms.CharField(label=_("What is still wrong (optional)"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["reason", "phone_tail"]


# --- the 12345 import ----------------------------------------------------------------------------------------------

class HotlineUploadForm(forms.Form):
    file = forms.FileField(
        label=_("12345 work orders (CSV UTF-8 or .xlsx)"), allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument"
                                                ".spreadsheetml.sheet"}),
        help_text=_("Orders already imported are skipped, so the same file can be uploaded again. "
                    "已导入的工单会自动跳过，同一文件可重复上传。"))
