"""`manage.py demo_accounts`: list the demo accounts (username, role, jurisdiction, password), if any exist.

In production (DJANGO_ENV=production) the password is never printed; the command warns that demo accounts exist."""

from django.conf import settings
from django.core.management.base import BaseCommand

from grids.services.demo import DEMO_PASSWORD, demo_account_rows, format_demo_accounts


class Command(BaseCommand):
    help = "Print the demo accounts and the demo password (never the password in production)."

    def handle(self, *args, **options):
        production = settings.IS_PRODUCTION
        rows = demo_account_rows(show_passwords=not production)
        if not rows:
            if not production:
                self.stdout.write("No demo accounts (load them with `python manage.py seed_demo`).")
            return
        if production:
            self.stdout.write(self.style.WARNING(
                "Demo accounts exist in production: disable them or give them new passwords. "
                "生产环境存在演示账号，请停用或修改密码。"))
        self.stdout.write("Demo accounts 演示账号:")
        for line in format_demo_accounts(rows):
            self.stdout.write("  " + line)
        if not production:
            self.stdout.write(f"Every demo account was created with the password {DEMO_PASSWORD} (演示账号统一密码), "
                              "unless it has been changed since. Demo data only: never use it for real people.")
