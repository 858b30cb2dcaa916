"""Accounts in the admin: the audit log (read-only, for HR and administrators) and API tokens.

An API token's secret exists only at creation: the admin shows it once, on the page
that follows the save, and stores only its SHA-256 hash (never in a cookie or message).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from kerne.accounts.audit import audit_record
from kerne.accounts.models import ApiToken, AuditEntry, hash_token
from kerne.accounts.roles import is_hr


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("object_type", "action")
    search_fields = ("object_repr", "actor_name", "action", "object_id")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "actor",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
    )
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_hr(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_hr(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created", "last_used")
    search_fields = ("name", "user__username")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("name", "user") if obj is None else ("name", "user", "created", "last_used")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return () if obj is None else ("user", "created", "last_used")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool) -> None:
        if change:
            old_name = ApiToken.objects.get(pk=obj.pk).name
            obj.save(update_fields=["name"])
            audit_record(
                actor=request.user, action="apitoken.update", obj=obj, changes={"name": [old_name, obj.name]}
            )
            return
        secret = ApiToken.new_secret()
        obj.token_hash = hash_token(secret)
        obj.save()
        audit_record(
            actor=request.user, action="apitoken.create", obj=obj, changes={"user": [None, obj.user_id]}
        )
        setattr(request, "_kerne_token_secret", secret)  # noqa: B010 - read by response_add only

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, "_kerne_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("API-token oprettet"),
            "token": obj,
            "secret": secret,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "accounts/admin_token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        audit_record(
            actor=request.user, action="apitoken.delete", obj=obj, changes={"name": [obj.name, None]}
        )
        obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            self.delete_model(request, token)
