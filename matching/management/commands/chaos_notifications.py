"""`make chaos-notifications`: the notification outbox under chaos, against a real Redis and real workers.

It starts its own redis-server (a free port from 6390) and two prefork Celery workers on it, with the
database of DATABASE_URL (PostgreSQL) and the file mail backend in a folder of its own. Then a coordinator
approves proposals through `matching.services.match_approve` (each approval notifies both sides through the
outbox: two notifications) at a steady pace while the benchmark kills a worker with kill -9 five times
(restarting it each time) and stops its redis-server once (queued tasks are lost: no persistence). The
approvals made while the broker is down are timed: that is what a coordinator waits for. The sweeps run in
this process every --sweep-interval seconds, as beat would run them. It waits until every notification is
sent (or --timeout), then reads the mail folder: every email carries its notification's id
(X-Notification-Id), so a notification never emailed is lost and one emailed twice a duplicate.

Progress lines first; the last line is one JSON object: created, sent, duplicates, lost, drain_s (from the
broker's return to the last send) and request_p99_ms_broker_down. Every process it started is ended when it
finishes, fails or is interrupted.

Run it on a database of its own, e.g.:
    createdb -h 127.0.0.1 -U postgres chaos_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chaos_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chaos_bench python manage.py chaos_notifications
"""

import json
import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.db.models import Max
from django.utils import timezone

from brainport_voor_elkaar import publish
from brainport_voor_elkaar.celery import app as celery_app
from matching import chaos
from matching.models import Match
from matching.services import match_approve, matching_requests_sweep
from members.models import Membership, Municipality, Need, Notification, Organisation, Programme, User, Volunteer
from members.notifications import notifications_sweep
from members.services import coordinator_grant, totp_activate

Status = Notification.EmailStatus
# Loggers that report each task the broker could not take; the sweep takes them, the progress lines say so.
QUIET = ("brainport_voor_elkaar.publish", "members.notifications", "matching.services.runs")


class Command(BaseCommand):
    help = "Kill workers and the broker while notifications are written; count what was lost or sent twice."

    def add_arguments(self, parser):
        parser.add_argument("--approvals", type=int, default=1000, help="approvals made (two notifications each)")
        parser.add_argument("--rate", type=float, default=25.0, help="approvals per second")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
        parser.add_argument("--kills", type=int, default=5, help="workers killed with kill -9 (and restarted)")
        parser.add_argument("--lease", type=int, default=10, help="NOTIFICATION_CLAIM_LEASE_SECONDS for the run")
        parser.add_argument("--sweep-after", type=int, default=5, help="NOTIFICATION_SWEEP_AFTER_SECONDS")
        parser.add_argument("--sweep-interval", type=float, default=2.0, help="seconds between sweeps")
        parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the last send")
        parser.add_argument("--keep", action="store_true", help="keep the folder with the mails and logs")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            raise CommandError(
                "chaos_notifications needs PostgreSQL: several worker processes write at once, which SQLite "
                "cannot take. Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/chaos_bench (createdb and "
                "migrate it first)."
            )
        if not shutil.which("redis-server"):
            raise CommandError("redis-server is not installed (apt-get install redis-server).")
        self.started = time.monotonic()
        folder = Path(tempfile.mkdtemp(prefix="chaos-notifications-"))
        mail = folder / "mail"
        mail.mkdir()
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            self.run(options, folder=folder, mail=mail)
        finally:
            if options["keep"]:
                self.say(f"mails and logs kept in {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)

    def say(self, line: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f}s] {line}")

    def run(self, options, *, folder: Path, mail: Path) -> None:
        lease, sweep_after = options["lease"], options["sweep_after"]
        env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "EMAIL_URL": chaos.filemail_url(mail),
            "NOTIFICATION_CLAIM_LEASE_SECONDS": str(lease),
            "NOTIFICATION_SWEEP_AFTER_SECONDS": str(sweep_after),
            "MATCHING_REQUEST_LEASE_SECONDS": str(lease),
        }
        env.pop("CELERY_BROKER_WRITE_URL", None)
        port = chaos.free_port()
        cluster = chaos.Cluster(
            workers=options["workers"],
            concurrency=options["concurrency"],
            env=env,
            folder=folder,
            cwd=Path(settings.BASE_DIR),
            port=port,
        )
        with cluster:
            self.say(
                f"redis-server on port {port}; {options['workers']} workers × {options['concurrency']} processes; "
                f"claim lease {lease}s, sweep after {sweep_after}s, sweeps every {options['sweep_interval']}s "
                "from this process"
            )
            self.publish_to(cluster.redis.url, lease=lease, sweep_after=sweep_after)
            coordinator, match_ids = self.world(options["approvals"])
            baseline = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            cluster.wait_ready()
            self.say("workers ready")
            sweeper = Sweeper(options["sweep_interval"])
            sweeper.start()
            try:
                timings, broker_back = self.load(cluster, coordinator, match_ids, options, baseline=baseline)
                created = list(
                    Notification.objects.filter(pk__gt=baseline)
                    .exclude(email_status__in=[Status.DIGEST, Status.SKIPPED])
                    .values_list("pk", flat=True)
                )
                last_sent = self.drain(created, options["timeout"])
            finally:
                sweeper.stop()
            publish.wait_until_idle(timeout=10)
        sent = chaos.sent_per_notification(mail)
        ours = set(created)
        delivered = {pk: n for pk, n in sent.items() if pk in ours}
        released = Notification.objects.filter(pk__in=created, attempts__gt=1).count()
        self.say(
            f"{len(delivered)} of {len(created)} notifications reached the mail folder; {released} were claimed "
            f"more than once (a worker died holding them, the lease released them); sweeps ran {sweeper.runs} times"
        )
        drain_s = max(0.0, last_sent - broker_back) if last_sent is not None else None
        result = {
            "created": len(created),
            "sent": len(delivered),
            "duplicates": sum(n - 1 for n in delivered.values()),
            "lost": len(ours - set(delivered)),
            "drain_s": round(drain_s, 1) if drain_s is not None else None,
            "request_p99_ms_broker_down": round(float(np.percentile(timings, 99)), 1) if timings else None,
        }
        self.stdout.write(json.dumps(result))

    def publish_to(self, url: str, *, lease: int, sweep_after: int) -> None:
        """This process publishes to the benchmark's broker (it may have been set up for another, or none)."""
        os.environ["CELERY_BROKER_URL"] = url
        os.environ.pop("CELERY_BROKER_WRITE_URL", None)
        celery_app.conf.broker_url = url
        celery_app.conf.broker_write_url = None
        celery_app.conf.task_always_eager = False
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        settings.NOTIFICATION_CLAIM_LEASE_SECONDS = lease
        settings.NOTIFICATION_SWEEP_AFTER_SECONDS = sweep_after
        settings.MATCHING_REQUEST_LEASE_SECONDS = lease

    def world(self, approvals: int):
        """A coordinator, charities with a contact person each, needs, volunteers and one proposal per
        approval to come. Written in bulk: this is the stage, not what is measured."""
        token = uuid.uuid4().hex[:8]
        municipality = Municipality.objects.get(name="Eindhoven")
        programme = Programme.objects.order_by("pk").first()
        now = timezone.now()
        coordinator = User.objects.create(email=f"coordinator-{token}@chaos.example", full_name="Chaos Coordinator")
        coordinator_grant(user=coordinator)
        totp_activate(user=coordinator)  # the coordinator role counts only with two-factor authentication
        per_need, per_charity = 5, 4
        n_needs = -(-approvals // per_need)
        n_charities = -(-n_needs // per_charity)
        charities = Organisation.objects.bulk_create(
            Organisation(
                name=f"Chaos charity {token} {i}",
                slug=f"chaos-{token}-charity-{i}",
                kind=Organisation.Kind.SOCIAL,
                municipality=municipality,
                status=Organisation.Status.ACTIVE,
                joined_at=now,
            )
            for i in range(n_charities)
        )
        company = Organisation.objects.create(
            name=f"Chaos company {token}",
            slug=f"chaos-{token}-company",
            kind=Organisation.Kind.COMPANY,
            municipality=municipality,
            status=Organisation.Status.ACTIVE,
            joined_at=now,
        )
        contacts = User.objects.bulk_create(
            User(email=f"contact-{token}-{i}@chaos.example", full_name=f"Contact {i}", password="!")
            for i in range(n_charities)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=charity, role=Membership.Role.ADMIN)
            for user, charity in zip(contacts, charities, strict=True)
        )
        needs = Need.objects.bulk_create(
            Need(
                organisation=charities[i // per_charity],
                contact_person=contacts[i // per_charity],
                title=f"Chaos need {i}",
                description="A need of the chaos benchmark.",
                programme=programme,
                kind=Need.Kind.ONE_OFF,
                municipality=municipality,
                is_flexible=True,
                estimated_hours=4,
                volunteers_needed=per_need,
                status=Need.Status.OPEN,
                published_at=now,
            )
            for i in range(n_needs)
        )
        people = User.objects.bulk_create(
            User(
                email=f"volunteer-{token}-{i}@chaos.example",
                full_name=f"Volunteer {i}",
                password="!",
                preferred_language="nl" if i % 2 else "en",
            )
            for i in range(approvals)
        )
        volunteers = Volunteer.objects.bulk_create(
            Volunteer(user=user, organisation=company, municipality=municipality, consent_at=now) for user in people
        )
        matches = Match.objects.bulk_create(
            Match(need=needs[i // per_need], volunteer=volunteer, score=0.6) for i, volunteer in enumerate(volunteers)
        )
        self.say(f"stage: {len(matches)} proposals for {n_needs} needs of {n_charities} charities")
        return coordinator, [match.pk for match in matches]

    def load(self, cluster, coordinator, match_ids, options, *, baseline: int):
        """Approve every proposal at the given pace. Kills spread over the first 60%; the broker is down from
        70% until every approval is made, then back. Returns the broker-down timings (ms) and when it was back."""
        total = len(match_ids)
        kills = {int(total * (0.1 + 0.48 * k / max(options["kills"] - 1, 1))): k for k in range(options["kills"])}
        broker_down_at = int(total * 0.7)
        interval = 1.0 / options["rate"]
        timings = []
        broker_down = False
        next_at = time.monotonic()
        for i, pk in enumerate(match_ids):
            if i in kills:
                worker = cluster.workers[kills[i] % len(cluster.workers)]
                busy = self.claims_held(baseline)
                died = worker.kill()
                worker.start()
                self.say(f"kill -9 {worker.name} ({died} processes; {busy} notifications being sent); restarted")
            if i == broker_down_at:
                cluster.redis.stop()
                broker_down = True
                self.say("redis-server stopped: the broker is down, its queue is lost")
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            started = time.perf_counter()
            match_approve(match=Match(pk=pk), acting_user=coordinator)
            if broker_down:
                timings.append((time.perf_counter() - started) * 1000)
            if i and i % 200 == 0:
                sent = Notification.objects.filter(pk__gt=baseline, email_status=Status.SENT).count()
                self.say(f"{i} approvals, {sent} notifications sent")
        cluster.redis.start()
        broker_back = time.time()
        self.say(
            f"redis-server back after {len(timings)} approvals without a broker "
            f"(median {statistics.median(timings):.1f} ms, p99 {np.percentile(timings, 99):.1f} ms)"
        )
        return timings, broker_back

    def claims_held(self, baseline: int, wait: float = 2.0) -> int:
        """Notifications claimed and not yet sent, waiting up to `wait` seconds for one: a kill then most
        likely lands in the middle of a delivery, between the claim and the send."""
        deadline = time.monotonic() + wait
        while True:
            held = Notification.objects.filter(pk__gt=baseline, email_status=Status.SENDING).count()
            if held or time.monotonic() > deadline:
                return held
            time.sleep(0.002)

    def drain(self, created, timeout: float):
        """Wait until every created notification is sent; returns the time (epoch) of the last send."""
        deadline = time.monotonic() + timeout
        reported = 0.0
        while True:
            sent = Notification.objects.filter(pk__in=created, email_status=Status.SENT).count()
            if sent == len(created) or time.monotonic() > deadline:
                break
            if time.monotonic() - reported > 5:
                reported = time.monotonic()
                self.say(f"draining: {sent} of {len(created)} sent")
            time.sleep(0.5)
        self.say(f"drained: {sent} of {len(created)} sent")
        last = Notification.objects.filter(pk__in=created, email_status=Status.SENT).aggregate(last=Max("sent_at"))
        return last["last"].timestamp() if last["last"] else None


class Sweeper(threading.Thread):
    """What beat does in production: both sweeps every `interval` seconds (here in a thread of this process)."""

    def __init__(self, interval: float):
        super().__init__(name="chaos-sweeper", daemon=True)
        self.interval = interval
        self.halt = threading.Event()
        self.runs = 0

    def run(self) -> None:
        try:
            while not self.halt.wait(self.interval):
                close_old_connections()
                try:
                    notifications_sweep()
                    matching_requests_sweep()
                except Exception:  # noqa: BLE001 - a sweep that fails is tried again at the next interval
                    logging.getLogger(__name__).warning("A sweep failed; the next one tries again.", exc_info=True)
                self.runs += 1
        finally:
            connection.close()

    def stop(self) -> None:
        self.halt.set()
        self.join(30)
