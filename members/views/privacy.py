"""The privacy pages: the privacy statement, agreeing to a new version of it, downloading one's data and
deleting one's account."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import services
from ..forms.privacy import AccountDeleteForm
from ..personal_data import personal_data

# How long a browser or proxy may keep the statement for a visitor.
STATEMENT_MAX_AGE = 3600


@login_not_required
@require_GET
def privacy_statement(request):
    """Public and cacheable for visitors; a signed-in person's copy shows their navigation and stays private
    (`PrivateCacheMiddleware`)."""
    response = render(
        request,
        "members/privacy_statement.html",
        {
            "version": settings.PRIVACY_STATEMENT_VERSION,
            "date": parse_date(settings.PRIVACY_STATEMENT_DATE),
            "inactive_years": settings.PRIVACY_INACTIVE_AFTER_DAYS // 365,
            "inactive_days": settings.PRIVACY_INACTIVE_AFTER_DAYS,
            "warning_days": settings.PRIVACY_INACTIVE_WARNING_DAYS,
        },
    )
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=STATEMENT_MAX_AGE)
    return response


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "members:dashboard"


@require_http_methods(["GET", "POST"])
def privacy_consent(request):
    """A person who agreed to an earlier version of the statement is sent here before going on."""
    if request.method == "POST":
        if "agree" in request.POST:
            services.privacy_consent_give(user=request.user)
            messages.success(request, _("Thank you. You agreed to the privacy statement."))
            return redirect(_next_url(request))
        if "decline" in request.POST:
            services.privacy_consent_withdraw(user=request.user)
            messages.info(
                request,
                _(
                    "You did not agree: your volunteer profile is no longer used to suggest work. You can "
                    "download your data or delete your account in your settings."
                ),
            )
            return redirect("members:account-settings")
    return render(
        request,
        "members/privacy_consent.html",
        {
            "version": settings.PRIVACY_STATEMENT_VERSION,
            "date": parse_date(settings.PRIVACY_STATEMENT_DATE),
            "next": _next_url(request) if request.GET.get("next") else "",
        },
    )


@require_GET
def account_data_export(request):
    """Everything about the person as one JSON file to download; never stored by a cache (the middleware)."""
    document = personal_data(request.user)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="brainport-voor-elkaar-my-data-{stamp}.json"'
    return response


@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Explain what deleting keeps and removes, then delete after the password is given again."""
    user = request.user
    problem = services.account_delete_problem(user)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.account_delete(user=user, acting_user=user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            language = user.preferred_language
            logout(request)
            messages.success(
                request, _("Your account is deleted. Your name and details are gone; thank you for all you did.")
            )
            response = redirect("members:home")
            # The goodbye is read in the language the person used, now that they are a visitor.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=365 * 24 * 3600,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    return render(request, "members/account_delete.html", {"form": form, "problem": problem})
