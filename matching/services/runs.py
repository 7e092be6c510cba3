"""Matching runs: proposing volunteers for open needs with the engine, and reading its explanations.

`matches_refresh` is the one place that writes proposals. It loads the needs and the (cached) volunteer
features, asks the engine for the best global assignment over the slots still open, and records new
proposals with their score and reasons. It never touches a match a person has decided, never proposes a
pair twice (the unique constraint backs this up), and a second run on unchanged data proposes nothing new.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from members.models import Need

from .. import engine, features
from ..models import Match, MatchingRequest, MatchingRun
from . import notices
from .lifecycle import policy_apply

logger = logging.getLogger(__name__)


def weights() -> engine.Weights:
    return engine.Weights(**settings.MATCHING_WEIGHTS)


def rules(**overrides) -> engine.Rules:
    return engine.Rules(min_required_coverage=settings.MATCHING_MIN_REQUIRED_COVERAGE, **overrides)


@lru_cache(maxsize=1)
def _language_names() -> dict[str, tuple[str, str]]:
    from members.models import SpokenLanguage

    return {code: (nl, en) for code, nl, en in SpokenLanguage.objects.values_list("code", "name_nl", "name_en")}


def reason_text(reason: engine.Reason) -> str:
    """One reason in the reader's language."""
    values = reason.values
    if reason.code == "required":
        return (
            ngettext(
                "covers %(covered)s of %(total)s required skill",
                "covers %(covered)s of %(total)s required skills",
                values["total"],
            )
            % values
        )
    if reason.code == "remote":
        return _("can work remotely")
    if reason.code == "distance":
        return _("%(km)s km away") % values
    if reason.code == "language":
        return _("speaks %(language)s") % {"language": _language_name(values["language"])}
    if reason.code == "themes":
        return (
            ngettext("cares about %(count)s of its themes", "cares about %(count)s of its themes", values["count"])
            % values
        )
    if reason.code == "busy":
        if values.get("count"):
            # The load component lowered the score: say by how much the person is asked for already.
            return (
                ngettext(
                    "already has %(count)s proposal or match, which lowers the score",
                    "already has %(count)s proposals or matches, which lowers the score",
                    values["count"],
                )
                % values
            )
        return _("already helps elsewhere")
    if reason.code == "waiting":
        return _("this need has waited long")
    return reason.code


def _language_name(code: str) -> str:
    names = _language_names().get(code)
    name = (names[1] if get_language().startswith("en") else names[0]) if names else code
    return name.lower() if get_language().startswith("nl") else name


def explain_pairs(cands: engine.Candidates, vocabulary: features.Vocabulary) -> list[list[dict]]:
    """Reasons for each candidate, as codes with values (stored as JSON, translated when shown), written from
    the facts the kernel scored the pair with."""
    codes = vocabulary.code_of_bit()
    return [
        [{"code": r.code, "values": r.values} for r in engine.explain(cands, row, language_codes=codes)]
        for row in range(len(cands))
    ]


def _supply_fields(supply: engine.Supply, row: int) -> dict:
    """The Match fields that name a supply row: its volunteer or its offer."""
    is_volunteer = supply.kind[row] == engine.VOLUNTEER
    return {
        "volunteer_id": int(supply.ids[row]) if is_volunteer else None,
        "offer_id": None if is_volunteer else int(supply.ids[row]),
    }


def _still_active(supply: engine.Supply, cands: engine.Candidates) -> engine.Candidates:
    """Drop pairs whose volunteer or offer stopped being active since the features were cached (a deleted
    profile does not change the cache's version); one indexed query per kind."""
    from members.models import Offer, Volunteer

    kinds, ids = supply.kind[cands.supply], supply.ids[cands.supply]
    keep = np.ones(len(cands), dtype=bool)
    for kind, queryset in ((engine.VOLUNTEER, Volunteer.objects.active()), (engine.OFFER, Offer.objects.active())):
        mine = kinds == kind
        if mine.any():
            alive = set(queryset.filter(pk__in=ids[mine].tolist()).values_list("pk", flat=True))
            keep[mine] = [int(pk) in alive for pk in ids[mine]]
    return cands.take(np.flatnonzero(keep))


def matches_refresh(
    *, need_ids=None, trigger: str = MatchingRun.Trigger.NIGHTLY, today: date | None = None, started_by=None
) -> MatchingRun:
    """Propose volunteers for the given open needs (all open needs when None) and record the run.

    Creates `proposed` matches for the chosen pairs; leaves every existing match as it is. Safe to repeat:
    existing pairs are never proposed again and count against the slots they fill.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    if need_ids is None:
        need_ids = list(Need.objects.open().values_list("pk", flat=True))
    vocabulary, supply = features.current()
    needs = features.load_needs(need_ids, vocabulary, today=today)
    existing = {
        (need_id, engine.VOLUNTEER, volunteer_id) if volunteer_id else (need_id, engine.OFFER, offer_id)
        for need_id, volunteer_id, offer_id in Match.objects.filter(need_id__in=needs.ids.tolist()).values_list(
            "need_id", "volunteer_id", "offer_id"
        )
    }
    proposal = engine.propose(
        needs, supply, vocabulary.distances, weights=weights(), rules=rules(), exclude=frozenset(existing)
    )
    chosen = _still_active(supply, proposal.candidates.take(proposal.assignment.rows))
    reasons = explain_pairs(chosen, vocabulary)
    with transaction.atomic():
        run = MatchingRun.objects.create(trigger=trigger, started_by=started_by)
        created = Match.objects.bulk_create(
            [
                Match(
                    need_id=int(needs.ids[i]),
                    **_supply_fields(supply, int(j)),
                    score=float(score),
                    components=dict(zip(engine.COMPONENTS, (round(float(c), 4) for c in comps), strict=True)),
                    reasons=why,
                    run=run,
                )
                for i, j, score, comps, why in zip(
                    chosen.need, chosen.supply, chosen.score, chosen.components, reasons, strict=True
                )
            ],
            ignore_conflicts=True,
        )
        with_proposal = len(
            set(needs.ids.tolist())
            & set(Match.objects.active().filter(need_id__in=needs.ids.tolist()).values_list("need_id", flat=True))
        )
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.needs_considered = len(needs)
        run.volunteers_considered = len(supply)
        run.pairs_scored = proposal.candidates.pairs_scored
        run.proposals = len(created)
        run.open_needs_with_proposal_share = with_proposal / len(needs) if len(needs) else 0.0
        run.save()
        created_ids = list(Match.objects.filter(run=run).values_list("pk", flat=True))
        approved = policy_apply(match_ids=created_ids)
        notices.proposals_waiting(count=len(created_ids) - approved, key=f"run:{run.pk}")
    return run


def candidates_for_need(*, need: Need, limit: int = 10, today: date | None = None):
    """The best `limit` volunteers or offers for one need, with score and reasons, for a coordinator to look at.
    Reads only; proposes nothing."""
    vocabulary, supply = features.current()
    needs = features.load_needs([need.pk], vocabulary, today=today or timezone.localdate())
    if not len(needs):
        return []
    needs.slots[:] = max(int(needs.slots[0]), 1)
    cands = engine.candidates(needs, supply, vocabulary.distances, weights=weights(), rules=rules(top_k=limit))
    return [
        {**_supply_fields(supply, int(j)), "score": float(score), "reasons": why}
        for j, score, why in zip(cands.supply, cands.score, explain_pairs(cands, vocabulary), strict=True)
    ]


def need_shortfall(*, need: Need, today: date | None = None) -> dict | None:
    """Who is missing for an open need: of the active volunteers and offers, how many have enough of its
    required skills, and among those how many each hard rule rules out (`count`; one person can break
    several) and for how many it is the only obstacle (`only`), largest first. Plain data for
    `matching/_who_is_missing.html`; None for a need that is not open. Reads only."""
    vocabulary, supply = features.current()
    needs = features.load_needs([need.pk], vocabulary, today=today or timezone.localdate())
    if not len(needs):
        return None
    found = engine.shortfall(needs, supply, vocabulary.distances, rules=rules())
    codes = vocabulary.code_of_bit()
    wanted = int(needs.languages[0])
    return {
        "people": found.people,
        "with_skills": found.with_skills,
        "fit": found.fit,
        "required_total": found.required_total,
        "hybrid": found.location == engine.HYBRID,
        "languages": get_text_list([_language_name(codes[bit]) for bit in sorted(codes) if wanted >> bit & 1], _("or")),
        "rules": sorted(
            (
                {"code": code, "count": count, "only": found.only[code]}
                for code, count in found.ruled_out.items()
                if count
            ),
            key=lambda rule: (-rule["count"], engine.RULES.index(rule["code"])),
        ),
    }


def needs_for_volunteer(*, volunteer, limit: int = 10, today: date | None = None):
    """The open needs that fit one volunteer best, with score and reasons ("recommended for you").
    Reads only; proposes nothing."""
    return needs_for_supply(kind=engine.VOLUNTEER, supply_id=volunteer.pk, limit=limit, today=today)


def needs_for_supply(*, kind: int, supply_id: int, limit: int = 10, today: date | None = None):
    """The open needs that fit one volunteer (`kind` engine.VOLUNTEER) or offer (engine.OFFER) best, whatever
    proposals hold their places. Uses the cached open needs and supply: one indexed version check each and
    one query for the row's current load; no need is loaded from the database. Reads only."""
    vocabulary, supply = features.current(usage=False)
    row = features.supply_row(supply, kind=kind, supply_id=supply_id)
    if row is None:
        return []
    one = features.row_usage(supply, row)
    needs = features.open_needs(vocabulary, today=today or timezone.localdate())
    cands = engine.best_needs(needs, one, 0, vocabulary.distances, weights=weights(), rules=rules(), limit=limit)
    return [
        {"need_id": int(needs.ids[i]), "score": float(score), "reasons": why}
        for i, score, why in zip(cands.need, cands.score, explain_pairs(cands, vocabulary), strict=True)
    ]


def matches_refresh_for_supply(*, kind: int, supply_id: int, needs: int = 20) -> int:
    """A volunteer (`kind` engine.VOLUNTEER) or an offer (engine.OFFER) with id `supply_id` became active: rerun
    matching for the open needs that fit it best (not the whole batch, which runs nightly). Returns the
    number of new proposals. Does nothing for a row that is not active. Safe to repeat."""
    need_ids = [row["need_id"] for row in needs_for_supply(kind=kind, supply_id=supply_id, limit=needs)]
    if not need_ids:
        return 0
    return matches_refresh(need_ids=need_ids, trigger=MatchingRun.Trigger.VOLUNTEER).proposals


def warm_up() -> None:
    """Load the features (volunteers, offers, open needs) and every compiled kernel, so later runs are warm."""
    vocabulary, _supply = features.current()
    features.open_needs(vocabulary, today=timezone.localdate())


# Durable requests for matching ------------------------------------------------------------------------


def matching_request_create(
    *, kind: str, object_id: int, trigger: str = MatchingRun.Trigger.PUBLISHED, requested_by=None
) -> MatchingRequest:
    """Record that matching should run for a need, volunteer or offer, in the caller's transaction, and hand
    it to a worker after commit without waiting for the broker. A request the broker misses is picked up by
    `matching_requests_sweep`. Safe to repeat: running matching twice proposes nothing new."""
    from brainport_voor_elkaar.publish import publish_on_commit

    from ..tasks import matching_request_process

    request = MatchingRequest.objects.create(kind=kind, object_id=object_id, trigger=trigger, requested_by=requested_by)
    publish_on_commit(matching_request_process, request.pk)
    return request


def matching_request_process(*, request_id: int) -> int:
    """Claim a waiting request (pending → running), run matching for it and mark it done. Returns the number of
    new proposals. A request already claimed or done is left alone, so a task delivered twice runs once."""
    now = timezone.now()
    claimed = MatchingRequest.objects.filter(pk=request_id, status=MatchingRequest.Status.PENDING).update(
        status=MatchingRequest.Status.RUNNING, claimed_at=now, attempts=models.F("attempts") + 1
    )
    if not claimed:
        return 0
    request = MatchingRequest.objects.get(pk=request_id)
    try:
        if request.kind == MatchingRequest.Kind.NEED:
            is_open = Need.objects.open().filter(pk=request.object_id).exists()
            proposals = (
                matches_refresh(
                    need_ids=[request.object_id], trigger=request.trigger, started_by=request.requested_by
                ).proposals
                if is_open
                else 0
            )
        else:
            kind = engine.VOLUNTEER if request.kind == MatchingRequest.Kind.VOLUNTEER else engine.OFFER
            proposals = matches_refresh_for_supply(kind=kind, supply_id=request.object_id)
    except Exception as error:
        failed = request.attempts >= settings.MATCHING_REQUEST_MAX_ATTEMPTS
        MatchingRequest.objects.filter(pk=request_id).update(
            status=MatchingRequest.Status.FAILED if failed else MatchingRequest.Status.PENDING,
            claimed_at=None,
            last_error=str(error)[:500],
        )
        raise
    MatchingRequest.objects.filter(pk=request_id).update(
        status=MatchingRequest.Status.DONE, finished_at=timezone.now(), proposals=proposals
    )
    return proposals


def matching_requests_sweep(*, limit: int = 200) -> int:
    """Re-enqueue requests left pending (a broker outage) and release claims of workers that died. Returns
    how many were enqueued. Safe to repeat: processing claims each request once."""
    from ..tasks import matching_request_process

    now = timezone.now()
    MatchingRequest.objects.filter(
        status=MatchingRequest.Status.RUNNING,
        claimed_at__lt=now - timedelta(seconds=settings.MATCHING_REQUEST_LEASE_SECONDS),
    ).update(status=MatchingRequest.Status.PENDING, claimed_at=None)
    ids = list(
        MatchingRequest.objects.filter(
            status=MatchingRequest.Status.PENDING,
            created_at__lte=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS),
        ).values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for pk in ids:
        try:
            matching_request_process.delay(pk)
        except Exception:  # noqa: BLE001 - the broker is still away; the next sweep tries again
            logger.warning("Could not enqueue matching request %s; next sweep.", pk, exc_info=True)
            break
        enqueued += 1
    return enqueued
