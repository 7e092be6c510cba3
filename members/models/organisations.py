"""Member organisations, memberships, membership applications and invitations."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import Municipality


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Organisation.Status.ACTIVE)

    def of_user(self, user):
        """Organisations the user belongs to, in any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def staffed_by(self, user):
        """Organisations the user acts for (admin or member, not volunteer)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role__in=Membership.STAFF_ROLES)

    def managed_by(self, user):
        """Organisations whose profile and members the user may change: own admins and coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)

    def visible_to(self, user):
        """Organisations whose workspace the user may open: own staff and coordinators (not volunteers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        return self.staffed_by(user)

    def inclusive_employers(self):
        """The one home of "an inclusive employer" that counts toward the association's 1,000+: a member
        organisation that declares itself one and whose declaration a coordinator confirmed."""
        return self.active().filter(is_inclusive_employer=True, inclusive_confirmed_at__isnull=False)

    def inclusive_waiting(self):
        """Declarations of being an inclusive employer that wait for a coordinator."""
        return self.filter(
            is_inclusive_employer=True, inclusive_confirmed_at__isnull=True, inclusive_withdrawn_at__isnull=True
        )

    def named_publicly(self):
        """Member organisations that agreed to be named on the public pages."""
        return self.active().filter(may_be_named_publicly=True)


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
    # The organisation's own declaration; it counts once a coordinator confirms it (`inclusive_confirmed_at`).
    # A coordinator who withdraws it sets `inclusive_withdrawn_at`; declaring again asks anew.
    is_inclusive_employer = models.BooleanField(_("inclusive employer"), default=False)
    inclusive_confirmed_at = models.DateTimeField(_("inclusive employer confirmed"), null=True, blank=True)
    inclusive_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inclusive_withdrawn_at = models.DateTimeField(_("inclusive employer withdrawn"), null=True, blank=True)
    inclusive_note = models.CharField(_("note on the inclusive employer declaration"), max_length=2000, blank=True)
    # Set by the organisation's admins: may the public pages (the impact page) name this organisation?
    may_be_named_publicly = models.BooleanField(_("may be named on the public pages"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    joined_at = models.DateTimeField(_("member since"), null=True, blank=True)
    # Part of the signed join link for employees; raising it makes every earlier link stop working.
    join_link_version = models.PositiveIntegerField(default=1)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            # Only a declaration can be confirmed.
            models.CheckConstraint(
                condition=models.Q(inclusive_confirmed_at__isnull=True) | models.Q(is_inclusive_employer=True),
                name="organisation_inclusive_confirmed_declared",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:organisation-detail", kwargs={"slug": self.slug})

    @property
    def inclusive_state(self) -> str:
        """ "confirmed", "waiting" (for a coordinator), "withdrawn" (by a coordinator) or "" (not declared)."""
        if not self.is_inclusive_employer:
            return ""
        if self.inclusive_confirmed_at:
            return "confirmed"
        return "withdrawn" if self.inclusive_withdrawn_at else "waiting"


class MembershipQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)

    def staff(self):
        return self.filter(role__in=Membership.STAFF_ROLES)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")
        # An employee who volunteers: their own profile, matches and hours; nothing of the organisation's.
        VOLUNTEER = "volunteer", _("Volunteer")

    # Who acts for the organisation: posts needs and offers, answers proposals, confirms hours.
    STAFF_ROLES = (Role.ADMIN, Role.MEMBER)

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
