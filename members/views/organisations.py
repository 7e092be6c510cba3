import functools

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..context_processors import CURRENT_ORGANISATION_KEY
from ..forms.organisations import (
    ApplicationForm,
    DecisionForm,
    InvitationForm,
    InvitationSignupForm,
    NewAccountForm,
    OrganisationForm,
    PreferencesForm,
    ProfileForm,
    RoleForm,
)
from ..middleware import personal_page
from ..models import (
    Invitation,
    Membership,
    MembershipApplication,
    Need,
    Notification,
    NotificationPreference,
    Organisation,
    Programme,
    User,
)
from ..notifications import title_of
from ..permissions import (
    can_manage_organisation,
    can_view_organisation_workspace,
    coordinator_needs_two_factor,
    has_authenticator_app,
    is_coordinator,
)
from ..public_cache import public_page
from ..reference_data import INCLUSIVE_EMPLOYERS_TARGET
from ..two_factor import session_passed_second_factor
from .two_factor import second_factor_redirect, two_factor_setup_redirect


def form_errors_from(error: ValidationError, form) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def coordinator_required(view):
    """Every coordinator page: coordinators only (403 otherwise). A coordinator without an authenticator app is
    sent to set one up, and comes back to the page they opened afterwards; a session that logged in without the
    app's code (opened before the app was activated) is asked for one first."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_coordinator(request.user):
            if coordinator_needs_two_factor(request.user):
                return two_factor_setup_redirect(request)
            raise PermissionDenied
        if not session_passed_second_factor(request):
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


# Public pages --------------------------------------------------------------------------------------


@login_not_required
@public_page
def home(request):
    figures = Organisation.objects.active().aggregate(
        organisations=Count("id"),
        companies=Count("id", filter=Q(kind=Organisation.Kind.COMPANY)),
        social=Count("id", filter=Q(kind=Organisation.Kind.SOCIAL)),
        inclusive=Count("id", filter=Q(pk__in=Organisation.objects.inclusive_employers().values("pk"))),
    )
    return render(
        request,
        "members/home.html",
        {
            "figures": figures,
            "programmes": Programme.objects.all(),
            "inclusive_target": INCLUSIVE_EMPLOYERS_TARGET,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def membership_apply(request):
    # Each post may create an account and emails every coordinator: a few an hour per client address.
    if refused := ratelimit.consume_or_429(request, action="membership_apply"):
        return refused
    user = request.user if request.user.is_authenticated else None
    form = ApplicationForm(request.POST or None)
    account_form = NewAccountForm(request.POST or None, prefix="account") if user is None else None
    if request.method == "POST" and form.is_valid() and (account_form is None or account_form.is_valid()):
        data = dict(form.cleaned_data)
        motivation = data.pop("motivation")
        account = None
        if account_form is not None:
            account = services.NewAccount(
                email=account_form.cleaned_data["email"],
                full_name=account_form.cleaned_data["full_name"],
                password=account_form.cleaned_data["password"],
                language=request.LANGUAGE_CODE,
            )
        try:
            application = services.membership_apply(
                applicant=user, account=account, organisation=data, motivation=motivation
            )
        except services.AccountExists:
            # Answered like a new account, so that the page tells nobody who has one; the owner hears by email.
            services.account_exists_tell(email=account.email, next_path=request.path)
            return redirect("members:apply-done")
        except ValidationError as error:
            form_errors_from(error, account_form or form)
        else:
            if account is not None:
                application.applicant.emailaddress_set.get(primary=True).send_confirmation(request, signup=True)
            return redirect("members:apply-done")
    return render(request, "members/membership_apply.html", {"form": form, "account_form": account_form})


@login_not_required
def membership_apply_done(request):
    return render(request, "members/membership_apply_done.html")


def _language_switch(request):
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in {"nl", "en"}:
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@login_not_required
@csrf_exempt
@require_POST
def language_set(request):
    """Switch the language; a signed-in user keeps it for pages and emails.

    A visitor's switch only sets their language cookie, so it needs no CSRF token: the public pages carry
    none, which keeps them free of cookies and cacheable (members/public_cache.py). A signed-in user's
    switch changes their account and is checked as every other form post is."""
    if request.user.is_authenticated:
        return csrf_protect(_language_switch)(request)
    return _language_switch(request)


# Signed-in pages -----------------------------------------------------------------------------------


def dashboard(request):
    applications = MembershipApplication.objects.filter(applicant=request.user).select_related("organisation")
    pending_reviews = MembershipApplication.objects.pending().count() if is_coordinator(request.user) else None
    return render(
        request,
        "members/dashboard.html",
        {"applications": applications, "pending_reviews": pending_reviews},
    )


@require_POST
def organisation_switch(request):
    organisation_id = request.POST.get("organisation", "")
    if not organisation_id.isdigit():
        raise Http404
    organisation = get_object_or_404(Organisation.objects.of_user(request.user), pk=organisation_id)
    request.session[CURRENT_ORGANISATION_KEY] = organisation.pk
    messages.success(request, _("You are now working for %(org)s.") % {"org": organisation.name})
    return redirect(organisation.get_absolute_url())


OPEN_NEEDS_SHOWN = 10


@login_not_required
def organisation_detail(request, slug):
    """A member organisation's public profile, linked from the directory. Its own members and coordinators
    also find the workspace here (people, invitations, offers), and still reach it when the organisation is
    not (or no longer) a member; for everyone else such an organisation does not exist."""
    workspaces = Organisation.objects.visible_to(request.user).values("pk")
    organisation = get_object_or_404(
        Organisation.objects.filter(Q(status=Organisation.Status.ACTIVE) | Q(pk__in=workspaces)).select_related(
            "municipality"
        ),
        slug=slug,
    )
    show_workspace = can_view_organisation_workspace(request.user, organisation)
    can_manage = can_manage_organisation(request.user, organisation)
    memberships = []
    if show_workspace:
        # A company's volunteers are its members too: colleagues see whom to contact (the admins) and
        # themselves; admins and coordinators see everyone, a page at a time.
        people = Membership.objects.filter(organisation=organisation).select_related("user")
        if not can_manage:
            people = people.filter(Q(role=Membership.Role.ADMIN) | Q(user=request.user))
        memberships = Paginator(people.order_by("role", "user__full_name", "user__email", "pk"), 50).get_page(
            request.GET.get("page")
        )
    invitations = Invitation.objects.open().filter(organisation=organisation) if can_manage else []
    # What anyone may see: its open needs, the way in to help.
    open_needs = list(
        Need.objects.open()
        .filter(organisation=organisation)
        .select_related("municipality")
        .order_by("-published_at", "-pk")[: OPEN_NEEDS_SHOWN + 1]
    )
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "open_needs": open_needs[:OPEN_NEEDS_SHOWN],
            "more_open_needs": len(open_needs) > OPEN_NEEDS_SHOWN,
            "show_workspace": show_workspace,
            "memberships": memberships,
            "invitations": invitations,
            "can_manage": can_manage,
            "invitation_form": InvitationForm() if can_manage else None,
            "roles": Membership.Role.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user).distinct(), slug=slug)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("The profile of %(org)s is saved.") % {"org": organisation.name})
            return redirect(organisation.get_absolute_url())
    return render(request, "members/organisation_form.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
def invitation_create(request, slug):
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user).distinct(), slug=slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                acting_user=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
            return redirect(organisation.get_absolute_url())
    return render(request, "members/invitation_form.html", {"organisation": organisation, "form": form})


@require_POST
def invitation_revoke(request, slug, pk):
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user).distinct(), slug=slug)
    invitation = get_object_or_404(Invitation.objects.filter(organisation=organisation), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect(organisation.get_absolute_url())


@require_POST
def membership_role(request, slug, pk):
    organisation = get_object_or_404(Organisation.objects.managed_by(request.user).distinct(), slug=slug)
    membership = get_object_or_404(Membership.objects.filter(organisation=organisation).select_related("user"), pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=membership, acting_user=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.") % {"person": membership.user, "role": membership.get_role_display()},
            )
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect(organisation.get_absolute_url())


@require_POST
def membership_remove(request, slug, pk):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user).distinct(), slug=slug)
    membership = get_object_or_404(Membership.objects.filter(organisation=organisation).select_related("user"), pk=pk)
    leaving = membership.user_id == request.user.pk
    if not leaving and not can_manage_organisation(request.user, organisation):
        raise PermissionDenied
    try:
        services.membership_remove(membership=membership, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(organisation.get_absolute_url())
    if leaving:
        messages.success(request, _("You left %(org)s.") % {"org": organisation.name})
        return redirect("members:dashboard")
    messages.success(
        request, _("%(person)s was removed from %(org)s.") % {"person": membership.user, "org": organisation.name}
    )
    return redirect(organisation.get_absolute_url())


@login_not_required
@personal_page
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = services.invitation_from_token(token)
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request, "members/invitation_invalid.html", {"problem": problem}, status=410 if invitation else 404
        )
    user = request.user if request.user.is_authenticated else None
    has_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if user is None and not has_account:
        form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if user is not None:
                services.invitation_accept(invitation=invitation, user=user)
            elif form is not None and form.is_valid():
                user = services.invitation_accept_with_signup(
                    invitation=invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                    language=request.LANGUAGE_CODE,
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as error:
            if form is not None:
                form_errors_from(error, form)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
        else:
            if user is not None:
                request.session[CURRENT_ORGANISATION_KEY] = invitation.organisation_id
                messages.success(request, _("Welcome to %(org)s!") % {"org": invitation.organisation.name})
                return redirect(invitation.organisation.get_absolute_url())
    return render(
        request,
        "members/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "has_account": has_account,
            "wrong_account": user is not None and user.email.lower() != invitation.email.lower(),
        },
    )


# Coordinators --------------------------------------------------------------------------------------


@coordinator_required
def application_list(request):
    status = request.GET.get("status", MembershipApplication.Status.PENDING)
    if status not in MembershipApplication.Status.values:
        status = MembershipApplication.Status.PENDING
    applications = (
        MembershipApplication.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("organisation__municipality", "applicant")
    )
    return render(
        request,
        "members/application_list.html",
        {"applications": applications, "status": status, "statuses": MembershipApplication.Status.choices},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk):
    application = get_object_or_404(
        MembershipApplication.objects.visible_to(request.user).select_related(
            "organisation__municipality", "applicant", "decided_by"
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.membership_application_decide(
                application=application, acting_user=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            # Decided meanwhile by someone else: the form is gone from the page, so say why and show the decision.
            messages.error(request, " ".join(error.messages))
            return redirect(application.get_absolute_url())
        else:
            if approve:
                messages.success(request, _("%(org)s is now a member.") % {"org": application.organisation.name})
            else:
                messages.success(
                    request, _("The application of %(org)s is rejected.") % {"org": application.organisation.name}
                )
            return redirect("members:application-list")
    return render(request, "members/application_detail.html", {"application": application, "form": form})


# Inbox and settings --------------------------------------------------------------------------------


def inbox(request):
    notifications = list(Notification.objects.for_user(request.user)[:100])
    for notification in notifications:
        notification.title = title_of(notification)
    return render(request, "members/notification_list.html", {"notifications": notifications})


@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(notification.link or "members:inbox")


@require_POST
def inbox_mark_all_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("members:inbox")


@require_http_methods(["GET", "POST"])
def account_settings(request):
    current = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "frequency"))
    profile_form = ProfileForm(
        request.POST if "profile" in request.POST else None,
        initial={"full_name": request.user.full_name, "language": request.user.preferred_language},
    )
    preferences_form = PreferencesForm(request.POST if "preferences" in request.POST else None, current=current)
    if request.method == "POST":
        if "profile" in request.POST and profile_form.is_valid():
            services.user_update_profile(
                user=request.user,
                full_name=profile_form.cleaned_data["full_name"],
                language=profile_form.cleaned_data["language"],
            )
            messages.success(request, _("Your details are saved."))
            return redirect("members:account-settings")
        if "preferences" in request.POST and preferences_form.is_valid():
            services.notification_preferences_update(user=request.user, frequencies=preferences_form.cleaned_data)
            messages.success(request, _("Your notification choices are saved."))
            return redirect("members:account-settings")
    return render(
        request,
        "members/account_settings.html",
        {
            "profile_form": profile_form,
            "preferences_form": preferences_form,
            "has_authenticator_app": has_authenticator_app(request.user),
        },
    )
