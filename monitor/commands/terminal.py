"""What the command line prints for a person: tables that stay aligned with Devanagari text,
text cut at a word with a visible mark, and progress shown only on a terminal.

rich measures each character's cells (combining vowel signs take none), so a Hindi title pads
like an English one; a cell wider than its column ends in "…".
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

ELLIPSIS = "…"
# Wide enough that no table is wrapped by the console; columns are cut by their own limits.
_CONSOLE_WIDTH = 400

Advance = Callable[..., None]


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    max_widths: Mapping[str, int] | None = None,
) -> str:
    """A plain-text table; a column named in `max_widths` is cut to that many cells with "…"."""
    limits = max_widths or {}
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    for header in headers:
        table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=limits.get(header))
    for row in rows:
        # Text, not str: a cell such as "[INC]" is data, not rich markup.
        table.add_row(*(Text(cell) for cell in row))
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=_CONSOLE_WIDTH, color_system=None, highlight=False, emoji=False
    )
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n")


def cut_at_word(text: str, cells: int) -> str:
    """`text` in at most `cells` terminal cells, cut at a space and ending in "…" when cut."""
    text = " ".join(text.split())
    if cell_len(text) <= cells:
        return text
    kept = ""
    for word in text.split(" "):
        candidate = f"{kept} {word}" if kept else word
        if cell_len(candidate) + 1 > cells:
            break
        kept = candidate
    if not kept:  # one long word: cut it, the mark still shows
        while kept != text and cell_len(text[: len(kept) + 1]) + 1 <= cells:
            kept = text[: len(kept) + 1]
    return kept.rstrip(" ·,;:") + ELLIPSIS


@contextmanager
def progress(total: int, description: str, stream: TextIO | None = None) -> Iterator[Advance]:
    """A function to call with each step done; on a terminal, a progress bar on stderr.

    Logs and pipes get nothing: a progress bar is for a person watching.
    """
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda steps=1: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda steps=1: bar.advance(task, steps)
