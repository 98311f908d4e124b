"""Terminal tables and cut text: Devanagari aligns, and a cut shows."""

from __future__ import annotations

import io

from rich.cells import cell_len

from monitor.commands.terminal import cut_at_word, progress, render_table

HINDI = "लोकसभा चुनाव की तैयारी में कांग्रेसः 14 लोकसभा सीट के संयोजक और प्रभारियों के साथ"


def test_hindi_and_english_rows_align_and_long_cells_end_in_a_mark() -> None:
    rows = [[HINDI, "hi", "evt-1"], ["JMM meets in Ranchi", "en", "evt-2"], ["छोटा", "hi", "x"]]
    table = render_table(["article", "lang", "event"], rows, max_widths={"article": 30})
    lines = table.splitlines()
    body = [line for line in lines if "evt-" in line or line.endswith(" x")]
    assert len(body) == 3
    # The language column starts at the same cell on every row.
    starts = {
        cell_len(line.split("  hi")[0] if "  hi" in line else line.split("  en")[0])
        for line in body
    }
    assert len(starts) == 1, table
    first = body[0].split("  ")[0]
    assert first.endswith("…") and cell_len(first) <= 30
    assert "JMM meets in Ranchi" in body[1]


def test_markup_like_cells_are_printed_as_they_are() -> None:
    assert "[INC]" in render_table(["parties"], [["[INC]"]])


def test_cut_at_word_keeps_whole_words() -> None:
    text = "JMM · meeting, election preparation · 2023-11-21 14:00 · Ranchi (online)"
    cut = cut_at_word(text, 40)
    assert cut.endswith("…") and cell_len(cut) <= 40
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] in " ·,"
    assert cut_at_word("short", 40) == "short"
    assert cut_at_word("x" * 50, 10) == "x" * 9 + "…"


def test_progress_is_silent_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    with progress(5, "checking", stream) as advance:
        for _ in range(5):
            advance()
    assert stream.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal() -> None:
    stream = _Terminal()
    with progress(4, "checking sources", stream) as advance:
        advance(2)
        advance(2)
    assert "checking sources" in stream.getvalue()
