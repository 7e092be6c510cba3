"""Explanations: why a pair scores as it does, and who is missing for a need nobody (or too few) fit.

Reasons are message ids with values (the caller translates them). They are written from the facts the
kernel returned with each candidate (`Candidates`): the same evaluation the score was summed from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernel
from .types import COMPONENTS, DEFAULT_RULES, RULES, Candidates, Needs, Rules, Shortfall, Supply

_WAITING = COMPONENTS.index("waiting")


@dataclass(frozen=True)
class Reason:
    """One part of an explanation: a message id and its values; the caller translates it."""

    code: str
    values: dict


def explain(cands: Candidates, row: int, *, language_codes: dict[int, str]) -> list[Reason]:
    """The reasons behind candidate `row`'s score, in the order a reader cares about. `language_codes` maps
    a language bit to the code stored in the reason."""
    reasons = []
    total = int(cands.required_total[row])
    if total:
        reasons.append(Reason("required", {"covered": int(cands.required_covered[row]), "total": total}))
    distance = float(cands.distance_km[row])
    if np.isnan(distance):
        reasons.append(Reason("remote", {}))
    else:
        reasons.append(Reason("distance", {"km": int(round(distance))}))
    shared = int(cands.shared_languages[row])
    for bit in range(64):
        if shared >> bit & 1 and bit in language_codes:
            reasons.append(Reason("language", {"language": language_codes[bit]}))
    if cands.shared_themes[row]:
        reasons.append(Reason("themes", {"count": int(cands.shared_themes[row])}))
    if cands.load[row] > 0:
        # The load component lowered the score: the person is proposed or matched elsewhere already.
        reasons.append(Reason("busy", {"count": int(cands.load[row])}))
    if cands.components[row][_WAITING] >= 1.0:
        reasons.append(Reason("waiting", {}))
    return reasons


def shortfall(
    needs: Needs, supply: Supply, distances: np.ndarray, *, rules: Rules = DEFAULT_RULES, row: int = 0
) -> Shortfall:
    """Who is missing for need `row`: every supply row against every hard rule (not just the first it
    breaks), counted. The need is taken to have room, whatever proposals hold its places."""
    one = needs.subset([row])
    slots = np.maximum(one.slots, 1)
    n_arrays = kernel.need_arrays(one, rules, slots=slots)
    s_arrays = kernel.supply_arrays(supply)
    broken = kernel.verdicts(0, n_arrays, s_arrays, np.ascontiguousarray(distances, np.float64), len(supply))
    skills = kernel.SKILLS
    with_skills = broken[(broken & skills) == 0]
    ruled_out, only = {}, {}
    for index, name in enumerate(RULES[1:], start=1):
        bit = 1 << index
        ruled_out[name] = int(np.count_nonzero(with_skills & bit))
        only[name] = int(np.count_nonzero(with_skills == bit))
    return Shortfall(
        people=len(supply),
        with_skills=len(with_skills),
        fit=int(np.count_nonzero(with_skills == 0)),
        ruled_out=ruled_out,
        only=only,
        location=int(one.location[0]),
        required_total=int(n_arrays.req_total[0]),
    )
