"""Candidate pairs from one LSH bucket, with a bound on how many pairs a bucket may cost.

Banded LSH (AND of `rows` hashes per band key, OR over bands) keeps the number of *buckets* a unit
lands in fixed, but not the size of a bucket: on real code the vectors are not spread evenly over
the sphere, so a common shape (getters, small loops) fills a few buckets with thousands of units
from every repository, and scoring every pair in them grows with the square of the corpus.

So a bucket of at most `cap` units is scored whole (every cross-repository pair), and a larger one
is put in order of its units' remaining hash bits (the signs of the other bands: units whose order
keys agree on a long prefix point the same way) and each unit is scored against the next `window`
units in that order only. A unit therefore costs at most max(cap, 2 * window) scores per band, and
the scores computed grow linearly with the number of units. Pairs missed in a large bucket are
those whose other hash bits disagree early; near-duplicates (cosine near 1) agree on almost all
bits and stay adjacent.

Nothing here imports pyspark: the job calls these functions inside its RDD stages, and
scripts/bench/spark/candidates.py measures them on `codeintel units` output without Spark.
"""

import numpy as np


def projections(dimension, count, seed=1):
    """`count` random directions in `dimension` dimensions (Gaussian, unit length: the hyperplanes of
    SimHash, as MLlib's BucketedRandomProjectionLSH draws them), as a (dimension, count) matrix."""
    p = np.random.default_rng(seed).normal(size=(dimension, count))
    return (p / np.linalg.norm(p, axis=0, keepdims=True)).astype(np.float32)


def signatures(vectors, planes):
    """SimHash signatures: for each row of `vectors`, one bit per column of `planes` (1 where the
    projection is >= 0), the first column the highest bit of one integer."""
    bits = (np.asarray(vectors, dtype=np.float32) @ planes) >= 0
    count = bits.shape[1]
    pad = (-count) % 8
    return [int.from_bytes(row.tobytes(), "big") >> pad for row in np.packbits(bits, axis=1)]


def band_items(signature, rows, bands):
    """For one unit's signature (`rows * bands` bits, as from `signatures`), yields (band, key, order)
    per band: `key` the band's `rows` bits, `order` the bits of the following bands then of the
    preceding ones, as one integer (the unit's place inside an oversized bucket)."""
    total = rows * bands
    mask = (1 << rows) - 1
    for b in range(bands):
        start, end = b * rows, (b + 1) * rows
        key = (signature >> (total - end)) & mask
        after = signature & ((1 << (total - end)) - 1)
        before = signature >> (total - start)
        yield b, key, (after << start) | before


def value_items(values, rows, bands):
    """Like `band_items` for a list of integer hashes (MLlib's MinHash values): key and order are
    tuples."""
    total = rows * bands
    for b in range(bands):
        start, end = b * rows, (b + 1) * rows
        yield b, tuple(values[start:end]), tuple(values[end:total]) + tuple(values[:start])


def cosine_pairs(items, minimum, cap, window, block=2048):
    """Cross-repository pairs of one bucket with cosine >= minimum.

    items: (uid, repoIndex, vector as float32 bytes or a sequence, order key).
    Returns (pairs, compared): pairs as (a, b, score) with a < b; compared is the number of
    cross-repository pairs whose cosine was computed."""
    if len(items) <= cap:
        return _score(items, minimum, True, window, block)
    return _score(sorted(items, key=lambda i: (i[3], i[0])), minimum, False, window, block)


def _score(items, minimum, whole, window, block):
    n = len(items)
    if n < 2:
        return [], 0
    ids = np.array([i[0] for i in items], dtype=np.int64)
    repos = np.array([i[1] for i in items], dtype=np.int64)
    v = np.stack([_vector(i[2]) for i in items])
    out = []
    compared = 0
    if whole:
        for start in range(0, n, block):
            s = v[start:start + block] @ v.T
            rows = np.arange(start, min(start + block, n))[:, None]
            cross = (repos[rows] != repos[None, :]) & (ids[rows] < ids[None, :])
            compared += int(cross.sum())
            for i, j in zip(*np.nonzero(cross & (s >= minimum))):
                out.append(_pair(ids[start + i], ids[j], s[i, j]))
        return out, compared
    for k in range(1, min(window, n - 1) + 1):
        s = np.einsum("ij,ij->i", v[:-k], v[k:])
        cross = repos[:-k] != repos[k:]
        compared += int(cross.sum())
        for i in np.nonzero(cross & (s >= minimum))[0]:
            out.append(_pair(ids[i], ids[i + k], s[i]))
    return out, compared


def jaccard_pairs(items, minimum, cap, window):
    """Cross-repository pairs of one MinHash bucket with set Jaccard >= minimum, bounded like
    `cosine_pairs` (an oversized bucket in order of its units' other MinHash values).

    items: (uid, repoIndex, sorted feature ids, order key). Returns (pairs, compared)."""
    n = len(items)
    if n < 2:
        return [], 0
    if n > cap:
        items = sorted(items, key=lambda i: (i[3], i[0]))
    sets = [(i[0], i[1], set(i[2])) for i in items]
    out = []
    compared = 0
    for x in range(n):
        a, ra, sa = sets[x]
        last = n if n <= cap else min(n, x + window + 1)
        for y in range(x + 1, last):
            b, rb, sb = sets[y]
            if ra == rb:
                continue
            compared += 1
            inter = len(sa & sb)
            union = len(sa) + len(sb) - inter
            if inter and inter >= minimum * union:
                out.append((min(a, b), max(a, b), inter / union))
    return out, compared


def bag_elements(tokens, space):
    """A bag (multiset) of token hashes as a set of element ids in [0, space): each occurrence of a
    token is its own element (token, k-th occurrence), so set Jaccard of the elements is the bag
    Jaccard. Sorted, as MLlib's sparse vectors need."""
    out = set()
    previous, k = None, 0
    for t in sorted(tokens):
        k = k + 1 if t == previous else 0
        previous = t
        out.add(((int(t) * 0x9E3779B1) ^ (k * 0x85EBCA77)) % space)
    return sorted(out)


def _vector(v):
    if isinstance(v, (bytes, bytearray)):
        return np.frombuffer(v, dtype=np.float32)
    return np.asarray(v, dtype=np.float32)


def _pair(a, b, score):
    a, b = int(a), int(b)
    return (min(a, b), max(a, b), float(score))
