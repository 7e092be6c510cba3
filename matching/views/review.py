"""The coordinators' workspace: the review queue, approving many at once, reviewing or replacing one proposal,
the review policy, and the needs nobody answers. Coordinators only: anyone else is refused (403)."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from members.models import Need, Offer, Volunteer
from members.views.organisations import coordinator_required, form_errors_from

from .. import selectors, services
from ..engine import Reason
from ..filters import ReviewQueueFilter, UnansweredNeedFilter
from ..forms_review import NOTE_MAX, BulkApproveForm, ReplaceForm, ReviewForm, ReviewPolicyForm
from ..models import Match, ReviewPolicy

PER_PAGE = 50
REPLACEMENTS = 10


def _reason_texts(reasons) -> list[str]:
    return [services.reason_text(Reason(r["code"], r["values"])) for r in reasons]


def _filter_params(filterset_class, data) -> list[tuple[str, str]]:
    """The filters in `data` that are set, to carry along in hidden fields and in the address back."""
    return [(name, value) for name in filterset_class.base_filters for value in data.getlist(name) if value]


def _queue_url(params=()) -> str:
    url = reverse("matching:review-queue")
    return f"{url}?{urlencode(list(params))}" if params else url


def _next_url(request, default: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return default


# A pk no row has, reversed once in place of each row's: see `_urls_by_pk`.
_PK_MARK = 987654321


def _urls_by_pk(name: str):
    """`reverse(name, kwargs={"pk": pk})` for many pks at the cost of one: the page's fifty rows each link to
    three addresses, and reversing each of them took about a sixth of the queue's time."""
    pattern = reverse(name, kwargs={"pk": _PK_MARK})
    mark = str(_PK_MARK)
    return lambda pk: pattern.replace(mark, str(pk))


def _days_waiting(need: Need, today) -> int | None:
    return (today - timezone.localdate(need.published_at)).days if need.published_at else None


@coordinator_required
def review_queue(request):
    """Proposals waiting for review, most urgent first, fifty to a page, filtered by programme, place,
    organisation, who started them and a lowest score. Three queries for the queue: the count, the page's
    ids in priority order, and its rows."""
    filterset = ReviewQueueFilter(request.GET, queryset=Match.objects.visible_to(request.user))
    queue = selectors.review_queue(filters=filterset).values_list("pk", flat=True)
    page = Paginator(queue, PER_PAGE).get_page(request.GET.get("page"))
    matches = selectors.review_rows(page.object_list)
    today = timezone.localdate()
    need_url = _urls_by_pk("members:need-detail")
    review_url, replace_url = _urls_by_pk("matching:match-review"), _urls_by_pk("matching:match-replace")
    for match in matches:
        match.reason_texts = _reason_texts(match.reasons)
        match.days_waiting = _days_waiting(match.need, today)
        match.need_url, match.review_url, match.replace_url = (
            need_url(match.need_id),
            review_url(match.pk),
            replace_url(match.pk),
        )
    return render(
        request,
        "matching/review_queue.html",
        {
            "filter": filterset,
            "page_obj": page,
            "matches": matches,
            "filter_params": _filter_params(ReviewQueueFilter, request.GET),
            "bulk_form": BulkApproveForm(),
            "note_max": NOTE_MAX,
        },
    )


@require_POST
@coordinator_required
def review_approve_selected(request):
    """Approve the ticked proposals, or every proposal of the filtered selection, with one note for all; each
    person asked to accept hears once for the whole batch."""
    params = _filter_params(ReviewQueueFilter, request.POST)
    back = _queue_url(params)
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    if form.cleaned_data["all"]:
        filterset = ReviewQueueFilter(request.POST, queryset=Match.objects.visible_to(request.user))
        if not filterset.is_valid():
            # An unreadable filter must never widen "all" to more than the coordinator was looking at.
            messages.error(request, _("The filters could not be read, so nothing was approved. Please filter again."))
            return redirect(_queue_url())
        ids = list(selectors.review_queue(filters=filterset).order_by().values_list("pk", flat=True))
    else:
        ids = form.cleaned_data["match"]
    approved = services.matches_approve(match_ids=ids, acting_user=request.user, note=form.cleaned_data["note"])
    if approved:
        messages.success(
            request,
            ngettext(
                "%(count)s proposal was approved: both sides are asked to accept.",
                "%(count)s proposals were approved: both sides are asked to accept.",
                approved,
            )
            % {"count": approved},
        )
    left = len(set(ids)) - approved
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s proposal had already been decided and was left as it is.",
                "%(count)s proposals had already been decided and were left as they are.",
                left,
            )
            % {"count": left},
        )
    if not ids:
        messages.info(request, _("There were no proposals in this selection, so nothing was approved."))
    return redirect(back)


@require_POST
@coordinator_required
def match_review(request, pk):
    """Approve or reject one proposal; a rejection needs a note. A proposal that moved on is left as it is."""
    match = get_object_or_404(Match.objects.visible_to(request.user).with_related(), pk=pk)
    next_url = _next_url(request, _queue_url())
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
        service = services.match_approve if approve else services.match_reject
        try:
            service(match=match, acting_user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect(next_url)
            form_errors_from(error, form)
        else:
            done = (
                _("Approved: %(candidate)s for “%(need)s”. Both sides are asked to accept.")
                if approve
                else _("Rejected: %(candidate)s for “%(need)s”. The note is kept in the match's history.")
            )
            messages.success(request, done % {"candidate": match.supply_name, "need": match.need.title})
            return redirect(next_url)
    match.reason_texts = _reason_texts(match.reasons)
    match.days_waiting = _days_waiting(match.need, timezone.localdate())
    return render(request, "matching/review_match.html", {"match": match, "form": form, "next_url": next_url})


def _replacements(match: Match) -> list[dict]:
    """The need's best candidates that have no match for it yet, with their reasons, volunteer or offer."""
    taken = set(Match.objects.filter(need_id=match.need_id).values_list("volunteer_id", "offer_id"))
    rows = services.candidates_for_need(need=match.need, limit=REPLACEMENTS + len(taken))
    rows = [row for row in rows if (row["volunteer_id"], row["offer_id"]) not in taken][:REPLACEMENTS]
    volunteers = Volunteer.objects.select_related("user", "organisation").in_bulk(
        [row["volunteer_id"] for row in rows if row["volunteer_id"]]
    )
    offers = Offer.objects.select_related("organisation").in_bulk([row["offer_id"] for row in rows if row["offer_id"]])
    for row in rows:
        row["volunteer"] = volunteers.get(row["volunteer_id"])
        row["offer"] = offers.get(row["offer_id"])
        row["key"] = f"volunteer:{row['volunteer_id']}" if row["volunteer_id"] else f"offer:{row['offer_id']}"
        row["reason_texts"] = _reason_texts(row["reasons"])
    return [row for row in rows if row["volunteer"] or row["offer"]]


def _label(row) -> str:
    if row["offer"]:
        return f"{row['offer'].title} · {row['offer'].organisation.name}"
    return f"{row['volunteer'].user.get_full_name()} · {row['volunteer'].organisation.name}"


@require_http_methods(["GET", "POST"])
@coordinator_required
def match_replace(request, pk):
    """Choose another of the need's candidates instead of the proposed one, with a note: the proposal is
    rejected and the chosen candidate's match starts approved."""
    match = get_object_or_404(Match.objects.visible_to(request.user).with_related(), pk=pk)
    rows = _replacements(match) if match.status == Match.Status.PROPOSED else []
    form = ReplaceForm(request.POST or None, choices=[(row["key"], _label(row)) for row in rows])
    if request.method == "POST" and form.is_valid():
        chosen = next(row for row in rows if row["key"] == form.cleaned_data["candidate"])
        try:
            new = services.match_replace(
                match=match,
                acting_user=request.user,
                volunteer=chosen["volunteer"],
                offer=chosen["offer"],
                note=form.cleaned_data["note"],
                score=chosen["score"],
                reasons=chosen["reasons"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("%(candidate)s is approved for “%(need)s” instead of %(previous)s. Both sides are asked to accept.")
                % {"candidate": new.supply_name, "need": match.need.title, "previous": match.supply_name},
            )
            return redirect(_queue_url())
    match.reason_texts = _reason_texts(match.reasons)
    selected = form["candidate"].value() if form.is_bound else None
    return render(
        request,
        "matching/match_replace.html",
        {"match": match, "rows": rows, "form": form, "selected": selected},
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def review_policy(request):
    """Whether routine proposals are approved without a coordinator, and from which score."""
    policy = ReviewPolicy.objects.select_related("updated_by").order_by("pk").first() or ReviewPolicy()
    form = ReviewPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_policy_update(
                acting_user=request.user,
                auto_approve=form.cleaned_data["auto_approve"],
                min_score=form.cleaned_data["auto_approve_min_score"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("The review policy is saved. It applies to the proposals of the next runs."))
            return redirect("matching:review-policy")
    return render(request, "matching/review_policy.html", {"form": form, "policy": policy})


def _mailto(need: Need) -> str:
    """An email to the need's contact person and the organisation's admins."""
    people = ([need.contact_person] if need.contact_person and need.contact_person.is_active else []) + [
        membership.user for membership in need.organisation.admins
    ]
    emails = list(dict.fromkeys(person.email for person in people))
    if not emails:
        return ""
    subject = _("Your need “%(title)s” on Brainport voor Elkaar") % {"title": need.title}
    return (
        "mailto:"
        + ",".join(quote(email, safe="@") for email in emails)
        + "?"
        + urlencode({"subject": subject}, quote_via=quote)
    )


@coordinator_required
def needs_unanswered(request):
    """Open needs without an approved or agreed match, longest waiting first, with what was tried."""
    filterset = UnansweredNeedFilter(request.GET, queryset=Need.objects.visible_to(request.user))
    page = Paginator(selectors.needs_unanswered(filters=filterset), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for need in page.object_list:
        need.days_waiting = _days_waiting(need, today)
        need.mailto = _mailto(need)
    return render(
        request,
        "matching/needs_unanswered.html",
        {"filter": filterset, "page_obj": page, "needs": page.object_list},
    )
