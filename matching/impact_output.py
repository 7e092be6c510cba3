"""The impact tables as charts (what the chart script draws, with a sentence that says the same) and as CSV
downloads (every cell a spreadsheet would run as a formula escaped)."""

import csv
import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .impact_tables import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- Charts -----------------------------------------------------------------------------------------


def _number(value):
    return float(value) if isinstance(value, Decimal) else (value or 0)


def dashboard_charts(tables: dict[str, Table]) -> list[dict]:
    """What the chart script draws, with a sentence that says the same for those who cannot see it."""
    charts = []

    def chart(key, kind, value_column, dataset_labels, summary, extra_columns=()):
        table = tables[key]
        datasets = [{"label": dataset_labels[0], "data": [_number(row[value_column]) for row in table.rows]}]
        for label, column in zip(dataset_labels[1:], extra_columns, strict=True):
            datasets.append({"label": label, "data": [_number(row[column]) for row in table.rows]})
        charts.append(
            {
                "id": f"chart-{key}",
                "table": f"table-{key}",
                "data_id": f"chart-{key}-data",
                "title": table.caption,
                "summary": summary(table),
                "data": {"type": kind, "labels": [str(row[0]) for row in table.rows], "datasets": datasets},
            }
        )

    def listing(table, column, unit):
        parts = [f"{row[0]}: {_format(row[column])} {unit}" for row in table.rows]
        return "; ".join(parts) if parts else _("No data for this selection.")

    chart("funnel", "bar", 1, [_("Matches")], lambda t: listing(t, 1, _("matches")))
    chart(
        "residents",
        "bar",
        2,
        [_("Reached"), _("Planned")],
        lambda t: listing(t, 2, _("residents reached")),
        extra_columns=[1],
    )
    chart("month", "line", 1, [_("Hours confirmed")], lambda t: listing(t, 1, _("hours")))
    chart("subregion", "bar", 1, [_("Hours confirmed")], lambda t: listing(t, 1, _("hours")))
    chart("theme", "bar", 1, [_("Hours confirmed")], lambda t: listing(t, 1, _("hours")))
    return charts


def _format(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- CSV --------------------------------------------------------------------------------------------


def csv_cell(value) -> str:
    """A cell as text, with a leading apostrophe before anything a spreadsheet would run as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime.date) else _format(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_response(tables: list[Table], *, filename: str) -> HttpResponse:
    """The tables as one CSV download; several tables follow each other, each under its caption."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheets read it as UTF-8
    writer = csv.writer(response)
    for number, table in enumerate(tables):
        if len(tables) > 1:
            if number:
                writer.writerow([])
            writer.writerow([csv_cell(table.caption)])
        writer.writerow([csv_cell(c) for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_cell(c) for c in row])
    return response
