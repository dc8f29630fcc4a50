"""TF-IDF word, character and pinyin n-grams with logistic regression, kept as plain arrays.

Three views of a message, each TF-IDF weighted, side by side:

* words: jieba's words (with the catalogue dictionary), uni- and bigrams;
* characters: 1-3-grams of the message, unsegmented, so an n-gram may cross a word boundary and
  a typo that makes jieba cut a sentence differently still shares most of its n-grams with the
  correct spelling (Rasa's char featurizer only sees n-grams inside words);
* pinyin: toneless syllables, uni- and bigrams. Customers type with pinyin input methods, so
  their typos are mostly homophones (泻泻 for 谢谢, 运废 for 运费, 步用 for 不用): different
  characters, the same syllables.

The fitted model is stored as vocabularies (JSON) and weights (NumPy), not pickled, so loading a
model runs no code from the model file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import CountVectorizer

WORD_SEPARATOR = "\x1f"  # joins a message's tokens; never part of a token
VOCABULARY_FILE = "vocabulary.json"
WEIGHTS_FILE = "weights.npz"


@dataclass(frozen=True)
class LinearInput:
    words: Sequence[str]  # jieba's words
    chars: str  # the message itself, for character and pinyin n-grams


def _split_words(doc: str) -> list[str]:
    return doc.split(WORD_SEPARATOR)


def pinyin_syllables(text: str) -> list[str]:
    """Toneless pinyin of the Chinese characters; digits, Latin letters, punctuation and emoji
    stay as they are (a run of them is one item)."""
    from pypinyin import lazy_pinyin

    return [s for part in text.split() for s in lazy_pinyin(part) if s.strip()]


def _views(inputs: Sequence[LinearInput]) -> tuple[list[str], list[str], list[str]]:
    words = [WORD_SEPARATOR.join(i.words) for i in inputs]
    syllables = [WORD_SEPARATOR.join(pinyin_syllables(i.chars)) for i in inputs]
    return words, [i.chars for i in inputs], syllables


def _vectorizers(
    vocabularies: Sequence[dict[str, int] | None] = (None, None, None),
) -> list[CountVectorizer]:
    """Counters for words, characters and pinyin, in that order."""
    from sklearn.feature_extraction.text import CountVectorizer

    words, chars, syllables = vocabularies
    return [
        CountVectorizer(
            tokenizer=_split_words,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            vocabulary=words,
        ),
        CountVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=True, vocabulary=chars),
        CountVectorizer(
            tokenizer=_split_words,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            vocabulary=syllables,
        ),
    ]


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """scikit-learn's TfidfTransformer (raw tf, given idf, l2 norm), without its state."""
    weighted = sp.csr_matrix(counts, dtype=np.float64) @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


@dataclass(frozen=True)
class LinearIntentModel:
    labels: tuple[str, ...]
    vocabularies: tuple[dict[str, int], ...]  # words, characters, pinyin
    idfs: tuple[np.ndarray, ...]  # one per vocabulary
    coef: np.ndarray  # (labels, features)
    intercept: np.ndarray  # (labels,)

    @classmethod
    def fit(
        cls, inputs: Sequence[LinearInput], labels: Sequence[str], c: float, seed: int
    ) -> LinearIntentModel:
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        vectorizers = _vectorizers()
        counts = [
            v.fit_transform(view) for v, view in zip(vectorizers, _views(inputs), strict=True)
        ]
        idfs = tuple(np.asarray(TfidfTransformer().fit(c).idf_) for c in counts)
        x = sp.hstack([_tfidf(c, idf) for c, idf in zip(counts, idfs, strict=True)]).tocsr()
        # newton-cg: the same optimum as lbfgs in a quarter of the time on these wide sparse rows
        classifier = LogisticRegression(C=c, solver="newton-cg", max_iter=1000, random_state=seed)
        classifier.fit(x, list(labels))
        return cls(
            labels=tuple(str(label) for label in classifier.classes_),
            vocabularies=tuple({k: int(i) for k, i in v.vocabulary_.items()} for v in vectorizers),
            idfs=idfs,
            coef=np.asarray(classifier.coef_),
            intercept=np.asarray(classifier.intercept_),
        )

    def predict_proba(self, inputs: Sequence[LinearInput]) -> np.ndarray:
        """(messages, labels) probabilities, columns in ``labels`` order."""
        if not inputs:
            return np.zeros((0, len(self.labels)))
        vectorizers = _vectorizers(self.vocabularies)
        blocks = [
            _tfidf(v.transform(view), idf)
            for v, view, idf in zip(vectorizers, _views(inputs), self.idfs, strict=True)
        ]
        scores = np.asarray(sp.hstack(blocks).tocsr() @ self.coef.T) + self.intercept
        if len(self.labels) == 2:  # scikit-learn's binary case: one column, the second label
            scores = np.hstack([-scores, scores]) / 2
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def save(self, directory: Path) -> None:
        vocabulary = {"labels": list(self.labels), "vocabularies": list(self.vocabularies)}
        (directory / VOCABULARY_FILE).write_text(
            json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8"
        )
        idfs = {f"idf{i}": idf for i, idf in enumerate(self.idfs)}
        np.savez(directory / WEIGHTS_FILE, coef=self.coef, intercept=self.intercept, **idfs)

    @classmethod
    def load(cls, directory: Path) -> LinearIntentModel:
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        vocabularies = tuple(dict(v) for v in vocabulary["vocabularies"])
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
            return cls(
                labels=tuple(vocabulary["labels"]),
                vocabularies=vocabularies,
                idfs=tuple(weights[f"idf{i}"] for i in range(len(vocabularies))),
                coef=weights["coef"],
                intercept=weights["intercept"],
            )
