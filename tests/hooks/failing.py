"""A test hook: a detector that raises on chosen articles, as a bug in a rule would."""

from __future__ import annotations

from datetime import date

from monitor.detect import Detector, Finding


class DetectorBug(RuntimeError):
    """What `FailingDetector` raises; named so a test can find it in the recorded error."""


class FailingDetector(Detector):
    """The real detector, except that an article whose title contains `fail_on` raises."""

    def __init__(self, inner: Detector, fail_on: str) -> None:
        super().__init__(inner.lexicon)
        self.fail_on = fail_on

    def detect(
        self, title: str, text: str, *, lang: str | None = None, published: date | None = None
    ) -> Finding:
        if self.fail_on in title:
            raise DetectorBug(f"cannot read {title[:40]!r}")
        return super().detect(title, text, lang=lang, published=published)
