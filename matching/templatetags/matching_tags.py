"""What the members pages show of matching, without members importing matching: `{% load matching_tags %}`."""

from django import template

from members.models import Need

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("matching/_need_panel.html")
def need_matching_panel(need, user):
    """The matching panel of a need's page, for whoever looks at it:

    - the need's organisation and coordinators: how many matches it has in each status, and a link to them
      (two queries);
    - a signed-in person with a match for it: its status and a link (two queries);
    - a signed-in volunteer with an active profile, on an open need: the "I want to help" button (three);
    - everyone else (visitors too): how to take part (none for visitors, three for others).
    """
    context = {"need": need, "user": user}
    if not user.is_authenticated:
        return context
    if Need.objects.manageable_by(user).filter(pk=need.pk).exists():
        context["counts"] = selectors.need_match_counts(need=need)
        context["manages"] = True
        return context
    context["own_match"] = selectors.match_of_user_for_need(need=need, user=user)
    if context["own_match"] is None:
        context["can_offer_help"] = permissions.can_offer_help(user, need)
    return context
