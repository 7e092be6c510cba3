"""Two-factor secrets encrypted at rest: the authenticator app's key (TOTP) and the recovery codes' seed.

allauth.mfa keeps them in `mfa_authenticator.data` and passes each through its adapter's `encrypt`/`decrypt`
on the way in and out; by default those do nothing, so a copy of the database (a backup, a dump for a test
machine) held every coordinator's second factor. Here they are Fernet tokens (AES-128-CBC with an HMAC-SHA256,
from `cryptography`) under the keys in settings.MFA_ENCRYPTION_KEYS (env MFA_ENCRYPTION_KEY, comma-separated):
the first key encrypts, every key decrypts, so a new key goes first and the old one stays after it until
`manage.py mfa_reencrypt` has rewritten every secret under the new one.

`SECRET_FIELDS` is the one list of what is secret in an authenticator's data; the data migration
(0013_mfa_encrypt) and the re-encryption command use it through `transform_secrets`.
"""

import functools
from collections.abc import Callable

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

# Per authenticator type: the keys of its data that hold a secret, and those that hold a list of secrets.
# WebAuthn keeps only a public key, which need not be hidden.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LIST_FIELDS = {"recovery_codes": ("migrated_codes",)}
# Every Fernet token starts so (version byte 0x80, then a timestamp's high zero bytes); a plaintext secret
# never does (base32 capitals, hex digits or decimal digits).
TOKEN_PREFIX = "gAAAAA"


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The keys of the settings: the first encrypts, all decrypt."""
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Only the operator can fix this, so the log says how; the user sees the error page.
        if not is_encrypted(token):
            raise ImproperlyConfigured(
                "A two-factor secret is stored in plaintext: run `manage.py migrate` (members 0013_mfa_encrypt)."
            ) from None
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted: the key that encrypted it is not in MFA_ENCRYPTION_KEY "
            "(keep an old key after the new one until `manage.py mfa_reencrypt` has run)."
        ) from None


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def transform_secrets(authenticator_type: str, data: dict, change: Callable[[str], str]) -> bool:
    """Apply `change` to every secret in an authenticator's data, in place. True when something changed."""
    changed = False
    for field in SECRET_FIELDS.get(authenticator_type, ()):
        if field in data:
            new = change(data[field])
            changed |= new != data[field]
            data[field] = new
    for field in SECRET_LIST_FIELDS.get(authenticator_type, ()):
        if data.get(field) is not None:
            new = [change(value) for value in data[field]]
            changed |= new != data[field]
            data[field] = new
    return changed


def secrets_rewrite(*, authenticator_model, change: Callable[[str], str]) -> int:
    """Apply `change` to every stored secret, one authenticator at a time, each row locked while it is rewritten
    (a recovery code used meanwhile is not lost). Returns how many authenticators changed. Safe to repeat when
    `change` is (encrypting what is plaintext, rotating to the first key)."""
    changed = 0
    for pk in authenticator_model.objects.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            authenticator = authenticator_model.objects.select_for_update().filter(pk=pk).first()
            if authenticator is not None and transform_secrets(authenticator.type, authenticator.data, change):
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


def encrypt_if_plain(value: str) -> str:
    if is_encrypted(value):
        decrypt(value)  # one of our keys must open it: fail now, not at the next login
        return value
    return encrypt(value)


def decrypt_if_encrypted(value: str) -> str:
    return decrypt(value) if is_encrypted(value) else value


def rotate(value: str) -> str:
    """The secret encrypted under the first key (a plaintext one is encrypted)."""
    if not is_encrypted(value):
        return encrypt(value)
    decrypt(value)  # the clear error when no key opens it
    return fernet().rotate(value.encode()).decode("ascii")


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa's adapter (settings.MFA_ADAPTER): secrets are stored encrypted."""

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
