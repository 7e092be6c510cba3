from django.core.management.base import BaseCommand, CommandError

from members.models import User
from members.services import NewAccount, coordinator_grant, user_create


class Command(BaseCommand):
    help = "Make a user a coordinator of the association (creating the account when it does not exist)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name, for a new account.")
        parser.add_argument("--password", help="Password, for a new account.")

    def handle(self, *args, email, name, password, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not password:
                raise CommandError("There is no account for this address; give --password to create it.")
            user = user_create(account=NewAccount(email=email, full_name=name, password=password), email_verified=True)
        coordinator_grant(user=user)
        self.stdout.write(self.style.SUCCESS(f"{user.email} is a coordinator."))
