"""Forms of both sides of a match: answering, hours, feedback, completing a need. They parse and clean; the
rules themselves live in `matching.services`, which the views call with `cleaned_data`."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from members.forms.base import StyledForm

from . import services
from .permissions import NEED_SIDE, SUPPLY_SIDE
from .services import outcomes

SIDE_CHOICES = [(NEED_SIDE, _("For the need's organisation")), (SUPPLY_SIDE, _("For the volunteer or offer"))]


class SideMixin:
    """Adds a choice of side when the user speaks for both sides of the match."""

    def add_side(self, sides):
        if len(sides) > 1:
            self.fields["side"] = forms.ChoiceField(
                label=_("On behalf of"), choices=[c for c in SIDE_CHOICES if c[0] in sides], widget=forms.RadioSelect
            )
        self.only_side = next(iter(sides)) if len(sides) == 1 else None

    def side(self):
        return self.only_side or self.cleaned_data["side"]


class MatchAcceptForm(SideMixin, StyledForm, forms.Form):
    """Accepting a match. For an offer, the offering organisation names how many of its people take part and
    who they are (`people` and `participants` appear only then)."""

    def __init__(self, *args, match, sides, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_side(sides)
        self.names_people = bool(match.offer_id) and SUPPLY_SIDE in sides
        if self.names_people:
            self.fields["people"] = forms.IntegerField(
                label=_("Number of people"),
                required=False,
                initial=min(match.people, match.offer.people),
                help_text=_("How many of your people take part; name each of them below."),
            )
            self.fields["participants"] = forms.ModelMultipleChoiceField(
                label=_("Who takes part"),
                queryset=volunteers,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields["participants"].label_from_instance = lambda v: v.user.get_full_name()
        self.style_fields()

    def service_arguments(self) -> dict:
        side = self.side()
        if side == SUPPLY_SIDE and self.names_people:
            return {
                "side": side,
                "people": self.cleaned_data["people"],
                "participants": list(self.cleaned_data["participants"]),
            }
        return {"side": side}


class ReasonForm(SideMixin, StyledForm, forms.Form):
    """Declining or withdrawing: the service asks for the reason, and its message is shown at the field."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
        help_text=_("Required. A short reason helps the coordinators match better."),
    )

    def __init__(self, *args, sides=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_side(sides)
        self.style_fields()


class HoursForm(StyledForm, forms.Form):
    """One day's hours on a match. `clean` asks `services.hours_errors`, the rule the service applies too."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Hours"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text=_("For example 2 or 1.5."),
    )
    description = forms.CharField(label=_("What did you do?"), required=False, max_length=300)

    def __init__(self, *args, match, volunteer, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        self.volunteer = volunteer
        self.today = today or timezone.localdate()

    def clean(self):
        data = super().clean()
        # With one of the two unreadable, the other is still checked; the unreadable one already has its
        # error, and the rule's messages are only added to fields without one.
        if "hours" in data or "date" in data:
            errors = services.hours_errors(
                match=self.match,
                volunteer=self.volunteer,
                day=data.get("date"),
                hours=data.get("hours", 1),
                today=self.today,
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


class HoursConfirmForm(StyledForm, forms.Form):
    """Confirm several logged entries at once: a checkbox per entry and an optional corrected number."""

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for entry in self.entries:
            # Each row's fields say whose day they are, so the error summary's links name the row to correct.
            person, day = entry.volunteer.user.get_full_name(), date_format(entry.date, "j F Y")
            self.fields[f"confirm_{entry.pk}"] = forms.BooleanField(
                label=_("Confirm %(hours)s hours of %(person)s on %(date)s")
                % {"hours": entry.hours, "person": person, "date": day},
                required=False,
            )
            self.fields[f"hours_{entry.pk}"] = forms.DecimalField(
                label=_("Corrected hours of %(person)s on %(date)s") % {"person": person, "date": day},
                required=False,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
            )
        self.style_fields()

    def clean(self):
        data = super().clean()
        if not any(data.get(f"confirm_{entry.pk}") for entry in self.entries):
            raise forms.ValidationError(_("Tick the hours you want to confirm."))
        return data

    def rows(self):
        """(entry, its checkbox, its correction field) for the template."""
        return [(entry, self[f"confirm_{entry.pk}"], self[f"hours_{entry.pk}"]) for entry in self.entries]

    def chosen(self):
        return [entry for entry in self.entries if self.cleaned_data.get(f"confirm_{entry.pk}")]

    def corrections(self) -> dict:
        return {
            entry.pk: self.cleaned_data[f"hours_{entry.pk}"]
            for entry in self.chosen()
            if self.cleaned_data.get(f"hours_{entry.pk}") is not None
        }


class FeedbackForm(SideMixin, StyledForm, forms.Form):
    helped = forms.TypedChoiceField(
        label=_("Did it really help?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating (1 to 5)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is poor, 5 is excellent."),
    )
    comment = forms.CharField(label=_("In one sentence"), required=False, max_length=300)

    def __init__(self, *args, sides=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_side(sides)
        self.style_fields()


class NeedCompleteForm(StyledForm, forms.Form):
    """Completing a need: the residents actually helped and, for a need of the Work programme, up to
    `PLACEMENT_ROWS` employers with the people each took on. `clean` asks `services.outcomes.placement_errors`,
    the rule the service applies too."""

    PLACEMENT_ROWS = 3

    residents_reached = forms.IntegerField(
        label=_("Residents actually helped"),
        help_text=_("The number you planned is filled in; change it to what really happened."),
    )

    def __init__(self, *args, need=None, employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.need = need
        self.records_placements = need is not None and outcomes.records_placements(need)
        if self.records_placements:
            choices = [("", _("Choose an employer")), *[(str(pk), name) for pk, name in employers]]
            for row in range(1, self.PLACEMENT_ROWS + 1):
                self.fields[outcomes.placement_field("employer", row)] = forms.TypedChoiceField(
                    label=_("Employer"), choices=choices, coerce=int, empty_value=None, required=False
                )
                self.fields[outcomes.placement_field("into_work", row)] = forms.IntegerField(
                    label=_("People placed into work"), required=False, min_value=0
                )
                self.fields[outcomes.placement_field("work_study", row)] = forms.IntegerField(
                    label=_("People placed in a work-study (BBL) placement"), required=False, min_value=0
                )
            self.style_fields()

    def placement_rows(self):
        """(row number, employer field, into-work field, work-study field) for the template."""
        return [
            (row, *(self[outcomes.placement_field(f, row)] for f in ("employer", "into_work", "work_study")))
            for row in range(1, self.PLACEMENT_ROWS + 1)
        ]

    def placements(self) -> list:
        if not self.records_placements:
            return []
        data = self.cleaned_data
        return [
            outcomes.Placement(
                employer_id=data.get(outcomes.placement_field("employer", row)),
                into_work=data.get(outcomes.placement_field("into_work", row)) or 0,
                work_study=data.get(outcomes.placement_field("work_study", row)) or 0,
            )
            for row in range(1, self.PLACEMENT_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        if self.records_placements:
            # A field that could not be read already has its error; the rule's messages go to the others.
            for field, message in outcomes.placement_errors(need=self.need, placements=self.placements()).items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data
