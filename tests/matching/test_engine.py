"""The engine's kernel without a database: every candidate obeys every hard rule and scores exactly as the
per-pair reference says, the fast top k equals the reference's, every reason agrees with the components
the pair was scored with, and the "who is missing" counts agree with the reference rule by rule."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from matching.benchmarks import reference, synthetic

DISTANCES = synthetic.region_distances(synthetic.CENTRES)
LANGUAGE_CODES = {bit: f"lang{bit}" for bit in range(16)}


def market(volunteers, needs, seed, *, offers=False):
    """A synthetic market; with `offers`, every seventh row is an offer of 2–3 people serving a few
    municipalities, with the same ids as some volunteers (rows are named by kind and id together)."""
    supply, demand = synthetic.make_supply(volunteers, seed=seed), synthetic.make_needs(needs, seed=seed + 1)
    if offers:
        rng = np.random.default_rng(seed)
        rows = np.arange(0, volunteers, 7)
        supply.kind[rows] = engine.OFFER
        supply.ids[rows] = np.arange(1, len(rows) + 1)
        supply.capacity[rows] = rng.integers(2, 4, len(rows))
        supply.serves[rows] = rng.integers(1, 2**21, len(rows)).astype(np.uint32)
        supply.hours_total[rows] = rng.choice([8, 40], len(rows))
        supply.forget_derived()
    return supply, demand


sizes = st.tuples(st.integers(20, 400), st.integers(1, 40), st.integers(0, 10_000), st.booleans())


@settings(max_examples=30, deadline=None)
@given(sizes)
def test_every_candidate_obeys_every_rule_and_scores_as_the_reference(size):
    volunteers, needs, seed, offers = size
    supply, demand = market(volunteers, needs, seed, offers=offers)
    cands = engine.candidates(demand, supply, DISTANCES)
    pre = reference.Preloaded(demand, supply, DISTANCES)
    for row, (i, j) in enumerate(zip(cands.need.tolist(), cands.supply.tolist(), strict=True)):
        assert reference.broken_rules(pre, i, j) == set(), "a candidate breaks a hard rule"
        assert cands.score[row] == reference.score_pair(pre, i, j)
        expected = reference.components(pre, i, j)
        assert cands.components[row].tolist() == [expected[name] for name in engine.COMPONENTS]


@settings(max_examples=30, deadline=None)
@given(sizes, st.integers(1, 8))
def test_the_fast_top_k_equals_the_per_pair_reference(size, k):
    volunteers, needs, seed, offers = size
    supply, demand = market(volunteers, needs, seed, offers=offers)
    cands = engine.candidates(demand, supply, DISTANCES, rules=engine.Rules(top_k=k))
    pre = reference.Preloaded(demand, supply, DISTANCES)
    for i in range(len(demand)):
        fast = [(int(supply.kind[j]), int(supply.ids[j])) for j in cands.supply[cands.need == i]]
        assert fast == reference.top_k(pre, i, k)


@settings(max_examples=30, deadline=None)
@given(sizes)
def test_every_reason_agrees_with_the_components_it_was_scored_with(size):
    volunteers, needs, seed, offers = size
    supply, demand = market(volunteers, needs, seed, offers=offers)
    proposal = engine.propose(demand, supply, DISTANCES)
    chosen = proposal.candidates.take(proposal.assignment.rows)
    part = dict(zip(engine.COMPONENTS, range(len(engine.COMPONENTS)), strict=True))
    for row in range(len(chosen)):
        i, j = int(chosen.need[row]), int(chosen.supply[row])
        comps = chosen.components[row]
        reasons = {r.code: r for r in engine.explain(chosen, row, language_codes=LANGUAGE_CODES)}
        languages = [
            r.values["language"]
            for r in engine.explain(chosen, row, language_codes=LANGUAGE_CODES)
            if r.code == "language"
        ]
        required_total = demand.required[i].nnz
        if required_total:
            shown = reasons["required"].values
            assert shown["total"] == required_total
            assert np.float32(shown["covered"] / shown["total"]) == comps[part["required"]]
        else:
            assert "required" not in reasons and comps[part["required"]] == 1.0
        if "remote" in reasons:
            assert demand.location[i] != engine.ON_SITE and supply.remote_ok[j]
        else:
            km = reasons["distance"].values["km"]
            travel = max(float(supply.travel_km[j]), 1.0)
            assert abs(comps[part["distance"]] - np.clip(1 - float(chosen.distance_km[row]) / travel, 0, 1)) < 1e-6
            assert km == round(float(chosen.distance_km[row]))
        shared = int(demand.languages[i] & supply.languages[j]) if demand.languages[i] else 0
        assert languages == [LANGUAGE_CODES[b] for b in range(16) if shared >> b & 1]
        theme_total = int(np.bitwise_count(demand.themes[i]))
        count = reasons["themes"].values["count"] if "themes" in reasons else 0
        assert (comps[part["theme"]] == np.float32(count / theme_total)) if theme_total else count == 0
        busy = reasons["busy"].values["count"] if "busy" in reasons else 0
        assert comps[part["load"]] == np.float32(1 / (1 + busy))
        assert ("waiting" in reasons) == (comps[part["waiting"]] >= 1.0)


@settings(max_examples=30, deadline=None)
@given(sizes, st.integers(0, 39))
def test_who_is_missing_counts_each_rule_as_the_reference_does(size, which):
    volunteers, needs, seed, offers = size
    supply, demand = market(volunteers, needs, seed, offers=offers)
    supply.capacity[::11] = 0  # some offers and people have nobody left to give
    i = which % len(demand)
    found = engine.shortfall(demand, supply, DISTANCES, row=i)
    room = demand.subset([i])
    room.slots[:] = 1  # the shortfall takes the need to have room
    pre = reference.Preloaded(room, supply, DISTANCES)
    verdicts = [reference.broken_rules(pre, 0, j) for j in range(len(supply))]
    with_skills = [broken for broken in verdicts if "skills" not in broken]
    assert found.people == len(supply)
    assert found.with_skills == len(with_skills)
    assert found.fit == sum(1 for broken in with_skills if not broken)
    for rule in engine.RULES[1:]:
        assert found.ruled_out[rule] == sum(1 for broken in with_skills if rule in broken)
        assert found.only[rule] == sum(1 for broken in with_skills if broken == {rule})


@settings(max_examples=20, deadline=None)
@given(sizes, st.integers(1, 12))
def test_the_needs_that_fit_one_row_best_are_the_references(size, limit):
    volunteers, needs, seed, offers = size
    supply, demand = market(volunteers, needs, seed, offers=offers)
    row = seed % len(supply)
    found = engine.best_needs(demand, supply, row, DISTANCES, limit=limit)
    roomy, one = demand.subset(range(len(demand))), supply.subset([row])
    roomy.slots[:] = np.maximum(roomy.slots, 1)
    one.capacity[:] = np.maximum(one.capacity, 1)
    pre = reference.Preloaded(roomy, one, DISTANCES)
    scored = sorted(
        (-score, int(demand.ids[i]))
        for i in range(len(demand))
        if (score := reference.score_pair(pre, i, 0)) is not None
    )
    assert [int(demand.ids[i]) for i in found.need] == [need_id for _score, need_id in scored[:limit]]


def test_a_remote_need_ignores_distance_but_wants_people_who_work_remotely():
    supply, needs = market(300, 1, 9)
    needs.location[:] = engine.REMOTE
    needs.municipality[:] = -1
    supply.travel_km[:] = 0
    supply.forget_derived()
    cands = engine.candidates(needs, supply, DISTANCES)
    assert len(cands.supply)
    assert supply.remote_ok[cands.supply].all()
    assert np.isnan(cands.distance_km).all(), "explained as remote work, not as a distance"


@settings(max_examples=20, deadline=None)
@given(sizes, st.integers(1, 2**21 - 1))
def test_offers_serving_a_set_of_municipalities_obey_it(size, served):
    volunteers, needs, seed, _offers = size
    supply, demand = market(volunteers, needs, seed)
    supply.serves[::3] = served
    supply.capacity[::3] = 3
    supply.forget_derived()
    cands = engine.candidates(demand, supply, DISTANCES)
    for i, j in zip(cands.need, cands.supply, strict=True):
        if supply.serves[j] and demand.location[i] == engine.ON_SITE:
            assert served >> int(demand.municipality[i]) & 1
