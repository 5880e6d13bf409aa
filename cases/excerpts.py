"""Search excerpts: where a case matched a search, the matched words marked with <mark>.

Words are found the way the search finds them (see `search_terms`): the text is folded one
character at a time with `fold()`, keeping for each folded character the index of the
original one, so a match on "vegue" marks "Vegué" in the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .models import SearchTerms, fold

DESCRIPTION_LENGTH = 220  # characters of description around the matches
LINE_LENGTH = 140  # characters of an organization or contact line
MAX_PEOPLE_LINES = 2
SCANNED_LENGTH = 20_000  # a match further into a description is not shown: bounded cost
_NON_WORD_ASCII_RE = re.compile(r"[\W_]", re.ASCII)
# Runs of ASCII characters (folded in one go) and single other characters.
_RUNS_RE = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")

Span = tuple[int, int, str]  # start and end in the original text, and the search word


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """fold() of one character in the middle of a word: "" for an accent mark, " " where the
    character ends a word, else its folded letters (between two letters, fold strips nothing)."""
    return fold(f"a{char}b")[1:-1]


def folded_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """The folded text (words as `fold` makes them) and, for each of its characters, the index
    of the original character it comes from."""
    if text.isascii():  # most texts: one run, folded in place
        return _NON_WORD_ASCII_RE.sub(" ", text.lower()), range(len(text))
    pieces, positions = [], []
    for run in _RUNS_RE.finditer(text):
        if run.group().isascii():  # fold() of ASCII: lower case, one space per non-word
            pieces.append(_NON_WORD_ASCII_RE.sub(" ", run.group().lower()))
            positions.extend(range(run.start(), run.end()))
        else:
            piece = _fold_char(run.group())
            pieces.append(piece)
            positions.extend([run.start()] * len(piece))
    return "".join(pieces), positions


@lru_cache(maxsize=64)
def _words_pattern(terms: SearchTerms) -> re.Pattern:
    """Folded words the search matches: starting with a word, or equal to a short one. Group
    n matches the n-th search word."""
    word_start, whole_word = r"\S*", r"(?!\S)"
    alternatives = [
        f"({re.escape(term)}{word_start if prefix else whole_word})"
        for term, prefix in terms.prefixed
    ]
    return re.compile(rf"(?<!\S)(?:{'|'.join(alternatives)})")


def matched_spans(text: str, terms: SearchTerms) -> list[Span]:
    """The words of text that the search words match, as spans of the original text."""
    if not terms.words:
        return []
    folded, positions = folded_with_positions(text)
    spans = []
    for found in _words_pattern(terms).finditer(folded):
        start, end = positions[found.start()], positions[found.end() - 1] + 1
        while end < len(text) and not _fold_char(text[end]):
            end += 1  # the accent marks written after the word's last letter
        spans.append((start, end, terms.words[found.lastindex - 1]))
    return spans


def _window(text: str, spans: list[Span], limit: int) -> tuple[int, int]:
    """Start and end of at most `limit` characters of text showing the most different search
    words, cut between words."""
    best, best_words = (0, min(len(text), limit)), -1
    for anchor, _, _ in spans[:50]:  # bounded: a long text may match hundreds of times
        start = max(0, min(anchor - limit // 4, len(text) - limit))
        end = min(len(text), start + limit)
        words = {term for s, e, term in spans if start <= s and e <= end}
        if len(words) > best_words:
            best, best_words = (start, end), len(words)
    start, end = best
    inside = [(s, e) for s, e, _ in spans if start <= s and e <= end]
    if start > 0:
        cut = text.find(" ", start, inside[0][0] if inside else end)
        start = cut + 1 if cut >= 0 else start
    if end < len(text):
        cut = text.rfind(" ", inside[-1][1] if inside else start, end)
        end = cut if cut > start else end
    return start, end


def excerpt(text: str, spans: list[Span], limit: int) -> tuple[SafeString, set[str]]:
    """At most `limit` characters of text (… where cut) with the spans in it marked, escaped;
    and the search words it shows."""
    start, end = _window(text, spans, limit)
    html, at, shown = ["…" if start > 0 else ""], start, set()
    for span_start, span_end, term in spans:
        if at <= span_start and span_end <= end:
            html += [escape(text[at:span_start]), "<mark>", escape(text[span_start:span_end])]
            html.append("</mark>")
            at = span_end
            shown.add(term)
    html += [escape(text[at:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(html).strip()), shown


def _people(case):
    """(label, text) of each organization a case names and of its contact, in their order."""
    for link in case.links:
        yield gettext("Organization"), link.organization.name
        if link.contact:
            yield (
                gettext("Contact"),
                ", ".join(filter(None, [link.contact.name, link.contact.role])),
            )


def case_excerpt(case, terms: SearchTerms) -> list[tuple[str, SafeString]]:
    """What a search result shows of a case: (label, html) lines. First the description around
    its matches, then up to MAX_PEOPLE_LINES organizations or contacts that match words the
    title and the description do not show ("Contact: Elisenda <mark>Vegué</mark> Gisbert")."""
    spans = matched_spans(case.description[:SCANNED_LENGTH], terms)
    description, shown = excerpt(case.description, spans, DESCRIPTION_LENGTH)
    shown |= {term for _, _, term in matched_spans(case.title, terms)}
    lines = [("", description)]
    for label, text in _people(case):
        if len(lines) > MAX_PEOPLE_LINES:
            break
        spans = matched_spans(text, terms)
        if {term for _, _, term in spans} - shown:
            html, words = excerpt(text, spans, LINE_LENGTH)
            lines.append((label, html))
            shown |= words
    return lines
