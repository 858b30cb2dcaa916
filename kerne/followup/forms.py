"""Forms of the follow-up pages. Validation lives here; the writes happen in services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kerne.followup.models import TEXT_MAX, MeetingCase, RoundFollowup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PARTICIPANTS = 10_000


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
