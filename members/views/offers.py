"""Offers: an organisation's offers, the offer form, the page of one offer and its lifecycle steps.

Offers are not public: every lookup goes through `Offer.objects.visible_to(user)` (own members and
coordinators), so another organisation's offer answers 404. Changing one is for the organisation's own
members; a coordinator who can see it but not change it gets 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..forms.offers import OfferForm
from ..models import Offer, Organisation
from ..permissions import require
from ..services.offers import can_manage_offers, offer_actions
from .organisations import form_errors_from


@require_GET
def offer_list(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    status = request.GET.get("status", "")
    if status not in Offer.Status.values:
        status = ""
    offers = Offer.objects.visible_to(request.user).filter(organisation=organisation).with_related()
    if status:
        offers = offers.filter(status=status)
    return render(
        request,
        "members/offer_list.html",
        {
            "organisation": organisation,
            "offers": offers,
            "status": status,
            "statuses": Offer.Status.choices,
            "can_manage": can_manage_offers(request.user, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def offer_create(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    require(can_manage_offers(request.user, organisation))
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(organisation=organisation, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Your offer “%(title)s” is saved as a draft. Publish it when it is ready.") % {"title": offer},
            )
            return redirect(offer)
    return render(request, "members/offer_form.html", {"organisation": organisation, "form": form, "offer": None})


@require_GET
def offer_detail(request, pk):
    offer = get_object_or_404(
        Offer.objects.visible_to(request.user).with_related().select_related("status_changed_by"), pk=pk
    )
    can_manage = can_manage_offers(request.user, offer.organisation)
    return render(
        request,
        "members/offer_detail.html",
        {
            "offer": offer,
            "can_edit": can_manage and offer.status != Offer.Status.CLOSED,
            "actions": offer_actions(offer) if can_manage else [],
        },
    )


@require_http_methods(["GET", "POST"])
def offer_edit(request, pk):
    offer = get_object_or_404(Offer.objects.visible_to(request.user).select_related("organisation"), pk=pk)
    require(can_manage_offers(request.user, offer.organisation))
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Your changes to “%(title)s” are saved.") % {"title": offer})
            return redirect(offer)
    return render(
        request, "members/offer_form.html", {"organisation": offer.organisation, "form": form, "offer": offer}
    )


def _step(request, pk, service, done):
    """Take one lifecycle step through its service; a refusal is told and changes nothing."""
    offer = get_object_or_404(Offer.objects.visible_to(request.user).select_related("organisation"), pk=pk)
    require(can_manage_offers(request.user, offer.organisation))
    try:
        service(offer=offer, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"title": offer})
    return redirect(offer)


@require_POST
def offer_activate(request, pk):
    return _step(request, pk, services.offer_activate, _("“%(title)s” is published and can now be matched."))


@require_POST
def offer_pause(request, pk):
    return _step(request, pk, services.offer_pause, _("“%(title)s” is paused: it is not matched until you resume it."))


@require_POST
def offer_resume(request, pk):
    return _step(request, pk, services.offer_resume, _("“%(title)s” is active again."))


@require_POST
def offer_close(request, pk):
    return _step(request, pk, services.offer_close, _("“%(title)s” is closed."))
