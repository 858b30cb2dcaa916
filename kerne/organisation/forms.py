"""Forms of the organisation pages (the task register)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kerne.foundation.models import Principle
from kerne.i18n import localized
from kerne.organisation.models import PipelineLevel, Task, UnitKind


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return localized(obj, "name")


class PrincipleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {localized(obj, 'title')}"


class TaskForm(forms.ModelForm):
    """What HR edits about a task; saved through services.task_create / task_update."""

    pipeline_level = LevelChoiceField(
        queryset=PipelineLevel.objects.all(),
        label=_("Niveau, der ejer opgaven"),
        empty_label=None,
    )
    principle = PrincipleChoiceField(
        queryset=Principle.objects.all(),
        required=False,
        label=_("Princip i ledelsesgrundlaget"),
        empty_label=_("Intet princip"),
    )

    class Meta:
        model = Task
        fields = [
            "name_da",
            "description_da",
            "name_en",
            "description_en",
            "pipeline_level",
            "unit_kind",
            "principle",
        ]
        labels = {
            "name_da": _("Opgave (dansk)"),
            "description_da": _("Beskrivelse (dansk)"),
            "name_en": _("Opgave (engelsk)"),
            "description_en": _("Beskrivelse (engelsk)"),
            "unit_kind": _("Enhedstype, der ejer opgaven"),
        }
        widgets = {
            "description_da": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }


class TaskFilterForm(forms.Form):
    """The task register's filter (GET). Unknown values are ignored, not errors."""

    level = LevelChoiceField(
        queryset=PipelineLevel.objects.all(),
        to_field_name="key",
        required=False,
        label=_("Niveau"),
        empty_label=_("Alle niveauer"),
    )
    kind = forms.ChoiceField(
        choices=[("", _("Alle enhedstyper")), *UnitKind.choices], required=False, label=_("Enhedstype")
    )
    principle = PrincipleChoiceField(
        queryset=Principle.objects.all(),
        to_field_name="key",
        required=False,
        label=_("Princip"),
        empty_label=_("Alle principper"),
    )
    q = forms.CharField(required=False, label=_("Søg i opgaver"), max_length=100)
