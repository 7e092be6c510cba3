"""The public member directory: active member organisations, without personal data."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from ..filters_directory import DirectoryFilter
from ..models import Organisation

PER_PAGE = 20


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def organisation_list(request):
    organisations = Organisation.objects.active().select_related("municipality").order_by("name", "pk")
    directory = DirectoryFilter(request.GET or None, queryset=organisations)
    page = Paginator(directory.qs, PER_PAGE).get_page(request.GET.get("page"))
    template = "members/organisation_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"filter": directory, "page": page})
