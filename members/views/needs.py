import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..filters import NeedFilter
from ..forms.needs import NeedForm
from ..models import Need, Organisation
from ..public_cache import public_page
from .organisations import form_errors_from

NEEDS_PER_PAGE = 20
WORKSPACE_PER_PAGE = 50

Status = Need.Status

# action → (service, the status it starts from (None: any that may move there), the status it leads to,
# button label, message when done)
ACTIONS = {
    "publish": (
        services.need_publish,
        Status.DRAFT,
        Status.OPEN,
        gettext_lazy("Publish"),
        gettext_lazy("“%(title)s” is published: everyone can find it now."),
    ),
    "pause": (
        services.need_pause,
        Status.OPEN,
        Status.PAUSED,
        gettext_lazy("Pause"),
        gettext_lazy("“%(title)s” is paused: it is not shown in the list until you resume it."),
    ),
    "resume": (
        services.need_resume,
        Status.PAUSED,
        Status.OPEN,
        gettext_lazy("Resume"),
        gettext_lazy("“%(title)s” is open again."),
    ),
    "cancel": (
        services.need_cancel,
        None,
        Status.CANCELLED,
        gettext_lazy("Cancel need"),
        gettext_lazy("“%(title)s” is cancelled."),
    ),
}


def actions_for(need: Need) -> list[tuple[str, str]]:
    """The actions (name, label) the need's status allows now; computed here, shown by the templates."""
    allowed = services.NEED_TRANSITIONS[need.status]
    return [
        (name, label)
        for name, (_service, source, target, label, _done) in ACTIONS.items()
        if target in allowed and source in (None, need.status)
    ]


def with_flags(need: Need) -> Need:
    need.actions = actions_for(need)
    need.can_edit = need.status in services.NEED_EDITABLE_STATUSES
    return need


# Public pages --------------------------------------------------------------------------------------


@login_not_required
@public_page
def need_list(request):
    needs = NeedFilter(request.GET, queryset=Need.objects.public())
    page = page_of_needs(needs.qs, request.GET.get("page"))
    context = {
        "filter": needs,
        "page_obj": page,
        "needs": page.object_list,
        "filter_form_key": filter_form_key(request),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "members/need_list.html#results", {**context, "partial": True})
    else:
        response = render(request, "members/need_list.html", context)
    # The same address answers with the whole page or only the results: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def filter_form_key(request) -> str:
    """What the filter form's HTML depends on: the values of its own fields (not the page, nor anything else in
    the address). Rendering its lists of skills, themes and places is half of the page's work, so the
    rendered form is kept in the cache under this key and the language."""
    chosen = sorted((name, value) for name in NeedFilter.base_filters for value in request.GET.getlist(name))
    return hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]


def page_of_needs(ordered, number):
    """One page of the filtered, ordered needs, ids first: the page's ids come from a narrow query (an index
    scan, however deep the page), then only those rows are read whole, with what the cards show."""
    page = Paginator(ordered.values_list("pk", flat=True), NEEDS_PER_PAGE).get_page(number)
    ids = list(page.object_list)
    rows = ordered.filter(pk__in=ids).select_related("organisation", "programme", "municipality")
    rows = {need.pk: need for need in rows.prefetch_related("themes").defer("search_vector")}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


@login_not_required
@public_page
def need_detail(request, pk):
    need = get_object_or_404(
        Need.objects.visible_to(request.user).with_related().select_related("contact_person"), pk=pk
    )
    insider = services.can_manage_needs(request.user, need.organisation)
    wanted = list(need.need_skills.all())
    return render(
        request,
        "members/need_detail.html",
        {
            "need": with_flags(need) if insider else need,
            "insider": insider,
            "required_skills": [ns.skill for ns in wanted if ns.required],
            "nice_skills": [ns.skill for ns in wanted if not ns.required],
        },
    )


# The organisation's own needs ----------------------------------------------------------------------


def need_workspace(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    needs = Need.objects.filter(organisation=organisation).select_related("programme", "municipality")
    counts = dict(needs.order_by().values_list("status").annotate(n=Count("id")))
    if status:
        needs = needs.filter(status=status)
    page = Paginator(needs.order_by("-created_at", "-id"), WORKSPACE_PER_PAGE).get_page(request.GET.get("page"))
    for need in page.object_list:
        with_flags(need)
    return render(
        request,
        "members/need_workspace.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "needs": page.object_list,
            "status": status,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "total": sum(counts.values()),
            "can_post": organisation.status == Organisation.Status.ACTIVE,
        },
    )


@require_http_methods(["GET", "POST"])
def need_create(request, slug):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), slug=slug)
    initial = {"contact_person": request.user.pk}
    form = NeedForm(request.POST or None, organisation=organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(organisation=organisation, acting_user=request.user, data=form.need_data())
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("“%(title)s” is saved as a draft. Publish it when it is ready to be seen.") % {"title": need.title},
            )
            return redirect(need.get_absolute_url())
    return render(request, "members/need_form.html", {"organisation": organisation, "form": form, "need": None})


@require_http_methods(["GET", "POST"])
def need_edit(request, pk):
    need = get_object_or_404(Need.objects.manageable_by(request.user).with_related(), pk=pk)
    if need.status not in services.NEED_EDITABLE_STATUSES:
        messages.error(
            request,
            _("A need that is “%(status)s” can no longer be changed.") % {"status": need.get_status_display()},
        )
        return redirect(need.get_absolute_url())
    form = NeedForm(request.POST or None, organisation=need.organisation, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_update(need=need, acting_user=request.user, data=form.need_data())
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Your changes to “%(title)s” are saved.") % {"title": need.title})
            return redirect(need.get_absolute_url())
    return render(request, "members/need_form.html", {"organisation": need.organisation, "form": form, "need": need})


@require_POST
def need_transition(request, pk):
    need = get_object_or_404(Need.objects.manageable_by(request.user).select_related("organisation"), pk=pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choose one of the actions shown."))
    else:
        service, _source, _target, _label, done = action
        try:
            need = service(need=need, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done % {"title": need.title})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = need.get_absolute_url()
    if request.htmx:
        # The workspace's row swaps in place; the message goes to the page's live region.
        return render(
            request,
            "members/need_workspace.html#row",
            {"need": with_flags(need), "organisation": need.organisation, "partial": True, "next_url": next_url},
        )
    return redirect(next_url)
