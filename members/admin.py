from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Invitation,
    Membership,
    MembershipApplication,
    Municipality,
    Notification,
    Organisation,
    Programme,
    Skill,
    Theme,
    User,
    WorkPlacement,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff", "anonymised_at"]
    list_filter = ["is_active", "is_staff", "anonymised_at"]
    search_fields = ["email", "full_name"]
    actions = ["anonymise"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would delete the person's matches and hours with it: accounts are anonymised instead.
        return False

    @admin.action(description=_("Delete the accounts (anonymise: history kept without name)"))
    def anonymise(self, request, queryset):
        """For a request to be forgotten that reaches the association outside the portal."""
        done, refused = 0, []
        for user in queryset:
            try:
                services.account_delete(user=user, acting_user=None)
                done += 1
            except ValidationError as error:
                refused.append(f"{user.email}: {' '.join(error.messages)}")
        self.message_user(request, _("%(count)s accounts anonymised.") % {"count": done})
        for reason in refused:
            self.message_user(request, reason, level=messages.WARNING)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "status", "is_inclusive_employer", "inclusive_confirmed_at"]
    list_filter = ["status", "kind", "is_inclusive_employer", "municipality__subregion", "may_be_named_publicly"]
    search_fields = ["name"]
    list_select_related = ["municipality"]
    inlines = [MembershipInline]
    # The declaration and its review go through members.services.employers (coordinators' pages), not here.
    readonly_fields = [
        "is_inclusive_employer",
        "inclusive_confirmed_at",
        "inclusive_confirmed_by",
        "inclusive_withdrawn_at",
        "inclusive_note",
    ]


@admin.register(WorkPlacement)
class WorkPlacementAdmin(admin.ModelAdmin):
    """Read-only: placements are recorded when a Work need completes."""

    list_display = ["need", "employer", "into_work", "work_study", "recorded_at"]
    list_select_related = ["need", "employer"]
    raw_id_fields = ["need", "employer", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "applicant", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["organisation", "applicant"]
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "email_status", "created_at", "sent_at", "read_at"]
    list_filter = ["kind", "email_status"]
    search_fields = ["email", "event_key"]


admin.site.register([Municipality, Programme, Theme, Skill, Invitation])
