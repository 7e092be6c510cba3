"""Every change to data goes through one function in this package: `services.<entity>_<verb>`.

Each service is keyword-only, atomic, checks who acts and the current status, records who and when, and
writes its notifications in the same transaction (the outbox). Views, tasks, admin actions and the shell
all come through here, so they obey the same rules.
"""

from .contact import *  # noqa: F403 - each module lists its services in __all__
from .employers import *  # noqa: F403
from .needs import *  # noqa: F403
from .offers import *  # noqa: F403
from .organisations import (
    INVITATION_SALT,
    AccountExists,
    NewAccount,
    account_exists_tell,
    coordinator_grant,
    coordinators,
    invitation_accept,
    invitation_accept_with_signup,
    invitation_create,
    invitation_from_token,
    invitation_link_token,
    invitation_problem,
    invitation_revoke,
    membership_application_decide,
    membership_apply,
    membership_change_role,
    membership_remove,
    notification_preferences_update,
    notifications_mark_read,
    organisation_update,
    unique_slug,
    user_create,
    user_set_language,
    user_update_profile,
)
from .privacy import *  # noqa: F403
from .two_factor import *  # noqa: F403
from .volunteers import *  # noqa: F403
from .welcome import *  # noqa: F403

__all__ = [
    "INVITATION_SALT",
    "AccountExists",
    "NewAccount",
    "account_exists_tell",
    "coordinator_grant",
    "coordinators",
    "invitation_accept",
    "invitation_accept_with_signup",
    "invitation_create",
    "invitation_from_token",
    "invitation_link_token",
    "invitation_problem",
    "invitation_revoke",
    "membership_application_decide",
    "membership_apply",
    "membership_change_role",
    "membership_remove",
    "notification_preferences_update",
    "notifications_mark_read",
    "organisation_update",
    "unique_slug",
    "user_create",
    "user_set_language",
    "user_update_profile",
]
