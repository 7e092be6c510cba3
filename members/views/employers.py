"""Inclusive employers: an organisation's admins declare it one; coordinators confirm or withdraw it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms.employers import InclusiveDeclareForm, InclusiveReviewForm
from ..models import Organisation
from .organisations import coordinator_required, form_errors_from

PER_PAGE = 50
STATES = {
    "waiting": lambda qs: qs.inclusive_waiting().order_by("name", "pk"),
    "confirmed": lambda qs: qs.filter(inclusive_confirmed_at__isnull=False).order_by("name", "pk"),
    "withdrawn": lambda qs: qs.filter(is_inclusive_employer=True, inclusive_withdrawn_at__isnull=False).order_by(
        "name", "pk"
    ),
}


@require_POST
def inclusive_employer_declare(request, slug):
    """The organisation's admin declares it an inclusive employer, or takes that back."""
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user).distinct(), slug=slug)
    form = InclusiveDeclareForm(request.POST)
    if form.is_valid():
        declared = form.cleaned_data["declared"]
        services.inclusive_employer_declare(organisation=organisation, acting_user=request.user, declared=declared)
        if declared:
            messages.success(
                request, _("Thank you. A coordinator confirms the declaration; then it counts toward the target.")
            )
        else:
            messages.success(
                request, _("%(org)s no longer declares itself an inclusive employer.") % {"org": organisation}
            )
    return redirect(organisation.get_absolute_url())


@coordinator_required
def inclusive_employer_list(request):
    """Declarations waiting for a coordinator, and those confirmed or withdrawn, fifty at a time."""
    state = request.GET.get("state") if request.GET.get("state") in STATES else "waiting"
    organisations = STATES[state](Organisation.objects.select_related("municipality"))
    page = Paginator(organisations, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/inclusive_employer_list.html",
        {
            "page_obj": page,
            "state": state,
            "states": [
                ("waiting", _("Waiting for confirmation")),
                ("confirmed", _("Confirmed")),
                ("withdrawn", _("Withdrawn")),
            ],
            "confirmed_count": Organisation.objects.inclusive_employers().count(),
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def inclusive_employer_review(request, slug):
    """A coordinator confirms or withdraws one organisation's declaration, with a note."""
    organisation = get_object_or_404(
        Organisation.objects.filter(is_inclusive_employer=True).select_related(
            "municipality", "inclusive_confirmed_by"
        ),
        slug=slug,
    )
    form = InclusiveReviewForm(request.POST or None, state=organisation.inclusive_state)
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.inclusive_employer_review(
                organisation=organisation, acting_user=request.user, confirm=confirm, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            if confirm:
                messages.success(request, _("%(org)s counts as an inclusive employer.") % {"org": organisation})
            else:
                messages.success(request, _("The declaration of %(org)s is withdrawn.") % {"org": organisation})
            return redirect("members:inclusive-employer-list")
    return render(request, "members/inclusive_employer_review.html", {"organisation": organisation, "form": form})
