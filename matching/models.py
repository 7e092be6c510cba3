"""Matches between a need and a volunteer or an offer, their history, hours and feedback; matching runs
and the durable requests for them; and the association's review policy."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def review_band():
    """The score band the review queue sorts by first: the score to one decimal, rounded half up (0.85 and 0.94
    are both 9). One expression for the queue's order and for the index that serves it, which PostgreSQL uses
    only when the two are written alike."""
    return Floor(F("score") * Value(10.0) + Value(0.5))


class MatchQuerySet(models.QuerySet):
    def active(self):
        """Matches that hold a place in a need: waiting for review or acceptance, accepted or under way."""
        return self.filter(status__in=Match.ACTIVE_STATUSES)

    def undecided(self):
        return self.filter(status=Match.Status.PROPOSED)

    def agreed(self):
        """Both sides said yes: contact details are exchanged, hours may be logged."""
        return self.filter(status__in=Match.AGREED_STATUSES)

    def visible_to(self, user):
        """Coordinators see every match; a need's organisation (staff, not volunteers) sees the matches of its
        needs; the offering organisation's staff see their offers' matches; a volunteer sees their own and those
        they take part in through an offer."""
        from members.models import Membership

        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self.all()
        staff = Membership.STAFF_ROLES
        return self.filter(
            Q(need__organisation__memberships__user=user, need__organisation__memberships__role__in=staff)
            | Q(offer__organisation__memberships__user=user, offer__organisation__memberships__role__in=staff)
            | Q(volunteer__user=user)
            | Q(participants__volunteer__user=user)
        ).distinct()

    def with_related(self):
        return self.select_related(
            "need__organisation",
            "need__municipality",
            "need__programme",
            "volunteer__user",
            "volunteer__organisation",
            "offer__organisation",
        )


class Match(models.Model):
    """A need paired with a volunteer or with an offer of a company's people.

    proposed → approved or rejected (a coordinator, or the review policy) → accepted by both sides, or
    declined by one → active (the work started) → completed; withdrawn by a side or a coordinator at any
    point before completion; expired when nobody answered in time. Every change is one service in
    `matching.services.lifecycle` and leaves a `MatchEvent`.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for review")
        APPROVED = "approved", _("Approved, waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted by both sides")
        ACTIVE = "active", _("Under way")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected by a coordinator")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired: nobody answered in time")

    class Source(models.TextChoices):
        ENGINE = "engine", _("Proposed by matching")
        VOLUNTEER = "volunteer", _("Volunteer offered to help")
        COORDINATOR = "coordinator", _("Chosen by a coordinator")

    ACTIVE_STATUSES = (Status.PROPOSED, Status.APPROVED, Status.ACCEPTED, Status.ACTIVE)
    AGREED_STATUSES = (Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED)
    CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED)

    need = models.ForeignKey("members.Need", on_delete=models.CASCADE, related_name="matches")
    # One of the two: a person, or an organisation's offer of people.
    volunteer = models.ForeignKey(
        "members.Volunteer", null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    offer = models.ForeignKey("members.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="matches")
    # How many places of the need this match fills: 1 for a volunteer; for an offer, as many of its people as
    # the need still wants (the offering company confirms the number when it accepts).
    people = models.PositiveSmallIntegerField(_("number of people"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.ENGINE)
    score = models.FloatField(_("score"))
    components = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    run = models.ForeignKey("MatchingRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="matches")
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    need_accepted_at = models.DateTimeField(null=True, blank=True)
    need_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supply_accepted_at = models.DateTimeField(null=True, blank=True)
    supply_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "id"]
        constraints = [
            # No volunteer is proposed twice for the same need.
            models.UniqueConstraint(fields=["need", "volunteer"], name="match_unique_need_volunteer"),
            models.UniqueConstraint(fields=["need", "offer"], name="match_unique_need_offer"),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, offer__isnull=True)
                | Q(volunteer__isnull=True, offer__isnull=False),
                name="match_volunteer_or_offer",
            ),
            models.CheckConstraint(
                condition=Q(offer__isnull=False) | Q(people=1), name="match_one_person_for_a_volunteer"
            ),
        ]
        indexes = [
            models.Index(fields=["need", "status"], name="match_need_status_idx"),
            models.Index(fields=["volunteer", "status"], name="match_volunteer_status_idx"),
            models.Index(fields=["status", "-score", "id"], name="match_status_score_idx"),
            models.Index(fields=["status", "status_changed_at"], name="match_status_changed_idx"),
            # The review queue's first page without sorting every proposal: the proposals in band order, so
            # PostgreSQL sorts only the top band by the need's dates (matching.selectors.review_queue).
            models.Index(review_band().desc(), "id", name="match_review_band_idx", condition=Q(status="proposed")),
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.volunteer or self.offer} ({self.status})"

    def get_absolute_url(self):
        return reverse("matching:match-detail", kwargs={"pk": self.pk})

    @property
    def supply_organisation(self):
        return self.offer.organisation if self.offer_id else self.volunteer.organisation

    @property
    def supply_name(self):
        return str(self.offer if self.offer_id else self.volunteer)

    @property
    def contacts_exchanged(self):
        return self.status in self.AGREED_STATUSES


class MatchEvent(models.Model):
    """One step in a match's history: who (or which policy), when, from what, to what and why."""

    class Action(models.TextChoices):
        PROPOSE = "propose", _("proposed")
        APPROVE = "approve", _("approved")
        REJECT = "reject", _("rejected")
        REPLACE = "replace", _("replaced by another candidate")
        ACCEPT = "accept", _("accepted")
        DECLINE = "decline", _("declined")
        WITHDRAW = "withdraw", _("withdrew")
        EXPIRE = "expire", _("expired")
        START = "start", _("started")
        COMPLETE = "complete", _("completed")

    class Side(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        NEED = "need", _("the need's organisation")
        SUPPLY = "supply", _("the volunteer or offering company")
        POLICY = "policy", _("review policy")
        SYSTEM = "system", _("the portal")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    side = models.CharField(max_length=12, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=Match.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Match.Status.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("match history entry")
        verbose_name_plural = _("match history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["match", "at"], name="match_event_match_at_idx")]

    def __str__(self):
        return f"{self.match_id}: {self.from_status} → {self.to_status}"


class MatchParticipant(models.Model):
    """A person who takes part in a match: the volunteer of a volunteer's match, or one of the people an
    offering company named when it accepted."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="participants")
    volunteer = models.ForeignKey("members.Volunteer", on_delete=models.CASCADE, related_name="participations")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["match", "volunteer"], name="participant_unique")]

    def __str__(self):
        return f"{self.volunteer} in {self.match_id}"


class HoursEntry(models.Model):
    """Hours a participant worked on a match on one day; the need's organisation confirms (or corrects) them."""

    class Status(models.TextChoices):
        LOGGED = "logged", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="hours")
    volunteer = models.ForeignKey("members.Volunteer", on_delete=models.CASCADE, related_name="hours")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0.25), MaxValueValidator(24)]
    )
    description = models.CharField(_("what did you do?"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.LOGGED)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    confirmed_hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_within_a_day"),
            models.CheckConstraint(
                condition=Q(confirmed_hours__isnull=True) | (Q(confirmed_hours__gte=0) & Q(confirmed_hours__lte=24)),
                name="confirmed_hours_within_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["match", "status"], name="hours_match_status_idx"),
            models.Index(fields=["volunteer", "date"], name="hours_volunteer_date_idx"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.date}: {self.hours}"


class MatchFeedback(models.Model):
    """Short feedback from one side of a match after the work: did it really help, a rating and a sentence."""

    class Side(models.TextChoices):
        NEED = "need", _("the need's organisation")
        SUPPLY = "supply", _("the volunteer or offering company")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    helped = models.BooleanField(_("did it really help?"))
    rating = models.PositiveSmallIntegerField(
        _("rating (1 to 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("in one sentence"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["match", "side"], name="feedback_once_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.match_id} {self.side}: {self.rating}"


class ReviewPolicy(models.Model):
    """What the association lets through without a coordinator: one row, edited by coordinators.

    Proposals of the engine scoring at least `auto_approve_min_score` are approved automatically, unless the
    need works with vulnerable people or a volunteer started the match: those are always reviewed.
    """

    auto_approve = models.BooleanField(_("approve routine proposals automatically"), default=False)
    auto_approve_min_score = models.FloatField(
        _("lowest score approved automatically"),
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "Between 0 and 1. Needs that work with vulnerable people and volunteers' own offers to help "
            "are always reviewed by a coordinator."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policy")

    def __str__(self):
        return f"auto≥{self.auto_approve_min_score}" if self.auto_approve else "review all"

    @classmethod
    def current(cls) -> "ReviewPolicy":
        return cls.objects.order_by("pk").first() or cls()


class MatchingRequest(models.Model):
    """A request for matching, written in the transaction of the change that asks for it (a need opened, a
    volunteer or an offer became active), so a broker outage cannot lose it: a task claims and runs it; the
    sweep re-enqueues what the broker missed."""

    class Kind(models.TextChoices):
        NEED = "need", _("need")
        VOLUNTEER = "volunteer", _("volunteer")
        OFFER = "offer", _("offer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    trigger = models.CharField(max_length=10, default="published")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("matching request")
        verbose_name_plural = _("matching requests")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                name="matching_request_waiting_idx",
                condition=Q(status__in=["pending", "running"]),
            ),
            models.Index(fields=["kind", "object_id", "status"], name="matching_request_object_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.status})"


class MatchingRun(models.Model):
    """One run of `matches_refresh`, with its statistics."""

    class Trigger(models.TextChoices):
        PUBLISHED = "published", _("A need was published")
        VOLUNTEER = "volunteer", _("A volunteer became active")
        NIGHTLY = "nightly", _("Nightly batch")
        MANUAL = "manual", _("Run by a coordinator")

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    needs_considered = models.PositiveIntegerField(default=0)
    volunteers_considered = models.PositiveIntegerField(default=0)
    pairs_scored = models.BigIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    open_needs_with_proposal_share = models.FloatField(default=0.0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-started_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(duration_ms__gte=0), name="matching_run_duration")]

    def __str__(self):
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M}"


class ImpactCell(models.Model):
    """One cell of the impact snapshot (`matching.impact_snapshot`): for a filter scope (a subregion and a
    programme, "" meaning all), one group of a breakdown (`dimension`, `key`) and one month, how many people
    (kind "p") or needs (kind "n") with confirmed work that month had their previous such month in `previous`
    (none: this is their first), and the confirmed hours of those people; kind "l" holds the hours logged.

    Counting the cells whose month lies in a period and whose previous month lies before it counts each person
    (or need) once per group, however many months they worked in the period: distinct people, without
    de-duplicating rows when the dashboard is read. Rebuilt as a whole by `impact_snapshot_refresh`."""

    scope_subregion = models.CharField(max_length=40, blank=True)
    scope_programme = models.CharField(max_length=40, blank=True)
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=160, blank=True)
    label_nl = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=1)
    month = models.DateField()
    previous = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("impact snapshot cell")
        verbose_name_plural = _("impact snapshot cells")
        indexes = [
            models.Index(fields=["scope_subregion", "scope_programme", "kind", "month"], name="impact_cell_scope_idx")
        ]

    def __str__(self):
        return f"{self.dimension}:{self.key} {self.month} {self.kind}={self.count}"


class ImpactSnapshot(models.Model):
    """When the impact snapshot was last rebuilt, and how long that took."""

    refreshed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("impact snapshot")
        verbose_name_plural = _("impact snapshots")
        ordering = ["-refreshed_at", "-id"]

    def __str__(self):
        return f"{self.refreshed_at:%Y-%m-%d %H:%M} ({self.cells} cells)"
