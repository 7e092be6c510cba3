"""The matching engine: plain data in, scored, explained and assigned pairs out. No Django here.

Needs ask for people; supply rows offer them (a volunteer is a row with capacity 1, an offer a row with
capacity = its remaining people). The engine

1. finds candidates (`candidates`): each need walks the supply rows holding one of its required skills (an
   inverted index) and keeps its best;
2. applies the hard rules in one place, the numba kernel (`kernel._verdict`): enough of the required
   skills, a shared language, enough hours, overlapping dates, availability, capacity left, within travel
   distance (or the municipalities an offer serves) unless the work is remote; never a pair proposed before;
3. scores the feasible pairs with named, weighted components (`kernel._score`, `COMPONENTS`);
4. assigns (`propose`, `assign`): rounds of extra candidates for places left empty, guided by a minimum cut,
   until no assignment over all feasible pairs could fill more places; then, as a min-cost flow, as many
   places as can be filled and the most valuable way to fill them (a need's first person counts most,
   then fit); then rounds of pricing with the flow's potentials (`duals`), until no feasible pair outside
   the candidates could raise that value: the assignment is then the best over ALL feasible pairs;
5. explains (`explain`, `shortfall`): the reasons behind a score, from the facts the kernel scored with,
   and for a need nobody fits, how many people each rule rules out.

Deterministic: ties go to the lower id (volunteers before offers). Modules: `types`, `kernel`,
`generation`, `assignment`, `duals`, `explanations`.
"""

from .assignment import Proposal, assign, fully_staffed, objective, place_values, propose, warm_up
from .explanations import Reason, explain, shortfall
from .generation import best_needs, candidates, supply_rows
from .types import (
    COMPONENTS,
    EVENINGS,
    HYBRID,
    NO_DAY,
    OFFER,
    ON_SITE,
    REMOTE,
    RULES,
    UNLIMITED_DAY,
    VOLUNTEER,
    WEEKDAYS,
    WEEKENDS,
    Assignment,
    Candidates,
    Needs,
    Rules,
    Shortfall,
    Supply,
    Weights,
    bits,
    concatenate,
    great_circle_km,
    rule_bit,
)

__all__ = [
    "COMPONENTS",
    "EVENINGS",
    "HYBRID",
    "NO_DAY",
    "OFFER",
    "ON_SITE",
    "REMOTE",
    "RULES",
    "UNLIMITED_DAY",
    "VOLUNTEER",
    "WEEKDAYS",
    "WEEKENDS",
    "Assignment",
    "Candidates",
    "Needs",
    "Proposal",
    "Reason",
    "Rules",
    "Shortfall",
    "Supply",
    "Weights",
    "assign",
    "best_needs",
    "bits",
    "candidates",
    "concatenate",
    "explain",
    "fully_staffed",
    "great_circle_km",
    "objective",
    "place_values",
    "propose",
    "rule_bit",
    "shortfall",
    "supply_rows",
    "warm_up",
]
