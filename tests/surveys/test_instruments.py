"""Instruments: the shipped ones, validation with line numbers, export/import round trip, versions."""

from __future__ import annotations

import json

import pytest

from kerne.foundation.models import Behaviour, Value
from kerne.surveys.instruments import (
    SHIPPED_FILES,
    InstrumentError,
    export_instrument,
    instrument_is_locked,
    load_instrument_file,
    parse_instrument,
    shipped_instrument,
)
from kerne.surveys.models import Instrument, Round
from kerne.surveys.scales import SCALES, get_scale
from tests.surveys.factories import make_round

pytestmark = pytest.mark.django_db

BEHAVIOURS = [
    "direction",
    "meaning_results",
    "motivates",
    "decency",
    "respect_trust",
    "says_no",
    "stands_by_decisions",
    "listens",
    "makes_succeed",
    "curious",
    "feedback_culture",
]


def errors_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, **kwargs)
    return caught.value.errors


def test_the_migration_loaded_the_three_shipped_instruments():
    keys = set(Instrument.objects.filter(shipped=True).values_list("key", flat=True))
    assert keys == {"social-capital", "leadership-360", "citizen-quality"}


def test_social_capital_covers_each_value_in_each_relation():
    instrument = shipped_instrument("social_capital")
    cells: dict[tuple[str, str], int] = {}
    for dimension in instrument.dimensions.select_related("value"):
        assert dimension.value is not None, dimension.key
        cells[(dimension.value.key, dimension.aspect)] = dimension.items.count()
    assert set(cells) == {
        (value, aspect)
        for value in ("trust", "justice", "cooperation")
        for aspect in ("bonding", "bridging", "linking")
    }
    for value in ("trust", "justice", "cooperation"):
        assert sum(n for (v, _), n in cells.items() if v == value) >= 3
    assert instrument.items.filter(reversed=True).count() >= 3
    assert instrument.free_text_questions.count() == 2
    assert all(item.text_en for item in instrument.items.all())


def test_leadership_360_has_one_dimension_per_behaviour_worded_per_rater_group():
    instrument = shipped_instrument("leadership_360")
    dimensions = list(instrument.dimensions.select_related("behaviour"))
    assert [d.behaviour.key for d in dimensions] == BEHAVIOURS
    assert set(Behaviour.objects.values_list("key", flat=True)) == set(BEHAVIOURS)
    for dimension in dimensions:
        assert dimension.items.count() >= 2
        for item in dimension.items.all():
            assert set(item.wordings) == {"self", "manager", "peer", "employee"}
            for group, text in item.wordings.items():
                assert text["da"] and text["en"], (item.key, group)
            assert item.wordings["self"]["da"].startswith(("Jeg", "Når jeg", "Hos os"))
            assert item.wordings["self"]["en"].startswith(("I ", "When I", "Here"))
            assert item.wordings["employee"]["da"].startswith(("Min leder", "Når min leder", "Jeg", "Hos os"))
            assert item.wordings["manager"]["da"].startswith(("Lederen", "Når lederen", "Jeg", "I lederens"))


def test_citizen_quality_is_short_with_one_free_text():
    instrument = shipped_instrument("citizen")
    assert instrument.kind == "citizen"
    assert 3 <= instrument.items.count() <= 6
    assert instrument.free_text_questions.count() == 1
    assert instrument.items.filter(key="quality-handling").exists()


def test_scales_have_five_options_with_five_most_favourable_and_dont_know():
    for scale in SCALES.values():
        assert [o.value for o in scale.options] == [5, 4, 3, 2, 1]
        assert scale.dont_know.value == 0
        assert scale.dont_know.label("da") == "Ved ikke / ikke relevant"
        assert all(o.da and o.en for o in scale.options)
    assert get_scale("agree5").label(5, "da") == "Helt enig"
    assert get_scale("agree5").label(1, "en") == "Strongly disagree"
    with pytest.raises(KeyError):
        get_scale("nope")


def test_validation_names_the_line_and_the_problem():
    text = """key: bad key
kind: survey
name: {da: Prøve}
dimensions:
  - key: d1
    name: {da: D}
    value: happiness
    items:
      - key: i1
        text: {da: Et udsagn, fr: Une phrase}
        revresed: true
      - key: i1
        scale: stars10
        optional: maybe
  - name: {da: Uden nøgle}
    items: []
free_text:
  - key: i1
    text: {en: Only English}
"""
    errors = errors_of(text, known_values={"trust", "justice"}, known_behaviours=set())
    expected = [
        "line 1: key 'bad key'",
        "line 2: kind 'survey' is not one of",
        "line 7: unknown foundation value 'happiness'",
        "line 10: unknown language 'fr'",
        "line 11: unknown field 'revresed'",
        "line 12: key 'i1' is used twice",
        "line 12: item 'i1' has no text",
        "line 13: unknown scale 'stars10'",
        "line 14: optional of item 'i1' must be true or false",
        "line 15: dimension 2 has no key",
        "line 16: items of dimension",
        "line 19: free-text question 'i1' has no Danish text",
    ]
    for fragment in expected:
        assert any(error.startswith(fragment) for error in errors), (fragment, errors)
    assert all(error.startswith("line ") for error in errors)


def test_syntax_errors_name_the_line():
    assert errors_of("key: a\nkind: citizen\nname: [unclosed\n")[0].startswith("line 4: invalid YAML")
    errors = errors_of('{\n  "key": "a",\n  "kind": \n}', format="json")
    assert errors[0].startswith("line 4: invalid JSON")
    assert errors_of("key: a\nkey: b\n")[0] == "line 2: field 'key' appears twice"
    assert errors_of("- just\n- a list\n")[0].startswith("line 1: the instrument must be a mapping")


def test_a_file_with_errors_imports_nothing():
    before = Instrument.objects.count()
    with pytest.raises(InstrumentError):
        load_instrument_file(
            "key: x\nkind: other\nname: X\ndimensions:\n  - key: d\n    name: D\n    items: []\n"
        )
    assert Instrument.objects.count() == before


@pytest.mark.parametrize("format", ["yaml", "json"])
@pytest.mark.parametrize("key", list(SHIPPED_FILES))
def test_export_then_import_round_trips(format, key):
    original = shipped_instrument(key)
    exported = export_instrument(original, format=format)
    if format == "json":
        assert json.loads(exported)["key"] == key
    again = load_instrument_file(exported, format=format)
    assert again.pk == original.pk  # same content: nothing changes
    assert export_instrument(again, format=format) == exported


def test_import_under_a_new_key_creates_an_equal_instrument():
    exported = export_instrument(shipped_instrument("leadership-360"), format="json")
    data = json.loads(exported)
    data["key"] = "my-360"
    copy = load_instrument_file(json.dumps(data), format="json")
    assert copy.key == "my-360" and copy.version == 1 and not copy.shipped
    assert copy.items.count() == 23
    assert copy.dimensions.filter(behaviour__key="listens").exists()
    again = json.loads(export_instrument(copy, format="json"))
    assert again["dimensions"] == data["dimensions"]
    assert again["free_text"] == data["free_text"]


def _small(title: str, extra_item: bool = False) -> str:
    items = "      - key: a\n        text: Første\n"
    if extra_item:
        items += "      - key: b\n        text: Anden\n        reversed: true\n"
    return (
        f"key: local\nkind: other\nname: {title}\ndimensions:\n  - key: d\n    name: D\n"
        f"    value: trust\n    items:\n{items}"
    )


def test_changing_an_unused_instrument_updates_it_in_place():
    first = load_instrument_file(_small("Lokal"))
    second = load_instrument_file(_small("Lokal, rettet", extra_item=True))
    assert second.pk == first.pk and second.version == 1
    assert second.name_da == "Lokal, rettet"
    assert list(second.items.values_list("key", "position", "reversed")) == [("a", 0, False), ("b", 1, True)]
    assert second.dimensions.get().value == Value.objects.get(key="trust")


def test_an_instrument_used_by_a_launched_round_is_frozen_and_import_makes_a_new_version():
    first = load_instrument_file(_small("Lokal"))
    make_round(instrument=first, status=Round.Status.DRAFT)
    assert not instrument_is_locked(first)
    make_round(instrument=first, status=Round.Status.OPEN)
    assert instrument_is_locked(first)
    second = load_instrument_file(_small("Lokal", extra_item=True))
    assert (second.key, second.version) == ("local", 2)
    first.refresh_from_db()
    assert first.items.count() == 1 and second.items.count() == 2
    # importing the same file again changes nothing
    assert load_instrument_file(_small("Lokal", extra_item=True)).pk == second.pk


def test_load_instruments_command_reports_errors_with_lines(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.yaml"
    good.write_text(_small("Fra fil"), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"key": "x",\n "kind": "nope"}', encoding="utf-8")
    call_command("load_instruments", str(good))
    assert Instrument.objects.filter(key="local", name_da="Fra fil").exists()
    with pytest.raises(CommandError):
        call_command("load_instruments", str(bad))
    assert "bad.json: line 2: kind 'nope'" in capsys.readouterr().err
    call_command("load_instruments")
    assert Instrument.objects.filter(shipped=True).count() == 3


def test_text_that_looks_like_a_server_path_is_never_opened(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("key: stolen\n", encoding="utf-8")
    with pytest.raises(InstrumentError):
        load_instrument_file(str(secret))
