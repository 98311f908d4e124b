"""Near-duplicate articles: MinHash signatures over word shingles, LSH bands in the database.

Regional outlets republish wire copy with a new headline and a trimmed paragraph. Such a copy
shares most word 3-grams with its original, so its MinHash signature agrees on most positions.
The signature is cut into bands; two articles that agree on a whole band are candidates, and a
candidate is a duplicate when the estimated Jaccard similarity of the two texts passes
`THRESHOLD`. Bands are rows in an indexed table, so the index survives restarts and is shared
by every process on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import ArticleBand, ArticleSignature

NUM_PERM = 128
# datasketch 2.0 changed its default from "legacy" to "affine32"; name it so a library upgrade
# cannot silently make stored signatures incomparable.
SCHEME = "affine32"
BANDS, ROWS = 25, 5  # 125 of 128 values; candidate threshold ≈ (1/25)^(1/5) ≈ 0.53
THRESHOLD = 0.6  # estimated Jaccard of word 3-grams that makes a near duplicate
SHINGLE = 3
# Below this many words a few shared phrases look like a copy; such texts are left alone.
MIN_WORDS = 30


def words(text: str) -> list[str]:
    """Words of `text` for shingling: NFC, case-folded, punctuation (incl. danda) dropped."""
    norm = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(" " if unicodedata.category(ch).startswith(("P", "S")) else ch for ch in norm)
    return kept.split()


def shingles(tokens: list[str]) -> set[bytes]:
    return {
        " ".join(tokens[i : i + SHINGLE]).encode("utf-8")
        for i in range(max(1, len(tokens) - SHINGLE + 1))
    }


@dataclass(frozen=True)
class Signature:
    values: np.ndarray

    def to_bytes(self) -> bytes:
        return bytes(self.values.astype("<u8").tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        return cls(np.frombuffer(data, dtype="<u8"))

    def similarity(self, other: Signature) -> float:
        return float(np.mean(self.values == other.values))

    def bands(self) -> list[tuple[int, int]]:
        out = []
        for band in range(BANDS):
            chunk = self.values[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8).digest()
            # Signed, so it fits a BIGINT column on PostgreSQL.
            out.append((band, int.from_bytes(digest, "little", signed=True)))
        return out


def signature(text: str) -> Signature | None:
    """The text's signature, or None when it is too short to judge."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    # `bulk` hashes all shingles in one go (measured faster than per-document updates).
    [minhash] = MinHash.bulk([list(shingles(tokens))], num_perm=NUM_PERM, scheme=SCHEME)
    return Signature(np.asarray(minhash.hashvalues, dtype=np.uint64))


def find_original(session: Session, sig: Signature) -> tuple[int, float] | None:
    """The stored article most similar to `sig` above the threshold: (article id, similarity)."""
    bands = dict((h, b) for b, h in sig.bands())
    # Ask by hash (the index's leading column) and check the band here: a row-value IN is not
    # served by an index on every back end.
    candidates = {
        article_id
        for article_id, band, value in session.execute(
            select(ArticleBand.article_id, ArticleBand.band, ArticleBand.hash).where(
                ArticleBand.hash.in_(list(bands))
            )
        )
        if bands.get(value) == band
    }
    if not candidates:
        return None
    best: tuple[int, float] | None = None
    rows = session.execute(
        select(ArticleSignature.article_id, ArticleSignature.signature).where(
            ArticleSignature.article_id.in_(candidates),
            ArticleSignature.scheme == SCHEME,
            ArticleSignature.num_perm == NUM_PERM,
        )
    )
    for article_id, data in rows:
        score = sig.similarity(Signature.from_bytes(data))
        if score >= THRESHOLD and (best is None or (score, -article_id) > (best[1], -best[0])):
            best = (article_id, score)
    return best


def index(session: Session, article_id: int, sig: Signature) -> None:
    """Store the signature and its bands so later articles can find this one."""
    session.add(
        ArticleSignature(
            article_id=article_id, scheme=SCHEME, num_perm=NUM_PERM, signature=sig.to_bytes()
        )
    )
    session.add_all(ArticleBand(article_id=article_id, band=b, hash=h) for b, h in sig.bands())


def forget(session: Session, article_ids: Iterable[int]) -> None:
    """Drop the index entries of articles whose text changed."""
    ids = list(article_ids)
    for model in (ArticleBand, ArticleSignature):
        for row in session.scalars(select(model).where(model.article_id.in_(ids))):
            session.delete(row)
