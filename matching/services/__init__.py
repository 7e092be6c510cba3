"""Every change matching makes goes through one function in this package.

- `runs`: matching runs (proposals from the engine), the durable matching requests and their sweep, and
  the read-only candidate and recommendation lists.
- `lifecycle`: review, acceptance, withdrawal, expiry, start and completion of a match.
- `hours`: hours, feedback and completing a need.
- `notices`: the notifications the others write (internal).
"""

from .clock import matches_expire, matches_start
from .hours import feedback_give, hours_confirm, hours_errors, hours_log, need_complete
from .lifecycle import (
    TRANSITIONS,
    match_accept,
    match_approve,
    match_complete,
    match_decline,
    match_offer_help,
    match_reject,
    match_replace,
    match_start,
    match_withdraw,
    matches_approve,
    policy_apply,
)
from .policy import review_policy_update
from .runs import (
    candidates_for_need,
    explain_pairs,
    matches_refresh,
    matches_refresh_for_supply,
    matching_request_create,
    matching_request_process,
    matching_requests_sweep,
    need_shortfall,
    needs_for_supply,
    needs_for_volunteer,
    reason_text,
    rules,
    warm_up,
    weights,
)

__all__ = [
    "TRANSITIONS",
    "candidates_for_need",
    "explain_pairs",
    "feedback_give",
    "hours_confirm",
    "hours_errors",
    "hours_log",
    "match_accept",
    "match_approve",
    "match_complete",
    "match_decline",
    "match_offer_help",
    "match_reject",
    "match_replace",
    "match_start",
    "match_withdraw",
    "matches_approve",
    "matches_expire",
    "matches_refresh",
    "matches_refresh_for_supply",
    "matches_start",
    "matching_request_create",
    "matching_request_process",
    "matching_requests_sweep",
    "need_complete",
    "need_shortfall",
    "needs_for_supply",
    "needs_for_volunteer",
    "policy_apply",
    "reason_text",
    "review_policy_update",
    "rules",
    "warm_up",
    "weights",
]
