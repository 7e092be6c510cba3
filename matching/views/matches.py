"""Both sides of a match: its page, answering it, the lists of one's matches, and offering to help.

Every match is looked up in `Match.objects.visible_to(user)`, so someone else's match answers 404 like one
that does not exist; what a user may do on a visible match is asked of `matching.permissions`, and every
change is one call to `matching.services`, which re-checks and refuses a match that moved on.
"""

from datetime import UTC, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.models import Need, Organisation, Volunteer
from members.views.organisations import form_errors_from

from .. import permissions, selectors, services
from ..engine import Reason
from ..forms import HoursConfirmForm, MatchAcceptForm, NeedCompleteForm, ReasonForm
from ..models import HoursEntry, Match, MatchFeedback
from ..services.notices import need_side_users, supply_side_users

ORGANISATION_MATCHES_PER_PAGE = 50
COMPLETABLE = (Need.Status.OPEN, Need.Status.MATCHED, Need.Status.IN_PROGRESS)


def visible_match(request, pk) -> Match:
    """The match, if the user may see it (404 otherwise), with what its pages show."""
    matches = Match.objects.visible_to(request.user).with_related()
    return get_object_or_404(matches.select_related("need__contact_person", "offer__created_by"), pk=pk)


def posted(request):
    """The form data of a POST, even an empty one (an accept without fields is still an answer)."""
    return request.POST if request.method == "POST" else None


def waiting_sides(match, sides) -> list[str]:
    """Of the sides the user speaks for (`permissions.sides_of`), those whose answer the match waits for."""
    if match.status != Match.Status.APPROVED:
        return []
    answered = {permissions.NEED_SIDE: match.need_accepted_at, permissions.SUPPLY_SIDE: match.supply_accepted_at}
    return [side for side in sorted(sides) if not answered[side]]


def refused(request, match, error: ValidationError, form) -> HttpResponse | None:
    """A service's refusal: by field onto the form (the caller renders it again), or as a message and back to
    the match's page when the match moved on."""
    if hasattr(error, "error_dict") and any(field in form.fields for field in error.error_dict):
        form_errors_from(error, form)
        return None
    messages.error(request, " ".join(error.messages))
    return redirect(match)


# The match's page ------------------------------------------------------------------------------------


def actions_on(user, match, *, participants, hours) -> dict:
    """What the user may do on the match now, as flags for its page; each asks `matching.permissions`."""
    sides = permissions.sides_of(user, match)
    waiting = waiting_sides(match, sides)
    volunteer = next((p.volunteer for p in participants if p.volunteer.user_id == user.pk), None)
    given = set(MatchFeedback.objects.filter(match=match).values_list("side", flat=True))
    coordinator = permissions.can_review_match(user, match)
    # "Complete" is for the need's staff and coordinators: the same people who manage the need.
    manages_need = permissions.can_complete_need(user, match.need)
    actions = {
        "sides": sorted(sides),
        "answer_sides": waiting,
        "answered_sides": [s for s in sorted(sides) if s not in waiting]
        if match.status == Match.Status.APPROVED
        else [],
        "can_withdraw": match.status in Match.ACTIVE_STATUSES and permissions.can_withdraw_match(user, match),
        "can_log_hours": volunteer is not None
        and match.status in (Match.Status.ACCEPTED, Match.Status.ACTIVE)
        and permissions.can_log_hours(user, match, volunteer),
        "feedback_sides": [s for s in sorted(sides) if s not in given] if match.contacts_exchanged else [],
        "can_confirm_hours": any(entry.status == HoursEntry.Status.LOGGED for entry in hours)
        and permissions.can_confirm_hours(user, match),
        "can_complete_need": manages_need and match.contacts_exchanged and match.need.status in COMPLETABLE,
        "manages_need": manages_need,
        "coordinator": coordinator,
        "can_review": coordinator and match.status == Match.Status.PROPOSED,
        "can_see_contacts": permissions.can_see_contacts(user, match),
    }
    todo = ("answer_sides", "answered_sides", "can_log_hours", "can_confirm_hours", "feedback_sides")
    actions["nothing_to_do"] = not any(actions[flag] for flag in (*todo, "can_complete_need", "can_review")) and not (
        match.status == Match.Status.PROPOSED and sides
    )
    return actions


def match_detail(request, pk):
    """A match for everyone who may see it: what it is, why, who takes part, what to do next for this user,
    the contact details once both sides accepted, the hours, and for coordinators the history."""
    match = visible_match(request, pk)
    participants = list(match.participants.select_related("volunteer__user").order_by("volunteer__user__full_name"))
    hours = list(selectors.hours_of_match(match=match))
    actions = actions_on(request.user, match, participants=participants, hours=hours)
    contacts = actions["can_see_contacts"]
    context = {
        **actions,
        "match": match,
        "need": match.need,
        "closed": match.status in Match.CLOSED_STATUSES,
        "participants": participants,
        "hours": hours,
        "reasons": [services.reason_text(Reason(r["code"], r["values"])) for r in match.reasons],
        "need_contacts": need_side_users(match) if contacts else [],
        "supply_contacts": supply_side_users(match) if contacts else [],
        "has_calendar": match.contacts_exchanged and calendar_dates(match.need) is not None,
        "history": list(selectors.match_history(match=match)) if actions["coordinator"] else [],
    }
    return render(request, "matching/match_detail.html", context)


# Answering ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def match_accept(request, pk):
    """Accept for one's side. For an offer the offering organisation names the people who take part."""
    match = visible_match(request, pk)
    sides = permissions.sides_of(request.user, match)
    if not sides:
        raise PermissionDenied
    waiting = waiting_sides(match, sides)
    if request.method == "GET" and not waiting:
        messages.info(request, _("This match is not waiting for your answer."))
        return redirect(match)
    volunteers = None
    if match.offer_id:
        volunteers = Volunteer.objects.active().filter(organisation=match.offer.organisation).select_related("user")
    # Offer only the sides still to answer; when none is left the service refuses with the reason.
    form = MatchAcceptForm(posted(request), match=match, sides=waiting or sorted(sides), volunteers=volunteers)
    if request.method == "POST" and form.is_valid():
        try:
            match = services.match_accept(match=match, acting_user=request.user, **form.service_arguments())
        except ValidationError as error:
            if (response := refused(request, match, error, form)) is not None:
                return response
        else:
            if match.status == Match.Status.ACCEPTED:
                messages.success(request, _("You both accepted. The contact details are on this page now."))
            else:
                messages.success(request, _("Thank you. We let you know as soon as the other side answers."))
            return redirect(match)
    has_volunteers = volunteers is None or volunteers.exists()
    return render(
        request, "matching/match_accept.html", {"match": match, "form": form, "has_volunteers": has_volunteers}
    )


@require_http_methods(["GET", "POST"])
def match_decline(request, pk):
    match = visible_match(request, pk)
    sides = permissions.sides_of(request.user, match)
    if not sides:
        raise PermissionDenied
    waiting = waiting_sides(match, sides)
    if request.method == "GET" and not waiting:
        messages.info(request, _("This match is not waiting for your answer."))
        return redirect(match)
    form = ReasonForm(posted(request), sides=waiting or sorted(sides))
    if request.method == "POST" and form.is_valid():
        try:
            services.match_decline(
                match=match, acting_user=request.user, side=form.side(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if (response := refused(request, match, error, form)) is not None:
                return response
        else:
            messages.success(request, _("You declined this match. The other side is told."))
            return redirect(match)
    return render(
        request,
        "matching/match_reason.html",
        {
            "match": match,
            "form": form,
            "action": "decline",
            "title": _("Decline this match"),
            "button": _("Decline"),
        },
    )


@require_http_methods(["GET", "POST"])
def match_withdraw(request, pk):
    match = visible_match(request, pk)
    if not permissions.can_withdraw_match(request.user, match):
        raise PermissionDenied
    if request.method == "GET" and match.status not in Match.ACTIVE_STATUSES:
        messages.info(request, _("This match is closed; there is nothing to withdraw."))
        return redirect(match)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.match_withdraw(match=match, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if (response := refused(request, match, error, form)) is not None:
                return response
        else:
            messages.success(request, _("The match is withdrawn. Everyone involved is told."))
            return redirect(match)
    return render(
        request,
        "matching/match_reason.html",
        {
            "match": match,
            "form": form,
            "action": "withdraw",
            "title": _("Withdraw this match"),
            "button": _("Withdraw"),
        },
    )


# The calendar file -------------------------------------------------------------------------------------


def calendar_dates(need):
    """(first day, day after the last) of a need with fixed dates; None for flexible or undated needs."""
    if need.is_flexible or not need.start_date:
        return None
    return need.start_date, (need.end_date or need.start_date) + timedelta(days=1)


def ics_text(value: str) -> str:
    """A TEXT value as RFC 5545 wants it: backslashes, semicolons, commas and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ics_line(line: str) -> str:
    """One content line, folded at 75 octets (never inside a UTF-8 character), ended by CRLF."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not parts else 74  # a continuation line starts with a space
        if len(current) + len(encoded) > limit:
            parts.append(current)
            current = b""
        current += encoded
    parts.append(current)
    return "\r\n ".join(part.decode() for part in parts) + "\r\n"


def match_calendar(request, pk):
    """The need's dates as an all-day event, for the people of an agreed match."""
    match = visible_match(request, pk)
    need = match.need
    dates = calendar_dates(need)
    if not match.contacts_exchanged or dates is None:
        raise Http404(_("This match has no fixed dates to put in a calendar."))
    start, end = dates
    place = _("Remote") if need.location == "remote" else str(need.municipality or "")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Brainport voor Elkaar//Matches//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:match-{match.pk}@{request.get_host()}",
        f"DTSTAMP:{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{end:%Y%m%d}",
        f"SUMMARY:{ics_text(need.title)}",
        f"DESCRIPTION:{ics_text(f'{need.organisation.name} · {match.supply_name}')}",
        f"LOCATION:{ics_text(place)}",
        f"URL:{request.build_absolute_uri(match.get_absolute_url())}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("".join(ics_line(line) for line in lines), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="match-{match.pk}.ics"'
    return response


# Lists -------------------------------------------------------------------------------------------------


def my_matches(request):
    """The signed-in user's matches as a volunteer, a participant or an offering organisation's staff,
    grouped by what to do next."""
    rows = selectors.with_next_steps(selectors.matches_of_user(user=request.user), side=permissions.SUPPLY_SIDE)
    labels = selectors.next_step_labels()
    groups = [(step, labels[step], [m for m in rows if m.next_step == step]) for step in selectors.NEXT_STEPS]
    return render(request, "matching/my_matches.html", {"groups": [g for g in groups if g[2]], "count": len(rows)})


def need_matches_page(request, need, *, hours_form=None, complete_form=None):
    """The need's matches, the hours waiting for confirmation and the completion form; the confirm and
    complete views render it again with their bound form when a value is refused."""
    rows = selectors.with_next_steps(selectors.matches_of_need(need=need), side=permissions.NEED_SIDE)
    if hours_form is None:
        hours_form = HoursConfirmForm(entries=selectors.hours_waiting_for_need(need=need))
    entries = hours_form.entries
    can_complete = need.status in COMPLETABLE and permissions.can_complete_need(request.user, need)
    if complete_form is None and can_complete:
        complete_form = NeedCompleteForm(
            initial={"residents_reached": need.residents_helped},
            need=need,
            employers=selectors.employer_choices(need=need),
        )
    context = {
        "need": need,
        "matches": rows,
        "hours_form": hours_form,
        "can_confirm_hours": bool(entries) and permissions.can_confirm_hours(request.user, entries[0].match),
        "can_complete": can_complete,
        "complete_form": complete_form,
    }
    return render(request, "matching/need_matches.html", context)


def need_matches(request, pk):
    need = get_object_or_404(
        Need.objects.manageable_by(request.user).select_related("organisation", "programme"), pk=pk
    )
    return need_matches_page(request, need)


def organisation_matches(request, slug):
    """Every match of an organisation's needs and offers, fifty at a time."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    page = Paginator(selectors.matches_of_organisation(organisation=organisation), ORGANISATION_MATCHES_PER_PAGE)
    page_obj = page.get_page(request.GET.get("page"))
    rows = selectors.with_next_steps(page_obj.object_list, organisation=organisation)
    return render(
        request,
        "matching/organisation_matches.html",
        {"organisation": organisation, "page_obj": page_obj, "matches": rows},
    )


# Offering to help --------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def need_help(request, pk):
    """GET: how to take part (for everyone, visitors too). POST: a volunteer says "I want to help"."""
    if request.method == "POST":
        return need_help_offer(request, pk)
    need = get_object_or_404(Need.objects.visible_to(request.user).select_related("organisation"), pk=pk)
    return render(request, "matching/need_help.html", {"need": need})


@login_required
def need_help_offer(request, pk):
    need = get_object_or_404(Need.objects.visible_to(request.user), pk=pk)
    if not permissions.can_offer_help(request.user, need):
        raise PermissionDenied
    try:
        services.match_offer_help(need=need, acting_user=request.user, note=request.POST.get("note", "")[:2000])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you — a coordinator will look at your offer."))
    return redirect(need)
