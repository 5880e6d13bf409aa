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
from django.utils.translation import gettext, gettext_noop

from .models import SearchTerms, fold

DESCRIPTION_LENGTH = 220  # characters of description around the matches
LINE_LENGTH = 140  # characters of an organization or contact line
MAX_PEOPLE_LINES = 2
SCANNED_LENGTH = 20_000  # a match further into a description is not shown: bounded cost
_NON_WORD_ASCII_RE = re.compile(r"[\W_]", re.ASCII)
# Runs of ASCII characters (folded in one go) and single other characters.
_RUNS_RE = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")

Span = tuple[int, int, str]  # start and end in the original text, and the search word


def _ascii_folding() -> bytes:
    """A bytes.translate table doing what fold() does to ASCII characters (lower case, a space
    for anything but a letter or a digit) and leaving the bytes of other characters as they
    are (in UTF-8 those are all 0x80 or above)."""
    table = bytearray(range(256))
    for byte in range(128):
        char = chr(byte)
        table[byte] = ord(char.lower() if char.isalnum() else " ")
    return bytes(table)


_ASCII_FOLDING = _ascii_folding()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """fold() of one character in the middle of a word: "" for an accent mark, " " where the
    character ends a word, else its folded letters (between two letters, fold strips nothing)."""
    return fold(f"a{char}b")[1:-1]


def _fold_ascii(text: str) -> str:
    """text with its ASCII characters folded, the others left: one pass in C."""
    encoded = text.encode("utf-8", "surrogatepass").translate(_ASCII_FOLDING)
    return encoded.decode("utf-8", "surrogatepass")


def folded_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """The folded text (words as `fold` makes them) and, for each of its characters, the index
    of the original character it comes from."""
    if text.isascii():  # most texts: folded in place
        return _fold_ascii(text), range(len(text))
    others = {char: _fold_char(char) for char in _NON_ASCII_RE.findall(text)}
    if all(len(piece) == 1 for piece in others.values()):  # accented letters: still in place
        folded = _NON_ASCII_RE.sub(lambda char: others[char.group()], _fold_ascii(text))
        return folded, range(len(text))
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
def _word_patterns(terms: SearchTerms) -> list[re.Pattern]:
    """For each search word, the folded words it matches: those starting with it, or (short
    words) equal to it. One pattern a word, beginning with the word itself: re finds a
    literal start many times faster than an alternation or a look-behind."""
    return [
        re.compile(re.escape(term) + (r"\S*" if prefix else r"(?!\S)"))
        for term, prefix in terms.prefixed
    ]


def _matched_words(folded: str, terms: SearchTerms) -> list[tuple[int, int, int]]:
    """(start, end, n) of each word of a folded text that a search word matches, n being the
    first search word that does, in the order of the text."""
    found = {}
    for n, pattern in enumerate(_word_patterns(terms)):
        for match in pattern.finditer(folded):  # a match runs to its word's end: no spaces
            start = match.start()
            if (start == 0 or folded[start - 1].isspace()) and start not in found:
                found[start] = (match.end(), n)
    return sorted((start, end, n) for start, (end, n) in found.items())


def matched_spans(text: str, terms: SearchTerms) -> list[Span]:
    """The words of text that the search words match, as spans of the original text."""
    if not terms.words:
        return []
    folded, positions = folded_with_positions(text)
    spans = []
    for start, end, n in _matched_words(folded, terms):
        start, end = positions[start], positions[end - 1] + 1
        while end < len(text) and not _fold_char(text[end]):
            end += 1  # the accent marks written after the word's last letter
        spans.append((start, end, terms.words[n]))
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
    """(label, text) of each organization a case names and of its contact, in their order;
    the label untranslated (most lines are not shown)."""
    for link in case.links:
        yield gettext_noop("Organization"), link.organization.name
        if link.contact:
            yield (
                gettext_noop("Contact"),
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
        if len(lines) > MAX_PEOPLE_LINES or shown.issuperset(terms.words):
            break  # (every word shown: no line would be added)
        spans = matched_spans(text, terms)
        if {term for _, _, term in spans} - shown:
            html, words = excerpt(text, spans, LINE_LENGTH)
            lines.append((gettext(label), html))
            shown |= words
    return lines
