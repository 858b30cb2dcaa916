"""Exports of aggregated results: CSV of a unit report, XLSX of a heatmap, PDF of a unit report.

They take the already suppressed reports of reports.py (what the viewer may see) and write
them out: a hidden number stays hidden (an empty cell marked "skjult"/"hidden"), and no
export ever contains a single response. Cells are written by kerne/spreadsheets.py: names and
texts as neutralised text (never a live formula), numbers as numbers (a decimal comma in CSV).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from kerne.results.reports import Heatmap, Stat, UnitReport
from kerne.spreadsheets import Cell, Number, csv_text, xlsx_append


def _num(value: float | None, digits: int = 1) -> Number | None:
    return None if value is None else Number(value, digits)


def _stat_cells(stat: Stat | None) -> list[Cell]:
    if stat is None:
        return [None] * 8
    if not stat.shown:
        return [_("skjult"), *([None] * 7)]
    shares = stat.shares or (None, None, None)
    return [
        None,
        stat.n,
        _num(stat.mean),
        _num(stat.ci_low),
        _num(stat.ci_high),
        *(_num(None if s is None else 100 * s, 0) for s in shares),
    ]


def unit_csv(report: UnitReport) -> str:
    """One row per dimension and item: n, score, 95% interval, shares (%), and comparisons."""
    kinds = [kind for kind, _label in report.comparison_labels]
    labels = dict(report.comparison_labels)
    rows: list[list[Cell]] = [
        [
            _("Niveau"),
            _("Nøgle"),
            _("Tekst"),
            _("Note"),
            _("Antal svar"),
            _("Score"),
            _("95%-interval fra"),
            _("95%-interval til"),
            _("Negative (%)"),
            _("Neutrale (%)"),
            _("Positive (%)"),
            *(_("Forskel til %(label)s") % {"label": labels[k]} for k in kinds),
        ]
    ]
    for dim in report.dimensions:
        deltas = {c.kind: _num(c.delta) for c in dim.comparisons}
        rows.append(
            [_("Dimension"), dim.key, dim.name, *_stat_cells(dim.stat), *(deltas.get(k) for k in kinds)]
        )
        for item in dim.items:
            item_deltas = {c.kind: _num(c.delta) for c in item.comparisons}
            rows.append(
                [
                    _("Spørgsmål"),
                    item.key,
                    item.text,
                    *_stat_cells(item.stat),
                    *(item_deltas.get(k) for k in kinds),
                ]
            )
    return csv_text(rows)


def heatmap_xlsx(heatmap: Heatmap, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Heatmap")[:31]
    xlsx_append(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx_append(
        sheet,
        [
            _(
                "Tal vises kun for grupper med mindst %(k)s besvarelser, "
                "og nogle tal er skjult for at beskytte anonymiteten."
            )
            % {"k": heatmap.k}
        ],
    )
    sheet.append([])
    xlsx_append(
        sheet, [_("Enhed"), _("Niveau"), _("Antal svar"), *(name for _key, name in heatmap.dimensions)]
    )
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in heatmap.rows:
        values: list[Cell] = [
            row.name,
            row.depth,
            row.respondents if row.respondents is not None else _("skjult"),
        ]
        values += [Number(round(v, 1), 1) if v is not None else _("skjult") for v in row.cells]
        xlsx_append(sheet, values)
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(indent=row.depth)
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "D5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=base_url).write_pdf())
