r"""Names as people see them: no invisible characters that change how a name reads.

A bidi override (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) makes "Team Nord\u202eneslA"
render as "Team NordAlsen", and zero-width characters make two names that look the same
compare different (name spoofing on every page, export and e-mail that shows a name). The
organisation import and the admin forms for units, people and engagements clean every name
and job title with `clean_name`, and external keys with `strip_invisible`.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional formatting: marks, embeddings, overrides and isolates.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Characters that take no room or show nothing: zero-width space, (non-)joiners, word joiner,
# invisible operators, deprecated format characters, the byte-order mark, soft hyphen,
# combining grapheme joiner, Mongolian vowel separator, Hangul and Khmer fillers.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    "\ufeff\u00ad\u034f\u180e\u115f\u1160\u3164\uffa0\u17b4\u17b5"
)
_STRIPPED = re.compile(f"[{_BIDI}{_INVISIBLE}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_invisible(value: str) -> str:
    """`value` without bidi controls, zero-width and other invisible characters, and control
    characters (for keys: nothing else changes)."""
    return _CONTROL.sub("", _STRIPPED.sub("", value))


def clean_name(value: str) -> str:
    """A name or title as it reads: composed (NFC), without invisible characters, control
    characters as spaces, and runs of white space as one space, trimmed."""
    value = unicodedata.normalize("NFC", value)
    value = _STRIPPED.sub("", _CONTROL.sub(" ", value))
    return " ".join(value.split())
