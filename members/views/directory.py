"""The public member directory: active member organisations, without personal data; and writing to the
coordinators about one of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import services
from ..filters_directory import DirectoryFilter
from ..forms.organisations import ContactForm
from ..models import Organisation
from .organisations import form_errors_from

PER_PAGE = 20


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def organisation_list(request):
    organisations = Organisation.objects.active().select_related("municipality").order_by("name", "pk")
    directory = DirectoryFilter(request.GET or None, queryset=organisations)
    page = Paginator(directory.qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": directory, "page": page}
    # Restoring an address from the browser's history (htmx had no copy of it) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "members/organisation_list.html#results", {**context, "partial": True})
    return render(request, "members/organisation_list.html", context)


@require_http_methods(["GET", "POST"])
def organisation_contact(request, slug):
    """A signed-in person writes to the association's coordinators about a member organisation; the coordinators
    put them in touch, so nobody's address is on the public page."""
    organisation = get_object_or_404(Organisation.objects.active(), slug=slug)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_contact_request(
                organisation=organisation, acting_user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Your question was sent to the coordinators. They answer you by email."))
            return redirect(organisation.get_absolute_url())
    return render(request, "members/organisation_contact.html", {"organisation": organisation, "form": form})
