"""The impact figures: what the association counts against its four public targets, defined once.

Every figure is aggregated in the database (`aggregate`, `annotate`, distinct and conditional counts): never
row by row in Python, so a figure costs the same one query with ten hour entries or two hundred thousand. Each
read function takes an `ImpactFilter` (a period, a subregion, a programme, and for a company's own report the
supplying organisation) and answers plain data. The dashboard, the public page and the company report ask
these functions; none of them restates a definition.

Definitions (pinned by `tests/matching/test_impact_figures.py`):

- **corporate volunteers deployed**: distinct people with at least one confirmed hour on a need (an hours
  entry with status *confirmed* and confirmed hours above 0, dated in the period). An offer's named people
  count one by one, because each logs their own hours.
- **registered** volunteers: profiles created in the period; **active**: of those, the ones
  `Volunteer.objects.active()` counts (active status, privacy consent given); **matched**: distinct people
  in a match both sides agreed to (accepted, under way or completed; created in the period), as the
  volunteer of the match or as one of an offer's named people.
- **hours logged**: every hour entered by volunteers (confirmed or not); **hours confirmed**: the hours the
  need's organisation confirmed (its correction, where it corrected them).
- **residents reached** per programme: `Need.residents_reached` of completed needs (completed in the
  period), with `Need.residents_helped` of the same needs beside it as *planned*.
- **inclusive employers**: member organisations that declare themselves inclusive employers and whose
  declaration a coordinator confirmed (`Organisation.objects.inclusive_employers()`); the period does not
  apply (it is who counts now).
- **people into work**: the people that completed needs of the Work programme placed into work plus those
  placed in a work-study (BBL) placement (`WorkPlacement`, recorded when the need completes; completed in the
  period, in the subregion); "employers" is how many different organisations took them on.
- **matches by state**: matches created in the period, per status, in lifecycle order.
- **days to a first approved match**: per need published in the period, the days from `published_at` to the
  first approval of any of its matches (a `MatchEvent` to *approved*, by a coordinator or the review
  policy); the median over those needs.
- **needs waiting longest**: open needs, longest published first (the period does not apply: waiting is now).
- **did it really help**: the share of feedback answers (given in the period) that said yes.

The subregion and programme filters are the need's (its municipality's subregion; remote needs without a
municipality belong to no subregion). Registered and active volunteers are filtered by the volunteer's own
municipality and not by programme; inclusive employers by the organisation's municipality only.
"""

from .base import (
    PROGRAMME_DIGITAL_SKILLS,
    PROGRAMME_FINANCIAL_HEALTH,
    PROGRAMME_VOLUNTEERING,
    PROGRAMME_WORK,
    WAITING_LIMIT,
    ZERO_HOURS,
    ImpactFilter,
    _deployed,
    _english,
    _hours_in,
    _matches_in,
    _Median,
)
from .breakdowns import BREAKDOWNS, breakdown
from .figures import (
    inclusive_employers,
    people_into_work,
    placements_per_employer,
    residents_per_programme,
    target_progress,
    volunteers_matched,
    volunteers_registered,
    work_delivered,
)
from .lifecycle import (
    FUNNEL_ORDER,
    feedback_share,
    match_funnel,
    median_days_to_first_approval,
    needs_waiting_longest,
)

__all__ = [
    "BREAKDOWNS",
    "FUNNEL_ORDER",
    "PROGRAMME_DIGITAL_SKILLS",
    "PROGRAMME_FINANCIAL_HEALTH",
    "PROGRAMME_VOLUNTEERING",
    "PROGRAMME_WORK",
    "WAITING_LIMIT",
    "ZERO_HOURS",
    "ImpactFilter",
    "_Median",
    "_deployed",
    "_english",
    "_hours_in",
    "_matches_in",
    "breakdown",
    "feedback_share",
    "inclusive_employers",
    "match_funnel",
    "median_days_to_first_approval",
    "needs_waiting_longest",
    "people_into_work",
    "placements_per_employer",
    "residents_per_programme",
    "target_progress",
    "volunteers_matched",
    "volunteers_registered",
    "work_delivered",
]
