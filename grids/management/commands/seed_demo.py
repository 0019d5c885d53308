"""`manage.py seed_demo`: load the demo district 示范区 (idempotent: a second run creates and changes nothing)."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from grids.services.demo import demo_seed
from grids.services.demo_cases import seed_demo_cases
from listings.admission.services.demo import seed_demo_admission
from listings.certificates.services.demo import seed_demo_certificates
from listings.services.demo import seed_demo_lists


class Command(BaseCommand):
    help = ("Load the demo district 示范区: region tree, registers, departments, community workers, one demo "
            "account per role, demo cases, the four lists, admission applications and certificate requests. "
            "Safe to run again: existing rows are found by their natural keys and left alone.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Seed even when DJANGO_ENV=production (the demo accounts share one published password).",
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.IS_PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to load demo data in production: the demo accounts share a published password. "
                "Use --allow-production for a demonstration server only. 生产环境不加载演示数据。")
        started = time.monotonic()
        demo_seed(stdout=self.stdout)
        # Then the rows each feature shows in the demo, made through its own services.
        seed_demo_cases(stdout=self.stdout)
        seed_demo_lists(stdout=self.stdout)
        seed_demo_admission(stdout=self.stdout)
        seed_demo_certificates(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        call_command("demo_accounts", stdout=self.stdout)
