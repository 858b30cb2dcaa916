"""The governance chain (styringskæden): units, people, engagements, pipeline levels, tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Each path segment is the unit's id in fixed-width base 36, so the path sorts
# like the tree (depth-first) and a subtree is a contiguous key range.
PATH_SEGMENT_WIDTH = 7
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(pk: int) -> str:
    digits = []
    n = pk
    while n:
        n, rest = divmod(n, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rjust(PATH_SEGMENT_WIDTH, "0")


def subtree_upper_bound(path: str) -> str:
    """Smallest string greater than every path that starts with `path`."""
    return path + "~"


class UnitKind(models.TextChoices):
    EXECUTIVE = "executive", _("Direktion")
    CENTRE = "centre", _("Center")
    STAFF = "staff", _("Stab")
    DEPARTMENT = "department", _("Afdeling")
    INSTITUTION = "institution", _("Institution")
    TEAM = "team", _("Team")


class PipelineLevel(models.Model):
    """A Leadership Pipeline level (DESIGN §3), described by the municipality."""

    class Key(models.TextChoices):
        EMPLOYEE = "employee", _("Medarbejder (leder sig selv)")
        LEADER_OF_EMPLOYEES = "leader_of_employees", _("Leder af medarbejdere")
        LEADER_OF_LEADERS = "leader_of_leaders", _("Leder af ledere")
        FUNCTION_HEAD = "function_head", _("Funktionsleder (center-/stabschef)")
        EXECUTIVE = "executive", _("Direktør")

    key = models.CharField(max_length=32, choices=Key.choices, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 = employee … 5 = executive")
    name_da = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    work_values_da = models.TextField(blank=True)
    work_values_en = models.TextField(blank=True)
    time_application_da = models.TextField(blank=True)
    time_application_en = models.TextField(blank=True)
    skills_da = models.TextField(blank=True)
    skills_en = models.TextField(blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name_da


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self, on: dt.date | None = None) -> UnitQuerySet:
        day = on or dt.date.today()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__gte=unit.path, path__lt=subtree_upper_bound(unit.path))


class Unit(models.Model):
    """A node of the governance chain.

    The tree is stored as a materialized path (`path`: the ancestors' and own id
    segments). Subtree = one index range scan, ancestors = parsing the path, both
    without recursion, which is what 30,000-unit trees and per-request access
    checks need. A closure table would answer the same with O(n·depth) rows to
    maintain; moves (the only costly operation here) are rare in an organisation
    tree and done in one UPDATE of the moved subtree's paths.
    """

    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=UnitKind.choices)
    external_key = models.CharField(_("ekstern nøgle"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("gyldig fra"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["parent"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, on: dt.date | None = None) -> bool:
        day = on or dt.date.today()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (own id excluded)."""
        segments = [
            self.path[i : i + PATH_SEGMENT_WIDTH] for i in range(0, len(self.path), PATH_SEGMENT_WIDTH)
        ]
        return [int(s, 36) for s in segments[:-1]]

    def ancestors(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def subtree(self) -> UnitQuerySet:
        return Unit.objects.subtree_of(self)

    def is_within(self, other: Unit) -> bool:
        """True when self is `other` or below it."""
        return self.path.startswith(other.path)


class Person(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    external_key = models.CharField(_("ekstern nøgle"), max_length=100, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class EngagementQuerySet(models.QuerySet["Engagement"]):
    def active(self, on: dt.date | None = None) -> EngagementQuerySet:
        day = on or dt.date.today()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Engagement(models.Model):
    """A person's place in a unit: employment, or leadership of the unit."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="engagements")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(_("stilling"), max_length=200, blank=True)
    is_leader = models.BooleanField(_("leder"), default=False)
    is_primary = models.BooleanField(_("primær ansættelse"), default=True)
    pipeline_level = models.ForeignKey(
        PipelineLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    external_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    valid_from = models.DateField(_("gyldig fra"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["unit", "is_leader"]),
            models.Index(fields=["person", "is_leader"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="engagement_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.unit}"


class Task(models.Model):
    """A task or decision type and the level that owns it ("på hvilket niveau en opgave skal løses")."""

    name_da = models.CharField(_("opgave"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description_da = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    pipeline_level = models.ForeignKey(PipelineLevel, on_delete=models.PROTECT, related_name="tasks")
    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    principle = models.ForeignKey(
        "foundation.Principle", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )

    class Meta:
        ordering = ["pipeline_level__rank", "name_da"]

    def __str__(self) -> str:
        return self.name_da
