"""The engine's assignment without a database: it respects every capacity and never proposes a pair twice;
on random markets it fills at least as many places as a first-come greedy over EVERY feasible pair and as
many as any assignment can (a maximum flow over every feasible pair), and no assignment over every feasible
pair has a higher value (a min-cost flow over all of them); on tiny markets a brute force over all
assignments finds nothing better for the stated objective (most places, then place values and scores)."""

import itertools

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from matching import engine
from matching.benchmarks import reference, synthetic, yardsticks

DISTANCES = synthetic.region_distances(synthetic.CENTRES)


def market(volunteers, needs, seed, *, scarce=False):
    """A synthetic market; with `scarce`, fewer people than places and some offers of several people."""
    supply, demand = synthetic.make_supply(volunteers, seed=seed), synthetic.make_needs(needs, seed=seed + 1)
    if scarce:
        supply.kind[::9] = engine.OFFER
        supply.capacity[::9] = 2
        supply.serves[::9] = np.uint32(2**21 - 1)
        supply.forget_derived()
        demand.slots[:] = np.maximum(demand.slots, 2)
    return supply, demand


sizes = st.tuples(st.integers(20, 300), st.integers(5, 60), st.integers(0, 10_000), st.booleans())


@settings(max_examples=40, deadline=None)
@given(sizes, st.sampled_from([1, 2, 5, 50]))
def test_it_fills_as_many_places_as_any_assignment_and_at_least_the_greedys(size, top_k):
    """Even with a shortlist of one candidate per need the rounds reach every place the rules allow."""
    volunteers, needs, seed, scarce = size
    supply, demand = market(volunteers, needs, seed, scarce=scarce)
    proposal = engine.propose(demand, supply, DISTANCES, rules=engine.Rules(top_k=top_k))
    pairs = yardsticks.all_pairs(demand, supply, DISTANCES)
    greedy_need, _greedy_supply = yardsticks.greedy(demand, supply, pairs)
    most = yardsticks.most_places(demand, supply, pairs)
    placed = len(proposal.assignment)
    assert proposal.assignment.optimal and proposal.most_places
    assert placed >= len(greedy_need)
    assert placed >= 0.98 * most
    assert placed == most


@settings(max_examples=40, deadline=None)
@given(sizes, st.sampled_from([1, 2, 5, 50]))
def test_no_assignment_over_all_feasible_pairs_has_a_higher_value(size, top_k):
    """Not even one that takes people outside every shortlist: `optimal` is a proof over all feasible pairs."""
    volunteers, needs, seed, scarce = size
    supply, demand = market(volunteers, needs, seed, scarce=scarce)
    proposal = engine.propose(demand, supply, DISTANCES, rules=engine.Rules(top_k=top_k))
    places, value = yardsticks.best_value(demand, supply, yardsticks.all_pairs(demand, supply, DISTANCES))
    assert proposal.assignment.optimal
    assert len(proposal.assignment) == places
    # Costs are integers at a resolution of 1e-6 per arc; a tie can differ by that much per place.
    assert proposal.assignment.objective >= value - 1e-5 * (places + 1)


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_the_assignment_respects_capacities_and_the_rules(size):
    volunteers, needs, seed, scarce = size
    supply, demand = market(volunteers, needs, seed, scarce=scarce)
    chosen = engine.propose(demand, supply, DISTANCES).assignment
    assert np.all(np.bincount(chosen.need, minlength=len(demand)) <= demand.slots)
    assert np.all(np.bincount(chosen.supply, minlength=len(supply)) <= supply.capacity)
    assert len(set(zip(chosen.need.tolist(), chosen.supply.tolist(), strict=True))) == len(chosen)
    pre = reference.Preloaded(demand, supply, DISTANCES)
    assert all(not reference.broken_rules(pre, int(i), int(j)) for i, j in zip(chosen.need, chosen.supply, strict=True))


@settings(max_examples=25, deadline=None)
@given(sizes)
def test_pairs_proposed_before_are_never_proposed_again(size):
    volunteers, needs, seed, scarce = size
    supply, demand = market(volunteers, needs, seed, scarce=scarce)
    first = engine.propose(demand, supply, DISTANCES).assignment
    before = {
        (int(demand.ids[i]), int(supply.kind[j]), int(supply.ids[j]))
        for i, j in zip(first.need, first.supply, strict=True)
    }
    again = engine.propose(demand, supply, DISTANCES, exclude=before).assignment
    after = {
        (int(demand.ids[i]), int(supply.kind[j]), int(supply.ids[j]))
        for i, j in zip(again.need, again.supply, strict=True)
    }
    assert not before & after


def test_a_volunteer_pair_can_be_named_without_its_kind():
    supply, demand = market(300, 10, 5)
    first = engine.propose(demand, supply, DISTANCES).assignment
    before = {(int(demand.ids[i]), int(supply.ids[j])) for i, j in zip(first.need, first.supply, strict=True)}
    again = engine.propose(demand, supply, DISTANCES, exclude=before).assignment
    assert not before & {
        (int(demand.ids[i]), int(supply.ids[j])) for i, j in zip(again.need, again.supply, strict=True)
    }


def test_the_result_is_deterministic():
    supply, demand = market(500, 60, 3, scarce=True)
    first = engine.propose(demand, supply, DISTANCES).assignment
    supply_again, demand_again = market(500, 60, 3, scarce=True)
    second = engine.propose(demand_again, supply_again, DISTANCES).assignment
    assert first.need.tolist() == second.need.tolist()
    assert first.supply.tolist() == second.supply.tolist()


@settings(max_examples=20, deadline=None)
@given(sizes)
def test_the_maximum_flow_yardstick_agrees_with_or_tools(size):
    from ortools.graph.python import max_flow

    volunteers, needs, seed, scarce = size
    supply, demand = market(volunteers, needs, seed, scarce=scarce)
    pairs = yardsticks.all_pairs(demand, supply, DISTANCES)
    m, n = len(demand), len(supply)
    need_of = np.repeat(np.arange(m), np.diff(pairs.ptr))
    flow = max_flow.SimpleMaxFlow()
    tails = np.concatenate([np.zeros(m), 2 + need_of, 2 + m + np.arange(n)]).astype(np.int32)
    heads = np.concatenate([2 + np.arange(m), 2 + m + pairs.rows, np.ones(n)]).astype(np.int32)
    caps = np.concatenate([demand.slots, np.ones(len(pairs)), supply.capacity]).astype(np.int64)
    flow.add_arcs_with_capacity(tails, heads, caps)
    flow.solve(0, 1)
    assert yardsticks.most_places(demand, supply, pairs) == flow.optimal_flow()


# Brute force on tiny markets -------------------------------------------------------------------------


def tiny_market(rng, n_needs, n_supply):
    """A tiny, dense market: one municipality, three skills, everyone speaks the language."""
    n_skills = 3
    skills = sparse.csr_matrix((rng.random((n_supply, n_skills)) < 0.6) * rng.integers(1, 4, (n_supply, n_skills)))
    required = sparse.csr_matrix((rng.random((n_needs, n_skills)) < 0.4).astype(np.float32))
    supply = engine.Supply(
        ids=np.arange(1, n_supply + 1, dtype=np.int64),
        kind=np.where(rng.random(n_supply) < 0.3, engine.OFFER, engine.VOLUNTEER).astype(np.int8),
        municipality=np.zeros(n_supply, dtype=np.int16),
        travel_km=rng.choice([5, 20], n_supply).astype(np.float32),
        remote_ok=rng.random(n_supply) < 0.5,
        hours_per_month=rng.choice([2, 8], n_supply).astype(np.float32),
        hours_total=np.full(n_supply, np.inf, dtype=np.float32),
        availability=np.full(n_supply, 7, dtype=np.uint8),
        skills=skills,
        languages=np.ones(n_supply, dtype=np.uint64),
        themes=rng.integers(0, 8, n_supply).astype(np.uint64),
        load=rng.integers(0, 3, n_supply).astype(np.int16),
        capacity=rng.integers(1, 3, n_supply).astype(np.int32),
        start_day=np.full(n_supply, engine.NO_DAY, dtype=np.int32),
        end_day=np.full(n_supply, engine.UNLIMITED_DAY, dtype=np.int32),
    )
    demand = engine.Needs(
        ids=np.arange(1, n_needs + 1, dtype=np.int64),
        municipality=np.zeros(n_needs, dtype=np.int16),
        location=rng.choice([engine.ON_SITE, engine.REMOTE], n_needs).astype(np.int8),
        required=required,
        nice=sparse.csr_matrix((n_needs, n_skills), dtype=np.float32),
        languages=np.ones(n_needs, dtype=np.uint64),
        themes=rng.integers(1, 8, n_needs).astype(np.uint64),
        availability=np.zeros(n_needs, dtype=np.uint8),
        monthly_hours=rng.choice([1, 4], n_needs).astype(np.float32),
        total_hours=np.full(n_needs, 4, dtype=np.float32),
        slots=rng.integers(1, 3, n_needs).astype(np.int32),
        filled=rng.integers(0, 2, n_needs).astype(np.int32),
        start_day=np.zeros(n_needs, dtype=np.int32),
        end_day=np.full(n_needs, 100, dtype=np.int32),
        waited_days=rng.integers(0, 90, n_needs).astype(np.float32),
    )
    return supply, demand


def brute_force(demand, supply, rules):
    """The best (places, value) over every assignment of the feasible pairs, by enumeration."""
    pre = reference.Preloaded(demand, supply, np.zeros((1, 1), dtype=np.float32))
    options = []
    for i in range(len(demand)):
        feasible = [j for j in range(len(supply)) if not reference.broken_rules(pre, i, j, rules=rules)]
        options.append(
            [subset for size in range(int(demand.slots[i]) + 1) for subset in itertools.combinations(feasible, size)]
        )
    best = (0, 0.0)
    for choice in itertools.product(*options):
        used = np.zeros(len(supply), dtype=int)
        for subset in choice:
            used[list(subset)] += 1
        if np.any(used > supply.capacity):
            continue
        places, value = 0, 0.0
        for i, subset in enumerate(choice):
            places += len(subset)
            value += float(engine.place_values(int(demand.filled[i]), len(subset), rules).sum())
            value += sum(reference.score_pair(pre, i, j, rules=rules) for j in subset)
        best = max(best, (places, value))
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 5), st.sampled_from([1, 50]))
@example(seed=334, n_needs=3, n_supply=4, top_k=1)  # the best swap uses a pair outside every shortlist
def test_nothing_beats_it_for_its_objective_on_tiny_markets(seed, n_needs, n_supply, top_k):
    supply, demand = tiny_market(np.random.default_rng(seed), n_needs, n_supply)
    rules = engine.Rules(top_k=top_k)
    proposal = engine.propose(demand, supply, np.zeros((1, 1), dtype=np.float32), rules=rules)
    places, value = brute_force(demand, supply, rules)
    assert len(proposal.assignment) == places
    # Costs are integers at a resolution of 1e-6 per arc; a tie can differ by that much per place.
    assert proposal.assignment.objective >= value - 1e-5 * (places + 1)


def test_a_batch_cut_short_does_not_claim_to_be_optimal():
    """With no round of pricing allowed, the shortlists miss a better assignment, and the batch says so."""
    supply, demand = tiny_market(np.random.default_rng(334), 3, 4)
    no_pricing = engine.Rules(top_k=1, pricing_rounds=0)
    short = engine.propose(demand, supply, np.zeros((1, 1), dtype=np.float32), rules=no_pricing)
    full = engine.propose(demand, supply, np.zeros((1, 1), dtype=np.float32), rules=engine.Rules(top_k=1))
    assert short.most_places and not short.assignment.optimal
    assert full.assignment.optimal and full.pricing_rounds > 0
    assert len(full.assignment) == len(short.assignment)
    assert full.assignment.objective > short.assignment.objective + 0.1


# What a coordinator would notice -----------------------------------------------------------------------


def two_needs_two_people(scores_a, scores_b, slots=(2, 2)):
    """Two needs and two people who fit both; need A fits them better when `scores_a` > `scores_b`."""
    supply, demand = tiny_market(np.random.default_rng(0), 2, 2)
    supply.skills = sparse.csr_matrix(np.ones((2, 3), dtype=np.float32))
    supply.capacity[:] = 1
    supply.kind[:] = engine.VOLUNTEER
    supply.load[:] = 0
    supply.remote_ok[:] = True
    supply.hours_per_month[:] = 8
    demand.monthly_hours[:] = 1
    demand.location[:] = engine.REMOTE
    demand.required = sparse.csr_matrix(np.array([[1, 1, 1], [1, 1, 1]], dtype=np.float32))
    demand.slots[:] = slots
    demand.filled[:] = 0
    demand.themes[:] = [scores_a, scores_b]
    supply.themes[:] = 0b111
    supply.forget_derived()
    return supply, demand


def test_a_needs_first_person_counts_more_than_another_needs_second():
    """Both people fit need A better (all its themes), but need B would otherwise get nobody."""
    supply, demand = two_needs_two_people(0b111, 0b1000)
    cands = engine.candidates(demand, supply, np.zeros((1, 1), dtype=np.float32))
    assert np.all(cands.score[cands.need == 0] > cands.score[cands.need == 1].max()), "A fits them better"
    chosen = engine.propose(demand, supply, np.zeros((1, 1), dtype=np.float32)).assignment
    assert sorted(chosen.need.tolist()) == [0, 1], "one person for each need, not both for A"


def test_a_place_filled_counts_more_than_a_better_fit():
    """Ann fits both needs, best the first; Bob fits only the first. Both needs get someone."""
    supply, demand = two_needs_two_people(0b111, 0b111, slots=(1, 1))
    demand.required = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
    supply.skills = sparse.csr_matrix(np.array([[3, 3, 0], [3, 0, 0]], dtype=np.float32))
    supply.forget_derived()
    chosen = engine.propose(demand, supply, np.zeros((1, 1), dtype=np.float32)).assignment
    assert sorted(zip(chosen.need.tolist(), chosen.supply.tolist(), strict=True)) == [(0, 1), (1, 0)]
