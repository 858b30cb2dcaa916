"""Periods of measurements: a measurement's period is stored as the period's first day."""

from __future__ import annotations

import datetime as dt

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"


def period_start(day: dt.date, frequency: str) -> dt.date:
    """The first day of the month, quarter or year that `day` falls in."""
    if frequency == MONTHLY:
        return day.replace(day=1)
    if frequency == QUARTERLY:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == YEARLY:
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}")


def period_label(day: dt.date, frequency: str) -> str:
    """'2025-03', '2025 K1' / '2025 Q1' style labels are language neutral enough: 2025-03, 2025-Q1, 2025."""
    if frequency == MONTHLY:
        return f"{day:%Y-%m}"
    if frequency == QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def next_period(day: dt.date, frequency: str) -> dt.date:
    months = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}[frequency]
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
