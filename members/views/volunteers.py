"""Volunteer profiles, an organisation's volunteers workspace, the join link and the CSV import."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import csv_import, services
from ..context_processors import CURRENT_ORGANISATION_KEY
from ..forms.organisations import NewAccountForm
from ..forms.volunteers import VolunteerImportForm, VolunteerProfileForm, WelcomeForm
from ..middleware import personal_page
from ..models import Organisation, Volunteer, VolunteerImport
from .organisations import form_errors_from

PAGE_SIZE = 50

# The workspace filter: name → condition
STATUS_FILTERS = {
    "all": Q(),
    "active": Q(status=Volunteer.Status.ACTIVE, consent_at__isnull=False),
    "paused": Q(status=Volunteer.Status.PAUSED),
    "no-consent": Q(consent_at__isnull=True),
}


def _managed_organisation(user, slug):
    return get_object_or_404(Organisation.objects.managed_by(user).distinct(), slug=slug)


def _join_url(request, organisation):
    return request.build_absolute_uri(
        reverse("members:volunteer-join", kwargs={"token": services.join_link_token(organisation)})
    )


# The volunteer's own pages -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def volunteer_profile(request):
    """Register as a volunteer of one's organisation, or change one's profile."""
    volunteer = Volunteer.objects.with_related().filter(user=request.user).first()
    organisations = None
    if volunteer is None:
        organisations = Organisation.objects.of_user(request.user).active().order_by("name")
        if not organisations.exists():
            return render(request, "members/volunteer_form.html", {"volunteer": None, "form": None})
    form = VolunteerProfileForm(request.POST or None, volunteer=volunteer, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            if volunteer is None:
                volunteer = services.volunteer_register(
                    user=request.user,
                    organisation=form.cleaned_data["organisation"],
                    profile=form.profile(),
                    consent=form.cleaned_data["consent"],
                )
            else:
                services.volunteer_update(
                    volunteer=volunteer,
                    acting_user=request.user,
                    profile=form.profile(),
                    consent=form.cleaned_data["consent"],
                )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Your volunteer profile is saved."))
            return redirect(volunteer.get_absolute_url())
    return render(request, "members/volunteer_form.html", {"volunteer": volunteer, "form": form})


def volunteer_detail(request, pk):
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user).with_related(), pk=pk)
    return render(
        request,
        "members/volunteer_detail.html",
        {"volunteer": volunteer, "is_own": volunteer.user_id == request.user.pk},
    )


@login_not_required
@personal_page
@require_http_methods(["GET", "POST"])
def welcome(request, token):
    """An imported volunteer follows the welcome link from their email and chooses a password at once."""
    user = services.welcome_link_user(token)
    if user is None:
        return render(request, "members/welcome.html", {"invalid": True}, status=410)
    form = WelcomeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_welcome(user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Check your profile and agree to the privacy terms."))
            return redirect("members:volunteer-profile")
    return render(request, "members/welcome.html", {"form": form, "person": user})


@login_not_required
@personal_page
@require_http_methods(["GET", "POST"])
def volunteer_join(request, token):
    """An employee joins their organisation as a volunteer through the link its admin shared."""
    organisation = services.join_link_organisation(token)
    problem = services.join_link_problem(organisation)
    if problem:
        return render(request, "members/volunteer_join.html", {"problem": problem}, status=410 if organisation else 404)
    user = request.user if request.user.is_authenticated else None
    existing = Volunteer.objects.filter(user=user).select_related("organisation").first() if user else None
    if existing is not None:
        return render(request, "members/volunteer_join.html", {"organisation": organisation, "existing": existing})
    account_form = NewAccountForm(request.POST or None, prefix="account") if user is None else None
    form = VolunteerProfileForm(request.POST or None, prefix="profile")
    if request.method == "POST" and form.is_valid() and (account_form is None or account_form.is_valid()):
        account = None
        if account_form is not None:
            account = services.NewAccount(
                email=account_form.cleaned_data["email"],
                full_name=account_form.cleaned_data["full_name"],
                password=account_form.cleaned_data["password"],
                language=request.LANGUAGE_CODE,
            )
        try:
            volunteer = services.volunteer_join(
                organisation=organisation,
                user=user,
                account=account,
                profile=form.profile(),
                consent=form.cleaned_data["consent"],
            )
        except services.AccountExists:
            # Answered like a new account, so that the page tells nobody who has one; the owner hears by email.
            services.account_exists_tell(email=account.email, next_path=request.path)
            return render(
                request, "members/volunteer_join.html", {"organisation": organisation, "confirm_email": account.email}
            )
        except ValidationError as error:
            account_error = account_form is not None and "email" in getattr(error, "error_dict", {})
            form_errors_from(error, account_form if account_error else form)
        else:
            if account is not None:
                volunteer.user.emailaddress_set.get(primary=True).send_confirmation(request, signup=True)
                return render(
                    request,
                    "members/volunteer_join.html",
                    {"organisation": organisation, "confirm_email": volunteer.user.email},
                )
            request.session[CURRENT_ORGANISATION_KEY] = organisation.pk
            messages.success(request, _("Welcome as a volunteer of %(org)s!") % {"org": organisation.name})
            return redirect(volunteer.get_absolute_url())
    return render(
        request,
        "members/volunteer_join.html",
        {"organisation": organisation, "form": form, "account_form": account_form},
    )


# The organisation's volunteers (admins and coordinators) -------------------------------------------


def volunteer_list(request, slug):
    organisation = _managed_organisation(request.user, slug)
    status = request.GET.get("status", "all")
    if status not in STATUS_FILTERS:
        status = "all"
    # People who deleted their account stay in the figures, not in the list.
    present = Volunteer.objects.filter(organisation=organisation, user__anonymised_at__isnull=True)
    counts = present.aggregate(
        **{name.replace("-", "_"): Count("pk", filter=condition) for name, condition in STATUS_FILTERS.items()}
    )
    volunteers = present.filter(STATUS_FILTERS[status]).with_related()
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [
        ("all", _("All"), counts["all"]),
        ("active", _("Active"), counts["active"]),
        ("paused", _("Paused"), counts["paused"]),
        ("no-consent", _("Waiting for consent"), counts["no_consent"]),
    ]
    return render(
        request,
        "members/volunteer_list.html",
        {
            "organisation": organisation,
            "page": page,
            "volunteers": page.object_list,
            "status": status,
            "filters": filters,
            "join_url": _join_url(request, organisation),
            "open_import": VolunteerImport.objects.filter(
                organisation=organisation, status=VolunteerImport.Status.PREVIEWED
            ).first(),
        },
    )


@require_POST
def join_link_reset(request, slug):
    organisation = _managed_organisation(request.user, slug)
    services.join_link_reset(organisation=organisation, acting_user=request.user)
    messages.success(request, _("There is a new join link. The old link no longer works."))
    return redirect("members:volunteer-list", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def volunteer_import(request, slug):
    organisation = _managed_organisation(request.user, slug)
    form = VolunteerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_import = services.volunteer_import_upload(
                organisation=organisation,
                acting_user=request.user,
                filename=form.cleaned_data["file"].name,
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            return redirect("members:volunteer-import-preview", slug=organisation.slug, pk=volunteer_import.pk)
    return render(
        request,
        "members/volunteer_import.html",
        {"organisation": organisation, "form": form, "columns": csv_import.COLUMNS},
    )


def volunteer_import_example(request):
    response = HttpResponse(csv_import.example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vrijwilligers-voorbeeld.csv"'
    return response


def volunteer_import_preview(request, slug, pk):
    organisation = _managed_organisation(request.user, slug)
    volunteer_import = get_object_or_404(VolunteerImport.objects.filter(organisation=organisation), pk=pk)
    parsed = None
    if volunteer_import.status == VolunteerImport.Status.PREVIEWED:
        parsed = services.volunteer_import_check(volunteer_import)
    return render(
        request,
        "members/volunteer_import_preview.html",
        {
            "organisation": organisation,
            "volunteer_import": volunteer_import,
            "parsed": parsed,
            "can_commit": parsed is not None and parsed.rows and not parsed.error_count,
        },
    )


@require_POST
def volunteer_import_commit(request, slug, pk):
    organisation = _managed_organisation(request.user, slug)
    volunteer_import = get_object_or_404(VolunteerImport.objects.filter(organisation=organisation), pk=pk)
    try:
        volunteer_import = services.volunteer_import_commit(volunteer_import=volunteer_import, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:volunteer-import-preview", slug=organisation.slug, pk=volunteer_import.pk)
    result = volunteer_import.result
    messages.success(
        request,
        _("%(rows)s volunteers imported: %(created)s new and %(updated)s updated.")
        % {"rows": volunteer_import.row_count, "created": result["created"], "updated": result["updated"]},
    )
    return redirect("members:volunteer-list", slug=organisation.slug)


@require_POST
def volunteer_import_discard(request, slug, pk):
    organisation = _managed_organisation(request.user, slug)
    volunteer_import = get_object_or_404(VolunteerImport.objects.filter(organisation=organisation), pk=pk)
    services.volunteer_import_discard(volunteer_import=volunteer_import, acting_user=request.user)
    messages.success(request, _("The file is discarded; nothing was imported."))
    return redirect("members:volunteer-import", slug=organisation.slug)
