"""Rebuild the impact snapshot now (the periodic task does it every IMPACT_SNAPSHOT_MINUTES)."""

from django.core.management.base import BaseCommand

from matching.impact_snapshot import impact_snapshot_refresh


class Command(BaseCommand):
    help = "Rebuild the impact snapshot the coordinators' dashboard reads (PostgreSQL only)."

    def handle(self, *args, **options):
        snapshot = impact_snapshot_refresh()
        if snapshot is None:
            self.stdout.write("This database holds no snapshot: the dashboard reads the live figures.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Impact snapshot rebuilt in {snapshot.duration_ms / 1000:.1f} s: {snapshot.cells} cells."
            )
        )
