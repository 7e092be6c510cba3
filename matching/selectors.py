"""Named reads that views and services share. Each returns a queryset or plain data with a fixed number of
queries, whatever the number of rows."""


# --- Review (coordinators): review_queue, needs_unanswered ------------------------------------------
# Imports are local to each function, so the two sections of this module are edited independently.


def review_queue(*, filters):
    """The proposals waiting for review among `filters` (a `matching.filters.ReviewQueueFilter` bound to a
    queryset already scoped to the user), in priority order. Narrow on purpose: page through its ids
    (`.values_list("pk", flat=True)`, sorting a few columns is cheap with tens of thousands of proposals),
    then load the page's rows with `review_rows`.

    Priority: the score band (the score to one decimal, rounded half up: 0.85 and 0.94 are both 0.9) highest
    first; within a band the need that has waited longest (published first); then the need that starts
    soonest (flexible dates last); then the oldest proposal. Only needs still open: a proposal for a need
    that was paused, filled or cancelled waits until it opens again.
    """
    from django.db.models import F

    from members.models import Need

    from .models import review_band

    return (
        filters.qs.undecided()
        .filter(need__status=Need.Status.OPEN)
        .annotate(band=review_band())
        .order_by(
            F("band").desc(),
            F("need__published_at").asc(nulls_last=True),
            F("need__start_date").asc(nulls_last=True),
            "id",
        )
    )


# Long texts a row of the review queue never shows: not read, so fifty rows cost less to fetch and to build.
REVIEW_ROW_UNUSED = (
    "components",
    "need__description",
    "need__search_vector",
    "need__organisation__description",
    "need__organisation__inclusive_note",
    "offer__description",
    "offer__organisation__description",
    "offer__organisation__inclusive_note",
    "volunteer__organisation__description",
    "volunteer__organisation__inclusive_note",
)


def review_rows(ids) -> list:
    """The matches with these ids, in this order, with everything a row of the review queue shows: one
    query, whatever the number."""
    from .models import Match

    ids = list(ids)
    rows = Match.objects.with_related().defer(*REVIEW_ROW_UNUSED).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _match_count(**conditions):
    """How many matches of the outer need meet `conditions`, as a subquery (0 when none)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import Match

    counted = Match.objects.filter(need=OuterRef("pk"), **conditions).order_by().values("need")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def needs_unanswered(*, filters):
    """The open needs among `filters` (a `matching.filters.UnansweredNeedFilter` bound to needs the user may
    see) that no approved, accepted, active or completed match answers, longest waiting first, each with
    what was tried: `proposals` in all, of which `waiting` for review, `rejected`, `declined` and `ended`
    (withdrawn or expired); the newest matching request for it (`last_matching_at`, `_status`,
    `_finished_at`); and `organisation.admins`, to contact. Three queries for a page: count, rows, admins.
    What was tried is counted per row shown (subqueries), so a page costs the same with thousands of needs.
    """
    from django.db.models import Exists, F, OuterRef, Prefetch, Subquery

    from members.models import Membership

    from .models import Match, MatchingRequest

    Status = Match.Status
    answered = Match.objects.filter(
        need=OuterRef("pk"), status__in=[Status.APPROVED, Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED]
    )
    newest_request = MatchingRequest.objects.filter(kind=MatchingRequest.Kind.NEED, object_id=OuterRef("pk"))
    newest_request = newest_request.order_by("-created_at", "-id")
    admins = Membership.objects.admins().filter(user__is_active=True).select_related("user").order_by("user__email")
    return (
        filters.qs.open()
        .filter(~Exists(answered))
        .select_related("organisation", "programme", "municipality", "contact_person")
        .prefetch_related(Prefetch("organisation__memberships", queryset=admins, to_attr="admins"))
        .defer("search_vector")
        .annotate(
            proposals=_match_count(),
            waiting=_match_count(status=Status.PROPOSED),
            rejected=_match_count(status=Status.REJECTED),
            declined=_match_count(status=Status.DECLINED),
            ended=_match_count(status__in=[Status.WITHDRAWN, Status.EXPIRED]),
            last_matching_at=Subquery(newest_request.values("created_at")[:1]),
            last_matching_status=Subquery(newest_request.values("status")[:1]),
            last_matching_finished_at=Subquery(newest_request.values("finished_at")[:1]),
        )
        .order_by(F("published_at").asc(nulls_last=True), "id")
    )


# --- Both sides: matches of a need, of a user, of an organisation; a match's history ----------------
# Imports are local to each function here too.

# What one side of a match is asked to do now, most urgent first; `next_step` picks one per match.
STEP_ANSWER = "answer"
STEP_LOG_HOURS = "log_hours"
STEP_CONFIRM_HOURS = "confirm_hours"
STEP_FEEDBACK = "feedback"
STEP_REVIEW = "review"
STEP_OTHER_SIDE = "other_side"
STEP_UNDER_WAY = "under_way"
STEP_DONE = "done"
NEXT_STEPS = (
    STEP_ANSWER,
    STEP_LOG_HOURS,
    STEP_CONFIRM_HOURS,
    STEP_FEEDBACK,
    STEP_REVIEW,
    STEP_OTHER_SIDE,
    STEP_UNDER_WAY,
    STEP_DONE,
)


def next_step_labels() -> dict:
    """The words for each next step, in NEXT_STEPS order."""
    from django.utils.translation import gettext_lazy as _

    return {
        STEP_ANSWER: _("Please answer"),
        STEP_LOG_HOURS: _("Log your hours"),
        STEP_CONFIRM_HOURS: _("Confirm the hours logged"),
        STEP_FEEDBACK: _("Give feedback"),
        STEP_REVIEW: _("Waiting for review"),
        STEP_OTHER_SIDE: _("Waiting for the other side"),
        STEP_UNDER_WAY: _("Under way"),
        STEP_DONE: _("Done"),
    }


def next_step(match, *, side: str) -> str:
    """What `side` ("need" or "supply") of a match is asked to do now. Reads the annotations of
    `with_progress` (and `takes_part` for the supply side), so it costs no query."""
    from .models import Match

    Status = Match.Status
    need_side = side == "need"
    if match.status == Status.PROPOSED:
        return STEP_REVIEW
    if match.status == Status.APPROVED:
        answered = match.need_accepted_at if need_side else match.supply_accepted_at
        return STEP_OTHER_SIDE if answered else STEP_ANSWER
    if match.status in (Status.ACCEPTED, Status.ACTIVE):
        if not need_side and getattr(match, "takes_part", False):
            return STEP_LOG_HOURS
        if need_side and match.hours_waiting:
            return STEP_CONFIRM_HOURS
        return STEP_UNDER_WAY
    if match.status == Status.COMPLETED:
        given = match.need_feedback_given if need_side else match.supply_feedback_given
        return STEP_DONE if given else STEP_FEEDBACK
    return STEP_DONE


def with_next_steps(matches, *, side=None, organisation=None) -> list:
    """The matches as a list, each with `next_step` and `next_step_label` for `side`; or, for an
    organisation's list, for the side the organisation is on in each match. No queries beyond the list's."""
    labels = next_step_labels()
    rows = list(matches)
    for match in rows:
        its_side = side or ("need" if match.need.organisation_id == organisation.pk else "supply")
        match.side = its_side
        match.next_step = next_step(match, side=its_side)
        match.next_step_label = labels[match.next_step]
    return rows


def with_progress(matches, *, user=None):
    """Annotate what the next steps depend on: feedback given by each side, hours waiting for confirmation,
    and (with `user`) whether the user takes part in the match. Adds no query."""
    from django.db.models import Exists, OuterRef

    from .models import HoursEntry, MatchFeedback, MatchParticipant

    feedback = MatchFeedback.objects.filter(match=OuterRef("pk"))
    matches = matches.annotate(
        need_feedback_given=Exists(feedback.filter(side=MatchFeedback.Side.NEED)),
        supply_feedback_given=Exists(feedback.filter(side=MatchFeedback.Side.SUPPLY)),
        hours_waiting=Exists(HoursEntry.objects.filter(match=OuterRef("pk"), status=HoursEntry.Status.LOGGED)),
    )
    if user is not None:
        matches = matches.annotate(
            takes_part=Exists(MatchParticipant.objects.filter(match=OuterRef("pk"), volunteer__user=user))
        )
    return matches


def matches_of_user(*, user):
    """Every match in which the user is the volunteer, a participant (named by their employer for an offer),
    or staff of the offering organisation: the supply side's own list, newest change first, annotated by
    `with_progress`. Two queries: the ids, then the matches."""
    from members.models import Organisation

    from .models import Match, MatchParticipant

    if not user.is_authenticated:
        return Match.objects.none()
    # The ids first, from three lookups that each use their own index; asked in one condition on every match
    # instead, PostgreSQL cannot tell how few they are and joins every match with its need (seconds at scale).
    as_volunteer = Match.objects.filter(volunteer__user=user).values_list("pk", flat=True)
    as_participant = MatchParticipant.objects.filter(volunteer__user=user).values_list("match_id", flat=True)
    offering = Organisation.objects.staffed_by(user).values("pk")
    as_staff = Match.objects.filter(offer__organisation__in=offering).values_list("pk", flat=True)
    ids = as_volunteer.order_by().union(as_participant.order_by(), as_staff.order_by()).order_by()
    mine = Match.objects.filter(pk__in=list(ids))
    return with_progress(mine, user=user).with_related().order_by("-status_changed_at", "-id")


def _status_rank():
    """Matches under way first, then those waiting for an answer, proposals, and the closed ones last."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import Match

    Status = Match.Status
    order = [Status.ACTIVE, Status.ACCEPTED, Status.APPROVED, Status.PROPOSED, Status.COMPLETED]
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def matches_of_need(*, need):
    """Every proposal and match of a need for its organisation, those under way first, annotated by
    `with_progress`, with the participants. Two queries: the matches and their participants."""
    from django.db.models import Prefetch

    from .models import Match, MatchParticipant

    participants = MatchParticipant.objects.select_related("volunteer__user").order_by("volunteer__user__full_name")
    return (
        with_progress(Match.objects.filter(need=need))
        .with_related()
        .prefetch_related(Prefetch("participants", queryset=participants))
        .annotate(rank=_status_rank())
        .order_by("rank", "-score", "id")
    )


def matches_of_organisation(*, organisation):
    """Every match of the organisation's needs and of its offers, newest change first, annotated by
    `with_progress`. One query for a page of rows (and one for its count)."""
    from django.db.models import Q

    from .models import Match

    theirs = Match.objects.filter(Q(need__organisation=organisation) | Q(offer__organisation=organisation))
    return with_progress(theirs).with_related().order_by("-status_changed_at", "-id")


def match_history(*, match):
    """A match's audit history, oldest first, with who acted. One query."""
    from .models import MatchEvent

    return MatchEvent.objects.filter(match=match).select_related("actor").order_by("at", "id")


def hours_of_match(*, match, volunteer=None):
    """The hours logged on a match (only `volunteer`'s when given), by date. One query."""
    from .models import HoursEntry

    entries = HoursEntry.objects.filter(match=match).select_related("volunteer__user").order_by("date", "id")
    return entries.filter(volunteer=volunteer) if volunteer is not None else entries


def hours_waiting_for_need(*, need):
    """Hours logged on a need's matches and not yet confirmed, for its organisation to confirm. One query."""
    from .models import HoursEntry

    return (
        HoursEntry.objects.filter(match__need=need, status=HoursEntry.Status.LOGGED)
        .select_related("volunteer__user", "match__need", "match__volunteer", "match__offer")
        .order_by("date", "id")
    )


def need_match_counts(*, need) -> list[tuple[str, str, int]]:
    """(status, words, count) for each status a need's matches have, in the order of the statuses. One query."""
    from django.db.models import Count

    from .models import Match

    counts = dict(Match.objects.filter(need=need).order_by().values_list("status").annotate(n=Count("id")))
    return [(value, label, counts[value]) for value, label in Match.Status.choices if counts.get(value)]


def match_of_user_for_need(*, need, user):
    """The user's own match for a need (as the volunteer or a participant), or None. One query."""
    from django.db.models import Exists, OuterRef, Q

    from .models import Match, MatchParticipant

    if not user.is_authenticated:
        return None
    takes_part = MatchParticipant.objects.filter(match=OuterRef("pk"), volunteer__user=user)
    return Match.objects.filter(Q(volunteer__user=user) | Exists(takes_part), need=need).order_by("-id").first()


def employer_choices(*, need) -> list[tuple[int, str]]:
    """(id, name) of the member organisations a completing Work need can name as the employer of the people
    it placed; nothing (and no query) for any other need."""
    from members.models import Organisation

    from .services.outcomes import records_placements

    if not records_placements(need):
        return []
    return list(Organisation.objects.active().order_by("name", "pk").values_list("pk", "name"))
