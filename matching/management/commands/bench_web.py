"""`make bench-web`: the portal under load, served as in production, at the association's full scale.

What it does, in order (each step is printed):

1. Migrates DATABASE_URL (PostgreSQL) and, when it holds fewer than 20,000 needs, loads the full scale
   (`seed_demo --volunteers 100000 --needs 20000 --organisations 2000`); runs the nightly matching when there
   are no proposals yet, so the review queue and "my matches" have rows.
2. Collects the static files into a temporary folder and starts gunicorn with production settings
   (DEBUG=false, `--workers` sync workers, Redis as cache and broker) on 127.0.0.1:`--port`; waits for
   /healthz and for the workers' start-up work to settle; empties the cached public pages.
3. Makes a session for a coordinator and for a volunteer with matches directly with the session engine (no
   login form, so two-factor sign-in cannot get in the way).
4. For each address: `--users` locust users, each asking it again and again without pause, for `--seconds`
   seconds (so `--users` requests are in flight at any time), from a locust process on this machine.
   First /healthz (one query and one broker PING: the floor of this machine), then the pages, each after one
   request of its own (the first visitor's, which fills the page cache). The visitors'
   pages are measured twice: as served (the page cache answers repeats) and with a unique parameter on every
   request (`uncached`: every request renders).
5. Stops gunicorn and prints, last, one JSON object: p50, p95, requests per second and errors per address,
   the load average before and after each, and the targets met or missed.

Two CPUs serve gunicorn, PostgreSQL, Redis and the load generator at once; whatever else runs on the machine
takes its share too, so read the figures with the load average beside them.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils.module_loading import import_string
from environ import Env

from matching.models import Match
from members.models import Municipality, Need, User, Volunteer
from members.services import coordinators

SCALE = {"volunteers": 100_000, "needs": 20_000, "organisations": 2_000}
LOCUSTFILE = Path(__file__).resolve().parents[2] / "benchmarks" / "locustfile.py"
LIST_P95_MS, DETAIL_P95_MS, DEEP_FACTOR, FLOOR_SHARE = 100, 50, 1.5, 0.2


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Command(BaseCommand):
    help = "Serve the portal with gunicorn (production settings) and measure its pages under concurrent load."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10, help="load per address")
        parser.add_argument("--users", type=int, default=16, help="concurrent connections")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument("--port", type=int, default=8311)
        parser.add_argument("--settle", type=int, default=20, help="seconds for the workers' start-up work")
        parser.add_argument(
            "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/1"), help="Redis cache"
        )
        parser.add_argument(
            "--broker-url", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"), help="broker"
        )
        parser.add_argument("--no-uncached", action="store_true", help="skip the visitors' pages without cache")
        parser.add_argument("--only", help="measure only addresses whose name contains this text")

    def say(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_web measures PostgreSQL: set DATABASE_URL=postgres://…")
        if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
            raise CommandError("locust is not installed: pip install -r requirements-dev.txt")
        self.prepare_data()
        targets = self.addresses(options)
        with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
            server = self.start_server(Path(tmp), options)
            try:
                results = self.measure(targets, Path(tmp), options)
            finally:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
        self.report(results, options)

    # 1. Data ---------------------------------------------------------------------------------------

    def prepare_data(self):
        self.say("migrate …")
        call_command("migrate", interactive=False, verbosity=0)
        if Need.objects.count() < SCALE["needs"]:
            self.say(f"loading the full scale ({SCALE}) …")
            call_command("seed_demo", **SCALE)
        if not Match.objects.exists():
            self.say("nightly matching run …")
            call_command("matching_run")
        # Fresh statistics and visibility maps, as autovacuum keeps them in production: on a server without it
        # PostgreSQL plans the review queue for a few hundred proposals instead of 30,000 (3-4 times slower).
        self.say("VACUUM ANALYZE …")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.say(
            f"data: {Need.objects.count()} needs, {Need.objects.public().count()} public, "
            f"{Volunteer.objects.count()} volunteers, {Match.objects.count()} matches"
        )

    def session_cookie(self, user) -> str:
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def addresses(self, options) -> list[dict]:
        """(name, path, cookie, kind): kind is floor, list or detail; `first`/`deep` pair the pages compared."""
        coordinator = coordinators().first()
        volunteer = (
            Volunteer.objects.filter(matches__isnull=False)
            .annotate(n=Count("matches"))
            .order_by("-n", "pk")
            .select_related("user")
            .first()
        )
        if coordinator is None or volunteer is None:
            raise CommandError("No coordinator or no volunteer with matches: seed_demo and matching_run first.")
        if volunteer.user.must_agree_again:
            # Seeded volunteers agreed to the terms before the privacy statement (members migration 0010): every
            # page would send this one to agree again, and the benchmark would time that redirect.
            User.objects.filter(pk=volunteer.user_id).update(privacy_version=settings.PRIVACY_STATEMENT_VERSION)
        need = Need.objects.public().order_by("-published_at", "-id").first()
        eindhoven = Municipality.objects.get(name="Eindhoven").pk
        needs = reverse("members:need-list")
        visitor = [
            ("home", reverse("members:home"), "list"),
            ("needs: first page", needs, "list"),
            ("needs: deep page (300)", f"{needs}?page=300", "list"),
            ("needs: search taal", f"{needs}?q=taal", "list"),
            ("needs: filter programme", f"{needs}?programme=work", "list"),
            ("needs: filter theme+skill", f"{needs}?theme=newcomers&skill=language-buddy", "list"),
            ("needs: filter nearest Eindhoven", f"{needs}?sort=nearest&near={eindhoven}", "list"),
            ("need detail", need.get_absolute_url(), "detail"),
            ("impact", reverse("matching:impact-public"), "list"),
        ]
        coordinator_cookie, volunteer_cookie = self.session_cookie(coordinator), self.session_cookie(volunteer.user)
        self.say(
            f"signed in: coordinator {coordinator.email}, volunteer {volunteer.user.email} ({volunteer.n} matches)"
        )
        rows = [{"name": "floor: /healthz", "path": reverse("healthz"), "kind": "floor", "cookie": ""}]
        rows += [{"name": name, "path": path, "kind": kind, "cookie": ""} for name, path, kind in visitor]
        rows += [
            {
                "name": "coordinator: review queue",
                "path": reverse("matching:review-queue"),
                "kind": "list",
                "cookie": coordinator_cookie,
            },
            {
                "name": "volunteer: recommended",
                "path": reverse("matching:recommended"),
                "kind": "list",
                "cookie": volunteer_cookie,
            },
            {
                "name": "volunteer: my matches",
                "path": reverse("matching:my-matches"),
                "kind": "list",
                "cookie": volunteer_cookie,
            },
        ]
        if not options["no_uncached"]:
            rows += [
                {"name": f"{name} (uncached)", "path": path, "kind": kind, "cookie": "", "uncached": True}
                for name, path, kind in visitor
            ]
        if options["only"]:
            rows = [row for row in rows if options["only"] in row["name"] or row["kind"] == "floor"]
        return rows

    # 2. The server ---------------------------------------------------------------------------------

    def server_env(self, tmp: Path, options) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
        env.update(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            # No two-factor secret is read: the sessions are made directly (session_cookie).
            MFA_ENCRYPTION_KEY=os.environ.get("MFA_ENCRYPTION_KEY") or Fernet.generate_key().decode(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=os.environ["DATABASE_URL"],
            CACHE_URL=options["cache_url"],
            CELERY_BROKER_URL=options["broker_url"],
            STATIC_ROOT=str(settings.BASE_DIR / "var" / "bench-web-static"),
            WEB_CONCURRENCY=str(options["workers"]),
            GUNICORN_BIND=f"127.0.0.1:{options['port']}",
            GUNICORN_ACCESS_LOG=str(tmp / "access.log"),
            GUNICORN_LOG_LEVEL="warning",
        )
        return env

    def collect_static(self, env: dict) -> None:
        """collectstatic with the production storage (hashed, compressed), unless the files collected by an
        earlier run are newer than every file of the project's own static folder."""
        manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
        sources = [path.stat().st_mtime for path in (settings.BASE_DIR / "static").rglob("*") if path.is_file()]
        if manifest.exists() and manifest.stat().st_mtime > max(sources, default=0):
            self.say(f"static files already collected in {env['STATIC_ROOT']}")
            return
        self.say(f"collectstatic (production storage) into {env['STATIC_ROOT']} …")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR, env=env, check=True,
        )  # fmt: skip
        self.say(f"  {time.monotonic() - started:.0f} s")

    def start_server(self, tmp: Path, options) -> subprocess.Popen:
        env = self.server_env(tmp, options)
        self.collect_static(env)

        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c", "python:brainport_voor_elkaar.gunicorn_conf",
            "brainport_voor_elkaar.wsgi",
        ]  # fmt: skip
        self.say(f"gunicorn: {options['workers']} sync workers on 127.0.0.1:{options['port']}, production settings")
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stderr=open(tmp / "server.log", "w"))
        base = f"http://127.0.0.1:{options['port']}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise CommandError(f"gunicorn did not answer /healthz:\n{(tmp / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        self.say(f"/healthz answers; waiting {options['settle']} s for the workers to warm matching's features …")
        time.sleep(options["settle"])
        self.empty_page_cache(options["cache_url"])
        return server

    def empty_page_cache(self, cache_url: str) -> None:
        from members.public_cache import VERSION_KEY

        config = Env.cache_url_config(cache_url)
        backend = import_string(config["BACKEND"])(config["LOCATION"], {})
        try:
            backend.incr(VERSION_KEY)
        except ValueError:
            backend.add(VERSION_KEY, 1, timeout=None)

    # 3. Load ---------------------------------------------------------------------------------------

    def measure(self, targets, tmp: Path, options) -> list[dict]:
        base = f"http://127.0.0.1:{options['port']}"
        locust = str(Path(sys.executable).parent / "locust")
        self.say(f"{'address':42} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'errors':>6}  load average")
        results = []
        for target in targets:
            # One request first, as the first visitor of a page would make: the measurement is the steady state,
            # not sixteen users finding the same page missing from the cache at once.
            warm = urllib.request.Request(base + target["path"], headers={"Cookie": target["cookie"]})
            with urllib.request.urlopen(warm, timeout=30) as answer:
                answer.read()
            before = load_average()
            prefix = tmp / "locust"
            env = {
                **os.environ,
                "BENCH_PATH": target["path"],
                "BENCH_COOKIE": target["cookie"],
                "BENCH_UNCACHED": "1" if target.get("uncached") else "0",
            }
            users = options["users"]
            subprocess.run(
                [
                    locust, "-f", str(LOCUSTFILE), "--headless", "--host", base,
                    "-u", str(users), "-r", str(users), "-t", f"{options['seconds']}s",
                    "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5",
                ],
                env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=options["seconds"] + 60,
            )  # fmt: skip
            row = self.read_stats(Path(f"{prefix}_stats.csv"))
            row.update(name=target["name"], path=target["path"], kind=target["kind"])
            row.update(uncached=bool(target.get("uncached")), load_before=before, load_after=load_average())
            results.append(row)
            self.say(
                f"{target['name']:42} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['rps']:7.1f} "
                f"{row['errors']:6d}  {before[0]:.2f} → {row['load_after'][0]:.2f}"
            )
        return results

    @staticmethod
    def read_stats(path: Path) -> dict:
        import csv

        with open(path, newline="") as stats:
            rows = list(csv.DictReader(stats))
        total = next(row for row in rows if row["Name"] == "Aggregated")
        return {
            "requests": int(total["Request Count"]),
            "errors": int(total["Failure Count"]),
            "p50_ms": float(total["50%"] or 0),
            "p95_ms": float(total["95%"] or 0),
            "rps": round(float(total["Requests/s"]), 1),
        }

    # 4. Report -------------------------------------------------------------------------------------

    def report(self, results, options):
        by_name = {row["name"]: row for row in results}
        served = [row for row in results if not row["uncached"] and row["kind"] != "floor"]
        floor = by_name.get("floor: /healthz", {}).get("rps", 0)
        missed = []
        for row in served:
            limit = DETAIL_P95_MS if row["kind"] == "detail" else LIST_P95_MS
            if row["p95_ms"] > limit:
                missed.append(f"{row['name']}: p95 {row['p95_ms']:.0f} ms > {limit} ms")
            if row["errors"]:
                missed.append(f"{row['name']}: {row['errors']} errors")
        first, deep = by_name.get("needs: first page"), by_name.get("needs: deep page (300)")
        if first and deep and deep["p95_ms"] > DEEP_FACTOR * max(first["p95_ms"], 1):
            missed.append(
                f"deep page p95 {deep['p95_ms']:.0f} ms > {DEEP_FACTOR} × first page {first['p95_ms']:.0f} ms"
            )
        if first and floor and first["rps"] < FLOOR_SHARE * floor:
            missed.append(f"needs list {first['rps']} req/s < {FLOOR_SHARE} × floor {floor} req/s")
        summary = {
            "bench": "web",
            "server": f"gunicorn {options['workers']} sync workers, production settings, PostgreSQL, Redis cache",
            "load": f"locust, {options['users']} users without pause, {options['seconds']} s per address, loopback",
            "cpus": os.cpu_count(),
            "needs": Need.objects.count(),
            "floor_rps": floor,
            "targets": {
                "list_p95_ms": LIST_P95_MS,
                "detail_p95_ms": DETAIL_P95_MS,
                "deep_vs_first": DEEP_FACTOR,
                "needs_rps_vs_floor": FLOOR_SHARE,
                "errors": 0,
            },
            "missed": missed,
            "load_average_end": load_average(),
            "pages": {
                row["name"]: {key: row[key] for key in ("p50_ms", "p95_ms", "rps", "errors", "requests", "load_before")}
                for row in results
            },
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
