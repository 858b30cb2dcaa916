"""Tokens and paper codes: one normalization shared by printing, typing and lookup."""

from __future__ import annotations

from kerne.surveys.models import hash_secret
from kerne.surveys.tokens import (
    CROCKFORD_ALPHABET,
    format_paper_code,
    is_paper_code,
    new_paper_code,
    new_token,
    normalize_code,
    token_hashes,
)


def test_paper_codes_are_26_crockford_characters_printed_in_groups_of_four():
    code = new_paper_code()
    assert len(code) == 26 and set(code) <= set(CROCKFORD_ALPHABET)
    printed = format_paper_code(code)
    assert [len(group) for group in printed.split("-")] == [4, 4, 4, 4, 4, 4, 2]
    assert normalize_code(printed) == code


def test_typed_codes_normalize_whatever_the_dashes_spaces_and_case():
    code = new_paper_code()
    for typed in (code.lower(), " ".join(code), format_paper_code(code).replace("-", " – "), f"\t{code}\n"):
        assert normalize_code(typed) == code and is_paper_code(typed)
    assert normalize_code("ilo") == "110"  # Crockford: I and L read as 1, O as 0
    assert not is_paper_code("ABC") and not is_paper_code(code + "X")


def test_lookup_hashes_a_url_token_as_it_is_and_a_code_normalized():
    token = new_token()
    assert token_hashes(token)[0] == hash_secret(token)
    code = new_paper_code()
    assert hash_secret(code) in token_hashes(format_paper_code(code).lower())
    assert token_hashes(code) == [hash_secret(code)]
