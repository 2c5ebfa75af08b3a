"""The keys of the member search index (measure 1): keyed blind indexes, never plaintext.

Each key is HMAC-SHA256 under LIANLUO_BLIND_INDEX_KEY (casework.crypto.blind_index) of a kind
and a token, cut to 64 bits (a signed integer column: small rows, fast B-tree look-ups; a
false match needs a 2⁻⁶⁴ collision, and names are re-checked in SQL anyway). Tokens:

- NAME: every pair of adjacent characters of the name ("林少华" → 林少, 少华);
- PINYIN: every run of two or more syllables of the full pinyin ("linshao", "shaohua",
  "linshaohua"), every reading of the surname character (单 → dan, shan, chan);
- INITIALS: every run of two or more syllable initials ("ls", "sh", "lsh");
- ID_SUFFIX: the last 4, 5 and 6 characters of the ID number;
- PHONE: the digits of each phone number (search, and duplicates);
- NAME_BIRTH: name and birth date (duplicates only, never searched).

`query_plan` turns what a user typed into the keys to look up and whether all must match.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from casework.crypto import blind_index_digest
from casework.models import SearchKeyKind

K = SearchKeyKind
_NAME_JUNK = re.compile(r"[\s·•・.\-]+")
_PHONE_JUNK = re.compile(r"[\s\-()（）+]")
_ASCII_LETTERS = re.compile(r"^[a-z]+$")
_ID_TAIL = re.compile(r"^[0-9]{3,5}[0-9X]$")
_PHONE = re.compile(r"^(86)?[0-9]{7,12}$")
_FULL_ID = re.compile(r"^[0-9]{17}[0-9X]$")
SURNAME_READINGS = 3
MIN_ID_SUFFIX, MAX_ID_SUFFIX = 4, 6


def key_of(kind: SearchKeyKind, token: str) -> int:
    return _key_of(settings.LIANLUO_BLIND_INDEX_KEY or "", int(kind), token)


@lru_cache(maxsize=50_000)
def _key_of(secret: str, kind: int, token: str) -> int:
    """Cached per (key, kind, token): registers repeat surnames and given names a lot. Bounded
    (~20 MB): ID tails and phones rarely repeat, the frequent name tokens stay."""
    digest = blind_index_digest(f"search.{kind}", token)
    return int.from_bytes(digest[:8], "big", signed=True)


def clean_name(name: str) -> str:
    return _NAME_JUNK.sub("", name or "")


def clean_phone(phone: str) -> str:
    digits = _PHONE_JUNK.sub("", phone or "")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _runs(parts: list[str | None]) -> set[str]:
    """Every concatenation of two or more adjacent parts (None breaks a run)."""
    runs: set[str] = set()
    for start in range(len(parts)):
        for end in range(start + 2, len(parts) + 1):
            chunk = parts[start:end]
            if any(part is None for part in chunk):
                break
            runs.add("".join(part for part in chunk if part))
    return runs


def _no_pinyin(text: str) -> list[str]:
    return ["#"] * len(text)  # one placeholder per character without pinyin


def _syllable_variants(name: str) -> list[list[str | None]]:
    """Syllables of the name, one list per reading of the surname character; None where a
    character has no pinyin (rare characters, letters)."""
    # Imported here: pypinyin's dictionaries cost ~40 MB and 0.4 s, which a process that
    # never searches (a document render worker) should not pay.
    from pypinyin import Style, lazy_pinyin

    syllables: list[str | None] = [
        s if _ASCII_LETTERS.match(s) else None
        for s in lazy_pinyin(name, style=Style.NORMAL, errors=_no_pinyin)  # type: ignore[arg-type]
    ]
    if not syllables or syllables[0] is None:
        return [syllables]
    readings = _readings(name[0])
    variants = [syllables]
    for reading in readings:
        if reading != syllables[0] and _ASCII_LETTERS.match(reading):
            variants.append([reading, *syllables[1:]])
    return variants


@lru_cache(maxsize=10_000)
def _readings(char: str) -> tuple[str, ...]:
    """The readings of one (surname) character: few characters, many names."""
    from pypinyin import Style, pinyin

    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True)[0][:SURNAME_READINGS])


def name_tokens(name: str) -> dict[SearchKeyKind, set[str]]:
    return {kind: set(tokens) for kind, tokens in _name_tokens(clean_name(name)).items()}


@lru_cache(maxsize=20_000)
def _name_tokens(text: str) -> dict[SearchKeyKind, frozenset[str]]:
    """Cached per name: the pinyin conversion is the costly part of indexing a member.
    Bounded (~1.7 kB a name): 100,000 entries held ~170 MB for a register of unique names."""
    return {kind: frozenset(tokens) for kind, tokens in _tokens(text).items()}


def _tokens(text: str) -> dict[SearchKeyKind, set[str]]:
    tokens: dict[SearchKeyKind, set[str]] = {K.NAME: set(), K.PINYIN: set(), K.INITIALS: set()}
    tokens[K.NAME] = {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())
    for syllables in _syllable_variants(text):
        tokens[K.PINYIN] |= _runs(syllables)
        tokens[K.INITIALS] |= _runs([s[0] if s else None for s in syllables])
    return tokens


def member_keys(
    *,
    name: str,
    id_number: str,
    phones: Iterable[str] = (),
    birth_date: dt.date | None = None,
) -> set[tuple[int, int]]:
    """(kind, key) pairs of one member."""
    secret = settings.LIANLUO_BLIND_INDEX_KEY or ""  # read once: a member has ~15 keys
    pairs: set[tuple[int, int]] = set()
    for kind, tokens in _name_tokens(clean_name(name)).items():
        code = int(kind)
        pairs |= {(code, _key_of(secret, code, token)) for token in tokens}
    number = (id_number or "").strip().upper()
    code = int(K.ID_SUFFIX)
    for length in range(MIN_ID_SUFFIX, MAX_ID_SUFFIX + 1):
        if len(number) >= length:
            pairs.add((code, _key_of(secret, code, number[-length:])))
    for phone in phones:
        digits = clean_phone(phone)
        if digits:
            pairs.add((int(K.PHONE), _key_of(secret, int(K.PHONE), digits)))
    if birth_date is not None and clean_name(name):
        token = f"{clean_name(name)}|{birth_date.isoformat()}"
        pairs.add((int(K.NAME_BIRTH), _key_of(secret, int(K.NAME_BIRTH), token)))
    return pairs


@dataclass(frozen=True)
class QueryPlan:
    """What to look up for a query: `keys` (all must match when `match_all`, else any), or a
    full ID number (the register's own blind index)."""

    keys: tuple[int, ...] = ()
    match_all: bool = False
    full_id_number: str = ""
    error: str = ""  # "too_short" | "unsupported"


def query_plan(query: str) -> QueryPlan:
    text = clean_name(query).upper()
    if not text:
        return QueryPlan(error="too_short")
    if _FULL_ID.match(text):
        return QueryPlan(full_id_number=text)
    if _ID_TAIL.match(text):
        return QueryPlan(keys=(key_of(K.ID_SUFFIX, text),))
    if _PHONE.match(clean_phone(text)):
        return QueryPlan(keys=(key_of(K.PHONE, clean_phone(text)),))
    if text.isdigit():
        return QueryPlan(error="too_short")
    lower = text.lower()
    if _ASCII_LETTERS.match(lower):
        if len(lower) < 2:
            return QueryPlan(error="too_short")
        return QueryPlan(keys=(key_of(K.PINYIN, lower), key_of(K.INITIALS, lower)))
    if len(text) < 2:
        return QueryPlan(error="too_short")
    if any(char.isascii() for char in text):
        return QueryPlan(error="unsupported")
    bigrams = sorted({text[i : i + 2] for i in range(len(text) - 1)})
    return QueryPlan(keys=tuple(key_of(K.NAME, gram) for gram in bigrams), match_all=True)
