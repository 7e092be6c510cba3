"""Users: email as login, a preferred language, and the global coordinator role."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COORDINATORS_GROUP = "Coordinators"


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The version of the privacy statement the person last agreed to ("" when they never did or withdrew), kept
    # on the row that every request loads anyway: asking whether to ask again costs no query.
    privacy_version = models.CharField(_("privacy statement agreed to"), max_length=20, blank=True)
    # The last time the person used the portal, to the day (`LastSeenMiddleware`): a session can outlive many days
    # without a new login, so the last login alone would call someone who uses the portal every day inactive.
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    # Set when the account was deleted or removed for inactivity: the row stays, nameless, for the history.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        if self.anonymised_at:
            return str(_("Deleted account"))
        return self.full_name or self.email

    def get_short_name(self):
        if self.anonymised_at:
            return self.get_full_name()
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _coordinator_standing(self) -> tuple[bool, bool]:
        """(in the coordinators group, has an authenticator app), read in one query and kept on the object.
        Every signed-in page asks (the navigation): two plain lookups joined by UNION ALL cost half of what
        the same facts as correlated EXISTS annotations cost to build."""
        if not hasattr(self, "_coordinator"):
            from allauth.mfa.models import Authenticator  # allauth's models load after ours

            standing = (False, False)
            if self.is_active and self.pk:
                in_group = Group.objects.filter(name=COORDINATORS_GROUP, user=self.pk).values_list(
                    models.Value("group")
                )
                has_app = Authenticator.objects.filter(user=self.pk, type=Authenticator.Type.TOTP).values_list(
                    models.Value("app")
                )
                facts = {fact for (fact,) in in_group.union(has_app, all=True)}
                standing = ("group" in facts, "app" in facts)
            self._coordinator = standing
        return self._coordinator

    @property
    def must_agree_again(self) -> bool:
        """Agreed to an earlier version of the privacy statement: asked again before going on (no query)."""
        return bool(self.privacy_version) and self.privacy_version != settings.PRIVACY_STATEMENT_VERSION

    @property
    def is_coordinator(self):
        """Coordinators are association staff: members of the global coordinators group. The role counts only
        once they protect their account with an authenticator app (two-factor authentication): until then they
        see and do what any user sees and does, and a coordinator page sends them to set it up."""
        in_group, has_app = self._coordinator_standing()
        return in_group and has_app

    @property
    def coordinator_needs_two_factor(self):
        """In the coordinators group, but without the authenticator app the role requires."""
        in_group, has_app = self._coordinator_standing()
        return in_group and not has_app
