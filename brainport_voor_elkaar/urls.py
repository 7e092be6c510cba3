from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from members.views import two_factor

from .health import healthz

# The admin logs in through allauth's login, so the second factor is asked there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Two of allauth's two-factor pages, extended to lead back to where a coordinator was going (same paths
    # and names as allauth's own, which they shadow).
    path("accounts/2fa/totp/activate/", two_factor.totp_activate, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/", two_factor.recovery_codes, name="mfa_view_recovery_codes"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("matching/", include("matching.urls")),
    # The short address of the public impact figures.
    path(
        "impact/",
        login_not_required(RedirectView.as_view(pattern_name="matching:impact-public")),
        name="impact",
    ),
    path("", include("members.urls")),
]
