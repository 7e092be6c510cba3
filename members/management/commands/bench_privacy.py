"""`manage.py bench_privacy`: the cost of a data download and of deleting an account at the association's scale.

Meant for the scale data (`seed_demo --volunteers 100000 --needs 20000 --organisations 2000`) on PostgreSQL.
`--notifications N` first tops the outbox up to N rows (written in one INSERT … SELECT, each naming a volunteer
in its context as the match notices do) and `--sessions N` the session table, since deleting an account reads
both. Then, for `--people` volunteers that have matches, times the download (`personal_data`) and the deletion
(`account_delete`, everything it does in its transaction), each deletion rolled back so the data stays as it was.
The last line is one JSON object.
"""

import json
import statistics
import time

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Notification, User
from members.personal_data import personal_data
from members.services import account_delete


class Rollback(Exception):
    pass


def top_up_notifications(target: int) -> int:
    missing = target - Notification.objects.count()
    if missing <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO members_notification
                (recipient_id, email, language, kind, event_key, context, link, created_at, email_status, attempts,
                 last_error)
            SELECT u.id, u.email, 'nl', 'match_accepted', 'bench-privacy:' || g || ':' || u.id,
                   jsonb_build_object('subject', 'Taalmaatje', 'need', 'Taalmaatje', 'other', v.full_name),
                   '/matching/matches/1/', now(), 'sent', 1, ''
            FROM (SELECT min(id) AS lo, max(id) - min(id) + 1 AS span FROM members_user) AS bounds
            CROSS JOIN generate_series(1, %s) AS g
            JOIN members_user u ON u.id = bounds.lo + (g %% bounds.span)
            JOIN members_user v ON v.id = bounds.lo + ((g * 7) %% bounds.span)
            """,
            [missing],
        )
    return missing


def top_up_sessions(target: int, users: list[int]) -> int:
    missing = target - Session.objects.filter(expire_date__gt=timezone.now()).count()
    if missing <= 0:
        return 0
    store = SessionStore()
    expire = timezone.now() + timezone.timedelta(days=14)
    Session.objects.bulk_create(
        [
            Session(
                session_key=f"benchprivacy{n:020d}",
                session_data=store.encode({"_auth_user_id": str(users[n % len(users)])}),
                expire_date=expire,
            )
            for n in range(missing)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return missing


class Command(BaseCommand):
    help = "Times the data download and account deletion (rolled back) at scale."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=5)
        parser.add_argument("--notifications", type=int, default=0)
        parser.add_argument("--sessions", type=int, default=0)

    def handle(self, *args, people, notifications, sessions, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Run this against PostgreSQL with the scale data (DATABASE_URL).")
        chosen = list(
            User.objects.filter(volunteer__matches__isnull=False, anonymised_at__isnull=True)
            .exclude(memberships__role__in=["admin", "member"])
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)[:people]
        )
        if not chosen:
            raise CommandError("No volunteer with matches: seed the scale data and run matching first.")
        added_notifications = top_up_notifications(notifications) if notifications else 0
        added_sessions = top_up_sessions(sessions, chosen) if sessions else 0
        downloads, deletions, queries = [], [], []
        for pk in chosen:
            user = User.objects.get(pk=pk)
            started = time.perf_counter()
            document = personal_data(user)
            downloads.append(time.perf_counter() - started)
            try:
                with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    account_delete(user=user, acting_user=user)
                    deletions.append(time.perf_counter() - started)
                    queries.append(len(captured.captured_queries))
                    raise Rollback
            except Rollback:
                pass
            self.stdout.write(
                f"user {pk}: download {downloads[-1] * 1000:.0f} ms ({len(document['matches'])} matches), "
                f"delete {deletions[-1] * 1000:.0f} ms in {queries[-1]} queries"
            )
        result = {
            "people": len(chosen),
            "notifications": Notification.objects.count(),
            "notifications_added": added_notifications,
            "sessions": Session.objects.count(),
            "sessions_added": added_sessions,
            "download_median_ms": round(statistics.median(downloads) * 1000, 1),
            "delete_median_ms": round(statistics.median(deletions) * 1000, 1),
            "delete_max_ms": round(max(deletions) * 1000, 1),
            "delete_queries_max": max(queries),
        }
        self.stdout.write(json.dumps(result))
