"""Forms of the HR round pages. The rules themselves live in services.round_validate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kerne.i18n import LANGUAGE_NAMES
from kerne.organisation.models import Unit
from kerne.surveys.models import Instrument, RaterGroup, Round
from kerne.surveys.services import round_validate

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * obj.depth + obj.name


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name_da} (v{obj.version}, {obj.get_kind_display()})"


def _units() -> Any:
    return Unit.objects.active().only("pk", "name", "depth", "path")


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    instrument = InstrumentChoiceField(label=_("Spørgeramme"), queryset=Instrument.objects.all())
    target_unit = UnitChoiceField(
        label=_("Målgruppe"),
        queryset=_units(),
        help_text=_("Enheden og alle enheder under den."),
    )
    mode = forms.ChoiceField(
        label=_("Form"),
        choices=Round.Mode.choices,
        widget=forms.RadioSelect,
        initial=Round.Mode.INVITED,
        help_text=_(
            "Personlige invitationer til medarbejdere (social kapital, 360), eller et åbent link pr. enhed "
            "til borgere og virksomheder."
        ),
    )
    opens_at = forms.DateTimeField(
        label=_("Åbner"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    closes_at = forms.DateTimeField(
        label=_("Lukker"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    cut_off_date = forms.DateField(
        label=_("Skæringsdato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Hvem der er ansat på denne dato, inviteres, og deres svar tæller for den enhed, "
            "de var ansat i da."
        ),
    )
    k = forms.IntegerField(
        label=_("Anonymitetsgrænse (k)"),
        initial=settings.KERNE_DEFAULT_K,
        help_text=_("Et resultat vises kun for grupper med mindst k besvarelser. Mindst 3."),
    )
    comment_k = forms.IntegerField(
        label=_("Anonymitetsgrænse for kommentarer"),
        initial=settings.KERNE_DEFAULT_K,
        help_text=_("Kommentarer vises kun for grupper med mindst så mange besvarelser. Mindst k."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Sprog"),
        choices=[(code, LANGUAGE_NAMES.get(code, name)) for code, name in settings.LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
        initial=["da", "en"],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_unit"].queryset = _units()  # type: ignore[attr-defined]
        self.fields["instrument"].queryset = Instrument.objects.all()  # type: ignore[attr-defined]
        if not self.is_bound and not self.initial.get("opens_at"):
            start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
            self.initial.setdefault("opens_at", start.replace(hour=8))
            self.initial.setdefault("closes_at", start.replace(hour=16) + dt.timedelta(days=14))
            self.initial.setdefault("cut_off_date", timezone.localdate())

    @classmethod
    def for_round(cls, round: Round) -> RoundForm:
        return cls(
            initial={
                "name": round.name,
                "instrument": round.instrument,
                "target_unit": round.target_unit,
                "mode": round.mode,
                "opens_at": timezone.localtime(round.opens_at),
                "closes_at": timezone.localtime(round.closes_at),
                "cut_off_date": round.cut_off_date,
                "k": round.k,
                "comment_k": round.comment_k,
                "languages": round.languages,
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = round_validate(
            name=data.get("name", "") or "",
            instrument=data.get("instrument"),
            target_unit=data.get("target_unit"),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            cut_off_date=data.get("cut_off_date"),
            k=data.get("k"),
            comment_k=data.get("comment_k"),
            languages=data.get("languages") or [],
            mode=data.get("mode", ""),
        )
        for field, message in errors.items():
            if field in self.errors:
                continue  # the field's own error (missing, not a number) says it already
            self.add_error(None if field == "__all__" else field, message)
        return data


class LeaderChoiceForm(forms.Form):
    leaders = forms.MultipleChoiceField(
        label=_("Ledere, der skal evalueres"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leaders"].choices = choices  # type: ignore[attr-defined]


RATER_GROUP_CHOICES = [
    (RaterGroup.SELF.value, RaterGroup.SELF.label),
    (RaterGroup.MANAGER.value, RaterGroup.MANAGER.label),
    (RaterGroup.PEER.value, RaterGroup.PEER.label),
    (RaterGroup.EMPLOYEE.value, RaterGroup.EMPLOYEE.label),
]


class PaperCodeForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Enhed"), queryset=Unit.objects.none(), help_text=_("Enheden og alt under den.")
    )
    include_emailed = forms.ChoiceField(
        label=_("Hvem"),
        choices=[
            ("", _("Kun dem uden e-mailadresse")),
            ("1", _("Alle, der ikke har svaret (deres e-mail-link holder op med at virke)")),
        ],
        widget=forms.RadioSelect,
        initial="",
        required=False,
    )

    def __init__(self, *args: Any, round: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.subtree_of(round.target_unit).only("pk", "name", "depth", "path")
        )


class OpenLinkUnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Enheder med eget link"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, round: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        field.queryset = Unit.objects.active().subtree_of(round.target_unit)  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: "\u2003" * (u.depth - round.target_unit.depth) + u.name  # type: ignore[attr-defined]
