"""Codes and value sets: what a code is, where it was verified, and how a coding is looked up.

A code inside a rule is a defect: rules ask for facts, and facts are extracted by matching `system|code` pairs
against value sets. Display text is never matched. ICD-10-CM is hierarchical by prefix (C18 holds C18.0–C18.9),
so an ICD-10-CM code in a set also matches the codes below it; every other system matches exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from fhir_mappings.systems import ICD10CM

K = TypeVar("K")
Coding = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str
    verified_in: str
    """Where the code was verified (shared/terminology.md §0 tags), or the site mapping file that added it."""


def lookup_keys(system: str | None, code: str | None) -> Iterator[tuple[str, str]]:
    """The pairs a coding matches: itself, and for ICD-10-CM each shorter prefix down to the 3-character
    category (C18.72 → C18.7, C18)."""
    if system is None or code is None:
        return
    yield system, code
    if system == ICD10CM:
        text = code.strip().upper()
        if text != code:
            yield system, text
        for end in range(len(text) - 1, 2, -1):
            if text[end - 1] != ".":
                yield system, text[:end]


def icd_heads(pairs: Iterable[tuple[str | None, str | None]]) -> frozenset[str]:
    """The 3-character heads of the ICD-10-CM codes among `pairs`. Every key `lookup_keys` derives from a code
    begins with the code's own head, so a code whose head is not here cannot match by prefix: most codes of a
    problem list are settled by this one set lookup instead of a walk up their prefixes."""
    return frozenset(code[:3] for system, code in pairs if system == ICD10CM and code is not None)


def prefix_keys(system: str, code: str, heads: frozenset[str]) -> Iterator[tuple[str, str]]:
    """`lookup_keys` of an ICD-10-CM code that may be in a set with these `heads`; nothing for any other code."""
    if system == ICD10CM and code.strip().upper()[:3] in heads:
        yield from lookup_keys(system, code)


@dataclass(frozen=True)
class ValueSet:
    id: str
    title: str
    codes: tuple[Code, ...]
    _pairs: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)
    _icd_heads: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pairs", frozenset((c.system, c.code) for c in self.codes))
        object.__setattr__(self, "_icd_heads", icd_heads(self._pairs))

    def contains(self, system: str | None, code: str | None) -> bool:
        if system is None or code is None:
            return False
        if (system, code) in self._pairs:
            return True
        return system == ICD10CM and any(
            pair in self._pairs for pair in prefix_keys(system, code, self._icd_heads)
        )

    def matches_any(self, codings: Iterable[Coding]) -> bool:
        return any(self.contains(system, code) for system, code in codings)

    def with_codes(self, extra: Sequence[Code]) -> ValueSet:
        """This set plus `extra` (a site's mappings); codes already present are not repeated."""
        new = tuple(c for c in extra if (c.system, c.code) not in self._pairs)
        return replace(self, codes=self.codes + new) if new else self


class CodeIndex(Generic[K]):
    """Which concept (a drug, a measure, a cancer) a `system|code` pair stands for, across several value sets:
    one dict lookup per coding instead of a scan of every set. The most specific ICD-10-CM code wins."""

    def __init__(self, sets: Mapping[K, ValueSet]) -> None:
        self._by_pair: dict[tuple[str | None, str | None], K] = {}
        for key, value_set in sets.items():
            for code in value_set.codes:
                self._by_pair.setdefault((code.system, code.code), key)
        self._icd_heads = icd_heads(self._by_pair)

    def concept(self, system: str | None, code: str | None) -> K | None:
        found = self._by_pair.get((system, code))
        if found is not None or system != ICD10CM or code is None:
            return found  # the hot path: one dict lookup (Observation codes are LOINC)
        for pair in prefix_keys(system, code, self._icd_heads):
            found = self._by_pair.get(pair)
            if found is not None:
                return found
        return None

    def first(self, codings: Iterable[Coding]) -> K | None:
        """The concept of the first coding that belongs to one of the sets."""
        for system, code in codings:
            found = self.concept(system, code)
            if found is not None:
                return found
        return None

    def in_concept(self, concepts: object) -> K | None:
        """The concept of the first coding of a CodeableConcept (or a list of them) that belongs to the sets:
        `first(codings_of(...))` with the exact-match lookup inlined, as every Observation and Condition of a
        chart passes here."""
        by_pair = self._by_pair
        for concept in concepts if isinstance(concepts, list) else (concepts,):
            if not isinstance(concept, dict):
                continue
            codings = concept.get("coding")
            for coding in codings if isinstance(codings, list) else (codings,):
                if isinstance(coding, dict):
                    system, code = coding.get("system"), coding.get("code")
                    if isinstance(system, str) and isinstance(code, str):
                        found = by_pair.get((system, code))
                        if found is None and system == ICD10CM:
                            found = self.concept(system, code)
                        if found is not None:
                            return found
        return None

    def all(self, codings: Iterable[Coding]) -> list[K]:
        """The concepts of every coding, in order, without repeats."""
        out: list[K] = []
        for system, code in codings:
            found = self.concept(system, code)
            if found is not None and found not in out:
                out.append(found)
        return out
