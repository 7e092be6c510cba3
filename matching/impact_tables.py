"""The impact figures laid out as tables for the dashboard, the company report and CSV (`impact_output` draws
and downloads them).

A table is built from `matching.impact` only; `Figures` reads each figure at most once per request, and only
when a table asks for it, so exporting one table costs the queries of that table alone. Cells keep their raw
values (numbers, dates, `None` for "not recorded"); the templates and the CSV writer format them.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import impact, impact_snapshot

DEFINITIONS = {
    "volunteers_registered": gettext_lazy("Volunteer profiles created in the period."),
    "volunteers_active": gettext_lazy("Of those, the active ones who agreed to the privacy terms."),
    "volunteers_matched": gettext_lazy(
        "Different people in a match both sides accepted (an offer's named people count one by one)."
    ),
    "volunteers_deployed": gettext_lazy(
        "Different people with at least one hour confirmed by the need's organisation, worked in the period."
    ),
    "hours_logged": gettext_lazy("All hours volunteers entered, confirmed or not."),
    "hours_confirmed": gettext_lazy("Hours the need's organisation confirmed (as corrected by it)."),
    "needs_supported": gettext_lazy("Different needs with at least one confirmed hour."),
    "median_days": gettext_lazy(
        "For needs published in the period: the median number of days from publishing to the first approved match."
    ),
    "feedback_share": gettext_lazy("Share of feedback answers in the period that said the work really helped."),
    "feedback_answers": gettext_lazy("Feedback answers given in the period, by both sides."),
    "average_rating": gettext_lazy("Average rating of those answers, from 1 to 5."),
    "inclusive_employers": gettext_lazy(
        "Member organisations that declare themselves inclusive employers, confirmed by a coordinator (now, "
        "whatever the period)."
    ),
    "people_into_work": gettext_lazy(
        "People that completed needs of the Work programme placed into work or into a work-study (BBL) "
        "placement, recorded when the need was completed in the period."
    ),
    "placement_employers": gettext_lazy("Different employers that took on people through those needs."),
    "residents": gettext_lazy(
        "Residents actually helped by needs completed in the period; planned is what the same needs expected."
    ),
}

PAGE_ROWS = 50


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()  # which columns hold numbers (aligned right)
    note: str = ""
    limit: int | None = None  # rows shown on the page (the CSV has all)

    @property
    def visible_rows(self) -> list[list]:
        return self.rows[: self.limit] if self.limit else self.rows

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.visible_rows)


class Figures:
    """The figures of one filter, each read from the database once and only when asked for.

    With `snapshot=True` (the dashboard), the confirmed work and its breakdowns come from the impact snapshot
    when it can answer the filter (`impact_snapshot.usable_for`): one query for all of them instead of one per
    breakdown. Everything else, and every filter the snapshot cannot answer, is read live."""

    def __init__(self, f: impact.ImpactFilter, *, snapshot: bool = False):
        self.f = f
        self.use_snapshot = snapshot

    @cached_property
    def snapshot(self):
        """The impact snapshot used for this filter, or None (read live)."""
        if not self.use_snapshot:
            return None
        latest = impact_snapshot.latest()
        return latest if impact_snapshot.usable_for(self.f, latest) else None

    @cached_property
    def _from_snapshot(self):
        return impact_snapshot.read(self.f, english=impact._english())

    @cached_property
    def registered(self):
        return impact.volunteers_registered(self.f)

    @cached_property
    def matched(self):
        return impact.volunteers_matched(self.f)

    @cached_property
    def delivered(self):
        if self.snapshot:
            return self._from_snapshot["totals"]
        return impact.work_delivered(self.f)

    @cached_property
    def residents(self):
        return impact.residents_per_programme(self.f)

    @cached_property
    def inclusive(self):
        return impact.inclusive_employers(self.f)

    @cached_property
    def into_work(self):
        return impact.people_into_work(self.f)

    @cached_property
    def placements(self):
        return impact.placements_per_employer(self.f)

    @cached_property
    def funnel(self):
        return impact.match_funnel(self.f)

    @cached_property
    def median_days(self):
        if self.snapshot:
            return impact_snapshot.median_days(self.f)
        return impact.median_days_to_first_approval(self.f)

    @cached_property
    def waiting(self):
        return impact.needs_waiting_longest(self.f)

    @cached_property
    def feedback(self):
        return impact.feedback_share(self.f)

    def breakdown(self, by):
        if self.snapshot:
            return self._from_snapshot["breakdowns"][by]
        cache = self.__dict__.setdefault("_breakdowns", {})
        if by not in cache:
            cache[by] = impact.breakdown(self.f, by)
        return cache[by]

    @cached_property
    def targets(self):
        return impact.target_progress(
            delivered=self.delivered,
            residents=self.residents,
            inclusive=self.inclusive,
            into_work=self.into_work["people"],
        )


def target_label(row, residents) -> str:
    units = {r["code"]: r["target_unit"] for r in residents}
    if row["key"] == "volunteers_deployed":
        return _("Corporate volunteers deployed")
    if row["key"] == "people_into_work":
        return _("People needing support into work")
    if row["key"] == "inclusive_employers":
        return _("Inclusive employers")
    return str(units.get(row["programme"], row["programme"]))


def targets_table(figs: Figures) -> Table:
    return Table(
        key="targets",
        caption=_("Progress against the association's targets"),
        columns=[_("What we aim for"), _("Reached"), _("Target"), _("Share of the target (%)")],
        rows=[[target_label(r, figs.residents), r["value"], r["target"], r["percent"]] for r in figs.targets],
        numeric=frozenset({1, 2, 3}),
        note=" ".join(
            str(DEFINITIONS[key]) for key in ("volunteers_deployed", "people_into_work", "inclusive_employers")
        ),
    )


def figures_table(figs: Figures) -> Table:
    d, reg, fb = figs.delivered, figs.registered, figs.feedback
    rows = [
        (_("Volunteers registered"), reg["registered"], "volunteers_registered"),
        (_("Volunteers active"), reg["active"], "volunteers_active"),
        (_("Volunteers matched"), figs.matched, "volunteers_matched"),
        (_("Corporate volunteers deployed"), d["volunteers_deployed"], "volunteers_deployed"),
        (_("Hours logged"), d["hours_logged"], "hours_logged"),
        (_("Hours confirmed"), d["hours_confirmed"], "hours_confirmed"),
        (_("Needs supported"), d["needs_supported"], "needs_supported"),
        (_("Median days to a first approved match"), figs.median_days, "median_days"),
        (_("Feedback: it really helped (%)"), fb["share"], "feedback_share"),
        (_("Feedback answers"), fb["answers"], "feedback_answers"),
    ]
    return Table(
        key="figures",
        caption=_("Volunteers, hours and matching"),
        columns=[_("Figure"), _("Value"), _("What it counts")],
        rows=[[label, value, str(DEFINITIONS[key])] for label, value, key in rows],
        numeric=frozenset({1}),
    )


def residents_table(figs: Figures) -> Table:
    return Table(
        key="residents",
        caption=_("Residents helped per programme"),
        columns=[_("Programme"), _("Planned"), _("Reached"), _("Needs completed"), _("Target")],
        rows=[[r["name"], r["planned"], r["reached"], r["needs_completed"], r["target"]] for r in figs.residents],
        numeric=frozenset({1, 2, 3, 4}),
        note=str(DEFINITIONS["residents"]),
    )


def work_table(figs: Figures) -> Table:
    """People into work per employer, with the totals first."""
    w = figs.into_work
    rows = [
        [
            r["employer__name"],
            r["placed_into_work"],
            r["placed_work_study"],
            r["people"],
            _("yes") if r["inclusive"] else _("no"),
        ]
        for r in figs.placements
    ]
    return Table(
        key="work",
        caption=_("People into work per employer"),
        columns=[
            _("Employer"),
            _("Into work"),
            _("Work-study (BBL)"),
            _("People"),
            _("Confirmed inclusive employer"),
        ],
        rows=[[_("All employers"), w["into_work"], w["work_study"], w["people"], ""], *rows],
        numeric=frozenset({1, 2, 3}),
        note=" ".join(str(DEFINITIONS[key]) for key in ("people_into_work", "placement_employers")),
        limit=PAGE_ROWS,
    )


def funnel_table(figs: Figures) -> Table:
    return Table(
        key="funnel",
        caption=_("Matches by state"),
        columns=[_("State"), _("Matches")],
        rows=[[str(r["label"]), r["count"]] for r in figs.funnel],
        numeric=frozenset({1}),
    )


def waiting_table(figs: Figures) -> Table:
    today = timezone.localdate()
    rows = [
        [
            need.title,
            need.organisation.name,
            need.municipality.name if need.municipality_id else _("Remote"),
            need.programme.name,
            timezone.localdate(need.published_at),
            (today - timezone.localdate(need.published_at)).days,
            need.proposals,
        ]
        for need in figs.waiting
    ]
    return Table(
        key="waiting",
        caption=_("Open needs waiting longest"),
        columns=[
            _("Need"),
            _("Organisation"),
            _("Municipality"),
            _("Programme"),
            _("Published"),
            _("Days waiting"),
            _("Proposals waiting"),
        ],
        rows=rows,
        numeric=frozenset({5, 6}),
    )


BREAKDOWN_CAPTIONS = {
    "municipality": (gettext_lazy("Confirmed work per municipality"), gettext_lazy("Municipality")),
    "subregion": (gettext_lazy("Confirmed work per subregion"), gettext_lazy("Subregion")),
    "programme": (gettext_lazy("Confirmed work per programme"), gettext_lazy("Programme")),
    "theme": (gettext_lazy("Confirmed work per theme"), gettext_lazy("Theme")),
    "organisation": (gettext_lazy("Confirmed work per volunteers' employer"), gettext_lazy("Organisation")),
    "month": (gettext_lazy("Confirmed work per month"), gettext_lazy("Month")),
}


def breakdown_table(figs: Figures, by: str) -> Table:
    caption, first = BREAKDOWN_CAPTIONS[by]
    rows = []
    for r in figs.breakdown(by):
        label = r["label"]
        if by == "month":
            label = datetime.date.fromisoformat(r["key"]).strftime("%Y-%m")
        elif label is None:
            label = _("Remote")
        rows.append([label, r["hours_confirmed"], r["volunteers_deployed"], r["needs_supported"]])
    return Table(
        key=by,
        caption=str(caption),
        columns=[str(first), _("Hours confirmed"), _("Volunteers deployed"), _("Needs supported")],
        rows=rows,
        numeric=frozenset({1, 2, 3}),
        limit=PAGE_ROWS if by == "organisation" else None,
    )


def _breakdown(by):
    return lambda figs: breakdown_table(figs, by)


DASHBOARD_TABLES = {
    "targets": targets_table,
    "figures": figures_table,
    "residents": residents_table,
    "work": work_table,
    "funnel": funnel_table,
    "waiting": waiting_table,
    **{by: _breakdown(by) for by in impact.BREAKDOWNS},
}


def report_summary_table(figs: Figures) -> Table:
    d, fb = figs.delivered, figs.feedback
    rows = [
        (_("Hours logged"), d["hours_logged"], "hours_logged"),
        (_("Hours confirmed"), d["hours_confirmed"], "hours_confirmed"),
        (_("People deployed"), d["volunteers_deployed"], "volunteers_deployed"),
        (_("Needs supported"), d["needs_supported"], "needs_supported"),
        (_("Feedback: it really helped (%)"), fb["share"], "feedback_share"),
        (_("Feedback answers"), fb["answers"], "feedback_answers"),
        (_("Average rating"), fb["average_rating"], "average_rating"),
    ]
    return Table(
        key="summary",
        caption=_("Your people's volunteering"),
        columns=[_("Figure"), _("Value"), _("What it counts")],
        rows=[[label, value, str(DEFINITIONS[key])] for label, value, key in rows],
        numeric=frozenset({1}),
    )


def report_residents_table(figs: Figures) -> Table:
    table = residents_table(figs)
    table.caption = _("Residents helped by the needs your people supported")
    return table


REPORT_TABLES = {
    "summary": report_summary_table,
    "programme": _breakdown("programme"),
    "theme": _breakdown("theme"),
    "municipality": _breakdown("municipality"),
    "residents": report_residents_table,
}
