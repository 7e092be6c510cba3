"""The engine without a database: hard constraints never broken, capacities held, deterministic results,
the global assignment never worse than greedy, and the fast path equal to the per-pair reference."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine, reference, synthetic

DISTANCES = synthetic.region_distances(synthetic.CENTRES)


def market(volunteers, needs, seed):
    return synthetic.make_supply(volunteers, seed=seed), synthetic.make_needs(needs, seed=seed + 1)


sizes = st.tuples(st.integers(20, 400), st.integers(1, 40), st.integers(0, 10_000))


@settings(max_examples=25, deadline=None)
@given(sizes)
def test_no_candidate_breaks_a_hard_constraint_and_scores_match_the_reference(size):
    supply, needs = market(*size)
    cands = engine.candidates(needs, supply, DISTANCES)
    pre = reference.Preloaded(needs, supply, DISTANCES)
    for i, j, score in zip(cands.need, cands.supply, cands.score, strict=True):
        expected = reference.score_pair(pre, int(i), int(j))
        assert expected is not None, "a candidate breaks a hard constraint"
        assert abs(expected - score) < 1e-9


@settings(max_examples=25, deadline=None)
@given(sizes)
def test_the_fast_top_k_equals_the_per_pair_reference(size):
    supply, needs = market(*size)
    rules = engine.Rules(top_k=5)
    cands = engine.candidates(needs, supply, DISTANCES, rules=rules)
    pre = reference.Preloaded(needs, supply, DISTANCES)
    for i in range(len(needs)):
        fast = supply.ids[cands.supply[cands.need == i]].tolist()
        assert fast == reference.top_k(pre, i, rules.top_k)


@settings(max_examples=25, deadline=None)
@given(sizes)
def test_the_assignment_respects_capacities_and_beats_greedy(size):
    supply, needs = market(*size)
    supply.capacity[::7] = 2  # some offers of two people
    supply._derived.clear()
    cands = engine.candidates(needs, supply, DISTANCES)
    best = engine.assign(needs, supply, cands)
    first_come = engine.greedy(needs, supply, cands)
    assert best.optimal
    assert np.all(np.bincount(best.need, minlength=len(needs)) <= needs.slots)
    assert np.all(np.bincount(best.supply, minlength=len(supply)) <= supply.capacity)
    assert len(set(zip(best.need.tolist(), best.supply.tolist(), strict=True))) == len(best.need)
    assert best.total >= first_come.total - 1e-6


def test_the_result_is_deterministic():
    supply, needs = market(500, 60, 3)
    first = engine.assign(needs, supply, engine.candidates(needs, supply, DISTANCES))
    supply_again, needs_again = market(500, 60, 3)
    second = engine.assign(needs_again, supply_again, engine.candidates(needs_again, supply_again, DISTANCES))
    assert first.need.tolist() == second.need.tolist()
    assert first.supply.tolist() == second.supply.tolist()


def test_pairs_proposed_before_are_never_proposed_again():
    supply, needs = market(300, 10, 5)
    cands = engine.candidates(needs, supply, DISTANCES)
    before = {(int(needs.ids[i]), int(supply.ids[j])) for i, j in zip(cands.need, cands.supply, strict=True)}
    again = engine.candidates(needs, supply, DISTANCES, exclude=before)
    after = {(int(needs.ids[i]), int(supply.ids[j])) for i, j in zip(again.need, again.supply, strict=True)}
    assert not before & after


def test_a_remote_need_ignores_distance_but_wants_people_who_work_remotely():
    supply, needs = market(300, 1, 9)
    needs.location[:] = engine.REMOTE
    needs.municipality[:] = -1
    supply.travel_km[:] = 0
    supply._derived.clear()
    cands = engine.candidates(needs, supply, DISTANCES)
    assert len(cands.supply)
    assert supply.remote_ok[cands.supply].all()


def test_the_explanation_agrees_with_the_score():
    supply, needs = market(400, 5, 12)
    cands = engine.candidates(needs, supply, DISTANCES)
    i, j = int(cands.need[0]), int(cands.supply[0])
    required = set(needs.required.indices[needs.required.indptr[i] : needs.required.indptr[i + 1]].tolist())
    have = set(supply.skills.indices[supply.skills.indptr[j] : supply.skills.indptr[j + 1]].tolist())
    reasons = engine.explain(
        cands.components[0],
        required_covered=len(required & have),
        required_total=len(required),
        distance_km=float(cands.distance_km[0]),
        shared_languages=["nl"],
        shared_themes=0,
    )
    required_reason = next(r for r in reasons if r.code == "required")
    covered = required_reason.values["covered"] / required_reason.values["total"]
    assert abs(covered - cands.components[0][engine.COMPONENTS.index("required")]) < 1e-6


@settings(max_examples=20, deadline=None)
@given(sizes, st.integers(1, 2**21 - 1))
def test_offers_serving_a_set_of_municipalities_obey_it(size, served):
    supply, needs = market(*size)
    supply.serves[::3] = served  # every third row is an offer for these municipalities
    supply.capacity[::3] = 3
    supply._derived.clear()
    cands = engine.candidates(needs, supply, DISTANCES)
    pre = reference.Preloaded(needs, supply, DISTANCES)
    for i, j, score in zip(cands.need, cands.supply, cands.score, strict=True):
        assert abs(reference.score_pair(pre, int(i), int(j)) - score) < 1e-9
        if supply.serves[j] and needs.location[i] == engine.ON_SITE:
            assert served >> int(needs.municipality[i]) & 1
    for i in range(len(needs)):
        fast = supply.ids[cands.supply[cands.need == i]].tolist()
        assert fast == reference.top_k(pre, i, engine.Rules().top_k)
