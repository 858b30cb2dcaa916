"""The governance chain in Django's admin, for administrators.

Every save and delete goes through kerne.organisation.services (the admin's hooks
`save_model`/`delete_model` call them), so each change is audited and the tree's
paths stay right: a unit's path and depth are read-only, a move re-parents the whole
subtree in the service, and units are closed (valid_to), never deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kerne.organisation import services
from kerne.organisation.models import Engagement, Person, PipelineLevel, Task, Unit
from kerne.organisation.names import clean_name, strip_invisible


class UnitStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", _("Aktiv")), ("closed", _("Lukket"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "active":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "closed":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "external_key", "parent", "valid_from", "valid_to"]

    def clean_name(self) -> str:
        return _required_name(self.cleaned_data["name"])

    def clean_external_key(self) -> str:
        return strip_invisible(self.cleaned_data["external_key"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        unit = self.instance
        if unit.pk and parent is not None and parent.is_within(unit):
            self.add_error(
                "parent", _("En enhed kan ikke flyttes ind under sig selv eller sine underenheder.")
            )
        return data


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitAdminForm
    list_display = ("name", "kind", "depth", "external_key", "valid_from", "valid_to")
    list_filter = ("kind", UnitStatusFilter)
    search_fields = ("name", "external_key")
    autocomplete_fields = ("parent",)
    ordering = ("path",)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("path", "depth")
        fixed = ("external_key", "valid_from", "path", "depth")
        # A closed unit stays closed here; closing is the one change of validity the admin makes.
        return (*fixed, "valid_to") if obj.valid_to else fixed

    def save_model(self, request: HttpRequest, obj: Unit, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            unit = services.unit_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                external_key=data["external_key"],
                parent=data.get("parent"),
                valid_from=data.get("valid_from"),
            )
            if data.get("valid_to"):
                services.unit_close(actor=request.user, unit=unit, valid_to=data["valid_to"])
            obj.pk = unit.pk
            obj._state.adding = False
            obj._state.db = unit._state.db
            obj.refresh_from_db()
            return
        current = Unit.objects.get(pk=obj.pk)
        if (current.name, current.kind) != (data["name"], data["kind"]):
            services.unit_update(actor=request.user, unit=current, name=data["name"], kind=data["kind"])
        if current.parent_id != (data["parent"].pk if data.get("parent") else None):
            services.unit_move(actor=request.user, unit=current, new_parent=data.get("parent"))
        if data.get("valid_to") and current.valid_to is None:
            services.unit_close(actor=request.user, unit=current, valid_to=data["valid_to"])
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        return False  # units are closed, never deleted: old survey rounds report on them


class EngagementInline(admin.TabularInline):
    """A person's engagements, read-only here (edited one by one in the engagement admin)."""

    model = Engagement
    fields = ("unit", "title", "is_leader", "pipeline_level", "is_primary", "valid_from", "valid_to")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _required_name(value: str) -> str:
    """A name without bidi controls and invisible characters (name spoofing, kerne/organisation/names.py)."""
    name = clean_name(value)
    if not name:
        raise forms.ValidationError(_("Navnet må ikke være tomt."), code="required")
    return name


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "external_key", "user"]

    def clean_name(self) -> str:
        return _required_name(self.cleaned_data["name"])

    def clean_external_key(self) -> str:
        return strip_invisible(self.cleaned_data["external_key"])


class EngagementAdminForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "person",
            "unit",
            "title",
            "is_leader",
            "pipeline_level",
            "is_primary",
            "valid_from",
            "valid_to",
            "external_key",
        ]

    def clean_title(self) -> str:
        return clean_name(self.cleaned_data.get("title") or "")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ("name", "email", "external_key", "user")
    search_fields = ("name", "email", "external_key")
    autocomplete_fields = ("user",)
    fields = ("name", "email", "external_key", "user")
    inlines = (EngagementInline,)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Person | None = None) -> tuple[str, ...]:
        return ("external_key",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.person_update(
                actor=request.user,
                person=Person.objects.get(pk=obj.pk),
                name=data["name"],
                email=data["email"],
                user=data.get("user"),
            )
            obj.refresh_from_db()
            return
        person = services.person_create(
            actor=request.user,
            name=data["name"],
            email=data["email"],
            external_key=data["external_key"],
            user=data.get("user"),
        )
        obj.pk = person.pk
        obj._state.adding = False
        obj._state.db = person._state.db

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False  # erasing a person is `kerne gdpr erase`, which keeps anonymous results intact


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    form = EngagementAdminForm
    list_display = ("person", "unit", "title", "is_leader", "pipeline_level", "is_primary", "valid_to")
    list_filter = ("is_leader", "is_primary", "pipeline_level")
    search_fields = ("person__name", "unit__name", "title")
    autocomplete_fields = ("person", "unit")
    list_select_related = ("person", "unit", "pipeline_level")
    fields = (
        "person",
        "unit",
        "title",
        "is_leader",
        "pipeline_level",
        "is_primary",
        "valid_from",
        "valid_to",
        "external_key",
    )
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Engagement | None = None) -> tuple[str, ...]:
        # Moving someone is ending one engagement and starting another.
        return ("person", "unit", "external_key") if obj is not None else ("external_key",)

    def save_model(self, request: HttpRequest, obj: Engagement, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            engagement = Engagement.objects.get(pk=obj.pk)
        else:
            engagement = services.engagement_create(
                actor=request.user,
                person=data["person"],
                unit=data["unit"],
                title=data["title"],
                is_leader=data["is_leader"],
                is_primary=data["is_primary"],
                pipeline_level=data.get("pipeline_level"),
                valid_from=data["valid_from"],
            )
        services.engagement_update(
            actor=request.user,
            engagement=engagement,
            title=data["title"],
            is_leader=data["is_leader"],
            is_primary=data["is_primary"],
            pipeline_level=data.get("pipeline_level"),
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
        )
        obj.pk = engagement.pk
        obj._state.adding = False
        obj._state.db = engagement._state.db
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Engagement) -> None:
        services.engagement_delete(actor=request.user, engagement=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Engagement]) -> None:
        for engagement in queryset:
            services.engagement_delete(actor=request.user, engagement=engagement)


@admin.register(PipelineLevel)
class PipelineLevelAdmin(admin.ModelAdmin):
    list_display = ("rank", "key", "name_da", "name_en")
    list_display_links = ("key", "name_da")
    fields = ("key", "rank", *services.PIPELINE_TEXT_FIELDS)
    readonly_fields = ("key", "rank")

    def save_model(self, request: HttpRequest, obj: PipelineLevel, form: ModelForm, change: bool) -> None:
        services.pipeline_level_update(
            actor=request.user,
            level=PipelineLevel.objects.get(pk=obj.pk),
            texts={name: form.cleaned_data[name] for name in services.PIPELINE_TEXT_FIELDS},
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the five levels are fixed; their texts are the municipality's

    def has_delete_permission(self, request: HttpRequest, obj: PipelineLevel | None = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("name_da", "pipeline_level", "unit_kind", "principle")
    list_filter = ("pipeline_level", "unit_kind", "principle")
    search_fields = ("name_da", "name_en", "description_da")
    list_select_related = ("pipeline_level", "principle")
    fields = (
        "name_da",
        "name_en",
        "description_da",
        "description_en",
        "pipeline_level",
        "unit_kind",
        "principle",
    )

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            services.task_update(actor=request.user, task=Task.objects.get(pk=obj.pk), **values)
            obj.refresh_from_db()
            return
        task = services.task_create(actor=request.user, **values)
        obj.pk = task.pk
        obj._state.adding = False
        obj._state.db = task._state.db

    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        services.task_delete(actor=request.user, task=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        for task in queryset:
            services.task_delete(actor=request.user, task=task)
