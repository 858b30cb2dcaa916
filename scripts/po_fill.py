"""Fill msgstr entries of a gettext .po file from a YAML mapping {msgid: msgstr}.

Usage: python scripts/po_fill.py kerne/locale/en/LC_MESSAGES/django.po translations.yaml
Entries already translated are kept unless the mapping names them. Prints the msgids
still untranslated, so a missing translation is seen rather than shipped silently.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ENTRY = re.compile(r'(?ms)^(msgid (?:"(?:[^"\\]|\\.)*"\n?)+)(msgstr (?:"(?:[^"\\]|\\.)*"\n?)+)')


def _unquote(block: str, keyword: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block[len(keyword) :])
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), "".join(parts))


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'msgstr "{escaped}"\n'


def fill(po_text: str, mapping: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        msgid_block, msgstr_block = match.group(1), match.group(2)
        msgid = _unquote(msgid_block, "msgid ")
        if not msgid:
            return match.group(0)
        if msgid in mapping:
            return msgid_block + _quote(mapping[msgid])
        if not _unquote(msgstr_block, "msgstr "):
            missing.append(msgid)
        return match.group(0)

    return ENTRY.sub(replace, po_text), missing


def main() -> None:
    po_path, mapping_path = Path(sys.argv[1]), Path(sys.argv[2])
    mapping = yaml.safe_load(mapping_path.read_text(encoding="utf-8"))
    text, missing = fill(po_path.read_text(encoding="utf-8"), mapping)
    text = text.replace("#, fuzzy\n", "")
    po_path.write_text(text, encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")


if __name__ == "__main__":
    main()
