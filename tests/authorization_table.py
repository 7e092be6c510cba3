"""Who gets what from every URL of the portal: the expected answers of tests/test_authorization_table.py.

One line per URL and method. Columns: the URL's name (or, for an unnamed pattern, its route), the kwargs that
fill it (`name=value`, comma-separated, where value names one of the world's values in
tests/test_authorization_table.py::build_world; `-` for none), the method, and the answer for each role of ROLES
(visitor, volunteer, member of another organisation, own member, own admin, coordinator, and a coordinator
without an authenticator app):

    200 / 302 / 403 / 404 / 405 / 410   that status (302: a redirect that is not to a login or to the setup)
    LOGIN   a redirect to the login page, coming back to the URL afterwards
    SETUP   a redirect to setting up two-factor authentication (a coordinator without an authenticator app)
    ADMIN   a redirect to the admin's login (nobody of ROLES is staff)

A POST line reading `-` means the URL is not posted to (a page that takes no form). A `SKIP` line says why a
pattern is not requested at all. The admin's per-model pages are listed in ADMIN_MODELS: its changelist and change
pages are requested (a visitor is sent to log in, everyone else to the admin's login: nobody of ROLES is staff),
its add, history, delete and old change URL share their guard; the admin's other pages have lines.

Adding a URL: add its lines (the failing test prints them with `?` for each answer to fill in).
"""

from dataclasses import dataclass
from functools import cache

from tests.permission_matrix import LOGIN
from tests.permission_matrix import ROLES as MATRIX_ROLES

ROLES = [*MATRIX_ROLES, "coordinator_without_app"]
SETUP = "setup"
ADMIN = "admin-login"
NO_POST = None
REFUSED = {LOGIN, SETUP, ADMIN, 403, 404, 405, 410}
SAME_GUARD = (
    "the admin's per-model pages share one guard (AdminSite.admin_view): its changelist and change rows test it"
)

# The admin's pages of each registered model (changelist, add, history, delete, change and the old change URL).
ADMIN_MODELS = """
    auth.group  sites.site  account.emailaddress  mfa.authenticator
    axes.accessattempt  axes.accesslog  axes.accessfailurelog
    members.user  members.organisation  members.workplacement  members.membershipapplication  members.notification
    members.municipality  members.programme  members.theme  members.skill  members.invitation
    matching.match  matching.hoursentry  matching.matchfeedback  matching.matchingrequest  matching.matchingrun
"""

# fmt: off
TABLE = """
# URL                                   kwargs                              method visitor volunt. other   member  admin   coord.  no-app
# allauth: accounts and two-factor authentication (two of its pages are the portal's, see urls.py)
mfa_activate_totp                       -                                   GET    LOGIN   302     302     302     302     302     302
                                                                            POST   LOGIN   302     302     302     302     302     302
mfa_view_recovery_codes                 -                                   GET    LOGIN   404     404     404     404     302     404
                                                                            POST   LOGIN   405     405     405     405     405     405
mfa_activate_totp(shadowed)             -                                   SKIP   allauth's view at the same path as the portal's (members.views.two_factor); never reached
mfa_view_recovery_codes(shadowed)       -                                   SKIP   allauth's view at the same path as the portal's (members.views.two_factor); never reached
healthz                                 -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
impact                                  -                                   GET    302     302     302     302     302     302     302
                                                                            POST   302     302     302     302     302     302     302
account_login                           -                                   GET    200     302     302     302     302     302     302
                                                                            POST   200     302     302     302     302     302     302
account_logout                          -                                   GET    302     200     200     200     200     200     200
                                                                            POST   302     302     302     302     302     302     302
account_inactive                        -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
account_signup                          -                                   GET    200     302     302     302     302     302     302
                                                                            POST   200     302     302     302     302     302     302
account_reauthenticate                  -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
account_email                           -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   302     302     302     302     302     302
account_email_verification_sent         -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
account_change_password                 -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
account_set_password                    -                                   GET    LOGIN   302     302     302     302     302     302
                                                                            POST   LOGIN   302     302     302     302     302     302
account_reset_password                  -                                   GET    200     200     200     200     200     200     200
                                                                            POST   200     200     200     200     200     200     200
account_confirm_login_code              -                                   GET    302     302     302     302     302     302     302
                                                                            POST   302     302     302     302     302     302     302
account_confirm_email                   key=bogus                           GET    200     200     200     200     200     200     200
                                                                            POST   404     404     404     404     404     404     404
account_reset_password_from_key_done    -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
account_reset_password_from_key         uidb36=user36,key=bogus             GET    200     200     200     200     200     200     200
                                                                            POST   200     200     200     200     200     200     200
account_reset_password_done             -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
mfa_index                               -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   405     405     405     405     405     405
mfa_authenticate                        -                                   GET    302     302     302     302     302     302     302
                                                                            POST   302     302     302     302     302     302     302
mfa_reauthenticate                      -                                   GET    LOGIN   302     302     302     302     200     302
                                                                            POST   LOGIN   302     302     302     302     200     302
mfa_deactivate_totp                     -                                   GET    LOGIN   404     404     404     404     302     404
                                                                            POST   LOGIN   404     404     404     404     302     404
mfa_generate_recovery_codes             -                                   GET    LOGIN   302     302     302     302     302     302
                                                                            POST   LOGIN   302     302     302     302     302     302
mfa_download_recovery_codes             -                                   GET    LOGIN   404     404     404     404     302     404
                                                                            POST   LOGIN   404     404     404     404     302     404

# The admin (nobody of ROLES is staff: they are sent to its login, which is allauth's)
admin:index                             -                                   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:login                             -                                   GET    302     403     403     403     403     403     403
                                                                            POST   302     403     403     403     403     403     403
admin:logout                            -                                   GET    ADMIN   302     302     302     302     302     302
                                                                            POST   ADMIN   302     302     302     302     302     302
admin:password_change                   -                                   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:password_change_done              -                                   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:autocomplete                      -                                   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:jsi18n                            -                                   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:view_on_site                      content_type_id=any,object_id=any   GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:app_list                          app_label=app                       GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin/(?P<url>.*)$                      url=bogus                           GET    ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
admin:auth_user_password_change         id=any                              GET    LOGIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN
                                                                            POST   LOGIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN   ADMIN

# matching
matching:need-candidates                pk=need                             GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
matching:need-match-now                 pk=need                             GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   403     403     403     403     302     SETUP
matching:recommended                    -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   -
matching:review-queue                   -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
matching:review-approve-selected        -                                   GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   403     403     403     403     302     SETUP
matching:review-policy                  -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   LOGIN   403     403     403     403     200     SETUP
matching:needs-unanswered               -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
matching:match-review                   pk=proposed                         GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   403     403     403     403     200     SETUP
matching:match-replace                  pk=proposed                         GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   LOGIN   403     403     403     403     200     SETUP
matching:my-matches                     -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   -
matching:match-detail                   pk=approved                         GET    LOGIN   200     404     200     200     200     404
                                                                            POST   -
matching:match-accept                   pk=approved                         GET    LOGIN   200     404     200     200     403     404
                                                                            POST   LOGIN   302     404     302     302     403     404
matching:match-decline                  pk=approved                         GET    LOGIN   200     404     200     200     403     404
                                                                            POST   LOGIN   200     404     200     200     403     404
matching:match-withdraw                 pk=approved                         GET    LOGIN   200     404     200     200     200     404
                                                                            POST   LOGIN   200     404     200     200     200     404
matching:match-calendar                 pk=agreed                           GET    LOGIN   200     404     200     200     200     404
                                                                            POST   -
matching:need-matches                   pk=agreed_need                      GET    LOGIN   404     404     200     200     200     404
                                                                            POST   -
matching:need-help                      pk=need                             GET    200     200     200     200     200     200     200
                                                                            POST   LOGIN   302     403     403     403     403     403
matching:organisation-matches           slug=org                            GET    LOGIN   404     404     200     200     200     404
                                                                            POST   -
matching:hours-log                      pk=agreed                           GET    LOGIN   200     404     403     403     403     404
                                                                            POST   LOGIN   200     404     403     403     403     404
matching:match-feedback                 pk=agreed                           GET    LOGIN   200     404     200     200     403     404
                                                                            POST   LOGIN   200     404     200     200     403     404
matching:hours-confirm                  pk=agreed_need                      GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     200     200     200     404
matching:need-complete                  pk=agreed_need                      GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     200     200     200     404
matching:impact-dashboard               -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
matching:impact-public                  -                                   GET    200     200     200     200     200     200     200
                                                                            POST   -
matching:organisation-report            slug=org                            GET    LOGIN   404     404     404     200     200     404
                                                                            POST   -

# members
members:home                            -                                   GET    200     200     200     200     200     200     200
                                                                            POST   -
members:apply                           -                                   GET    200     200     200     200     200     200     200
                                                                            POST   200     200     200     200     200     200     200
members:apply-done                      -                                   GET    200     200     200     200     200     200     200
                                                                            POST   -
members:language-set                    -                                   GET    405     405     405     405     405     405     405
                                                                            POST   302     302     302     302     302     302     302
members:dashboard                       -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   -
members:organisation-switch             -                                   GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     404     404     404
members:organisation-detail             slug=org                            GET    200     200     200     200     200     200     200
                                                                            POST   -
members:organisation-contact            slug=org                            GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
members:welcome                         token=bogus                         GET    410     410     410     410     410     410     410
                                                                            POST   410     410     410     410     410     410     410
members:privacy-statement               -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
members:privacy-consent                 -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
members:account-data-export             -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   405     405     405     405     405     405
members:account-delete                  -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
members:inclusive-employer-list         -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
members:inclusive-employer-review       slug=employer                       GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   LOGIN   403     403     403     403     200     SETUP
members:inclusive-employer-declare      slug=org                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:organisation-edit               slug=org                            GET    LOGIN   404     404     404     200     200     404
                                                                            POST   LOGIN   404     404     404     200     200     404
members:invitation-create               slug=org                            GET    LOGIN   404     404     404     200     200     404
                                                                            POST   LOGIN   404     404     404     200     200     404
members:invitation-revoke               slug=org,pk=invitation              GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:membership-role                 slug=org,pk=colleague               GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:membership-remove               slug=org,pk=colleague               GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     403     302     302     404
members:invitation-accept               token=invitation_token              GET    200     200     200     200     200     200     200
                                                                            POST   200     302     302     302     302     302     302
members:application-list                -                                   GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   -
members:application-detail              pk=application                      GET    LOGIN   403     403     403     403     200     SETUP
                                                                            POST   LOGIN   403     403     403     403     200     SETUP
members:inbox                           -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   -
members:inbox-read-all                  -                                   GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   302     302     302     302     302     302
members:notification-open               pk=notification                     GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     404     404     404
members:account-settings                -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
members:need-list                       -                                   GET    200     200     200     200     200     200     200
                                                                            POST   -
members:need-detail                     pk=need                             GET    200     200     200     200     200     200     200
                                                                            POST   -
members:need-edit                       pk=need                             GET    LOGIN   404     404     200     200     200     404
                                                                            POST   LOGIN   404     404     200     200     200     404
members:need-transition                 pk=need                             GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     302     302     404
members:need-workspace                  slug=org                            GET    LOGIN   404     404     200     200     200     404
                                                                            POST   -
members:need-create                     slug=org                            GET    LOGIN   404     404     200     200     200     404
                                                                            POST   LOGIN   404     404     200     200     200     404
members:volunteer-profile               -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   LOGIN   200     200     200     200     200     200
members:volunteer-detail                pk=volunteer                        GET    LOGIN   404     404     404     200     200     404
                                                                            POST   -
members:volunteer-import-example        -                                   GET    LOGIN   200     200     200     200     200     200
                                                                            POST   -
members:volunteer-join                  token=join_token                    GET    200     200     200     200     200     200     200
                                                                            POST   200     200     200     200     200     200     200
members:volunteer-list                  slug=org                            GET    LOGIN   404     404     404     200     200     404
                                                                            POST   -
members:volunteer-join-link-reset       slug=org                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:volunteer-import                slug=org                            GET    LOGIN   404     404     404     200     200     404
                                                                            POST   LOGIN   404     404     404     200     200     404
members:volunteer-import-preview        slug=org,pk=import                  GET    LOGIN   404     404     404     200     200     404
                                                                            POST   -
members:volunteer-import-commit         slug=org,pk=import                  GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:volunteer-import-discard        slug=org,pk=import                  GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     404     302     302     404
members:organisation-list               -                                   GET    200     200     200     200     200     200     200
                                                                            POST   405     405     405     405     405     405     405
members:offer-list                      slug=org                            GET    LOGIN   404     404     200     200     200     404
                                                                            POST   LOGIN   405     405     405     405     405     405
members:offer-create                    slug=org                            GET    LOGIN   404     404     200     200     403     404
                                                                            POST   LOGIN   404     404     200     200     403     404
members:offer-detail                    pk=offer                            GET    LOGIN   404     404     200     200     200     404
                                                                            POST   LOGIN   405     405     405     405     405     405
members:offer-edit                      pk=offer                            GET    LOGIN   404     404     200     200     403     404
                                                                            POST   LOGIN   404     404     200     200     403     404
members:offer-activate                  pk=offer                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     302     403     404
members:offer-pause                     pk=offer                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     302     403     404
members:offer-resume                    pk=offer                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     302     403     404
members:offer-close                     pk=offer                            GET    LOGIN   405     405     405     405     405     405
                                                                            POST   LOGIN   404     404     302     302     403     404
"""
# fmt: on


@dataclass(frozen=True)
class Row:
    kwargs: dict
    get: tuple | None  # None: not requested (SKIP)
    post: tuple | None
    skip: str = ""


def _answer(token: str):
    return {"LOGIN": LOGIN, "SETUP": SETUP, "ADMIN": ADMIN}.get(token) or int(token)


def _kwargs(text: str) -> dict:
    return dict(pair.split("=") for pair in text.split(",")) if text != "-" else {}


@cache
def table() -> dict[str, Row]:
    rows, key, kwargs, get = {}, None, {}, None
    for line in TABLE.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens = line.split()
        if not line[0].isspace():
            key, kwargs, tokens = tokens[0], _kwargs(tokens[1]), tokens[2:]
        method, answers = tokens[0], tokens[1:]
        if method == "SKIP":
            rows[key] = Row(kwargs, None, None, skip=" ".join(answers))
        elif method == "GET":
            assert len(answers) == len(ROLES), f"{key}: {len(answers)} answers for {len(ROLES)} roles"
            get = tuple(_answer(token) for token in answers)
            rows[key] = Row(kwargs, get, NO_POST)
        else:
            post = NO_POST if answers == ["-"] else tuple(_answer(token) for token in answers)
            assert post is NO_POST or len(post) == len(ROLES), f"{key}: {len(answers)} answers for {len(ROLES)} roles"
            rows[key] = Row(kwargs, get, post)
    for model in ADMIN_MODELS.split():
        app_label, name = model.split(".")
        page = f"admin:{app_label}_{name}"
        # A visitor is sent to the portal's login first (LoginRequiredMiddleware); nobody of ROLES is staff.
        guarded = (LOGIN, *(ADMIN,) * (len(ROLES) - 1))
        rows[f"{page}_changelist"] = Row({}, guarded, guarded)
        rows[f"{page}_change"] = Row({"object_id": "any"}, guarded, guarded)
        for other in ["add", "history", "delete"]:
            rows[f"{page}_{other}"] = Row({}, None, None, skip=SAME_GUARD)
        rows[f"admin/{app_label}/{name}/<path:object_id>/"] = Row({}, None, None, skip=SAME_GUARD)
    return rows


def cases() -> list[tuple]:
    """(URL key, method, role, expected answer) for every cell of the table."""
    return [
        (key, method, role, expected)
        for key, row in table().items()
        for method, answers in (("GET", row.get), ("POST", row.post))
        if answers is not None
        for role, expected in zip(ROLES, answers, strict=True)
    ]


ADMIN_MODEL_PAGES = ("_changelist", "_add", "_history", "_delete", "_change")


def missing_row_hint(key: str, route: str, *, model_admin=None) -> str:
    """The lines to add for a URL pattern without a row, with `?` for the answers to fill in."""
    if model_admin is not None and (key.endswith(ADMIN_MODEL_PAGES) or key.endswith("<path:object_id>/")):
        return f"    {key}: add {model_admin.opts.app_label}.{model_admin.opts.model_name} to ADMIN_MODELS"
    names = [part.split(">")[0].split(":")[-1] for part in route.split("<")[1:]]
    kwargs = ",".join(f"{name}=?" for name in names) or "-"
    unknown = " ".join(["?"] * len(ROLES))
    return f"{key:40}{kwargs:36}GET    {unknown}\n{'':76}POST   {unknown}   (or `-` if it takes no POST)"
