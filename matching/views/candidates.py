from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Need, Offer, Volunteer
from members.views.organisations import coordinator_required

from .. import services
from ..engine import Reason
from ..models import MatchingRequest, MatchingRun

CANDIDATES_SHOWN = 10
# Fewer candidates than this (or than twice the places wanted, when more) and the page says who is missing.
FEW_CANDIDATES = 3


def _with_texts(rows):
    for row in rows:
        row["reason_texts"] = [services.reason_text(Reason(r["code"], r["values"])) for r in row["reasons"]]
    return rows


@coordinator_required
def need_candidates(request, pk):
    """A coordinator's view of the ten best volunteers for a need, with the reasons; for a need with few or
    no candidates, also who is missing and why."""
    need = get_object_or_404(Need.objects.select_related("organisation", "municipality"), pk=pk)
    rows = _with_texts(services.candidates_for_need(need=need, limit=CANDIDATES_SHOWN))
    volunteers = Volunteer.objects.select_related("user", "organisation", "municipality").in_bulk(
        [row["volunteer_id"] for row in rows if row["volunteer_id"]]
    )
    offers = Offer.objects.select_related("organisation").in_bulk([row["offer_id"] for row in rows if row["offer_id"]])
    for row in rows:
        row["volunteer"] = volunteers.get(row["volunteer_id"])
        row["offer"] = offers.get(row["offer_id"])
    few = len(rows) < min(CANDIDATES_SHOWN, max(FEW_CANDIDATES, 2 * need.volunteers_needed))
    shortfall = services.need_shortfall(need=need) if few and need.status == Need.Status.OPEN else None
    return render(request, "matching/need_candidates.html", {"need": need, "rows": rows, "shortfall": shortfall})


@require_POST
@coordinator_required
def need_match_now(request, pk):
    """Matching never runs inside a request: this records a request for it and the page says it is running."""
    need = get_object_or_404(Need.objects.open(), pk=pk)
    services.matching_request_create(
        kind=MatchingRequest.Kind.NEED, object_id=need.pk, trigger=MatchingRun.Trigger.MANUAL, requested_by=request.user
    )
    messages.success(request, _("Matching is running for this need; new proposals appear in the review queue shortly."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("matching:need-candidates", pk=need.pk)


def recommended(request):
    """The open needs that fit the signed-in volunteer best, with the reasons."""
    volunteer = Volunteer.objects.filter(user=request.user).first()
    rows = _with_texts(services.needs_for_volunteer(volunteer=volunteer, limit=10)) if volunteer else []
    # The recommendations come from cached features: a need closed since then is left out here.
    needs = Need.objects.open().select_related("organisation", "municipality").in_bulk([row["need_id"] for row in rows])
    rows = [{**row, "need": needs[row["need_id"]]} for row in rows if row["need_id"] in needs]
    return render(request, "matching/recommended.html", {"volunteer": volunteer, "rows": rows})
