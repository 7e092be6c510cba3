"""Everything the portal holds about one person, as one JSON document they can download (GDPR art. 15 and 20).

The structure is stable: every section is always there (empty when there is nothing), keys are English
identifiers, dates are ISO 8601, choices are their codes. `FORMAT_VERSION` changes when the structure does.
Other apps add their sections through `events.personal_data_requested` (matching adds matches, hours,
feedback and history), so members never imports them.
"""

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import events
from .models import (
    Invitation,
    Membership,
    MembershipApplication,
    Notification,
    NotificationPreference,
    PrivacyConsent,
    User,
    Volunteer,
)
from .notifications import title_of

FORMAT = "brainport-voor-elkaar/personal-data"
FORMAT_VERSION = 1
# The sections other apps add, present even when no app answers (a stable structure).
OTHER_SECTIONS = ("matches", "hours", "feedback", "match_history")


def _when(value):
    return value.isoformat() if value else None


def _volunteer(user: User) -> dict | None:
    volunteer = Volunteer.objects.with_related().filter(user=user).first()
    if volunteer is None:
        return None
    return {
        "organisation": volunteer.organisation.name,
        "municipality": volunteer.municipality.name if volunteer.municipality_id else None,
        "travel_km": volunteer.travel_km,
        "remote_ok": volunteer.remote_ok,
        "hours_per_month": volunteer.hours_per_month,
        "available_weekdays": volunteer.available_weekdays,
        "available_evenings": volunteer.available_evenings,
        "available_weekends": volunteer.available_weekends,
        "skills": [{"skill": vs.skill.code, "level": vs.level} for vs in volunteer.volunteer_skills.all()],
        "languages": sorted(language.code for language in volunteer.languages.all()),
        "themes": sorted(theme.code for theme in volunteer.themes.all()),
        "status": volunteer.status,
        "consent_at": _when(volunteer.consent_at),
        "created_at": _when(volunteer.created_at),
        "updated_at": _when(volunteer.updated_at),
    }


def personal_data(user: User) -> dict:
    """The document for `user`: a fixed number of queries however much they have."""
    addresses = list(EmailAddress.objects.filter(user=user).order_by("pk"))
    emails = {user.email.lower()} | {address.email.lower() for address in addresses}
    by_address = Q(*[Q(email__iexact=e) for e in emails], _connector=Q.OR)
    by_username = Q(*[Q(username__iexact=e) for e in emails], _connector=Q.OR)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "privacy_statement_version": settings.PRIVACY_STATEMENT_VERSION,
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "last_seen_at": _when(user.last_seen_at),
            "privacy_version": user.privacy_version,
        },
        "email_addresses": [{"email": a.email, "primary": a.primary, "verified": a.verified} for a in addresses],
        "privacy_consents": [
            {"version": c.version, "action": c.action, "at": _when(c.at)}
            for c in PrivacyConsent.objects.filter(user=user).order_by("at", "pk")
        ],
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role, "since": _when(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        "volunteer_profile": _volunteer(user),
        "membership_applications": [
            {
                "organisation": a.organisation.name,
                "motivation": a.motivation,
                "status": a.status,
                "created_at": _when(a.created_at),
                "decided_at": _when(a.decided_at),
                "decision_note": a.decision_note,
            }
            for a in MembershipApplication.objects.filter(applicant=user).select_related("organisation")
        ],
        "invitations": [
            {
                "organisation": i.organisation.name,
                "email": i.email,
                "role": i.role,
                "created_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
                "revoked_at": _when(i.revoked_at),
            }
            for i in Invitation.objects.filter(by_address).select_related("organisation").order_by("pk")
        ],
        "notification_preferences": {
            p.kind: p.frequency for p in NotificationPreference.objects.filter(user=user).order_by("kind")
        },
        "notifications": [
            {
                "kind": n.kind,
                "title": title_of(n),
                "context": n.context,
                "link": n.link,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
                "email_status": n.email_status,
                "sent_at": _when(n.sent_at),
            }
            for n in sorted(
                [
                    *Notification.objects.filter(recipient=user),
                    *Notification.objects.filter(recipient__isnull=True).filter(by_address),
                ],
                key=lambda n: (n.created_at, n.pk),
            )
        ],
        "logins": [
            {"at": _when(log.attempt_time), "ip_address": log.ip_address, "user_agent": log.user_agent}
            for log in AccessLog.objects.filter(by_username).order_by("attempt_time", "pk")
        ],
        # Failed logins still counted against the account (reset by a successful one), and the failure log when
        # it is switched on (AXES_ENABLE_ACCESS_FAILURE_LOG).
        "failed_logins": [
            {"at": _when(a.attempt_time), "ip_address": a.ip_address, "user_agent": a.user_agent}
            for a in AccessAttempt.objects.filter(by_username).order_by("attempt_time", "pk")
        ]
        + [
            {"at": _when(f.attempt_time), "ip_address": f.ip_address, "user_agent": f.user_agent}
            for f in AccessFailureLog.objects.filter(by_username).order_by("attempt_time", "pk")
        ],
        **{section: [] for section in OTHER_SECTIONS},
    }
    for _receiver, sections in events.personal_data_requested.send(sender=User, user=user):
        document.update(sections or {})
    return document
