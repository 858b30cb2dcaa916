"""The leadership foundation (ledelsesgrundlag) as editable data with stable keys."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Foundation(models.Model):
    """The foundation's framing texts; one row per installation."""

    municipality = models.CharField(_("kommune"), max_length=200)
    title_da = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    purpose_da = models.TextField(blank=True)
    purpose_en = models.TextField(blank=True)
    definition_da = models.TextField(_("definition af god ledelse"), blank=True)
    definition_en = models.TextField(blank=True)
    values_intro_da = models.TextField(blank=True)
    values_intro_en = models.TextField(blank=True)
    governance_da = models.TextField(_("styring"), blank=True)
    governance_en = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.title_da} – {self.municipality}"


class Behaviour(models.Model):
    """One behaviour of the definition of good leadership (a 360 dimension)."""

    key = models.SlugField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    label_da = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200, blank=True)
    sentence_da = models.TextField(_("sætning i ledelsesgrundlaget"))
    sentence_en = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label_da


class Value(models.Model):
    """A social-capital value: trust, justice, cooperation."""

    key = models.SlugField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    label_da = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200, blank=True)
    description_da = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label_da


class Principle(models.Model):
    """One of the executive board's common principles."""

    key = models.SlugField(max_length=64, unique=True)
    number = models.PositiveSmallIntegerField(unique=True)
    title_da = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    whole_organisation_da = models.TextField(_("hele organisationen"), blank=True)
    whole_organisation_en = models.TextField(blank=True)
    leaders_da = models.TextField(_("lederne"), blank=True)
    leaders_en = models.TextField(blank=True)
    this_means_da = models.TextField(_("det betyder"), blank=True)
    this_means_en = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title_da}"
