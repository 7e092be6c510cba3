"""Node potentials (duals) of an optimal min-cost flow, the certificate `assignment.propose` prices pairs with.

A flow of a given value has the least cost exactly when its residual network has no cycle of negative cost,
that is, when every node v can be given a potential π(v) such that every residual arc u → v of cost c has a
non-negative reduced cost c + π(u) − π(v). OR-Tools does not return its potentials, so they are computed
here from the flow it found: shortest distances from the sink in the residual network (Bellman-Ford with a
queue). They are the highest potentials with π(sink) = 0, so a need's potential is as high as the certificate
allows; the supply rows are then lowered as far as their own arcs allow. A pair that is not in the network yet
would enter with reduced cost −score + π(need) − π(row); when none is negative, the flow is also the least
costly over every pair. Costs are integers, so the check is exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def potentials(n_nodes, tails, heads, caps, costs, flows, root):  # noqa: PLR0912 - one pass each, kept together
    """Shortest distances from `root` in the residual network of `flows` (every node also starts at a large
    value, as if a virtual root led to it, so nodes `root` cannot reach get valid potentials too). Returns
    (potentials, ok); ok is False when the residual network has a negative cycle (the flow is not optimal)."""
    n_arcs = len(tails)
    degree = np.zeros(n_nodes + 1, dtype=np.int64)
    for a in range(n_arcs):
        if flows[a] < caps[a]:
            degree[tails[a] + 1] += 1
        if flows[a] > 0:
            degree[heads[a] + 1] += 1
    ptr = np.cumsum(degree)
    fill = ptr[:-1].copy()
    to = np.empty(ptr[-1], dtype=np.int64)
    cost = np.empty(ptr[-1], dtype=np.int64)
    total = np.int64(1)
    for a in range(n_arcs):
        total += abs(costs[a])
        if flows[a] < caps[a]:
            to[fill[tails[a]]] = heads[a]
            cost[fill[tails[a]]] = costs[a]
            fill[tails[a]] += 1
        if flows[a] > 0:
            to[fill[heads[a]]] = tails[a]
            cost[fill[heads[a]]] = -costs[a]
            fill[heads[a]] += 1
    dist = np.full(n_nodes, 2 * total, dtype=np.int64)
    dist[root] = 0
    queue = np.empty(n_nodes, dtype=np.int64)
    waiting = np.ones(n_nodes, dtype=np.bool_)
    passes = np.zeros(n_nodes, dtype=np.int64)
    queue[0] = root
    tail = 1
    for v in range(n_nodes):
        if v != root:
            queue[tail] = v
            tail += 1
    head, tail = 0, 0  # the queue is full: it holds every node once
    size = n_nodes
    while size > 0:
        u = queue[head]
        head = head + 1 if head + 1 < n_nodes else 0
        size -= 1
        waiting[u] = False
        for e in range(ptr[u], ptr[u + 1]):
            v = to[e]
            if dist[u] + cost[e] < dist[v]:
                dist[v] = dist[u] + cost[e]
                if not waiting[v]:
                    passes[v] += 1
                    if passes[v] > n_nodes:
                        return dist, False
                    waiting[v] = True
                    queue[tail] = v
                    tail = tail + 1 if tail + 1 < n_nodes else 0
                    size += 1
    return dist, True


@njit(cache=True)
def lowest_rows(pi, row_nodes, pair_tails, pair_heads, pair_costs, pair_flows, sink_flows, capacity, sink):
    """Each supply row's lowest potential its residual arcs allow, the others' potentials fixed: at least
    π(sink) while it has people left (arc row → sink), at least π(need) − score for each pair it gives a
    person to (the pair's reverse arc). Rows touch only needs and the sink, so each can be lowered alone."""
    low = np.full(len(row_nodes), np.iinfo(np.int64).min, dtype=np.int64)
    base = row_nodes[0] if len(row_nodes) else 0
    for r in range(len(row_nodes)):
        if sink_flows[r] < capacity[r]:
            low[r] = pi[sink]
    for a in range(len(pair_tails)):
        if pair_flows[a] > 0:
            r = pair_heads[a] - base
            bound = pi[pair_tails[a]] + pair_costs[a]
            if bound > low[r]:
                low[r] = bound
    for r in range(len(row_nodes)):
        if low[r] == np.iinfo(np.int64).min:
            low[r] = pi[row_nodes[r]]
    return low


@njit(cache=True)
def all_reduced_costs_nonnegative(pi, tails, heads, caps, costs, flows):
    """The certificate holds: no residual arc has a negative reduced cost."""
    for a in range(len(tails)):
        reduced = costs[a] + pi[tails[a]] - pi[heads[a]]
        if flows[a] < caps[a] and reduced < 0:
            return False
        if flows[a] > 0 and reduced > 0:
            return False
    return True
