"""Registers of the grid: 人、地、物、组织 — buildings, housing units, households, residents, organisations.

Every register row carries `grid` (a grid or micro-grid node), so one scoping rule covers them all:
`grid__path__startswith=<jurisdiction path>`.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.lib.fields import EncryptedTextField


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Building(TimestampedModel):
    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        MIXED = "mixed", _("Mixed use")
        PUBLIC = "public", _("Public facility")

    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid"))
    community = models.ForeignKey(
        "grids.Region", on_delete=models.PROTECT, related_name="community_buildings", verbose_name=_("community"),
        editable=False,
    )
    number = models.CharField(_("building number"), max_length=5, help_text=_("00001–99999 within the community"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    head = models.ForeignKey(
        "grids.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_buildings",
        verbose_name=_("building head"),
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_number_unique_in_community"),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{5}$") & ~Q(number="00000"),
                                   name="building_number_format"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class HousingUnit(TimestampedModel):
    class Usage(models.TextChoices):
        SELF_OCCUPIED = "self_occupied", _("Self-occupied")
        RENTED = "rented", _("Rented")
        VACANT = "vacant", _("Vacant")

    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="housing_units",
                             verbose_name=_("grid"), editable=False)
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    entrance = models.CharField(_("entrance (单元)"), max_length=16, blank=True)
    room = models.CharField(_("room"), max_length=16)
    area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True)
    usage = models.CharField(_("usage"), max_length=16, choices=Usage.choices, default=Usage.SELF_OCCUPIED)

    class Meta:
        verbose_name = _("housing unit")
        verbose_name_plural = _("housing units")
        ordering = ["building_id", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "room"], name="housing_unit_unique_in_building"),
        ]

    def __str__(self):
        return f"{self.building.name}{self.entrance}{self.room}"


class Household(TimestampedModel):
    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered household (户籍户)")
        RESIDENT = "resident", _("Resident household (常住户)")
        FLOATING = "floating", _("Floating household (流动户)")

    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="households", verbose_name=_("grid"))
    number = models.CharField(_("household number"), max_length=32)
    housing_unit = models.ForeignKey(HousingUnit, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="households", verbose_name=_("housing unit"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGISTERED)
    head = models.ForeignKey("grids.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="headed_households", verbose_name=_("head of household"))

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["grid_id", "number"]
        constraints = [models.UniqueConstraint(fields=["grid", "number"], name="household_number_unique_in_grid")]

    def __str__(self):
        return self.number


class CareGroup(models.Model):
    """关怀对象 tags: living alone, disability, minimum income… (data, so a locality can add its own)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("care group")
        verbose_name_plural = _("care groups")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Resident(TimestampedModel):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class ResidenceType(models.TextChoices):
        REGISTERED = "registered", _("Registered (户籍)")
        RESIDENT = "resident", _("Resident (常住)")
        FLOATING = "floating", _("Floating (流动)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Living here")
        MOVED_OUT = "moved_out", _("Moved out")
        DECEASED = "deceased", _("Deceased")

    class PoliticalStatus(models.TextChoices):
        MASSES = "masses", _("Ordinary citizen (群众)")
        PARTY_MEMBER = "party_member", _("Party member (党员)")
        LEAGUE_MEMBER = "league_member", _("League member (团员)")
        OTHER = "other", _("Other party")

    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="residents", verbose_name=_("grid"))
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
                                  verbose_name=_("household"))
    housing_unit = models.ForeignKey(HousingUnit, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="occupants", verbose_name=_("housing unit"))
    name = models.CharField(_("name"), max_length=64, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    emergency_contact = models.CharField(_("emergency contact"), max_length=64, blank=True)
    emergency_phone = EncryptedTextField(_("emergency contact phone"), blank=True)
    residence_type = models.CharField(_("residence type"), max_length=16, choices=ResidenceType.choices,
                                      default=ResidenceType.REGISTERED, db_index=True)
    relation_to_head = models.CharField(_("relation to head of household"), max_length=16, blank=True)
    political_status = models.CharField(_("political status"), max_length=16, choices=PoliticalStatus.choices,
                                        default=PoliticalStatus.MASSES)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    care_groups = models.ManyToManyField(CareGroup, blank=True, related_name="residents", verbose_name=_("care groups"))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["grid_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="resident_id_number_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def audit_repr(self) -> str:
        from governance.lib.pii import mask_name

        return mask_name(self.name)


class SpecialGroupRecord(TimestampedModel):
    """特殊人群: visible only to roles that need them (see grids.permissions.can_view_special_groups)."""

    class Kind(models.TextChoices):
        COMMUNITY_CORRECTION = "community_correction", _("Community correction (社区矫正)")
        RELEASED = "released", _("Released prisoner (刑满释放)")
        MENTAL_ILLNESS = "mental_illness", _("Severe mental disorder (严重精神障碍)")
        DRUG = "drug", _("Drug rehabilitation (吸毒)")
        PETITION = "petition", _("Petitioner (信访)")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="special_groups",
                                 verbose_name=_("resident"))
    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("special-management record")
        verbose_name_plural = _("special-management records")
        constraints = [models.UniqueConstraint(fields=["resident", "kind"], name="special_group_unique_kind")]

    def __str__(self):
        return f"{self.resident} {self.get_kind_display()}"

    @property
    def audit_repr(self) -> str:
        return f"#{self.pk}"  # neither the person nor the group appears in the audit log


class Organisation(TimestampedModel):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Institution (单位)")
        ENTERPRISE = "enterprise", _("Enterprise (企业)")
        SHOP = "shop", _("Shop (商铺)")
        SOCIAL = "social", _("Social organisation (社会组织)")

    grid = models.ForeignKey("grids.Region", on_delete=models.PROTECT, related_name="organisations",
                             verbose_name=_("grid"))
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="organisations", verbose_name=_("building"))
    name = models.CharField(_("name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["grid_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="organisation_credit_code_unique"),
        ]

    def __str__(self):
        return self.name
