"""Forms of the goals pages. Validation lives here; the writes happen in services.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from kerne.accounts.roles import AnyUser
from kerne.foundation.models import Principle
from kerne.goals import numbers, selectors
from kerne.goals.importers import parse_number, parse_period
from kerne.goals.models import (
    ChainLink,
    ChainNode,
    EffectGoal,
    Indicator,
    Intervention,
    Measurement,
    Milestone,
    Partner,
    Rollout,
    RolloutState,
    StatusChoice,
    Theme,
    UnitGoal,
    Vision,
)
from kerne.goals.series import formula_problem
from kerne.organisation.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
MILESTONE_VALUE = numbers.decimal_field(Milestone, "value")
# Unit pickers list at most this many levels below the top of what the user may edit.
PICKER_LEVELS = 3


def _field(form: forms.BaseForm, name: str) -> Any:
    return form.fields[name]


def _qs(form: forms.BaseForm, name: str, queryset: Any) -> None:
    _field(form, name).queryset = queryset


class DecimalText(forms.CharField):
    """A number typed the Danish way (12,5) or the English way (12.5), checked against the model
    field it is stored in (finite, digits before the mark, rounded to its decimal places)."""

    def __init__(self, *, model_field: models.DecimalField, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_field = model_field

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # parse_decimal refuses longer texts; no max_length validator, which would see a Decimal.
        return {**super().widget_attrs(widget), "maxlength": str(numbers.MAX_TEXT_LENGTH)}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_number(text, self.model_field, str(self.label or ""))
        except numbers.NumberError as exc:
            raise forms.ValidationError(exc.message) from exc
        except (InvalidOperation, ValueError) as exc:
            raise forms.ValidationError(_("Skriv et tal, fx 12,5.")) from exc


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'· ' * obj.depth}{obj.name}"


def unit_picker_queryset(user: AnyUser, units: Any = None) -> Any:
    """`units` (default: the units whose goals the user edits), to PICKER_LEVELS below the top."""
    units = selectors.editable_units(user) if units is None else units
    top = units.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return units
    return units.filter(depth__lte=top + PICKER_LEVELS).active().order_by("path")


def indicator_choices(user: AnyUser) -> Any:
    return selectors.indicators(user).order_by("name_da")


class VisionForm(forms.ModelForm):
    class Meta:
        model = Vision
        fields = ["title_da", "title_en", "horizon_year", "description_da", "description_en", "active"]
        widgets = {"description_da": TEXT, "description_en": TEXT}


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title_da", "title_en", "order", "description_da", "description_en"]
        widgets = {"description_da": TEXT, "description_en": TEXT}


class EffectGoalForm(forms.ModelForm):
    class Meta:
        model = EffectGoal
        fields = [
            "vision",
            "owner_unit",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "order",
            "themes",
            "principles",
            "indicators",
        ]
        widgets = {
            "description_da": TEXT,
            "description_en": TEXT,
            "themes": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
        }
        field_classes = {"owner_unit": UnitChoiceField}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "owner_unit", unit_picker_queryset(user))
        _qs(self, "principles", Principle.objects.all())
        _qs(self, "themes", Theme.objects.select_related("vision"))
        _qs(self, "indicators", indicator_choices(user))


class UnitGoalForm(forms.ModelForm):
    effect_goals = forms.ModelMultipleChoiceField(
        queryset=EffectGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Bidrager til effektmål"),
    )

    class Meta:
        model = UnitGoal
        fields = ["title_da", "title_en", "description_da", "description_en", "indicators"]
        widgets = {
            "description_da": TEXT,
            "description_en": TEXT,
            "indicators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: AnyUser, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "indicators", indicator_choices(user))
        if creating:
            _qs(self, "effect_goals", selectors.effect_goals(user))
        else:
            del self.fields["effect_goals"]


class RelinkForm(forms.Form):
    effect_goals = forms.ModelMultipleChoiceField(
        queryset=EffectGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Bidrager til effektmål"),
    )
    reason = forms.CharField(label=_("Begrundelse"), widget=TEXT, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "effect_goals", selectors.effect_goals(user))


class LiftForm(forms.Form):
    to_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Løft målet til"))
    reason = forms.CharField(label=_("Begrundelse"), widget=TEXT)

    def __init__(self, *args: Any, user: AnyUser, goal: UnitGoal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        above = [u for u in goal.unit.ancestors() if selectors.can_edit_unit(user, u)]
        _qs(self, "to_unit", Unit.objects.filter(pk__in=[u.pk for u in above]).order_by("path"))


class InterventionForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = [
            "owner_unit",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "starts",
            "ends",
            "effect_goals",
            "co_creation_da",
            "co_creation_en",
        ]
        widgets = {
            "description_da": TEXT,
            "description_en": TEXT,
            "co_creation_da": TEXT,
            "co_creation_en": TEXT,
            "starts": DATE,
            "ends": DATE,
            "effect_goals": forms.CheckboxSelectMultiple,
        }
        field_classes = {"owner_unit": UnitChoiceField}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "owner_unit", unit_picker_queryset(user))
        _qs(self, "effect_goals", selectors.effect_goals(user))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("Perioden kan ikke slutte, før den begynder."))
        return data


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["kind", "name", "how"]


class ChainNodeForm(forms.ModelForm):
    class Meta:
        model = ChainNode
        fields = ["kind", "text_da", "text_en", "order", "indicator"]

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "indicator", indicator_choices(user))


class ChainLinkForm(forms.ModelForm):
    class Meta:
        model = ChainLink
        fields = ["source", "target", "assumption_da", "assumption_en", "evidence", "reference"]
        widgets = {"assumption_da": TEXT, "assumption_en": TEXT}

    def __init__(self, *args: Any, intervention: Intervention, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nodes = ChainNode.objects.filter(intervention=intervention)
        _qs(self, "source", nodes)
        _field(self, "source").empty_label = _("Indsatsen selv")
        _qs(self, "target", nodes)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", _("Et led kan ikke pege på sig selv."))
        return data


class IndicatorForm(forms.ModelForm):
    milestones = forms.CharField(
        label=_("Delmål"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ét delmål pr. linje: dato; værdi – fx 2026-12-31; 62,5"),
    )
    baseline_value = DecimalText(
        label=_("Baseline (værdi)"),
        required=False,
        model_field=numbers.decimal_field(Indicator, "baseline_value"),
    )
    target_value = DecimalText(
        label=_("Mål (værdi)"), required=False, model_field=numbers.decimal_field(Indicator, "target_value")
    )

    class Meta:
        model = Indicator
        fields = [
            "name_da",
            "name_en",
            "code",
            "description_da",
            "description_en",
            "owner_unit",
            "unit_of_measure",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "frequency",
            "source",
            "aggregation",
            "numerator",
            "denominator",
            "factor",
            "survey_dimension",
            "tolerance",
            "off_track_threshold",
        ]
        widgets = {
            "description_da": TEXT,
            "description_en": TEXT,
            "baseline_date": DATE,
            "target_date": DATE,
        }
        field_classes = {"owner_unit": UnitChoiceField}
        help_texts = {
            "tolerance": _("Andel af |mål − baseline|; 0,05 = 5 %."),
            "off_track_threshold": _("Andel af |mål − baseline|; 0,15 = 15 %."),
            "factor": _("Fx 100 for procent."),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "owner_unit", unit_picker_queryset(user))
        choices = indicator_choices(user)
        if self.instance.pk:
            choices = choices.exclude(pk=self.instance.pk)
        _qs(self, "numerator", choices)
        _qs(self, "denominator", choices)
        if self.instance.pk and not self.is_bound:
            self.initial["milestones"] = "\n".join(
                f"{m.date.isoformat()}; {m.value.normalize()}" for m in self.instance.milestones.all()
            )
            for name in ("baseline_value", "target_value"):
                value = getattr(self.instance, name)
                self.initial[name] = "" if value is None else str(value.normalize())

    def clean_milestones(self) -> list[tuple[dt.date, Decimal]]:
        rows: list[tuple[dt.date, Decimal]] = []
        for number, line in enumerate(self.cleaned_data.get("milestones", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            try:
                if len(parts) != 2:
                    raise ValueError(line)
                rows.append(
                    (parse_period(parts[0]), parse_number(parts[1], MILESTONE_VALUE, str(_("Delmål"))))
                )
            except numbers.NumberError as exc:
                raise forms.ValidationError(
                    _("Linje %(n)s: %(message)s"), params={"n": number, "message": exc.message}
                ) from exc
            except (ValueError, InvalidOperation) as exc:
                raise forms.ValidationError(
                    _("Linje %(n)s: skriv dato; værdi – fx 2026-12-31; 62,5"), params={"n": number}
                ) from exc
        if len({d for d, _v in rows}) != len(rows):
            raise forms.ValidationError(_("To delmål har samme dato."))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source == Indicator.Source.COMPUTED:
            if not data.get("numerator"):
                self.add_error("numerator", _("En beregnet indikator skal have en tæller."))
            if not data.get("denominator"):
                self.add_error("denominator", _("En beregnet indikator skal have en nævner."))
            if data.get("numerator") and data.get("denominator"):
                probe = Indicator(
                    pk=self.instance.pk or -1,
                    source=source,
                    numerator=data["numerator"],
                    denominator=data["denominator"],
                )
                if formula_problem(probe) == "cycle":
                    self.add_error("numerator", _("Formlen må ikke henvise til sig selv."))
        if source == Indicator.Source.SURVEY and not data.get("survey_dimension"):
            self.add_error("survey_dimension", _("Vælg den dimension, indikatoren viser."))
        b_date, t_date = data.get("baseline_date"), data.get("target_date")
        if b_date and t_date and t_date < b_date:
            self.add_error("target_date", _("Måldatoen skal ligge efter baselinedatoen."))
        tol, off = data.get("tolerance"), data.get("off_track_threshold")
        if tol is not None and off is not None and off < tol:
            self.add_error("off_track_threshold", _("Grænsen skal være mindst lige så stor som tolerancen."))
        return data


class MeasurementForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Enhed"))
    period = forms.CharField(
        label=_("Periode"), help_text=_("En dato i perioden, eller 2025-03, 2025-K1 eller 2025.")
    )
    value = DecimalText(label=_("Værdi"), model_field=numbers.decimal_field(Measurement, "value"))
    weight = DecimalText(
        label=_("Vægt (valgfri)"),
        required=False,
        help_text=_("Fx antal borgere bag tallet."),
        model_field=numbers.decimal_field(Measurement, "weight"),
    )
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=TEXT)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "unit", unit_picker_queryset(user, selectors.measurement_units(user)))

    def clean_period(self) -> dt.date:
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(_("Skriv en dato eller en periode, fx 2025-03.")) from exc


class OverrideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Brug den beregnede status")), *StatusChoice.choices],
        required=False,
    )
    reason = forms.CharField(label=_("Begrundelse"), widget=TEXT)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Fil (CSV eller XLSX)"))


class RolloutForm(forms.ModelForm):
    class Meta:
        model = Rollout
        fields = [
            "title_da",
            "title_en",
            "decision_da",
            "decision_en",
            "intervention",
            "root_unit",
            "deadline",
        ]
        widgets = {"decision_da": TEXT, "decision_en": TEXT, "deadline": DATE}
        field_classes = {"root_unit": UnitChoiceField}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _qs(self, "root_unit", unit_picker_queryset(user))
        _qs(self, "intervention", selectors.interventions(user))


class RolloutStateForm(forms.ModelForm):
    class Meta:
        model = RolloutState
        fields = ["state", "reason", "note"]
        widgets = {"reason": TEXT, "state": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("state") == RolloutState.State.NOT_RELEVANT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Skriv hvorfor udrulningen ikke er relevant for enheden."))
        return data
