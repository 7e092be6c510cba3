from django.urls import path

from .views import directory, employers, needs, offers, privacy, volunteers
from .views import organisations as views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.membership_apply, name="apply"),
    path("apply/thanks/", views.membership_apply_done, name="apply-done"),
    path("language/", views.language_set, name="language-set"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisations/switch/", views.organisation_switch, name="organisation-switch"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<slug:slug>/invitations/new/", views.invitation_create, name="invitation-create"),
    path("organisations/<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("organisations/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("organisations/<slug:slug>/members/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("coordinator/applications/", views.application_list, name="application-list"),
    path("coordinator/applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("coordinator/inclusive-employers/", employers.inclusive_employer_list, name="inclusive-employer-list"),
    path(
        "coordinator/inclusive-employers/<slug:slug>/",
        employers.inclusive_employer_review,
        name="inclusive-employer-review",
    ),
    path(
        "organisations/<slug:slug>/inclusive-employer/",
        employers.inclusive_employer_declare,
        name="inclusive-employer-declare",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("account/settings/", views.account_settings, name="account-settings"),
    # Privacy ----------------------------------------------------------------------------------------
    path("privacy/", privacy.privacy_statement, name="privacy-statement"),
    path("privacy/agree/", privacy.privacy_consent, name="privacy-consent"),
    path("account/my-data.json", privacy.account_data_export, name="account-data-export"),
    path("account/delete/", privacy.account_delete, name="account-delete"),
    # Needs ------------------------------------------------------------------------------------------
    path("needs/", needs.need_list, name="need-list"),
    path("needs/<int:pk>/", needs.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit, name="need-edit"),
    path("needs/<int:pk>/status/", needs.need_transition, name="need-transition"),
    path("organisations/<slug:slug>/needs/", needs.need_workspace, name="need-workspace"),
    path("organisations/<slug:slug>/needs/new/", needs.need_create, name="need-create"),
    # Volunteers -------------------------------------------------------------------------------------
    path("volunteer/profile/", volunteers.volunteer_profile, name="volunteer-profile"),
    path("volunteers/<int:pk>/", volunteers.volunteer_detail, name="volunteer-detail"),
    path("volunteers/import/example.csv", volunteers.volunteer_import_example, name="volunteer-import-example"),
    path("join/<str:token>/", volunteers.volunteer_join, name="volunteer-join"),
    path("welcome/<str:token>/", volunteers.welcome, name="welcome"),
    path("organisations/<slug:slug>/volunteers/", volunteers.volunteer_list, name="volunteer-list"),
    path(
        "organisations/<slug:slug>/volunteers/join-link/reset/",
        volunteers.join_link_reset,
        name="volunteer-join-link-reset",
    ),
    path("organisations/<slug:slug>/volunteers/import/", volunteers.volunteer_import, name="volunteer-import"),
    path(
        "organisations/<slug:slug>/volunteers/import/<int:pk>/",
        volunteers.volunteer_import_preview,
        name="volunteer-import-preview",
    ),
    path(
        "organisations/<slug:slug>/volunteers/import/<int:pk>/commit/",
        volunteers.volunteer_import_commit,
        name="volunteer-import-commit",
    ),
    path(
        "organisations/<slug:slug>/volunteers/import/<int:pk>/discard/",
        volunteers.volunteer_import_discard,
        name="volunteer-import-discard",
    ),
    # Offers and the member directory ----------------------------------------------------------------
    path("organisations/", directory.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/contact/", directory.organisation_contact, name="organisation-contact"),
    path("organisations/<slug:slug>/offers/", offers.offer_list, name="offer-list"),
    path("organisations/<slug:slug>/offers/new/", offers.offer_create, name="offer-create"),
    path("offers/<int:pk>/", offers.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/edit/", offers.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/publish/", offers.offer_activate, name="offer-activate"),
    path("offers/<int:pk>/pause/", offers.offer_pause, name="offer-pause"),
    path("offers/<int:pk>/resume/", offers.offer_resume, name="offer-resume"),
    path("offers/<int:pk>/close/", offers.offer_close, name="offer-close"),
]
