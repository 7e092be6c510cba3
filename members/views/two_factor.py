"""Two-factor authentication: allauth's pages (allauth.mfa), plus what the portal adds to them: a coordinator
sent to set up an authenticator app comes back to the page they were opening."""

from urllib.parse import urlencode

from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def _next_path(request) -> str:
    """The `next` of the request when it is a page of this site, else ""."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def two_factor_setup_redirect(request):
    """Send a coordinator without an authenticator app to set one up, saying why; a page they were opening
    (not a form they were sending) is where they come back to."""
    messages.warning(
        request,
        _(
            "Coordinators see the data of every organisation, so their account needs two-factor authentication. "
            "Set up an authenticator app to continue: it takes a minute."
        ),
    )
    next_url = request.get_full_path() if request.method == "GET" else ""
    return redirect(_with_next(reverse("mfa_activate_totp"), next_url))


def second_factor_redirect(request):
    """Ask a coordinator's session that has not shown a code from the app for one, then carry on."""
    messages.info(
        request, _("Coordinator pages need a code from your authenticator app, and this login has not shown one yet.")
    )
    next_url = request.get_full_path() if request.method == "GET" else ""
    return redirect(_with_next(reverse("mfa_reauthenticate"), next_url))


class TotpActivateView(ActivateTOTPView):
    """allauth's activation; then its recovery codes page, which keeps where to go next."""

    def get_success_url(self) -> str:
        return _with_next(super().get_success_url(), _next_path(self.request))


class RecoveryCodesView(ViewRecoveryCodesView):
    """allauth's recovery codes, with a way on to the page the user was opening before the setup."""

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "next_url": _next_path(self.request)}


totp_activate = TotpActivateView.as_view()
recovery_codes = RecoveryCodesView.as_view()
