from django.urls import path

from .views import candidates, hours, impact, matches, review

app_name = "matching"

urlpatterns = [
    # A coordinator's look at a need's best candidates, and running matching for it.
    path("needs/<int:pk>/candidates/", candidates.need_candidates, name="need-candidates"),
    path("needs/<int:pk>/match-now/", candidates.need_match_now, name="need-match-now"),
    path("recommended/", candidates.recommended, name="recommended"),
    # Coordinators' workspace: review queue, review policy, needs nobody answers.
    path("review/", review.review_queue, name="review-queue"),
    path("review/approve/", review.review_approve_selected, name="review-approve-selected"),
    path("review/policy/", review.review_policy, name="review-policy"),
    path("review/unanswered/", review.needs_unanswered, name="needs-unanswered"),
    path("matches/<int:pk>/review/", review.match_review, name="match-review"),
    path("matches/<int:pk>/replace/", review.match_replace, name="match-replace"),
    # Both sides of a match.
    path("my-matches/", matches.my_matches, name="my-matches"),
    path("matches/<int:pk>/", matches.match_detail, name="match-detail"),
    path("matches/<int:pk>/accept/", matches.match_accept, name="match-accept"),
    path("matches/<int:pk>/decline/", matches.match_decline, name="match-decline"),
    path("matches/<int:pk>/withdraw/", matches.match_withdraw, name="match-withdraw"),
    path("matches/<int:pk>/calendar.ics", matches.match_calendar, name="match-calendar"),
    path("needs/<int:pk>/matches/", matches.need_matches, name="need-matches"),
    path("needs/<int:pk>/help/", matches.need_help, name="need-help"),
    path("organisations/<slug:slug>/matches/", matches.organisation_matches, name="organisation-matches"),
    # After the work.
    path("matches/<int:pk>/hours/", hours.hours_log, name="hours-log"),
    path("matches/<int:pk>/feedback/", hours.feedback_give, name="match-feedback"),
    path("needs/<int:pk>/hours/confirm/", hours.hours_confirm, name="hours-confirm"),
    path("needs/<int:pk>/complete/", hours.need_complete, name="need-complete"),
    # Impact: the coordinators' dashboard, the public figures, an organisation's volunteering report.
    path("impact/dashboard/", impact.impact_dashboard, name="impact-dashboard"),
    path("impact/", impact.impact_public, name="impact-public"),
    path("organisations/<slug:slug>/report/", impact.organisation_report, name="organisation-report"),
]
