"""Encrypt the two-factor secrets stored in plaintext before the portal's MFA adapter (members/mfa.py) existed.

Reversible: going back writes them in plaintext again (what the code before this migration reads). Either way
it needs the keys in MFA_ENCRYPTION_KEY, and it may run twice (what is already encrypted stays as it is).
"""

from django.db import migrations


def encrypt_secrets(apps, schema_editor):
    from members.mfa import encrypt_if_plain, secrets_rewrite

    secrets_rewrite(authenticator_model=apps.get_model("mfa", "Authenticator"), change=encrypt_if_plain)


def decrypt_secrets(apps, schema_editor):
    from members.mfa import decrypt_if_encrypted, secrets_rewrite

    secrets_rewrite(authenticator_model=apps.get_model("mfa", "Authenticator"), change=decrypt_if_encrypted)


class Migration(migrations.Migration):
    dependencies = [("members", "0012_search_trigram"), ("mfa", "0003_authenticator_type_uniq")]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False)]
