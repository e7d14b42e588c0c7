"""GP's keys compared the way its SQL Server compares them (gp.md §22 "Keys").

GP keys are `char` columns: SQL Server ignores trailing spaces, so `WC5001` and `WC5001 ` are one
document; most GP databases use a case-insensitive collation, so `wc5001` is the same key too
(a binary sort order install tells case apart). Every duplicate and existence check in the
connector goes through `same_key`, so a document is never created twice because of a space or
a letter's case, and never reported missing for the same reason.
"""
from __future__ import annotations

CASE_INSENSITIVE = "case_insensitive"
BINARY = "binary"


def key_form(value: str, collation: str = CASE_INSENSITIVE) -> str:
    """The form SQL Server compares: trailing spaces dropped; folded unless binary."""
    trimmed = (value or "").rstrip(" ")
    return trimmed if collation == BINARY else trimmed.upper()


def same_key(a: str, b: str, collation: str = CASE_INSENSITIVE) -> bool:
    return key_form(a, collation) == key_form(b, collation)
