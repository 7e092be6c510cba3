"""Volunteers: joining through the company's link, the volunteer's own profile, and the CSV import.

A volunteer is an employee of a member organisation with a profile of what they can give; with consent to
the privacy terms and not paused, the profile is an offer of one person. Only the person can give consent.
A company admin can register many people at once from a CSV: the file is parsed and kept for a preview,
then committed whole or not at all. Each service is keyword-only and atomic, re-checks who acts, and writes
its notifications in the same transaction (the outbox).
"""

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import csv_import, events
from ..models import (
    Membership,
    Municipality,
    NotificationKind,
    Organisation,
    Skill,
    SpokenLanguage,
    User,
    Volunteer,
    VolunteerImport,
    VolunteerSkill,
)
from ..notifications import Recipient, notify, notify_each
from ..permissions import can_manage_organisation, require
from .organisations import NewAccount, user_create
from .privacy import privacy_consent_give, privacy_consent_withdraw
from .welcome import welcome_link

__all__ = [
    "JOIN_LINK_SALT",
    "PROFILE_FIELDS",
    "import_lookups",
    "join_link_organisation",
    "join_link_problem",
    "join_link_reset",
    "join_link_token",
    "volunteer_import_check",
    "volunteer_import_commit",
    "volunteer_import_discard",
    "volunteer_import_upload",
    "volunteer_join",
    "volunteer_register",
    "volunteer_update",
]

JOIN_LINK_SALT = "members.join-link"

# The scalar fields a profile dict may hold; `languages`, `themes` and `skills` ({Skill: level}) are the rest.
PROFILE_FIELDS = (
    "municipality",
    "travel_km",
    "remote_ok",
    "hours_per_month",
    "available_weekdays",
    "available_evenings",
    "available_weekends",
    "status",
)


# Join link -----------------------------------------------------------------------------------------


def join_link_token(organisation: Organisation) -> str:
    """The token of the organisation's current join link; it stops working when the link is reset."""
    return signing.dumps([organisation.pk, organisation.join_link_version], salt=JOIN_LINK_SALT, compress=True)


def join_link_organisation(token: str) -> Organisation | None:
    """The organisation a join link names, or None when it is forged, malformed or has been reset."""
    try:
        pk, version = signing.loads(token, salt=JOIN_LINK_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return Organisation.objects.filter(pk=pk, join_link_version=version).first()


def join_link_problem(organisation: Organisation | None) -> str | None:
    """Why a join link cannot be used, in words for the person holding it; None when it can."""
    if organisation is None:
        return _("This link is not valid (any more). Ask your employer for the current link.")
    if organisation.status != Organisation.Status.ACTIVE:
        return _("This organisation is not a member at the moment.")
    return None


@transaction.atomic
def join_link_reset(*, organisation: Organisation, acting_user: User) -> Organisation:
    """An org admin or coordinator replaces the join link: every earlier link stops working. Each call
    makes a new link."""
    require(can_manage_organisation(acting_user, organisation))
    Organisation.objects.filter(pk=organisation.pk).update(join_link_version=F("join_link_version") + 1)
    organisation.refresh_from_db(fields=["join_link_version"])
    return organisation


# Profiles ------------------------------------------------------------------------------------------


def _consent_required():
    return ValidationError({"consent": _("Agree to the privacy terms to register as a volunteer.")})


def _save_profile(volunteer: Volunteer, profile: dict) -> Volunteer:
    for name in PROFILE_FIELDS:
        if name in profile:
            setattr(volunteer, name, profile[name])
    volunteer.updated_at = timezone.now()
    volunteer.full_clean(exclude=["user", "organisation"], validate_unique=False, validate_constraints=False)
    volunteer.save()
    if "languages" in profile:
        volunteer.languages.set(profile["languages"])
    if "themes" in profile:
        volunteer.themes.set(profile["themes"])
    if "skills" in profile:
        VolunteerSkill.objects.filter(volunteer=volunteer).delete()
        VolunteerSkill.objects.bulk_create(
            VolunteerSkill(volunteer=volunteer, skill=skill, level=level) for skill, level in profile["skills"].items()
        )
    return volunteer


@transaction.atomic
def volunteer_register(*, user: User, organisation: Organisation, profile: dict, consent: bool) -> Volunteer:
    """A member of an organisation registers themselves as its volunteer, agreeing to the privacy terms.

    Creates the profile; active unless `profile` says paused, and then enqueues matching for them after
    commit. Not repeatable: a person has one volunteer profile, and a second registration is refused with a
    clear message.
    """
    if not consent:
        raise _consent_required()
    require(Membership.objects.filter(user=user, organisation=organisation).exists())
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("This organisation is not a member at the moment."))
    existing = Volunteer.objects.filter(user=user).select_related("organisation").first()
    if existing is not None:
        raise ValidationError(
            _("You are already registered as a volunteer of %(org)s.") % {"org": existing.organisation.name}
        )
    now = timezone.now()
    try:
        # A double click: the second registration finds the first one's row and is refused like above.
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=user, organisation=organisation, consent_at=now, created_at=now, updated_at=now
            )
    except IntegrityError as error:
        raise ValidationError(_("You are already registered as a volunteer.")) from error
    privacy_consent_give(user=user)
    volunteer = _save_profile(volunteer, profile)
    if volunteer.status == Volunteer.Status.ACTIVE:
        events.volunteer_activated.send(sender=Volunteer, volunteer_id=volunteer.pk)
    return volunteer


@transaction.atomic
def volunteer_join(
    *,
    organisation: Organisation,
    profile: dict,
    consent: bool,
    user: User | None = None,
    account: NewAccount | None = None,
) -> Volunteer:
    """Someone joins their employer through its join link: a signed-in `user`, or a new `account` (its email
    address not yet verified, so it cannot log in before confirming it).

    Makes them a volunteer of the organisation (staff keep their role) and registers them as its volunteer.
    Not repeatable: someone who already has a volunteer profile is refused with a clear message.
    """
    problem = join_link_problem(organisation)
    if problem:
        raise ValidationError(problem)
    if not consent:
        raise _consent_required()
    if user is None:
        if account is None:
            raise ValueError("Either a user or a new account is required.")
        user = user_create(account=account)
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.VOLUNTEER})
    return volunteer_register(user=user, organisation=organisation, profile=profile, consent=consent)


@transaction.atomic
def volunteer_update(
    *, volunteer: Volunteer, acting_user: User, profile: dict, consent: bool | None = None
) -> Volunteer:
    """Change a volunteer's profile: the volunteer, or their organisation's admin or a coordinator.

    `consent` True gives consent (keeping the first date), False withdraws it, which stops matching; only
    the volunteer themselves can change it. An active profile with consent enqueues matching after commit.
    Safe to repeat.
    """
    own = acting_user.pk == volunteer.user_id
    require(own or can_manage_organisation(acting_user, volunteer.organisation))
    if consent is not None:
        if not own:
            raise PermissionDenied
        volunteer.consent_at = (volunteer.consent_at or timezone.now()) if consent else None
        if consent:
            privacy_consent_give(user=acting_user)
        else:
            privacy_consent_withdraw(user=acting_user)
    volunteer = _save_profile(volunteer, profile)
    if volunteer.status == Volunteer.Status.ACTIVE and volunteer.consent_at:
        events.volunteer_activated.send(sender=Volunteer, volunteer_id=volunteer.pk)
    return volunteer


# CSV import ----------------------------------------------------------------------------------------


def import_lookups() -> csv_import.Lookups:
    """Municipalities, skills and languages by lower-case code or name (Dutch and English)."""
    skills, languages = {}, {}
    for pk, code, name_nl, name_en in Skill.objects.values_list("pk", "code", "name_nl", "name_en"):
        for key in (name_nl, name_en, code):
            skills[key.lower()] = pk
    for pk, code, name_nl, name_en in SpokenLanguage.objects.values_list("pk", "code", "name_nl", "name_en"):
        for key in (name_nl, name_en, code):
            languages[key.lower()] = pk
    return csv_import.Lookups(
        municipalities={name.lower(): pk for pk, name in Municipality.objects.values_list("pk", "name")},
        skills=skills,
        languages=languages,
    )


def _people_by_email(organisation: Organisation, emails) -> dict:
    """What the database knows of each address: the user, whether they belong to the organisation, and
    the organisation they volunteer for."""
    rows = (
        User.objects.annotate(
            email_lower=Lower("email"),
            is_member=Exists(Membership.objects.filter(user=OuterRef("pk"), organisation=organisation)),
        )
        .filter(email_lower__in=list(emails))
        .values("pk", "email_lower", "is_active", "is_member", volunteer_organisation=F("volunteer__organisation"))
    )
    return {row["email_lower"]: row for row in rows}


def _check_against_database(parsed: csv_import.ParsedFile, organisation: Organisation) -> dict:
    """Add the problems only the database can tell (someone else's person) and mark rows that update."""
    people = _people_by_email(organisation, {row.email for row in parsed.rows if row.email})
    for row in parsed.rows:
        person = people.get(row.email)
        if person is None:
            continue
        if not person["is_active"]:
            row.add_error("email", _("The account of %(email)s is blocked.") % {"email": row.email})
        elif person["volunteer_organisation"] not in (None, organisation.pk):
            row.add_error(
                "email",
                _("%(email)s is registered as a volunteer of another organisation.") % {"email": row.email},
            )
        elif not person["is_member"]:
            # The person has an account outside this organisation: they decide themselves whether to join.
            row.add_error(
                "email",
                _("%(email)s already has an account outside %(org)s. Send an invitation instead.")
                % {"email": row.email, "org": organisation.name},
            )
        else:
            row.updates_existing = person["volunteer_organisation"] == organisation.pk
    return people


def volunteer_import_check(volunteer_import: VolunteerImport) -> csv_import.ParsedFile:
    """The rows of a previewed import as a commit would write them now, each with its problems."""
    parsed = csv_import.parse(volunteer_import.content, lookups=import_lookups())
    _check_against_database(parsed, volunteer_import.organisation)
    return parsed


@transaction.atomic
def volunteer_import_upload(
    *, organisation: Organisation, acting_user: User, filename: str, text: str
) -> VolunteerImport:
    """An org admin uploads a CSV of volunteers. It is checked and kept for the preview; no person or
    profile changes yet. The organisation's earlier previews are discarded (their text deleted). A file
    that cannot be read is refused with a ValidationError on `file`. Each call is a new import."""
    require(can_manage_organisation(acting_user, organisation))
    if organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError(_("Only member organisations can register volunteers."))
    try:
        parsed = csv_import.parse(text, lookups=import_lookups())
    except csv_import.CsvFileError as error:
        raise ValidationError({"file": error.message}) from error
    _check_against_database(parsed, organisation)
    VolunteerImport.objects.filter(organisation=organisation, status=VolunteerImport.Status.PREVIEWED).update(
        status=VolunteerImport.Status.DISCARDED, content=""
    )
    return VolunteerImport.objects.create(
        organisation=organisation,
        uploaded_by=acting_user,
        filename=filename[:255],
        content=text,
        row_count=len(parsed.rows),
        error_count=parsed.error_count,
    )


@transaction.atomic
def volunteer_import_discard(*, volunteer_import: VolunteerImport, acting_user: User) -> VolunteerImport:
    """Drop a previewed import and its text. Safe to repeat; an import already committed stays."""
    require(can_manage_organisation(acting_user, volunteer_import.organisation))
    VolunteerImport.objects.filter(pk=volunteer_import.pk, status=VolunteerImport.Status.PREVIEWED).update(
        status=VolunteerImport.Status.DISCARDED, content=""
    )
    volunteer_import.refresh_from_db()
    return volunteer_import


@transaction.atomic
def volunteer_import_commit(*, volunteer_import: VolunteerImport, acting_user: User) -> VolunteerImport:
    """Write every row of a previewed import, or nothing when any row has a problem.

    A new address gets an account without a password, membership of the organisation and a volunteer
    profile; an address already registered here has its profile updated (empty cells change nothing), so
    uploading the same file again duplicates nobody. Imported profiles are not matched until the person
    agrees to the privacy terms. Each newly registered person gets a notification with their own welcome
    link to choose a password. Works once: the import moves from previewed to committed, and a second commit is refused.
    """
    organisation = volunteer_import.organisation
    require(can_manage_organisation(acting_user, organisation))
    now = timezone.now()
    won = VolunteerImport.objects.filter(pk=volunteer_import.pk, status=VolunteerImport.Status.PREVIEWED).update(
        status=VolunteerImport.Status.COMMITTED, committed_at=now
    )
    if not won:
        raise ValidationError(_("This file has already been imported or discarded."))
    try:
        parsed = volunteer_import_check(volunteer_import)
    except csv_import.CsvFileError as error:
        raise ValidationError(error.message) from error
    if parsed.error_count:
        raise ValidationError(
            _("Some rows have problems, so nothing was imported. Correct the file and upload it again.")
        )
    created, updated, new_accounts = _write_rows(organisation, parsed.rows, now)
    result = {"created": len(created), "updated": updated, "new_accounts": len(new_accounts)}
    VolunteerImport.objects.filter(pk=volunteer_import.pk).update(
        content="", result=result, row_count=len(parsed.rows), error_count=0
    )
    context = {"organisation": organisation.name, "inviter": acting_user.get_full_name()}
    # Each new account gets its own welcome link, to choose a password at once.
    notify_each(
        kind=NotificationKind.VOLUNTEER_REGISTERED,
        items=[
            (
                Recipient.of(user),
                f"volunteer-import:{volunteer_import.pk}:registered",
                {**context, "new_account": True},
                welcome_link(user),
            )
            for user in new_accounts
        ],
    )
    known = [user for user in created if user not in new_accounts]
    notify(
        recipients=[Recipient.of(user) for user in known],
        kind=NotificationKind.VOLUNTEER_REGISTERED,
        event_key=f"volunteer-import:{volunteer_import.pk}:registered",
        context={**context, "new_account": False},
        link=reverse("members:volunteer-profile"),
    )
    volunteer_import.refresh_from_db()
    return volunteer_import


def _write_rows(organisation: Organisation, rows: list, now) -> tuple[list, int, list]:
    """Create and update people in a fixed number of queries, whatever the number of rows. Returns the
    users who became volunteers, how many profiles were updated, and the accounts created."""
    from allauth.account.models import EmailAddress

    people = _people_by_email(organisation, {row.email for row in rows})
    new_accounts = [
        User(email=row.email, full_name=row.full_name, date_joined=now) for row in rows if row.email not in people
    ]
    for user in new_accounts:
        user.set_unusable_password()
    User.objects.bulk_create(new_accounts)
    # Without a password the only way in is the welcome link sent to this address, which proves it.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in new_accounts
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, role=Membership.Role.VOLUNTEER, created_at=now)
        for user in new_accounts
    )
    users = {user.email: user for user in new_accounts}
    users |= {user.email.lower(): user for user in User.objects.filter(pk__in=[p["pk"] for p in people.values()])}

    existing = {v.user_id: v for v in Volunteer.objects.filter(organisation=organisation, user__in=users.values())}
    renamed = []
    to_create, to_update = [], []
    for row in rows:
        user = users[row.email]
        if user.full_name != row.full_name and user.pk in {p["pk"] for p in people.values()}:
            user.full_name = row.full_name
            renamed.append(user)
        volunteer = existing.get(user.pk)
        if volunteer is None:
            volunteer = Volunteer(user=user, organisation=organisation, created_at=now)
            to_create.append(volunteer)
        else:
            to_update.append(volunteer)
        _apply_row(volunteer, row, now)
        row.volunteer = volunteer
    User.objects.bulk_update(renamed, ["full_name"])
    Volunteer.objects.bulk_create(to_create)
    Volunteer.objects.bulk_update(to_update, [name for name in PROFILE_FIELDS if name != "status"] + ["updated_at"])

    with_skills = [row for row in rows if row.skills is not None]
    VolunteerSkill.objects.filter(volunteer__in=[row.volunteer for row in with_skills]).delete()
    VolunteerSkill.objects.bulk_create(
        VolunteerSkill(volunteer=row.volunteer, skill_id=skill_id, level=level)
        for row in with_skills
        for skill_id, level in row.skills.items()
    )
    Languages = Volunteer.languages.through
    with_languages = [row for row in rows if row.language_ids is not None]
    Languages.objects.filter(volunteer__in=[row.volunteer for row in with_languages]).delete()
    Languages.objects.bulk_create(
        Languages(volunteer=row.volunteer, spokenlanguage_id=language_id)
        for row in with_languages
        for language_id in row.language_ids
    )
    return [volunteer.user for volunteer in to_create], len(to_update), new_accounts


def _apply_row(volunteer: Volunteer, row: csv_import.ParsedRow, now) -> None:
    values = {
        "municipality_id": row.municipality_id,
        "hours_per_month": row.hours_per_month,
        "travel_km": row.travel_km,
        "remote_ok": row.remote_ok,
    }
    if row.availability is not None:
        values |= {
            "available_weekdays": "weekdays" in row.availability,
            "available_evenings": "evenings" in row.availability,
            "available_weekends": "weekends" in row.availability,
        }
    for name, value in values.items():
        if value is not None:
            setattr(volunteer, name, value)
    volunteer.updated_at = now
