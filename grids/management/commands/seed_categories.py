"""`manage.py seed_categories`: load the default responsibility list (责任清单), idempotent by code."""

from django.core.management.base import BaseCommand, CommandError

from governance.lib.request_context import Actor, reset_actor, set_actor
from grids.models import Region, RegionLevel
from grids.services.categories import category_seed_defaults

SEED_ACTOR = "seed_categories"


class Command(BaseCommand):
    help = ("Load the default event (事件) and component (部件) category trees with handling levels, responsible "
            "departments, time limits and 立案/结案 conditions. Safe to run again: existing codes are left alone; a "
            "department-level item left with the street because its department did not exist yet is completed.")

    def add_arguments(self, parser):
        parser.add_argument("--district", default="",
                            help="Code of the district whose departments are matched by name (default: the only "
                                 "current district).")

    def handle(self, *args, district="", **options):
        region = None
        if district:
            region = Region.objects.filter(code=district, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
            if region is None:
                raise CommandError(f"No current district has the code {district}. 未找到该区。")
        token = set_actor(Actor(username=SEED_ACTOR))
        try:
            result = category_seed_defaults(district=region)
        finally:
            reset_actor(token)
        self.stdout.write(
            f"Responsibility list 责任清单 (district {result['district'] or '—'}): {result['created']} created, "
            f"{result['completed']} completed with their department, {result['existing']} already present.")
        for warning in result["warnings"]:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
