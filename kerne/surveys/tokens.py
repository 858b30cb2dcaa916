"""Invitation tokens and paper codes (DESIGN §3.2): random, ≥128 bits, stored only hashed.

A paper code IS a token: an employee without e-mail gets a printed code instead of a
link. Both are stored in `Invitation.token_hash` as `hash_secret(...)` of their
*normalized* form, and the answer page of a paper code is `/svar/<normalized code>/`.

- `new_token()`: 24 random bytes, URL-safe base64 (32 characters, 192 bits).
- `new_paper_code()`: 26 characters of Crockford base32 (130 bits), printed in groups of
  four with dashes (`format_paper_code`), typed back with or without dashes or spaces, in
  any case; `normalize_code` turns what was typed into the stored form.
- `token_hashes(raw)`: the hashes a lookup tries (the raw token, and the normalized
  paper code when the string reads as one).
"""

from __future__ import annotations

import re
import secrets

from kerne.surveys.models import hash_secret

# Crockford's base32: no I, L, O, U (typed I/L mean 1, O means 0).
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAPER_CODE_LENGTH = 26  # 26 × 5 bits = 130 bits
PAPER_CODE_GROUP = 4
TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 192 bits, 32 characters

_SEPARATORS = re.compile(r"[\s\-–—_.]+")
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_PAPER_CODE = re.compile(rf"^[{CROCKFORD_ALPHABET}]{{{PAPER_CODE_LENGTH}}}$")


def new_token() -> str:
    """A personal link's token (URL-safe, 192 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_paper_code() -> str:
    """A paper code in its normalized form: 26 Crockford base32 characters (130 bits)."""
    return "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(PAPER_CODE_LENGTH))


def normalize_code(code: str) -> str:
    """A typed paper code → its stored form: no dashes/spaces, upper case, I/L→1, O→0.

    Normalizing is idempotent, so `normalize_code(format_paper_code(c)) == c`.
    """
    return _SEPARATORS.sub("", code).upper().translate(_CONFUSABLE)


def format_paper_code(code: str) -> str:
    """`ABCD-EFGH-…-YZ` for printing: groups of four, joined by dashes."""
    plain = normalize_code(code)
    return "-".join(plain[i : i + PAPER_CODE_GROUP] for i in range(0, len(plain), PAPER_CODE_GROUP))


def is_paper_code(code: str) -> bool:
    """Does `code` (typed in any form) normalize to a well-formed paper code?"""
    return bool(_PAPER_CODE.match(normalize_code(code)))


def token_hashes(raw: str) -> list[str]:
    """The `Invitation.token_hash` values a token or typed paper code may be stored under.

    A URL token is case-sensitive and may contain `-` and `_`, so it is hashed as it is;
    if the string also reads as a paper code (typed with dashes, spaces or lower case),
    the hash of its normalized form is a second candidate. Lookups use
    `token_hash__in=token_hashes(raw)`; two different secrets never share a hash.
    """
    raw = raw.strip()
    hashes = [hash_secret(raw)]
    if is_paper_code(raw):
        normalized = normalize_code(raw)
        if normalized != raw:
            hashes.append(hash_secret(normalized))
    return hashes
