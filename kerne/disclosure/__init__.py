"""Disclosure control: which statistics of which groups may be shown (DESIGN §3.3–3.6).

Below every app that shows a number (surveys, results, goals, followup, dashboard) and
depending on none of them: plain functions over numpy arrays.
"""
