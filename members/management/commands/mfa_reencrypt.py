from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand

from members.mfa import rotate, secrets_rewrite


class Command(BaseCommand):
    help = (
        "Re-encrypt every two-factor secret under the first key of MFA_ENCRYPTION_KEY, so that the keys after it "
        "can be removed. Safe to run again, and while the portal serves."
    )

    def handle(self, *args, **options):
        changed = secrets_rewrite(authenticator_model=Authenticator, change=rotate)
        self.stdout.write(self.style.SUCCESS(f"{changed} authenticator(s) re-encrypted under the first key."))
