"""Collect every number a user can see about a round, through the real pages, exports and API.

The end-to-end attack test (test_attack_e2e.py) logs in as a role and calls the real URLs
with Django's test client. This module turns each answer into `Seen` records: which
group of which round a shown number belongs to, which statistic it is, and its value.
Hidden numbers are not recorded (an attacker learns nothing from them but that they are
hidden, which the decision already accounts for).

Where the groups come from, per surface:

- HTML (results pages, the PDF's HTML, the rates page): every element that prints a
  number carries `data-group` ("unit:<id>:subtree|alone", "eval:<evaluation id>:<rater
  group>"), `data-stat` ("respondents", "item:<key>", "dim:<key>", "comments") and
  `data-field` (what the number is: n, mean, rate, …), optionally `data-round` (a number
  of another round, as in the trend table). The rates page names its groups by its rows:
  data-group="rate:<row kind>:<row key>" (a unit id: the unit with everything below it;
  "e<evaluation>-<rater group>"; "round": the whole round); the test resolves them.
- JSON (results API, the rates API, the goals API): by the documented fields.
- CSV (unit export): one row per dimension and item of the unit with everything below it;
  "Forskel til <label>" columns carry the comparisons (their group by the label).
- XLSX (heatmap export): rows by unit name, columns by dimension name.
- PDF: rendered by WeasyPrint from the HTML of results/unit_pdf.html, which includes
  the same body template as the page. `Collector.unit_pdf` captures that HTML on its way
  to the PDF renderer, so the PDF's numbers are collected with their attributes; the test
  also extracts the text of a real PDF with pypdf and checks that it holds no number the
  captured HTML does not.
- Charts (SVG rendered on the server): the trend chart's points by their aria-labels
  (round, dimension, score); the drivers chart must show no number its table does not.

Comparisons name their group by label ("mod Afdeling N1 (…)", "siden Måling 1 (…)"): a
unit's name is that unit with everything below it in the same round, a round's name is
the same unit in that earlier round. `Context` holds the names the test gave its units,
rounds and dimensions, so that labels map back to groups without asking Kerne.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from unittest import mock

from django.test import Client

# --- Records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One shown number (or comment) of one group of one round, as one surface showed it."""

    role: str
    surface: str  # e.g. "unit.html", "unit.csv", "api.unit", "heatmap.xlsx", "rates.api"
    round_id: int
    group: str  # unit:<id>:subtree | unit:<id>:alone | eval:<id>:<group> | rate:<kind>:<key>
    stat: str  # respondents | item:<key> | dim:<key> | comments
    field: str  # n | mean | rate | ci | shares | gap | comment | none | other
    value: float | str | None  # the number (or the comment's text); None: shown, value not parsed


@dataclass
class Context:
    """What the test knows about its own data, to map labels back to groups."""

    unit_names: dict[int, str]  # unit id → name (unique)
    round_names: dict[int, str]  # round id → name (unique)
    dimension_names: dict[int, dict[str, str]]  # round id → dimension name → key
    rater_labels: dict[str, str]  # Danish label → rater group key (self, manager, peer, employee, others)

    def unit_by_name(self, name: str) -> int | None:
        matches = [pk for pk, n in self.unit_names.items() if n == name]
        return matches[0] if len(matches) == 1 else None

    def round_by_name(self, name: str) -> int | None:
        matches = [pk for pk, n in self.round_names.items() if n == name]
        return matches[0] if len(matches) == 1 else None


# --- Numbers as pages print them ----------------------------------------------------------------

_NUMBER = re.compile(r"([+\-−±]?)(\d+(?:[.,]\d+)?)")


def numbers(text: str) -> list[float]:
    """Every number in a text as Kerne prints them: "77,3", "−3,0", "±0,0", "85 %"."""
    found = []
    for sign, digits in _NUMBER.findall(text):
        value = float(digits.replace(",", "."))
        found.append(-value if sign in "-−" and sign else value)
    return found


def first_number(text: str) -> float | None:
    found = numbers(text)
    return found[0] if found else None


def cell_number(text: str) -> float | None:
    """A spreadsheet cell as a number ("57,2", "57.2", "−3,0"), None when empty or text."""
    cleaned = text.strip().replace("\u2212", "-").replace(",", ".")
    try:
        return float(cleaned) if cleaned else None
    except ValueError:
        return None


# --- A small DOM from the standard library's HTML parser -----------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The text, with a space at every element boundary (cells never run together)."""
        return "".join(c if isinstance(c, str) else f" {c.text()} " for c in self.children)

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, predicate: Callable[[Node], bool]) -> list[Node]:
        return [n for n in self.iter() if predicate(n)]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- Marked HTML (data-group / data-stat / data-field) ------------------------------------------


def marked(
    root: Node, role: str, surface: str, round_id: int, context: Context
) -> tuple[list[Seen], list[str]]:
    """Every marked element of a results page. Returns (records, problems): a problem is a
    number printed in a marked element that could not be read as the field says."""
    out: list[Seen] = []
    problems: list[str] = []
    for node in root.find_all(lambda n: "data-stat" in n.attrs):
        group = node.attrs.get("data-group", "")
        stat = node.attrs["data-stat"]
        kind = node.attrs.get("data-field", "other")
        rid = int(node.attrs.get("data-round") or round_id)
        text = " ".join(node.text().split())
        if stat == "comments":
            out += _comment_records(node, role, surface, rid, group, context)
            continue
        if kind == "comparisons":
            for div in node.find_all(lambda n: "comparison" in n.classes):
                record = _comparison(div, role, surface, rid, stat, context)
                if record is None:
                    problems.append(f"{surface}: unreadable comparison {div.text()!r}")
                else:
                    out.append(record)
            continue
        if not group:
            problems.append(f"{surface}: element with data-stat={stat} but no data-group")
            continue
        found = numbers(text)
        if not found:
            continue  # hidden (or nothing to show)
        value: float | None = found[0] if kind in ("n", "mean", "rate", "gap") else None
        out.append(Seen(role, surface, rid, group, stat, kind, value))
    return out, problems


def _comment_records(
    node: Node, role: str, surface: str, round_id: int, group: str, context: Context
) -> list[Seen]:
    """A comment list (one record per comment), or the note that a shown group has none."""
    if node.attrs.get("data-field") == "none":
        return [Seen(role, surface, round_id, group, "comments", "none", None)]
    records = []
    for li in node.find_all(lambda n: n.tag == "li"):
        text_nodes = li.find_all(lambda n: n.attrs.get("data-field") == "comment")
        text = " ".join((text_nodes[0].text() if text_nodes else li.text()).split())
        rater = li.find_all(lambda n: "data-rater" in n.attrs)
        g = group
        if group.startswith("eval:") and group.count(":") == 1 and rater:
            label = " ".join(rater[0].text().split())
            g = f"{group}:{context.rater_labels.get(label, '?' + label)}"
        records.append(Seen(role, surface, round_id, g, "comments", "comment", text))
    return records


_COMPARISON = re.compile(r"^(mod|siden) (.+) \(([−\-]?\d+(?:,\d+)?), [^)]*\)$")


def _comparison(
    div: Node, role: str, surface: str, round_id: int, stat: str, context: Context
) -> Seen | None:
    muted = div.find_all(lambda n: "muted" in n.classes)
    if not muted:
        return None
    match = _COMPARISON.match(" ".join(muted[0].text().split()))
    if match is None:
        return None
    word, label, mean = match.groups()
    group = _comparison_group(word == "siden", label, round_id, context)
    if group is None:
        return None
    rid, g = group
    return Seen(role, surface, rid, g, stat, "mean", float(mean.replace(",", ".").replace("−", "-")))


def _comparison_group(previous: bool, label: str, round_id: int, context: Context) -> tuple[int, str] | None:
    """A comparison's group by its label: an earlier round (the same unit, filled in by the
    caller as "unit:?:subtree") or a unit with everything below it in this round."""
    if previous:
        other = context.round_by_name(label)
        return None if other is None else (other, "unit:?:subtree")
    unit = context.unit_by_name(label)
    return None if unit is None else (round_id, f"unit:{unit}:subtree")


def _own_unit(records: list[Seen], unit_id: int) -> list[Seen]:
    """Fill in the unit of comparisons with an earlier round (the report's own unit)."""
    return [
        Seen(r.role, r.surface, r.round_id, f"unit:{unit_id}:subtree", r.stat, r.field, r.value)
        if r.group == "unit:?:subtree"
        else r
        for r in records
    ]


# --- Charts (SVG rendered on the server; no attributes of ours inside) --------------------------

_CHART_FIELD = re.compile(r"\s*([^:;]+):\s*([^;]+)")


def chart_points(root: Node) -> list[dict[str, str]]:
    """The data points of the server-rendered charts: each score mark's aria-label, "key: value; …"."""
    points = []
    for svg in root.find_all(lambda n: n.tag == "svg"):
        for node in svg.find_all(lambda n: "aria-label" in n.attrs and ":" in n.attrs["aria-label"]):
            fields = {k.strip(): v.strip() for k, v in _CHART_FIELD.findall(node.attrs["aria-label"])}
            if "Score (0–100)" in fields:  # a data mark (axes and legends say what they are)
                points.append(fields)
    return points


def trend_chart(
    root: Node, role: str, surface: str, unit_id: int, context: Context, round_id: int
) -> tuple[list[Seen], list[str]]:
    """The trend chart of a unit report: one point per round and dimension (its mean)."""
    records, problems = [], []
    for point in chart_points(root):
        round_name, score, dimension = point.get("Måling"), point.get("Score (0–100)"), point.get("dimension")
        other = context.round_by_name(round_name or "")
        key = context.dimension_names.get(other or round_id, {}).get(dimension or "")
        value = cell_number(score or "")
        if other is None or key is None or value is None:
            problems.append(f"{surface}: unreadable chart point {point}")
            continue
        records.append(Seen(role, surface, other, f"unit:{unit_id}:subtree", f"dim:{key}", "mean", value))
    return records, problems


# --- The collector -------------------------------------------------------------------------------


class Collector:
    """One role's view: call the URLs, keep what they showed."""

    def __init__(self, client: Client, role: str, context: Context, api_headers: dict[str, str]):
        self.client = client
        self.role = role
        self.context = context
        self.api = api_headers
        self.seen: list[Seen] = []
        self.problems: list[str] = []
        self.pages: dict[str, int] = {}  # surface → pages read
        self.pdfs: list[tuple[bytes, str]] = []  # real PDFs rendered, with their HTML

    def _add(self, surface: str, records: list[Seen], problems: list[str] = ()) -> None:  # type: ignore[assignment]
        self.pages[surface] = self.pages.get(surface, 0) + 1
        self.seen += records
        self.problems += list(problems)

    def _get(self, url: str, **headers: str) -> Any:
        return self.client.get(url, headers=headers or None)

    # Results pages ------------------------------------------------------------------------------

    def unit_page(self, round_id: int, unit_id: int) -> bool:
        response = self._get(f"/resultater/{round_id}/enhed/{unit_id}/")
        if response.status_code != 200:
            return False
        root = parse_html(response.content.decode())
        records, problems = marked(root, self.role, "unit.html", round_id, self.context)
        chart, chart_problems = trend_chart(root, self.role, "unit.html", unit_id, self.context, round_id)
        self._add("unit.html", _own_unit(records, unit_id) + chart, problems + chart_problems)
        return True

    def unit_pdf(self, round_id: int, unit_id: int, render: bool = False) -> bool:
        """The PDF's numbers, from the HTML the view hands to the PDF renderer. With `render`
        the real PDF is made too and kept in `pdfs` with that HTML (WeasyPrint is slow)."""
        from kerne.results import exports, pdfcache

        real = exports.pdf
        captured: list[str] = []

        def capturing(html: str, base_url: str) -> bytes:
            captured.append(html)
            return real(html, base_url) if render else b"%PDF-1.7 stub"

        # Past the PDF cache (kerne/results/pdfcache.py): a cached PDF is an earlier rendering
        # of the same report (tests/results/test_pdf.py), and every PDF's HTML is read here.
        with (
            mock.patch.object(exports, "pdf", capturing),
            mock.patch.object(pdfcache, "cached_pdf", lambda digest, render_pdf: render_pdf()),
        ):
            response = self._get(f"/resultater/{round_id}/enhed/{unit_id}/rapport.pdf")
        if response.status_code != 200:
            return False
        assert len(captured) == 1, "the PDF's HTML was not captured"
        html = captured[0]
        if render:
            self.pdfs.append((response.content, html))
        root = parse_html(html)
        records, problems = marked(root, self.role, "unit.pdf", round_id, self.context)
        chart, chart_problems = trend_chart(root, self.role, "unit.pdf", unit_id, self.context, round_id)
        self._add("unit.pdf", _own_unit(records, unit_id) + chart, problems + chart_problems)
        return True

    def unit_csv(self, round_id: int, unit_id: int) -> bool:
        response = self._get(f"/resultater/{round_id}/enhed/{unit_id}/resultater.csv")
        if response.status_code != 200:
            return False
        text = response.content.decode("utf-8").lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        header, body = rows[0], rows[1:]
        group = f"unit:{unit_id}:subtree"
        records: list[Seen] = []
        problems: list[str] = []
        comparison_columns: dict[int, tuple[int, str]] = {}
        for column, title in enumerate(header):
            if title.startswith("Forskel til "):
                target = _comparison_group(
                    self.context.round_by_name(title[len("Forskel til ") :]) is not None,
                    title[len("Forskel til ") :],
                    round_id,
                    self.context,
                )
                if target is None:
                    problems.append(f"unit.csv: unknown comparison column {title!r}")
                else:
                    rid, g = target
                    comparison_columns[column] = (rid, group if g == "unit:?:subtree" else g)
        for row in body:
            level, key = row[0], row[1]
            stat = f"dim:{key}" if level == "Dimension" else f"item:{key}"
            n, mean = cell_number(row[4]), cell_number(row[5])
            if n is not None:
                records.append(Seen(self.role, "unit.csv", round_id, group, stat, "n", n))
            if mean is not None:
                records.append(Seen(self.role, "unit.csv", round_id, group, stat, "mean", mean))
            for column in (6, 7, 8, 9, 10):
                if row[column].strip():
                    records.append(Seen(self.role, "unit.csv", round_id, group, stat, "other", None))
            for column, (rid, g) in comparison_columns.items():
                delta = cell_number(row[column]) if column < len(row) else None
                if delta is not None and mean is not None:
                    # The difference to a comparison gives the comparison's mean.
                    records.append(Seen(self.role, "unit.csv", rid, g, stat, "mean~", mean - delta))
        self._add("unit.csv", records, problems)
        return True

    def unit_api(self, round_id: int, unit_id: int) -> bool:
        response = self._get(f"/api/results/rounds/{round_id}/units/{unit_id}", **self.api)
        if response.status_code != 200:
            return False
        body = response.json()
        s = "api.unit"
        subtree, alone = f"unit:{unit_id}:subtree", f"unit:{unit_id}:alone"
        records: list[Seen] = []
        records += _count(self.role, s, round_id, subtree, body["total"])
        if body.get("alone"):
            records += _count(self.role, s, round_id, alone, body["alone"])
        for sub in body.get("sub_units", []):
            if sub.get("respondents") is not None:
                records.append(
                    Seen(
                        self.role,
                        s,
                        round_id,
                        f"unit:{sub['unit_id']}:subtree",
                        "respondents",
                        "n",
                        sub["respondents"],
                    )
                )
        for dim in body.get("dimensions", []):
            entries = [(f"dim:{dim['key']}", dim)] + [(f"item:{i['key']}", i) for i in dim.get("items", [])]
            for stat, entry in entries:
                records += _stat(self.role, s, round_id, subtree, stat, entry.get("stat"))
                records += _stat(self.role, s, round_id, alone, stat, entry.get("alone"))
                for c in entry.get("comparisons", []):
                    target = self._api_comparison(round_id, unit_id, c)
                    if target is None:
                        self.problems.append(f"api.unit: unknown comparison {c}")
                        continue
                    rid, g = target
                    records.append(Seen(self.role, s, rid, g, stat, "mean", c["mean"]))
        if body.get("numbers") and not body.get("comments_hidden"):
            if body.get("comments"):
                records += [
                    Seen(self.role, s, round_id, subtree, "comments", "comment", " ".join(c["text"].split()))
                    for c in body["comments"]
                ]
            else:
                records.append(Seen(self.role, s, round_id, subtree, "comments", "none", None))
        self._add(s, records)
        return True

    def _api_comparison(self, round_id: int, unit_id: int, c: dict[str, Any]) -> tuple[int, str] | None:
        if c["kind"] == "previous":
            other = self.context.round_by_name(c["label"])
            return None if other is None else (other, f"unit:{unit_id}:subtree")
        unit = self.context.unit_by_name(c["label"])
        return None if unit is None else (round_id, f"unit:{unit}:subtree")

    def drivers_page(self, round_id: int, unit_id: int) -> bool:
        response = self._get(f"/resultater/{round_id}/enhed/{unit_id}/drivere/")
        if response.status_code != 200:
            return False
        root = parse_html(response.content.decode())
        records, problems = marked(root, self.role, "drivers.html", round_id, self.context)
        # The chart repeats the table's scores (and importances); it must show no other number.
        table = [r.value for r in records if isinstance(r.value, float)] + [
            v
            for r in root.find_all(lambda n: n.attrs.get("data-field") == "importance")
            for v in numbers(r.text())
        ]
        for point in chart_points(root):
            for label, text in point.items():
                value = cell_number(text)
                if value is not None and not any(abs(value - t) < 0.051 for t in table):
                    problems.append(f"drivers.html: chart shows {label} {text}, which the table does not")
        self._add("drivers.html", records, problems)
        return True

    def round_page(self, round_id: int) -> bool:
        response = self._get(f"/resultater/{round_id}/")
        if response.status_code != 200:
            return False
        records, problems = marked(
            parse_html(response.content.decode()), self.role, "round.html", round_id, self.context
        )
        self._add("round.html", records, problems)
        return True

    # Heatmap -------------------------------------------------------------------------------------

    def heatmap_page(self, round_id: int, root_id: int | None) -> bool:
        query = f"?niveauer=6&enhed={root_id}" if root_id else "?niveauer=6"
        response = self._get(f"/resultater/{round_id}/heatmap/{query}")
        if response.status_code != 200:
            return False
        records, problems = marked(
            parse_html(response.content.decode()), self.role, "heatmap.html", round_id, self.context
        )
        self._add("heatmap.html", records, problems)
        return True

    def heatmap_xlsx(self, round_id: int, root_id: int | None) -> bool:
        from openpyxl import load_workbook

        query = f"?niveauer=6&enhed={root_id}" if root_id else "?niveauer=6"
        response = self._get(f"/resultater/{round_id}/heatmap.xlsx{query}")
        if response.status_code != 200:
            return False
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        assert sheet is not None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = rows[3]
        dimension_keys = self.context.dimension_names[round_id]
        records: list[Seen] = []
        problems: list[str] = []
        for row in rows[4:]:
            if not row or row[0] is None:
                continue
            unit = self.context.unit_by_name(str(row[0]))
            if unit is None:
                problems.append(f"heatmap.xlsx: unknown unit {row[0]!r}")
                continue
            group = f"unit:{unit}:subtree"
            if isinstance(row[2], int | float):
                records.append(
                    Seen(self.role, "heatmap.xlsx", round_id, group, "respondents", "n", float(row[2]))
                )
            for column in range(3, len(header)):
                key = dimension_keys.get(str(header[column]))
                if key is None:
                    problems.append(f"heatmap.xlsx: unknown dimension column {header[column]!r}")
                    continue
                if isinstance(row[column], int | float):
                    records.append(
                        Seen(
                            self.role,
                            "heatmap.xlsx",
                            round_id,
                            group,
                            f"dim:{key}",
                            "mean",
                            float(row[column]),
                        )
                    )
        self._add("heatmap.xlsx", records, problems)
        return True

    def heatmap_api(self, round_id: int, root_id: int | None) -> bool:
        query = f"?depth=6&unit_id={root_id}" if root_id else "?depth=6"
        response = self._get(f"/api/results/rounds/{round_id}/heatmap{query}", **self.api)
        if response.status_code != 200:
            return False
        body = response.json()
        keys = [key for key, _name in body["dimensions"]]
        records: list[Seen] = []
        for row in body["rows"]:
            group = f"unit:{row['unit_id']}:subtree"
            if row["respondents"] is not None:
                records.append(
                    Seen(self.role, "api.heatmap", round_id, group, "respondents", "n", row["respondents"])
                )
            for key, value in zip(keys, row["cells"], strict=True):
                if value is not None:
                    records.append(
                        Seen(self.role, "api.heatmap", round_id, group, f"dim:{key}", "mean", value)
                    )
        self._add("api.heatmap", records)
        return True

    # 360 -------------------------------------------------------------------------------------------

    def evaluation_page(self, round_id: int, evaluation_id: int) -> bool:
        response = self._get(f"/resultater/{round_id}/360/{evaluation_id}/")
        if response.status_code != 200:
            return False
        records, problems = marked(
            parse_html(response.content.decode()), self.role, "evaluation.html", round_id, self.context
        )
        self._add("evaluation.html", records, problems)
        return True

    def evaluation_api(self, round_id: int, evaluation_id: int) -> bool:
        response = self._get(f"/api/results/rounds/{round_id}/evaluations/{evaluation_id}", **self.api)
        if response.status_code != 200:
            return False
        body = response.json()
        s = "api.evaluation"
        prefix = f"eval:{evaluation_id}"
        records: list[Seen] = []
        for g in body["groups"]:
            if g["respondents"] is not None:
                records.append(
                    Seen(self.role, s, round_id, f"{prefix}:{g['key']}", "respondents", "n", g["respondents"])
                )
        for b in body["behaviours"]:
            stat = f"dim:{b['key']}"
            if b.get("self_score") is not None:
                records.append(Seen(self.role, s, round_id, f"{prefix}:self", stat, "mean", b["self_score"]))
            records += _stat(self.role, s, round_id, f"{prefix}:others", stat, b.get("others"))
            for key, entry in (b.get("groups") or {}).items():
                records += _stat(self.role, s, round_id, f"{prefix}:{key}", stat, entry)
            if b.get("gap") is not None:
                records.append(Seen(self.role, s, round_id, f"{prefix}:others", stat, "gap", b["gap"]))
            for item in b.get("items") or []:  # not in the API today; collected if it appears
                self.problems.append(f"api.evaluation: unexpected item statistics {item!r}")
        for label, text in body.get("comments", []):
            key = self.context.rater_labels.get(label, "?" + label)
            records.append(
                Seen(self.role, s, round_id, f"{prefix}:{key}", "comments", "comment", " ".join(text.split()))
            )
        self._add(s, records)
        return True

    # Response rates (HR) ------------------------------------------------------------------------

    def rates_page(self, round_id: int) -> bool:
        response = self._get(f"/maalinger/{round_id}/svarprocenter/")
        if response.status_code != 200:
            return False
        records, problems = marked(
            parse_html(response.content.decode()), self.role, "rates.html", round_id, self.context
        )
        self._add("rates.html", records, problems)
        return True

    def rates_api(self, round_id: int) -> bool:
        response = self._get(f"/api/surveys/rounds/{round_id}/status", **self.api)
        if response.status_code != 200:
            return False
        body = response.json()
        records: list[Seen] = []
        rows = ([body["total"]] if body.get("total") else []) + body["groups"]
        for row in rows:
            if row.get("answered") is None:
                continue
            group = f"rate:{row['kind']}:{row['key']}"
            records.append(Seen(self.role, "rates.api", round_id, group, "respondents", "n", row["answered"]))
        self._add("rates.api", records)
        return True

    # Goals --------------------------------------------------------------------------------------------

    def indicator_api(
        self, indicator_id: int, unit_id: int, round_by_period: dict[str, int], key: str
    ) -> bool:
        response = self._get(f"/api/goals/indicators/{indicator_id}?unit={unit_id}", **self.api)
        if response.status_code != 200:
            return False
        records: list[Seen] = []
        for point in response.json()["series"]:
            if point["value"] is None:
                continue
            round_id = round_by_period.get(str(point["period"]))
            if round_id is None:
                self.problems.append(f"api.indicator: unknown period {point['period']}")
                continue
            records.append(
                Seen(
                    self.role,
                    "api.indicator",
                    round_id,
                    f"unit:{unit_id}:subtree",
                    f"dim:{key}",
                    "mean",
                    point["value"],
                )
            )
        self._add("api.indicator", records)
        return True


def _count(role: str, surface: str, round_id: int, group: str, entry: dict[str, Any] | None) -> list[Seen]:
    if not entry or entry.get("respondents") is None:
        return []
    records = [Seen(role, surface, round_id, group, "respondents", "n", entry["respondents"])]
    if entry.get("rate") is not None:
        records.append(Seen(role, surface, round_id, group, "respondents", "rate", entry["rate"]))
    return records


def _stat(
    role: str, surface: str, round_id: int, group: str, stat: str, entry: dict[str, Any] | None
) -> list[Seen]:
    if not entry or not entry.get("shown"):
        return []
    records = []
    if entry.get("n") is not None:
        records.append(Seen(role, surface, round_id, group, stat, "n", entry["n"]))
    if entry.get("mean") is not None:
        records.append(Seen(role, surface, round_id, group, stat, "mean", entry["mean"]))
    if entry.get("distribution") is not None or entry.get("shares") is not None:
        records.append(Seen(role, surface, round_id, group, stat, "shares", None))
    return records
