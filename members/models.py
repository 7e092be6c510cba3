"""Users, organisations, memberships, the reference taxonomy and the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

COORDINATORS_GROUP = "Coordinators"


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class BilingualName(models.Model):
    """A name in Dutch and English; `name` answers in the active language."""

    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


# Users ---------------------------------------------------------------------------------------------


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

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_coordinator(self):
        """Coordinators are association staff: members of the global coordinators group."""
        if not hasattr(self, "_is_coordinator"):
            self._is_coordinator = self.is_active and self.groups.filter(name=COORDINATORS_GROUP).exists()
        return self._is_coordinator


# Reference data ------------------------------------------------------------------------------------


class Subregion(models.TextChoices):
    EINDHOVEN = "Stedelijk gebied Eindhoven", _("Eindhoven urban area")
    DE_KEMPEN = "De Kempen", _("De Kempen")
    DE_PEEL = "De Peel", _("De Peel")
    A2 = "A2-gemeenten", _("A2 municipalities")


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    subregion = models.CharField(_("subregion"), max_length=40, choices=Subregion.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Programme(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    target = models.PositiveIntegerField(_("target"))
    target_unit_nl = models.CharField(_("target unit (Dutch)"), max_length=120)
    target_unit_en = models.CharField(_("target unit (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["position", "code"]

    @property
    def target_unit(self):
        return self.target_unit_en if (get_language() or "nl").startswith("en") else self.target_unit_nl


class Theme(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["code"]


class SkillCategory(models.TextChoices):
    DATA_TECH = "data_tech", _("Data and technology")
    COMMUNICATION = "communication", _("Communication and marketing")
    BUSINESS = "business", _("Business and finance")
    PEOPLE = "people", _("People and organisation")
    EDUCATION = "education", _("Education and coaching")
    CARE = "care", _("Care and wellbeing")
    LANGUAGE = "language", _("Language and culture")
    PRACTICAL = "practical", _("Practical and technical work")
    CREATIVE = "creative", _("Creative")
    LEGAL = "legal", _("Legal and administration")


class Skill(BilingualName):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=SkillCategory.choices)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["category", "code"]


# Organisations and memberships ---------------------------------------------------------------------


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Organisation.Status.ACTIVE)

    def of_user(self, user):
        """Organisations the user belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def managed_by(self, user):
        """Organisations whose profile and members the user may change: own admins and coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)

    def visible_to(self, user):
        """Organisations whose workspace the user may open: own members and coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.of_user(user)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SOCIAL = "social", _("Social organisation")
        GOVERNMENT = "government", _("Government")
        EDUCATION = "education", _("Education")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Application pending")
        ACTIVE = "active", _("Member")
        REJECTED = "rejected", _("Application rejected")
        ENDED = "ended", _("Membership ended")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="organisations"
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_inclusive_employer = models.BooleanField(_("inclusive employer"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    joined_at = models.DateTimeField(_("member since"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:organisation-detail", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class MembershipApplicationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=MembershipApplication.Status.PENDING)

    def visible_to(self, user):
        """Coordinators see every application; an applicant sees their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(applicant=user)


class MembershipApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="application")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_applications"
    )
    motivation = models.TextField(_("why do you want to join?"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), max_length=2000, blank=True)

    objects = MembershipApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.organisation} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("members:application-detail", kwargs={"pk": self.pk})


class InvitationQuerySet(models.QuerySet):
    def open(self, *, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use, expiring invitation to join an organisation.

    The link carries a signature of the invitation's id (see `services.invitation_link_token`), so nothing
    secret is stored; expiry and single use are checked against this row.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


# Notifications -------------------------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation to join an organisation")
    APPLICATION_RECEIVED = "application_received", _("New membership application")
    APPLICATION_DECIDED = "application_decided", _("Decision on your membership application")
    INVITATION_ACCEPTED = "invitation_accepted", _("A colleague accepted an invitation")
    MEMBERSHIP_CHANGED = "membership_changed", _("Changes to your role in an organisation")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Off (inbox only)")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event for one recipient: an inbox entry and, by the recipient's choice, an email.

    Written in the same transaction as the change that causes it (the outbox). `event_key` names the event
    and its recipient and is unique, so the same event never makes two notifications. A notification to an
    address without an account (an invitation) has no recipient and appears in no inbox.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        DIGEST = "digest", _("Waiting for the daily digest")
        SKIPPED = "skipped", _("Not emailed")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField(_("email address"))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.DUTCH)
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=200, unique=True)
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email_status", "created_at"],
                name="notification_outbox_idx",
                condition=Q(email_status__in=["pending", "sending", "digest"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    frequency = models.CharField(_("email"), max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATELY)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.frequency}"
