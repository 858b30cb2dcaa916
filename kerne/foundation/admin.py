"""Administrators edit the foundation here. Every save and delete goes through
kerne.foundation.services, so each change leaves an audit row; keys are read-only
once a row exists (other parts of Kerne link to them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, ProtectedError, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from kerne.foundation import services
from kerne.foundation.models import Behaviour, Foundation, Principle, Value


class AuditedAdmin(admin.ModelAdmin):
    """Routes the admin's writes through a service (the admin's hook, not business logic in save())."""

    save_service: Callable[..., Any]
    delete_service: Callable[..., Any] | None = None
    service_arg: str
    key_fields: tuple[str, ...] = ("key",)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        return self.key_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        type(self).save_service(actor=request.user, **{self.service_arg: obj})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete = type(self).delete_service
        if delete is None:  # guarded by has_delete_permission
            return
        try:
            delete(actor=request.user, **{self.service_arg: obj})
        except ProtectedError:
            messages.error(request, f"{obj} er i brug og kan ikke slettes.")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.delete_service is not None and super().has_delete_permission(request, obj)


@admin.register(Foundation)
class FoundationAdmin(AuditedAdmin):
    save_service = services.foundation_save
    service_arg = "foundation"
    key_fields = ()
    list_display = ("title_da", "municipality")
    fieldsets = (
        (None, {"fields": ("municipality", "title_da", "title_en")}),
        ("Formål", {"fields": ("purpose_da", "purpose_en")}),
        ("God ledelse", {"fields": ("definition_da", "definition_en")}),
        ("Social kapital", {"fields": ("values_intro_da", "values_intro_en")}),
        ("Styring", {"fields": ("governance_da", "governance_en")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Foundation.objects.exists() and super().has_add_permission(request)


@admin.register(Behaviour)
class BehaviourAdmin(AuditedAdmin):
    save_service = services.behaviour_save
    delete_service = services.behaviour_delete
    service_arg = "behaviour"
    list_display = ("order", "key", "label_da", "label_en")
    list_display_links = ("key", "label_da")
    fields = ("key", "order", "label_da", "label_en", "sentence_da", "sentence_en")


@admin.register(Value)
class ValueAdmin(AuditedAdmin):
    save_service = services.value_save
    delete_service = services.value_delete
    service_arg = "value"
    list_display = ("order", "key", "label_da", "label_en")
    list_display_links = ("key", "label_da")
    fields = ("key", "order", "label_da", "label_en", "description_da", "description_en")


@admin.register(Principle)
class PrincipleAdmin(AuditedAdmin):
    save_service = services.principle_save
    delete_service = services.principle_delete
    service_arg = "principle"
    list_display = ("number", "key", "title_da", "title_en")
    list_display_links = ("key", "title_da")
    fields = (
        "key",
        "number",
        "title_da",
        "title_en",
        "whole_organisation_da",
        "whole_organisation_en",
        "leaders_da",
        "leaders_en",
        "this_means_da",
        "this_means_en",
    )
