"""Near-duplicate articles: MinHash signatures over word shingles, LSH bands in the database.

Regional outlets republish wire copy with a new headline and a trimmed paragraph. Such a copy
shares most word 3-grams with its original, so its MinHash signature agrees on most positions.
The signature is cut into bands; two articles that agree on a whole band are candidates, and a
candidate is a duplicate when the estimated Jaccard similarity of the two texts passes
`THRESHOLD`. Bands are rows in an indexed table, so the index survives restarts and is shared
by every process on PostgreSQL.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash
from sqlalchemy import insert, select
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

    @functools.cached_property
    def band_set(self) -> frozenset[tuple[int, int]]:
        return frozenset(self.bands())

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


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analysis_of(text: str) -> dict[str, Any]:
    """The signature of `text` in a form that travels from a worker process with the item."""
    sig = signature(text)
    return {"text_sha256": _text_key(text), "signature": sig.to_bytes() if sig else None}


def signature_of(text: str, analysis: dict[str, Any] | None) -> Signature | None:
    """The signature `analysis_of` computed for this very text, else computed now."""
    if analysis and "signature" in analysis and analysis.get("text_sha256") == _text_key(text):
        data = analysis["signature"]
        return Signature.from_bytes(data) if data is not None else None
    return signature(text)


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


# Candidates verified per lookup, those sharing the most bands first: a band common to many
# stored texts (boilerplate) must not make one lookup read thousands of signatures.
MAX_CANDIDATES = 32
# Band rows read per lookup, for the same reason.
MAX_BAND_ROWS = 4000


def find_originals(session: Session, sigs: list[Signature]) -> list[tuple[int, float] | None]:
    """`find_original` for many signatures, with one band query and one signature query."""
    if not sigs:
        return []
    wanted = [dict((h, b) for b, h in sig.bands()) for sig in sigs]
    hashes = sorted({h for bands in wanted for h in bands})
    rows: list[tuple[int, int, int]] = []
    for start in range(0, len(hashes), 500):
        rows.extend(
            session.execute(
                select(ArticleBand.article_id, ArticleBand.band, ArticleBand.hash)
                .where(ArticleBand.hash.in_(hashes[start : start + 500]))
                .limit(MAX_BAND_ROWS * len(sigs))
            ).tuples()
        )
    by_hash: dict[int, list[tuple[int, int]]] = {}
    for article_id, band, value in rows:
        by_hash.setdefault(value, []).append((article_id, band))
    chosen: list[list[int]] = []
    for bands in wanted:
        shared: dict[int, int] = {}
        for value, band in bands.items():
            for article_id, stored_band in by_hash.get(value, ()):
                if stored_band == band:
                    shared[article_id] = shared.get(article_id, 0) + 1
        ranked = sorted(shared, key=lambda a: (-shared[a], a))[:MAX_CANDIDATES]
        chosen.append(ranked)
    ids = sorted({a for ranked in chosen for a in ranked})
    stored: dict[int, Signature] = {}
    for start in range(0, len(ids), 500):
        for article_id, data in session.execute(
            select(ArticleSignature.article_id, ArticleSignature.signature).where(
                ArticleSignature.article_id.in_(ids[start : start + 500]),
                ArticleSignature.scheme == SCHEME,
                ArticleSignature.num_perm == NUM_PERM,
            )
        ):
            stored[int(article_id)] = Signature.from_bytes(data)
    return [
        best_match(sig, [(a, stored[a]) for a in ranked if a in stored])
        for sig, ranked in zip(sigs, chosen, strict=True)
    ]


def best_match(sig: Signature, others: list[tuple[int, Signature]]) -> tuple[int, float] | None:
    """Of `others` that share a band with `sig`, the most similar above the threshold."""
    best: tuple[int, float] | None = None
    for article_id, other in others:
        if not sig.band_set & other.band_set:
            continue
        score = sig.similarity(other)
        if score >= THRESHOLD and (best is None or (score, -article_id) > (best[1], -best[0])):
            best = (article_id, score)
    return best


def index(session: Session, article_id: int, sig: Signature) -> None:
    """Store the signature and its bands so later articles can find this one."""
    index_many(session, [(article_id, sig)])


def index_many(session: Session, entries: list[tuple[int, Signature]]) -> None:
    """`index` for many articles (already flushed), in two multi-row inserts."""
    if not entries:
        return
    session.execute(
        insert(ArticleSignature),
        [
            {"article_id": a, "scheme": SCHEME, "num_perm": NUM_PERM, "signature": s.to_bytes()}
            for a, s in entries
        ],
    )
    session.execute(
        insert(ArticleBand),
        [{"article_id": a, "band": b, "hash": h} for a, s in entries for b, h in s.bands()],
    )


def forget(session: Session, article_ids: Iterable[int]) -> None:
    """Drop the index entries of articles whose text changed."""
    ids = list(article_ids)
    for model in (ArticleBand, ArticleSignature):
        for row in session.scalars(select(model).where(model.article_id.in_(ids))):
            session.delete(row)
