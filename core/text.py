"""Text from the outside world, made safe to show and to send.

One documented rule, used in two places: everything WooCommerce or GP says that the console shows
or the CLI prints (a checkout name with `ESC]0;...BEL` must not retitle the accountant's terminal,
`ESC[2J` must not clear it, a right-to-left override must not reorder an amount), and every string
the connector sends to GP over SOAP (XML 1.0 cannot carry most control characters: lxml refuses
the whole message, "All strings must be XML compatible").

The rule (`plain_text`):
1. terminal escape sequences are removed whole: CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or
   `ESC \\`), DCS/SOS/PM/APC strings, and two-character `ESC x` sequences;
2. then every remaining C0 control except tab, line feed and carriage return, DEL, every C1
   control (U+0080-U+009F), the bidirectional overrides, embeddings and isolates (U+202A-U+202E,
   U+2066-U+2069), U+FFFE/U+FFFF and lone surrogates are removed.
Letters, digits, punctuation and every script (accents, CJK, Arabic...) pass unchanged; a name
with nothing to remove is returned as it is.
"""
from __future__ import annotations

import re
from typing import Any

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ params intermediates final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL | ST (or cut off)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # two-character escapes (ESC c, ESC 7, ESC ( B ...)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
)
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
    "\ud800-\udfff]")


def plain_text(value: str) -> str:
    """`value` with escape sequences and control/bidi characters removed (the rule above)."""
    if not value or ("\x1b" not in value and not _CONTROLS.search(value)):
        return value  # the common case: nothing to remove, no copy
    return _CONTROLS.sub("", _ESCAPES.sub("", value))


def plain(value: Any) -> Any:
    """`plain_text` applied to every string inside dicts, lists and tuples (a SOAP request's
    keyword arguments, a JSON document); anything else is returned untouched."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def unsendable_fields(value: Any, path: str = "") -> list[str]:
    """Where strings XML cannot carry still hide (dotted paths), to name them in a refusal."""
    found: list[str] = []
    if isinstance(value, str):
        if _CONTROLS.search(value) or "\x1b" in value:
            found.append(path or "value")
    elif isinstance(value, dict):
        for k, v in value.items():
            found += unsendable_fields(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += unsendable_fields(v, f"{path}[{i}]")
    return found
