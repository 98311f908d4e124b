"""Detecting political party meetings and election preparation in Hindi and English news.

Rules over curated bilingual lexicons (`config/lexicon/*.yaml`), explainable through the evidence
sentences each detection carries.
"""

from __future__ import annotations

from monitor.detect.detector import Detector
from monitor.detect.lexicon import Lexicon, LexiconError, load_lexicon
from monitor.detect.model import EventFields, Evidence, Finding

__all__ = [
    "Detector",
    "EventFields",
    "Evidence",
    "Finding",
    "Lexicon",
    "LexiconError",
    "load_lexicon",
]
