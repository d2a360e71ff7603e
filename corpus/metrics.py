"""Accuracy measures shared by the tests, the benchmarks and `prescreen eval`."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def char_accuracy(got: str, expected: str) -> float:
    """1 − edit distance / expected length, whitespace ignored; floored at 0."""
    got = "".join(got.split())
    expected = "".join(expected.split())
    if not expected:
        return 1.0 if not got else 0.0
    return max(0.0, 1.0 - Levenshtein.distance(got, expected) / len(expected))
