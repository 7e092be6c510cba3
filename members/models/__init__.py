from .accounts import COORDINATORS_GROUP, Language, User, UserManager
from .needs import Need, NeedSkill, WorkLocation
from .notifications import Frequency, Notification, NotificationKind, NotificationPreference
from .offers import Offer
from .organisations import Invitation, Membership, MembershipApplication, Organisation
from .outcomes import WORK_PROGRAMME, WorkPlacement
from .privacy import PrivacyConsent
from .reference import (
    BilingualName,
    Municipality,
    Programme,
    Skill,
    SkillCategory,
    SpokenLanguage,
    Subregion,
    Theme,
)
from .volunteers import Volunteer, VolunteerImport, VolunteerSkill

__all__ = [
    "COORDINATORS_GROUP",
    "BilingualName",
    "Frequency",
    "Invitation",
    "Language",
    "Membership",
    "MembershipApplication",
    "Municipality",
    "Need",
    "NeedSkill",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Offer",
    "Organisation",
    "PrivacyConsent",
    "Programme",
    "Skill",
    "SkillCategory",
    "SpokenLanguage",
    "Subregion",
    "Theme",
    "User",
    "UserManager",
    "Volunteer",
    "VolunteerImport",
    "VolunteerSkill",
    "WORK_PROGRAMME",
    "WorkLocation",
    "WorkPlacement",
]
