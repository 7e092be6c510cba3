from django.urls import path

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
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("account/settings/", views.account_settings, name="account-settings"),
    # Needs ------------------------------------------------------------------------------------------
    # Volunteers -------------------------------------------------------------------------------------
    # Offers and the member directory ----------------------------------------------------------------
]
