"""The association's review policy: whether routine proposals of the engine are approved without a
coordinator, and from which score. `lifecycle.policy_apply` reads it after every matching run; needs that
work with vulnerable people and volunteers' own offers to help are always left for a coordinator."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.permissions import require

from .. import permissions
from ..models import ReviewPolicy


@transaction.atomic
def review_policy_update(*, acting_user: User, auto_approve: bool, min_score: float) -> ReviewPolicy:
    """A coordinator sets the review policy (the one row, created on first use) and is recorded as who
    changed it and when. Applies to proposals of later matching runs; proposals already waiting stay in the
    queue. Refused, changing nothing, for a score outside 0 to 1. Safe to repeat."""
    require(permissions.can_review_match(acting_user))
    if min_score is None or not 0.0 <= float(min_score) <= 1.0:
        raise ValidationError({"auto_approve_min_score": _("Choose a score between 0 and 1.")})
    policy = ReviewPolicy.objects.select_for_update().order_by("pk").first() or ReviewPolicy()
    policy.auto_approve = bool(auto_approve)
    policy.auto_approve_min_score = float(min_score)
    policy.updated_at = timezone.now()
    policy.updated_by = acting_user
    policy.save()
    return policy
