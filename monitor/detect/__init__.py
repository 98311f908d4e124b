"""Detecting political party meetings and election preparation in Hindi and English news.

Rules over curated bilingual lexicons (`config/lexicon/*.yaml`), explainable through the evidence
sentences each detection carries.
"""

from __future__ import annotations

from monitor.detect.detector import Detector
from monitor.detect.lexicon import Lexicon, LexiconError, load_lexicon
from monitor.detect.model import Detection, EventFields, Evidence

__all__ = [
    "Detection",
    "Detector",
    "EventFields",
    "Evidence",
    "Lexicon",
    "LexiconError",
    "load_lexicon",
]
