"""What an action addresses, as one text each, shared by the forms and the API.

    dimension:<round id>:<dimension key>   a survey dimension of a released round
    effect_goal:<id> · unit_goal:<id> · indicator:<id>    kerne.goals, as the user may see them
    behaviour:<key> · principle:<key>      kerne.foundation

`resolve` checks that the target exists and that the user may see it (the round's results
for the action's unit, the goal through kerne.goals.selectors); `choices` lists what a user
may pick for a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from kerne.accounts.roles import AnyUser
from kerne.followup.models import ActionLink, RoundFollowup
from kerne.foundation.models import Behaviour, Principle
from kerne.goals import selectors as goals
from kerne.i18n import localized
from kerne.organisation.models import Unit
from kerne.results.selectors import may_see_unit_results
from kerne.surveys.models import Dimension, Round


class LinkError(ValueError):
    """The target does not exist, or the user may not see it; the message says which."""


@dataclass(frozen=True)
class LinkTarget:
    kind: str
    fields: dict[str, Any]  # the ActionLink fields that name the target
    label: str

    @property
    def code(self) -> str:
        return encode(self.kind, self.fields)


def encode(kind: str, fields: dict[str, Any]) -> str:
    if kind == ActionLink.Kind.DIMENSION:
        return f"dimension:{_pk(fields['round'])}:{fields['dimension_key']}"
    target = fields[kind]
    if kind in (ActionLink.Kind.BEHAVIOUR, ActionLink.Kind.PRINCIPLE):
        return f"{kind}:{target.key}"
    return f"{kind}:{_pk(target)}"


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def link_code(link: ActionLink) -> str:
    if link.kind == ActionLink.Kind.DIMENSION:
        return f"dimension:{link.round_id}:{link.dimension_key}"
    target = getattr(link, link.kind)
    return encode(link.kind, {link.kind: target})


def link_label(link: ActionLink) -> str:
    if link.kind == ActionLink.Kind.DIMENSION:
        round_ = link.round
        assert round_ is not None  # the database's check constraint
        dimension = Dimension.objects.filter(
            instrument_id=round_.instrument_id, key=link.dimension_key
        ).first()
        name = localized(dimension, "name") if dimension else link.dimension_key
        return f"{name} ({round_.name})"
    target = getattr(link, link.kind)
    return _target_label(link.kind, target)


def _target_label(kind: str, target: Any) -> str:
    if kind == ActionLink.Kind.PRINCIPLE:
        return f"{target.number}. {localized(target, 'title')}"
    if kind == ActionLink.Kind.BEHAVIOUR:
        return localized(target, "label")
    if kind == ActionLink.Kind.INDICATOR:
        return localized(target, "name")
    return localized(target, "title")


def _digits(text: str) -> int:
    if not text.isdigit():
        raise LinkError(_("Ukendt henvisning: %(code)s") % {"code": text})
    return int(text)


def resolve(user: AnyUser, unit: Unit, code: str) -> LinkTarget:
    """The target named by `code`, when it exists and the user may see it; else LinkError."""
    kind, _sep, rest = code.strip().partition(":")
    missing = LinkError(
        _("Det, handlingen skal henvise til, findes ikke (eller du kan ikke se det): %(code)s")
        % {"code": code}
    )
    if kind == ActionLink.Kind.DIMENSION:
        round_pk, _sep, key = rest.partition(":")
        round_ = Round.objects.select_related("instrument").filter(pk=_digits(round_pk)).first()
        if round_ is None or not may_see_unit_results(user, round_, unit):
            raise missing
        dimension = Dimension.objects.filter(instrument_id=round_.instrument_id, key=key).first()
        if dimension is None:
            raise missing
        return LinkTarget(
            kind,
            {"round": round_, "dimension_key": key},
            f"{localized(dimension, 'name')} ({round_.name})",
        )
    target: Any
    if kind == ActionLink.Kind.EFFECT_GOAL:
        target = goals.effect_goals(user).filter(pk=_digits(rest)).first()
    elif kind == ActionLink.Kind.UNIT_GOAL:
        target = goals.unit_goals(user).filter(pk=_digits(rest)).first()
    elif kind == ActionLink.Kind.INDICATOR:
        target = goals.indicators(user).filter(pk=_digits(rest)).first()
    elif kind == ActionLink.Kind.BEHAVIOUR:
        target = Behaviour.objects.filter(key=rest).first()
    elif kind == ActionLink.Kind.PRINCIPLE:
        target = Principle.objects.filter(key=rest).first()
    else:
        raise LinkError(_("Ukendt henvisning: %(code)s") % {"code": code})
    if target is None:
        raise missing
    return LinkTarget(kind, {kind: target}, _target_label(kind, target))


def choices(user: AnyUser, unit: Unit | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped (optgroup) choices of what the user may link an action in `unit` to."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if unit is not None:
        dims = []
        for followup in RoundFollowup.objects.select_related("round", "round__instrument")[:6]:
            round_ = followup.round
            if not may_see_unit_results(user, round_, unit):
                continue
            for dimension in Dimension.objects.filter(instrument_id=round_.instrument_id):
                dims.append(
                    (
                        f"dimension:{round_.pk}:{dimension.key}",
                        f"{localized(dimension, 'name')} ({round_.name})",
                    )
                )
        if dims:
            groups.append((_("Dimensioner i en måling"), dims))
        unit_goals = goals.unit_goals(user).filter(unit__path__in=[unit.path, *_ancestor_paths(unit)])[:200]
        if unit_goals:
            groups.append(
                (_("Enhedsmål"), [(f"unit_goal:{g.pk}", localized(g, "title")) for g in unit_goals])
            )
    groups.append(
        (
            _("Effektmål"),
            [(f"effect_goal:{g.pk}", localized(g, "title")) for g in goals.effect_goals(user)[:200]],
        )
    )
    groups.append(
        (
            _("Indikatorer"),
            [(f"indicator:{i.pk}", localized(i, "name")) for i in goals.indicators(user)[:200]],
        )
    )
    groups.append(
        (
            _("Adfærd i definitionen af god ledelse"),
            [(f"behaviour:{b.key}", localized(b, "label")) for b in Behaviour.objects.all()],
        )
    )
    groups.append(
        (
            _("Principper i ledelsesgrundlaget"),
            [(f"principle:{p.key}", _target_label("principle", p)) for p in Principle.objects.all()],
        )
    )
    return [(label, options) for label, options in groups if options]


def _ancestor_paths(unit: Unit) -> list[str]:
    return list(Unit.objects.filter(pk__in=unit.ancestor_ids()).values_list("path", flat=True))
