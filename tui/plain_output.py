"""What the CLI prints is plain text: remote strings (a checkout name, a GP message, a product
title) pass core.text's rule on the way to the terminal, so `ESC]0;...BEL` cannot retitle it,
`ESC[2J` cannot clear it and a right-to-left override cannot reorder an amount.

`plain_stdout()` wraps sys.stdout for the duration of one command. The console and the demo draw
with escape sequences of their own and are not wrapped: they clean remote text where they show it.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from core.text import plain_text


class PlainWriter:
    """A text stream that writes everything through plain_text (newlines and tabs kept)."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(plain_text(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def plain_stdout() -> Iterator[None]:
    original = sys.stdout
    sys.stdout = PlainWriter(original)
    try:
        yield
    finally:
        sys.stdout = original
