"""Two-factor secrets are stored encrypted (members/mfa.py): a copy of the database holds no authenticator app's key
nor recovery codes' seed, logging in with either still works, and the key can be rotated."""

import importlib
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from members.mfa import decrypt
from members.models import User
from tests.factories import PASSWORD, MembershipFactory, UserFactory, coordinator
from tests.totp import code_of, current_code, recovery_codes_of, secret_of

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
migration = importlib.import_module("members.migrations.0013_mfa_encrypt")


def stored_rows(user) -> str:
    """What a dump of the database holds for this user's authenticators, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE user_id = %s", [user.pk])
        return " ".join(str(row[0]) for row in cursor.fetchall())


def stored_values(user) -> list[str]:
    values = []
    for data in Authenticator.objects.filter(user=user).values_list("data", flat=True):
        values += [data[field] for field in ("secret", "seed") if field in data]
        values += data.get("migrated_codes") or []
    return values


def log_in_with_code(user, code) -> bool:
    browser = Client()
    browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": code})
    return browser.session.get("_auth_user_id") == str(user.pk)


def seed_of(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return decrypt(authenticator.data["seed"])


def test_an_app_set_up_in_the_settings_leaves_no_secret_in_the_database_and_its_codes_log_in():
    admin = MembershipFactory(role="admin").user
    browser = Client()
    browser.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    browser.get(reverse("mfa_activate_totp"))
    secret = browser.session["mfa.totp.secret"]
    browser.post(reverse("mfa_activate_totp"), {"code": code_of(secret)})

    raw = stored_rows(admin)
    assert raw and secret not in raw and secret.lower() not in raw
    assert seed_of(admin) not in raw
    assert all(value.startswith("gAAAAA") for value in stored_values(admin))
    assert secret_of(admin) == secret  # tests/totp.py reads it through allauth's decrypt
    assert log_in_with_code(admin, code_of(secret, steps=1))


def test_a_recovery_code_still_logs_in_and_no_code_is_in_the_database():
    person = coordinator()
    codes = recovery_codes_of(person)
    raw = stored_rows(person)

    assert not any(code in raw for code in codes)
    assert log_in_with_code(person, codes[0])
    assert codes[0] not in recovery_codes_of(person)


def test_the_demo_coordinators_fixed_secret_is_stored_encrypted_and_still_logs_in():
    call_command("seed_demo", stdout=StringIO())
    person = User.objects.get(email="coordinator@demo.brainportvoorelkaar.nl")
    browser = Client()

    browser.post(reverse("account_login"), {"login": person.email, "password": DEMO_PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": code_of(DEMO_TOTP_SECRET)})

    assert browser.session.get("_auth_user_id") == str(person.pk)
    assert DEMO_TOTP_SECRET not in stored_rows(person)


def test_after_a_new_key_is_put_first_the_old_secrets_still_decrypt_and_reencrypting_retires_the_old_key(settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    person = coordinator()
    secret = secret_of(person)

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert log_in_with_code(person, current_code(person))

    out = StringIO()
    call_command("mfa_reencrypt", stdout=out)
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]

    assert "2 authenticator(s) re-encrypted" in out.getvalue()
    assert secret_of(person) == secret
    assert log_in_with_code(person, current_code(person, steps=1))
    assert len(recovery_codes_of(person)) == 10


def test_without_the_key_that_encrypted_them_the_secrets_fail_loudly_and_say_why(settings):
    person = coordinator()
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(ImproperlyConfigured, match="not in MFA_ENCRYPTION_KEY"):
        secret_of(person)


def test_the_migration_encrypts_plaintext_secrets_once_and_going_back_restores_them():
    person = UserFactory()
    plain_secret, plain_seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ab" * 40
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": plain_secret})
    Authenticator.objects.create(
        user=person,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": plain_seed, "used_mask": 1, "migrated_codes": ["12345678"]},
    )

    migration.encrypt_secrets(apps, None)
    encrypted = stored_rows(person)
    migration.encrypt_secrets(apps, None)  # a second run changes nothing

    assert stored_rows(person) == encrypted
    assert plain_secret not in encrypted and plain_seed not in encrypted and "12345678" not in encrypted
    assert secret_of(person) == plain_secret
    assert log_in_with_code(person, code_of(plain_secret))
    assert recovery_codes_of(person) == ["12345678"]

    migration.decrypt_secrets(apps, None)

    data = {a.type: a.data for a in Authenticator.objects.filter(user=person)}
    assert data["totp"] == {"secret": plain_secret}
    assert data["recovery_codes"]["migrated_codes"] == ["12345678"]
    assert data["recovery_codes"]["seed"] == plain_seed and data["recovery_codes"]["used_mask"] == 1
