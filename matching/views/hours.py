"""After the work: logging and confirming hours, feedback from both sides, completing a need."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Need, Volunteer
from members.views.organisations import form_errors_from

from .. import permissions, selectors, services
from ..forms import FeedbackForm, HoursConfirmForm, HoursForm, NeedCompleteForm
from ..models import Match, MatchFeedback, MatchParticipant
from .matches import need_matches_page, posted, refused, visible_match


@require_http_methods(["GET", "POST"])
def hours_log(request, pk):
    """A participant logs a day's hours on an agreed match, and sees what they logged before."""
    match = visible_match(request, pk)
    volunteer = Volunteer.objects.filter(user=request.user).first()
    takes_part = volunteer is not None and MatchParticipant.objects.filter(match=match, volunteer=volunteer).exists()
    if not (takes_part and permissions.can_log_hours(request.user, match, volunteer)):
        raise PermissionDenied
    open_for_hours = match.status in (Match.Status.ACCEPTED, Match.Status.ACTIVE)
    form = HoursForm(posted(request), match=match, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_log(
                match=match,
                acting_user=request.user,
                day=form.cleaned_data["date"],
                hours=form.cleaned_data["hours"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            if (response := refused(request, match, error, form)) is not None:
                return response
        else:
            messages.success(request, _("Your hours are saved. The organisation confirms them."))
            return redirect("matching:hours-log", pk=match.pk)
    return render(
        request,
        "matching/hours_log.html",
        {
            "match": match,
            "form": form,
            "open_for_hours": open_for_hours,
            "entries": selectors.hours_of_match(match=match, volunteer=volunteer),
        },
    )


@require_POST
def hours_confirm(request, pk):
    """The need's organisation confirms several logged entries at once, correcting some."""
    need = get_object_or_404(
        Need.objects.manageable_by(request.user).select_related("organisation", "programme"), pk=pk
    )
    form = HoursConfirmForm(request.POST, entries=selectors.hours_waiting_for_need(need=need))
    if form.is_valid():
        try:
            confirmed = services.hours_confirm(
                entries=form.chosen(), acting_user=request.user, corrections=form.corrections()
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s entry of hours is confirmed.", "%(count)s entries of hours are confirmed.", confirmed
                )
                % {"count": confirmed},
            )
            return redirect("matching:need-matches", pk=need.pk)
    return need_matches_page(request, need, hours_form=form)


@require_http_methods(["GET", "POST"])
def feedback_give(request, pk):
    """One side's short feedback on an agreed match."""
    match = visible_match(request, pk)
    sides = permissions.sides_of(request.user, match)
    if not sides:
        raise PermissionDenied
    given = set(MatchFeedback.objects.filter(match=match).values_list("side", flat=True))
    still_open = [side for side in sorted(sides) if side not in given]
    if request.method == "GET" and not (match.contacts_exchanged and still_open):
        if still_open:
            messages.info(request, _("Feedback can be given once both sides accepted the match."))
        else:
            messages.info(request, _("Your side already gave feedback on this match. Thank you!"))
        return redirect(match)
    form = FeedbackForm(posted(request), sides=still_open or sorted(sides))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(
                match=match,
                acting_user=request.user,
                side=form.side(),
                helped=form.cleaned_data["helped"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if (response := refused(request, match, error, form)) is not None:
                return response
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(match)
    return render(request, "matching/match_feedback.html", {"match": match, "form": form})


@require_POST
def need_complete(request, pk):
    """The need's organisation says the work is done and how many residents it really helped."""
    need = get_object_or_404(
        Need.objects.manageable_by(request.user).select_related("organisation", "programme"), pk=pk
    )
    form = NeedCompleteForm(request.POST, need=need, employers=selectors.employer_choices(need=need))
    if form.is_valid():
        try:
            services.need_complete(
                need=need,
                acting_user=request.user,
                residents_reached=form.cleaned_data["residents_reached"],
                placements=form.placements(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form_errors_from(error, form)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("matching:need-matches", pk=need.pk)
        else:
            messages.success(
                request,
                _("“%(title)s” is completed. Thank you for recording what it achieved.") % {"title": need.title},
            )
            return redirect(need)
    return need_matches_page(request, need, complete_form=form)
