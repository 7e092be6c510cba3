"""The impact pages: the coordinators' dashboard, the public figures and an organisation's volunteering report.
Every figure comes from `matching.impact` (through `matching.impact_tables`); these views only read the
filters from the address, pick the tables and render or export them."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from brainport_voor_elkaar.cache import forgiving_cache
from members.models import Organisation, Programme
from members.models.reference import Subregion
from members.public_cache import public_page
from members.views.organisations import coordinator_required

from ..forms_impact import ImpactFilterForm, PeriodForm
from ..impact import ImpactFilter
from ..impact_output import csv_response, dashboard_charts
from ..impact_public import public_figures, public_target_rows
from ..impact_tables import (
    DASHBOARD_TABLES,
    REPORT_TABLES,
    Figures,
    target_label,
)

PUBLIC_CACHE_KEY = "impact:public:v2"
PUBLIC_CACHE_SECONDS = getattr(settings, "IMPACT_PUBLIC_CACHE_SECONDS", 300)


def _filter_query(request) -> str:
    """The filters of this address, to carry into the export links."""
    return urlencode([(k, v) for k, v in request.GET.items() if k != "export" and v])


def _export(request, tables: dict, figs: Figures, *, prefix: str):
    key = request.GET["export"]
    if key not in tables:
        raise Http404
    return csv_response([tables[key](figs)], filename=f"{prefix}-{key}.csv")


@coordinator_required
def impact_dashboard(request):
    """Progress against the four targets, the figures behind them and breakdowns, filtered by period,
    subregion and programme (in the address); `?export=<table>` downloads one table as CSV. A fixed number of
    queries, whatever the amount of data."""
    programmes = list(Programme.objects.all())
    form = ImpactFilterForm(request.GET or None, programmes=programmes)
    f = form.impact_filter() if form.is_bound else ImpactFilter()
    figs = Figures(f, snapshot=True)
    if request.GET.get("export"):
        return _export(request, DASHBOARD_TABLES, figs, prefix="impact")
    tables = {key: build(figs) for key, build in DASHBOARD_TABLES.items()}
    return render(
        request,
        "matching/impact_dashboard.html",
        {
            "form": form,
            "tables": tables,
            "targets": [{**row, "label": target_label(row, figs.residents)} for row in figs.targets],
            "charts": {chart["table"].removeprefix("table-"): chart for chart in dashboard_charts(tables)},
            "filter_query": _filter_query(request),
            "snapshot": figs.snapshot,
            "snapshot_minutes": f"{settings.IMPACT_SNAPSHOT_MINUTES:g}",
            "breakdowns": [
                tables[key] for key in ("month", "subregion", "municipality", "programme", "theme", "organisation")
            ],
        },
    )


def public_impact_figures() -> dict:
    """The public figures, from the cache when they are there: heavy traffic does not reach the database.
    They go stale for at most `IMPACT_PUBLIC_CACHE_SECONDS` (five minutes by default); computed afresh while the
    cache does not answer."""
    return forgiving_cache().get_or_set(PUBLIC_CACHE_KEY, public_figures, PUBLIC_CACHE_SECONDS)


@login_not_required
@public_page(seconds=60)  # the figures change with hours and matches too: a minute at most on top of theirs
def impact_public(request):
    """The headline figures against the targets, and the figures per subregion, for everyone. No personal data,
    and only organisations that agreed to be named. No query when the figures are cached."""
    figures = public_impact_figures()
    english = (get_language() or "nl").startswith("en")
    return render(
        request,
        "matching/impact_public.html",
        {
            "figures": figures,
            "targets": public_target_rows(figures, english=english),
            "subregions": [{**row, "label": Subregion(row["code"]).label} for row in figures["subregions"]],
        },
    )


def organisation_report(request, slug):
    """An organisation's volunteering report for a period, for its CSR or ESG reporting: its people's hours,
    how many took part, the needs they supported by programme, theme and municipality, the residents those
    needs helped and the feedback. For the organisation's admins and coordinators; anyone else gets 404.
    `?export=all` downloads it as one CSV, `?export=<table>` one table."""
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user), slug=slug)
    form = PeriodForm(request.GET or None)
    f = form.impact_filter(supplier=organisation.pk) if form.is_bound else ImpactFilter(supplier=organisation.pk)
    figs = Figures(f)
    export = request.GET.get("export")
    if export == "all":
        tables = [build(figs) for build in REPORT_TABLES.values()]
        return csv_response(tables, filename=f"volunteering-report-{organisation.slug}.csv")
    if export:
        return _export(request, REPORT_TABLES, figs, prefix=f"volunteering-report-{organisation.slug}")
    return render(
        request,
        "matching/organisation_report.html",
        {
            "organisation": organisation,
            "form": form,
            "period": f,
            "tables": [build(figs) for build in REPORT_TABLES.values()],
            "filter_query": _filter_query(request),
        },
    )
