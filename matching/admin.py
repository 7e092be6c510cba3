"""Read-only views of matching's data for staff: statuses change only through the services (the match
pages and the review queue), never here."""

from django.contrib import admin

from .models import HoursEntry, Match, MatchEvent, MatchFeedback, MatchingRequest, MatchingRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    extra = 0
    fields = ["at", "action", "side", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "need", "volunteer", "offer", "people", "status", "source", "score", "status_changed_at"]
    list_filter = ["status", "source"]
    list_select_related = ["need", "volunteer__user", "offer"]
    raw_id_fields = ["need", "volunteer", "offer", "run"]
    inlines = [MatchEventInline]


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = ["match", "volunteer", "date", "hours", "status", "confirmed_hours"]
    list_filter = ["status"]
    list_select_related = ["match__need", "volunteer__user"]


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["match", "side", "helped", "rating", "created_at"]


@admin.register(MatchingRequest)
class MatchingRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "object_id", "trigger", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "trigger", "duration_ms", "needs_considered", "proposals"]
