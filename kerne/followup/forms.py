"""Forms of the follow-up pages. Validation lives here; the writes happen in services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kerne.accounts.roles import AnyUser
from kerne.followup import links as targets
from kerne.followup.models import TEXT_MAX, TITLE_MAX, Action, MeetingCase, RoundFollowup
from kerne.followup.selectors import owner_choices
from kerne.organisation.models import Person, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PARTICIPANTS = 10_000
OWNER_OUTSIDE = _("Den ansvarlige skal være en person i enheden, under den, eller en leder over den.")


def _field(form: forms.BaseForm, name: str) -> Any:
    return form.fields[name]


def text_field(label: Any, *, required: bool = True, help_text: Any = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": _("Højst %(limit_value)d tegn (du skrev %(show_value)d).")},
    )


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Mødedato"), widget=DATE)
    participants = forms.IntegerField(
        label=_("Antal deltagere"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        help_text=_("Kun et antal – skriv ikke navne."),
    )
    agreed = text_field(_("Det blev vi enige om"), rows=6)

    def __init__(self, *args: Any, case: MeetingCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("Mødet kan ikke registreres, før det er holdt: datoen ligger i fremtiden.")
            )
        if held_on < timezone.localtime(self.case.followup.round.closes_at).date():
            raise forms.ValidationError(_("Mødet skal være holdt efter, at målingen lukkede."))
        return held_on


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("Frist for dialogmøder"), widget=DATE)

    def __init__(self, *args: Any, followup: RoundFollowup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.followup = followup

    def clean_deadline(self) -> dt.date:
        deadline: dt.date = self.cleaned_data["deadline"]
        if deadline < self.followup.released_on:
            raise forms.ValidationError(_("Fristen kan ikke ligge før resultaterne blev frigivet."))
        return deadline


class LinksField(forms.MultipleChoiceField):
    """What an action addresses: codes from kerne.followup.links, each resolved in the form's clean."""

    widget = forms.SelectMultiple(attrs={"size": 8})

    def valid_value(self, value: str) -> bool:
        return True  # checked against the database (exists, visible) in ActionForm.clean_links


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=TITLE_MAX)
    description = text_field(_("Beskrivelse"), required=False)
    unit = forms.ModelChoiceField(label=_("Enhed"), queryset=Unit.objects.none())
    owner = forms.ModelChoiceField(
        label=_("Ansvarlig"),
        queryset=Person.objects.none(),
        help_text=_("En person i enheden, under den, eller en leder over den."),
        error_messages={"invalid_choice": OWNER_OUTSIDE},
    )
    deadline = forms.DateField(label=_("Frist"), widget=DATE)
    links = LinksField(
        label=_("Handlingen skal forbedre"),
        required=False,
        help_text=_(
            "Vælg en eller flere: en dimension i målingen, et mål, en indikator, en adfærd eller et princip."
        ),
    )

    def __init__(
        self,
        *args: Any,
        user: AnyUser,
        units: list[Unit],
        unit: Unit | None = None,
        action: Action | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        _field(self, "unit").queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        if action is not None:
            del self.fields["unit"]
            unit = action.unit
        if unit is not None and "unit" in self.fields:
            _field(self, "unit").initial = unit.pk
        chosen = unit
        if chosen is None and self.is_bound:
            chosen = next((u for u in units if str(u.pk) == str(self.data.get("unit"))), None)
        if chosen is None and units:
            chosen = units[0]
        self.link_unit = chosen
        _field(self, "owner").queryset = (
            owner_choices(chosen) if chosen is not None else Person.objects.none()
        )
        _field(self, "links").choices = targets.choices(user, chosen)

    def clean_deadline(self) -> dt.date:
        deadline: dt.date = self.cleaned_data["deadline"]
        changed = self.action is None or deadline != self.action.deadline
        if changed and deadline < timezone.localdate():
            raise forms.ValidationError(_("Fristen kan ikke ligge i fortiden."))
        return deadline

    def clean_links(self) -> list[targets.LinkTarget]:
        codes: list[str] = self.cleaned_data.get("links") or []
        unit = self.link_unit
        resolved = []
        errors = []
        for code in codes:
            try:
                if unit is None:
                    raise targets.LinkError(_("Vælg først en enhed."))
                resolved.append(targets.resolve(self.user, unit, code))
            except targets.LinkError as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        return resolved

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = data.get("owner")
        unit = data.get("unit", self.link_unit)
        if owner is not None and unit is not None and not owner_choices(unit).filter(pk=owner.pk).exists():
            self.add_error(
                "owner",
                _("Den ansvarlige skal være en person i enheden, under den, eller en leder over den."),
            )
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    reason = text_field(
        _("Begrundelse"), required=False, rows=2, help_text=_("Skal udfyldes, når handlingen opgives.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Action.Status.DROPPED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv hvorfor handlingen opgives."))
        return data


class NoteForm(forms.Form):
    text = text_field(_("Notat om fremdrift"), rows=3)
    on = forms.DateField(label=_("Dato"), widget=DATE, required=False)

    def clean_on(self) -> dt.date:
        on: dt.date | None = self.cleaned_data.get("on")
        if on is None:
            return timezone.localdate()
        if on > timezone.localdate():
            raise forms.ValidationError(_("Et notat om fremdrift kan ikke dateres i fremtiden."))
        return on


SMALL_UNIT_WARNING = _(
    "Hvis du sender forslaget uden navn, gemmer Kerne ikke, hvem der skrev det – kun datoen. "
    "Men i en lille enhed kan ordvalget eller emnet i sig selv afsløre, hvem der har skrevet det."
)


class ProposalForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Til enheden"), queryset=Unit.objects.none())
    what = text_field(_("Hvad foreslår du?"))
    why = text_field(_("Hvorfor?"))
    effect = text_field(_("Forventet effekt for borgere eller kolleger"))
    signed = forms.BooleanField(
        label=_("Send forslaget med mit navn"), required=False, initial=True, help_text=SMALL_UNIT_WARNING
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "unit").queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        if units:
            _field(self, "unit").initial = units[0].pk


class AnswerForm(forms.Form):
    DECISIONS = (
        ("accepted", _("Accepteret – forslaget bliver en handling")),
        ("declined", _("Afvist – med en begrundelse, som enheden kan se")),
        ("parked", _("Parkeret til en dato")),
        ("passed_up", _("Sendt videre til lederen over")),
    )
    decision = forms.ChoiceField(label=_("Svar"), choices=DECISIONS, widget=forms.RadioSelect)
    text = text_field(_("Svar eller begrundelse"), required=False, rows=3)
    parked_until = forms.DateField(label=_("Parkeret til"), widget=DATE, required=False)
    action_title = forms.CharField(label=_("Handlingens titel"), max_length=TITLE_MAX, required=False)
    action_owner = forms.ModelChoiceField(
        label=_("Ansvarlig for handlingen"),
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": OWNER_OUTSIDE},
    )
    action_deadline = forms.DateField(label=_("Handlingens frist"), widget=DATE, required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "action_owner").queryset = owner_choices(unit)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        today = timezone.localdate()
        if decision == "declined" and not (data.get("text") or "").strip():
            self.add_error("text", _("Skriv hvorfor forslaget afvises; begrundelsen vises for enheden."))
        if decision == "parked":
            until = data.get("parked_until")
            if until is None or until <= today:
                self.add_error("parked_until", _("Vælg en dato i fremtiden, som forslaget parkeres til."))
        if decision == "accepted":
            if not (data.get("action_title") or "").strip():
                self.add_error("action_title", _("Et accepteret forslag bliver en handling: skriv en titel."))
            deadline = data.get("action_deadline")
            if deadline is None:
                self.add_error(
                    "action_deadline", _("Et accepteret forslag bliver en handling: vælg en frist.")
                )
            elif deadline < today:
                self.add_error("action_deadline", _("Fristen kan ikke ligge i fortiden."))
        return data


class HideForm(forms.Form):
    reason = text_field(_("Hvorfor skjules forslaget?"), rows=2)
