"""Benchmark (not a test): submit N cases through the Open311 API and measure registration → dispatch time with a
real Celery worker on Redis and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongzhi_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 .venv/bin/python scripts/bench_dispatch.py --cases 1000

It migrates the database, loads the demo district (idempotent), starts `celery worker` as a subprocess, posts the
cases in-process through Django's test client (the real view, transaction and on-commit enqueue), waits until
every case is dispatched, and prints the median, p90, p99 and maximum of dispatched_at − registered_at."""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_KEY = "bench-key-0123456789abcdef0123456789"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("CELERY_BROKER_URL"):
        print("Set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).", file=sys.stderr)
        return 2
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["GONGZHI_OPEN311_KEYS"] = f"{BENCH_KEY}=benchmark"
    os.environ["GONGZHI_OPEN311_THROTTLE_RATE"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    import django

    django.setup()
    from django.test import Client

    from grids.models import Category, Incident, Region
    from grids.selectors.categories import category_leaves

    worker = subprocess.Popen(
        [str(Path(python).parent / "celery"), "-A", "governance", "worker", "-l", "warning",
         f"--concurrency={args.concurrency}", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=os.environ.copy())
    try:
        time.sleep(5)
        leaves = [c for c in category_leaves() if c.handling_level != Category.Level.DEPARTMENT or c.department_id]
        grids = list(Region.objects.filter(level="grid", valid_to__isnull=True).values_list("code", flat=True))
        client = Client()
        started = time.time()
        codes = []
        for i in range(args.cases):
            response = client.post("/open311/v2/requests.json", {
                "api_key": BENCH_KEY, "service_code": leaves[i % len(leaves)].code,
                "address_id": grids[i % len(grids)], "description": f"压力测试案件 {i}", "phone": "13800000000"})
            if response.status_code != 200:
                print("POST failed:", response.status_code, response.content[:200], file=sys.stderr)
                return 1
            codes.append(response.json()[0]["service_request_id"])
        submitted = time.time() - started
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            left = Incident.objects.filter(tracking_code__in=codes, dispatched_at__isnull=True).count()
            if not left:
                break
            time.sleep(1)
        rows = list(Incident.objects.filter(tracking_code__in=codes, dispatched_at__isnull=False)
                    .values_list("registered_at", "dispatched_at"))
        seconds = sorted((d - r).total_seconds() for r, d in rows)
        if not seconds:
            print("nothing dispatched", file=sys.stderr)
            return 1

        def pct(p):
            return seconds[min(len(seconds) - 1, int(round(p / 100 * (len(seconds) - 1))))]

        print(f"cases submitted: {args.cases} in {submitted:.1f} s ({args.cases / submitted:.0f}/s)")
        print(f"dispatched: {len(seconds)} of {args.cases}")
        print(f"registration → dispatch: median {statistics.median(seconds):.3f} s, p90 {pct(90):.3f} s, "
              f"p99 {pct(99):.3f} s, max {seconds[-1]:.3f} s")
        return 0 if len(seconds) == args.cases else 1
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


if __name__ == "__main__":
    raise SystemExit(main())
