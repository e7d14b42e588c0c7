"""Saving settings into a config.toml someone edited by hand: only the values that changed are
written, in place, so the administrator's comments, order and layout survive `init` and
`credentials set` (tomlkit keeps them; tomllib cannot)."""
from __future__ import annotations

import dataclasses
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import Table


def updated_toml(text: str, settings: Any, defaults: Any) -> str:
    """`text` with `settings` (a dataclass tree) written into it. A key the file lacks is added
    only when its value differs from `defaults`, so the file stays as short as it was."""
    document = tomlkit.parse(text)
    _apply(document, settings, defaults)
    return tomlkit.dumps(document)


def _apply(table: Container | Table, obj: Any, default: Any) -> None:
    for field in dataclasses.fields(obj):
        value, base = getattr(obj, field.name), getattr(default, field.name)
        if dataclasses.is_dataclass(value):
            if field.name not in table:
                if value == base:
                    continue
                table[field.name] = tomlkit.table()
            sub = table[field.name]
            if isinstance(sub, Container | Table):
                _apply(sub, value, base)
            continue
        if field.name in table:
            if _plain(table[field.name]) != value:
                table[field.name] = value
        elif value != base:
            table[field.name] = value


def _plain(item: Any) -> Any:
    """A tomlkit item as the Python value it holds (what the settings compare with)."""
    return item.unwrap() if hasattr(item, "unwrap") else item
