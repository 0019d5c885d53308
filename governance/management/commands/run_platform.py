"""Serve the platform for a single machine: the web server plus the periodic sweeps.

Without a broker the sweeps run in this process (governance.scheduler), so deadlines fire with no other
service. With CELERY_BROKER_URL set, run `celery -A governance worker` and `celery -A governance beat` instead
(see docker-compose.yml); this command then only serves the web."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from governance.scheduler import InProcessBeat


class Command(BaseCommand):
    help = "Run the web server and, with no broker, the periodic sweeps in-process."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true")

    def handle(self, *args, addrport, noreload, **options):
        in_process = settings.CELERY_TASK_ALWAYS_EAGER
        # With the autoreloader, only the child process (RUN_MAIN) serves; start the beat there once.
        if in_process and (noreload or os.environ.get("RUN_MAIN") == "true"):
            InProcessBeat().start()
        if os.environ.get("RUN_MAIN") != "true":
            self.stdout.write(self.style.SUCCESS(
                f"Gongzhi on http://{addrport}/ — sweeps: "
                + ("in this process (no broker)" if in_process else "Celery beat on the broker")))
            call_command("demo_accounts")
        call_command("runserver", addrport, use_reloader=not noreload)
