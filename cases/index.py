"""Published cases as bitmaps, one per facet value, over their positions in title order.

With it a list or JSON page takes its total, facet counts and page of ids from a few bitmap
operations instead of scanning the table. Each worker keeps one index, for one public
catalogue version; after a change a background thread builds the next one while requests
use SQL (CaseFilter's queries), so no visitor waits for a build that grows with the
catalogue. CATALOGUE_INDEX: "background" (default), "inline" (the request builds it; tests)
or "off" (SQL only).
"""

from __future__ import annotations

import logging
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, islice
from operator import itemgetter

from cachetools import LRUCache
from django.conf import settings
from django.db import connections
from django.db.models import CharField
from django.db.models.functions import Cast
from pyroaring import BitMap

from .filters import FACETS, load_vocabulary
from .models import (
    Case,
    CaseCard,
    CaseOrganization,
    CatalogueState,
    CollectionCase,
    Organization,
    Region,
    SearchTerms,
    Theme,
    cards_by_id,
    fold,
)

log = logging.getLogger(__name__)
CHUNK = 10_000  # rows read at a time while building: the rows are not all held at once
ABSENT = 2**32 - 1  # the position of an id the index does not know (not published then)


@dataclass(frozen=True)
class CatalogueIndex:
    """Positions (0 = first title) of published cases: by facet value, and in recent order."""

    token: str
    ids: array  # position -> case id
    position: array  # case id -> position, or ABSENT
    recent: array  # rank in (-updated_at, title) order -> position
    recent_rank: array  # position -> rank in that order
    values: dict[str, dict[str, BitMap]]  # facet -> value -> positions
    title_words: list[str]  # every word of the folded titles, sorted
    titled: list[BitMap]  # the positions of the titles with each of those words
    vocabulary: dict[str, list[tuple[str, str]]]
    directory: OrganizationDirectory  # the organizations named by a published case
    themes: list[tuple[str, tuple]]  # (slug, the row of its Theme), by name
    collected: BitMap  # the positions of the cases in a collection
    # The positions each recent search matched: the pages of one search share one text match
    # (at 100,000 cases, "cooperative" matches 99,503 and reading their ids takes PostgreSQL
    # 120 ms). A bitmap holds at most 8 KB per 65,536 cases: CATALOGUE_INDEX_SEARCHES of them
    # (64: 1 MB at 100,000 cases).
    matched: LRUCache = field(
        default_factory=lambda: LRUCache(max(settings.CATALOGUE_INDEX_SEARCHES, 1)),
        compare=False,
    )

    @classmethod
    def build(cls, token: str) -> CatalogueIndex:
        """Read the published cases; `token` is the version read before them. Each query
        reads one index (status and title, updated_at, region or country; the link tables),
        never the wide case rows."""
        published = Case.objects.published()
        titles = list(published.order_by("title").values_list("pk", "title"))
        ids = array("q", (pk for pk, _ in titles))
        position = _inverse(ids, (max(ids) + 1) if ids else 0, ABSENT)
        recent = _recent_order(published, position)
        recent_rank = _inverse(recent, len(ids))
        values = {
            name: _bitmaps(rows.iterator(CHUNK), position, names)
            for name, (rows, names) in _facet_rows(published).items()
        }
        words = _bitmaps(_title_words(titles), position)
        title_words = sorted(words)
        titled = [words[word] for word in title_words]
        vocabulary = load_vocabulary()
        directory = OrganizationDirectory.build(position)
        themes = Theme.objects.rows_by_name()
        collected = _positions_of(
            list(CollectionCase.objects.values_list("case_id", flat=True)), position
        )
        return cls(
            token,
            ids,
            position,
            recent,
            recent_rank,
            values,
            title_words,
            titled,
            vocabulary,
            directory,
            themes,
            collected,
        )

    @property
    def everything(self) -> BitMap:
        return BitMap(range(len(self.ids)))

    @cached_property
    def suggestion_words(self) -> list[str]:
        """load_title_words() for this version: the words of titles and organization names
        that a search finding nothing can be corrected to (made by the first such search)."""
        words = {word for word in self.title_words if len(word) > 2}
        words.update(word for word in self.directory.names.split() if len(word) > 2)
        return sorted(words)

    @cached_property
    def ids_by_pk(self) -> array:
        """The published cases' ids in increasing order (the cases' sitemap order)."""
        return array("q", sorted(self.ids))

    @property
    def organizations(self) -> int:
        """How many organizations a published case names."""
        return len(self.directory.ids)

    def cases(self, found: BitMap, sort: str, in_title: BitMap | None) -> IndexedCases:
        return IndexedCases(self, found, sort, in_title)

    def position_of(self, pk: int) -> int:
        """The position of a case id, ABSENT if the index does not know it."""
        return _at(self.position, pk)

    def themes_of(self, pk: int) -> list[tuple] | None:
        """The Theme rows of a case, by name; None if the index does not know the case."""
        at = self.position_of(pk)
        if at == ABSENT:
            return None
        having = self.values["theme"]
        return [row for slug, row in self.themes if at in having.get(slug, ())]

    def in_a_collection(self, pk: int) -> bool:
        """False only when the index knows the case is in no collection."""
        at = self.position_of(pk)
        return at == ABSENT or at in self.collected

    def positions(self, ids: list[int]) -> BitMap:
        """The positions of these case ids (ids the index does not know are left out)."""
        return _positions_of(ids, self.position)

    def matching(self, terms: SearchTerms) -> BitMap:
        """The positions of the published cases whose text has every word (the text index
        tells), kept for the next page of the same search."""
        key = tuple(terms.words)
        with _lock:
            found = self.matched.get(key)
        if found is None:
            found = self.positions(Case.objects.matching_ids(terms))
            if settings.CATALOGUE_INDEX_SEARCHES:
                with _lock:
                    self.matched[key] = found
        return found

    def in_titles(self, terms: SearchTerms) -> BitMap:
        """The positions of the cases whose title has every word, as Case.matching tells:
        a word starts a title word, or (short words) is one."""
        found = None
        for word, prefix in terms.prefixed:
            start = bisect_left(self.title_words, word)
            stop = bisect_left(self.title_words, word + "\U0010ffff") if prefix else start + 1
            if not prefix and self.title_words[start : start + 1] != [word]:
                stop = start
            having = BitMap.union(BitMap(), *self.titled[start:stop])
            found = having if found is None else found & having
        return found if found is not None else BitMap()

    def chosen(self, name: str, values: list[str]) -> BitMap:
        """The positions of cases with any of these values of a facet."""
        return _union(self.values[name], values)

    def related(self, case: Case, limit: int = 5) -> list[CaseCard]:
        """Case.objects.related_to(case) from the theme bitmaps and one query for the cases
        sharing an organization: the same ranking (a shared organization counts twice, a
        shared theme once, ties by title, that is by position), the same cards."""
        themes = [self.values["theme"].get(theme.slug, BitMap()) for theme in case.themes.all()]
        at_least = [BitMap() for _ in range(len(themes) + 2)]  # [n]: in n or more of them
        for having in themes:
            for n in range(len(themes), 1, -1):
                at_least[n] |= at_least[n - 1] & having
            at_least[1] |= having
        itself = self.position_of(case.pk)
        candidates = set()
        for n in range(1, len(themes) + 1):  # the first `limit` by title at each level
            exactly = at_least[n] - at_least[n + 1]
            exactly.discard(itself)
            candidates.update(islice(exactly, limit))
        organizations = {}
        for pk, shared in Case.objects.sharing_organizations(case).items():
            if (at := self.position_of(pk)) != ABSENT:
                organizations[at] = shared
        candidates.update(organizations)

        def rank(at: int) -> tuple[int, int]:
            shared = sum(at in having for having in themes) + 2 * organizations.get(at, 0)
            return -shared, at

        return cards_by_id([self.ids[at] for at in sorted(candidates, key=rank)[:limit]])

    def totals(self, name: str) -> dict[str, int]:
        """How many published cases have each value of a facet."""
        return {value: len(cases) for value, cases in self.values[name].items()}

    def counts(self, among: BitMap, name: str) -> dict[str, int]:
        """How many of `among` have each value of a facet."""
        return _counts(among, self.values[name])


def _facet_rows(published) -> dict:
    """facet -> ((case id, value) rows, names of stored values or None), in FACETS order."""
    rows = {
        "theme": Case.themes.through.objects.values_list("case_id", "theme_id"),
        "region": published.exclude(region=None).order_by("region").values_list("pk", "region"),
        "country": published.exclude(country="").order_by("country").values_list("pk", "country"),
        "kind": CaseOrganization.objects.order_by().values_list("case_id", "organization__kind"),
    }
    names = {
        "theme": dict(Theme.objects.values_list("pk", "slug")),
        "region": dict(Region.objects.values_list("pk", "slug")),
    }
    return {name: (rows[name], names.get(name)) for name in FACETS}


def _bitmaps(rows, position: array, names: dict | None = None) -> dict[str, BitMap]:
    """(case id, value) rows as value -> positions; cases not in `position` (drafts, or
    published after it was read) are left out. `names` turns stored keys into slugs."""
    grouped = defaultdict(lambda: array("I"))  # 4 bytes a row, not a list of int objects
    size = len(position)
    for pk, value in rows:
        if pk < size:
            grouped[value].append(position[pk])
    bitmaps = {}
    for value, found in grouped.items():
        bitmap = BitMap(found)
        bitmap.discard(ABSENT)
        if bitmap:
            bitmaps[names[value] if names else value] = bitmap
    return bitmaps


def _inverse(order, size: int, absent: int = 0) -> array:
    """inverse[order[i]] = i: where each value stands in `order` (`absent` for the others)."""
    inverse = array("I", [absent]) * size
    for at, value in enumerate(order):
        inverse[value] = at
    return inverse


def _at(position: array, pk: int) -> int:
    """position[pk], ABSENT for an id past its end (added since it was built)."""
    return position[pk] if pk < len(position) else ABSENT


def _positions_of(ids: list[int], position: array) -> BitMap:
    """The positions `position` gives these ids, leaving out those it does not know."""
    if not ids:
        return BitMap()
    # itemgetter looks them all up at C speed (twice map's speed); the first id goes twice
    # so that a single id still gives a tuple.
    try:
        found = BitMap(itemgetter(ids[0], *ids)(position))
    except IndexError:  # an id added since it was built
        return _positions_of([pk for pk in ids if pk < len(position)], position)
    found.discard(ABSENT)
    return found


def _union(bitmaps: dict[str, BitMap], values) -> BitMap:
    """The positions with any of these values."""
    return BitMap.union(BitMap(), *(bitmaps[value] for value in values if value in bitmaps))


def _counts(among: BitMap, bitmaps: dict[str, BitMap]) -> dict[str, int]:
    """How many of `among` have each value."""
    return {value: among.intersection_cardinality(having) for value, having in bitmaps.items()}


def in_id_order(queryset, ids) -> list:
    """The rows of these ids, in their order (an id deleted since is left out)."""
    found = queryset.in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def _title_words(titles):
    """(case id, word) for every word of the folded titles (search_title's words): titles
    share most words, so each whitespace-separated token is folded once."""
    folded = {}
    for pk, title in titles:
        for token in title.split():
            if token not in folded:
                folded[token] = fold(token).split()
            for word in folded[token]:
                yield pk, word


def _recent_order(published, position: array) -> array:
    """Positions from the latest update to the earliest, ties in title (position) order,
    as `order_by("-updated_at", "title")` gives them."""
    stamps = published.order_by("-updated_at").values_list(
        "pk", Cast("updated_at", output_field=CharField())
    )
    order, tied, last = array("I"), [], None
    for pk, stamp in stamps.iterator(CHUNK):
        if stamp != last:
            order.extend(sorted(tied))
            tied, last = [], stamp
        if pk < len(position) and position[pk] != ABSENT:
            tied.append(position[pk])
    order.extend(sorted(tied))
    return order


@dataclass(frozen=True)
class OrganizationDirectory:
    """The organizations a published case names, by name (position 0 = the first name, in
    the database's order): what /organizations/ lists, searches, counts and sorts."""

    ids: array  # position -> organization id
    position: array  # organization id -> position, or ABSENT
    cases: array  # position -> how many published cases name it
    kinds: dict[str, BitMap]  # kind -> positions
    by_cases: array  # rank (most cases first, then by name) -> position
    cases_rank: array  # position -> that rank
    names: str  # " folded name " of each position, one a line, as SearchTerms.all_in reads it
    starts: array  # position -> where its line starts in `names`

    @classmethod
    def build(cls, position: array) -> OrganizationDirectory:
        """From the links (which name a published case: `position` knows those cases) and
        the organizations by name."""
        links = CaseOrganization.objects.order_by().values_list("organization_id", "case_id")
        counted = Counter(
            org for org, case in links.iterator(CHUNK) if _at(position, case) != ABSENT
        )
        ids, cases, kinds, lines = array("q"), array("I"), defaultdict(BitMap), []
        named = Organization.objects.order_by("name").values_list("pk", "name", "kind")
        for pk, name, kind in named.iterator(CHUNK):
            if counted[pk]:
                kinds[kind].add(len(ids))
                ids.append(pk)
                cases.append(counted[pk])
                lines.append(f" {fold(name)} ")
        by_cases = array("I", sorted(range(len(ids)), key=lambda at: (-cases[at], at)))
        cases_rank = _inverse(by_cases, len(ids))
        starts = array("I", accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        position = _inverse(ids, (max(ids) + 1) if ids else 0, ABSENT)
        names = "\n".join(lines)
        return cls(ids, position, cases, dict(kinds), by_cases, cases_rank, names, starts)

    def cases_naming(self, pk: int) -> int | None:
        """How many published cases name an organization; None if it names none (or is new)."""
        at = _at(self.position, pk)
        return None if at == ABSENT else self.cases[at]

    def matching(self, terms: SearchTerms) -> BitMap:
        """The positions of the names with every search word (SearchTerms.all_in)."""
        found = None
        for word, prefix in terms.prefixed:
            pattern, having, at = f" {word}" if prefix else f" {word} ", BitMap(), 0
            while (at := self.names.find(pattern, at)) != -1:
                having.add(bisect_right(self.starts, at) - 1)
                at += 1
            found = having if found is None else found & having
        return found if found is not None else BitMap(range(len(self.ids)))

    def of_kinds(self, kinds: list[str]) -> BitMap:
        return _union(self.kinds, kinds)

    def kind_counts(self, among: BitMap) -> dict[str, int]:
        """How many of `among` are of each kind."""
        return _counts(among, self.kinds)

    def listing(self, found: BitMap, sort: str) -> IndexedOrganizations:
        return IndexedOrganizations(self, found, sort)


class IndexedOrganizations:
    """The organizations found, by name or by number of cases, sliced by position: what a
    Paginator pages. Each carries `case_count`, as with_case_counts() annotates it."""

    def __init__(self, directory: OrganizationDirectory, found: BitMap, sort: str):
        self.directory, self.found, self.sort = directory, found, sort

    def count(self) -> int:
        return len(self.found)

    def __len__(self) -> int:
        return len(self.found)

    def __getitem__(self, key: slice) -> list[Organization]:
        directory, start, stop = self.directory, key.start or 0, key.stop
        if self.sort != "cases":
            taken = self.found[start:stop]
        elif len(self.found) == len(directory.ids):  # every one: the ranks are 0 to n - 1
            taken = directory.by_cases[start:stop]
        else:
            ranks = BitMap(map(directory.cases_rank.__getitem__, self.found))
            taken = [directory.by_cases[rank] for rank in ranks[start:stop]]
        counted = {directory.ids[at]: directory.cases[at] for at in taken}
        page = in_id_order(Organization.objects, counted)
        for organization in page:
            organization.case_count = counted[organization.pk]
        return page


class IndexedCases:
    """The matching cases in a sort order, sliced by position: what a Paginator pages."""

    def __init__(self, index: CatalogueIndex, found: BitMap, sort: str, in_title: BitMap | None):
        self.index, self.found, self.sort = index, found, sort
        if sort == "relevance" and in_title is not None:
            # Cases whose title matches too come first, each run in title order.
            self.runs = [found & in_title, found - in_title]
        elif sort == "recent" and len(found) == len(index.ids):
            self.runs = [found]  # every case: the ranks are 0 to n - 1, as the positions are
        elif sort == "recent":
            self.runs = [BitMap(map(index.recent_rank.__getitem__, found))]
        else:
            self.runs = [found]

    def count(self) -> int:
        return len(self.found)

    def __len__(self) -> int:
        return len(self.found)

    def _positions(self, start: int, stop: int) -> list[int]:
        taken = []
        for run in self.runs:
            if start < len(run) and stop > 0:
                if self.sort == "-title":
                    taken += reversed(run[max(len(run) - stop, 0) : len(run) - start])
                else:
                    taken += run[max(start, 0) : stop]
            start, stop = start - len(run), stop - len(run)
        if self.sort == "recent":
            return [self.index.recent[rank] for rank in taken]
        return taken

    def __getitem__(self, key: slice) -> list[CaseCard]:
        return cards_by_id([self.index.ids[at] for at in self._positions(key.start or 0, key.stop)])


_lock = threading.Lock()
_state = {"index": None, "building": False}


def current_index(request) -> CatalogueIndex | None:
    """The index of what visitors see, if built for this request's version; else None, and
    (CATALOGUE_INDEX) a build starts in the background or, "inline", runs now."""
    mode = settings.CATALOGUE_INDEX
    if mode == "off" or request.user.is_staff:  # staff follow every change, drafts too
        return None
    token = request.catalogue.token
    index = _state["index"]
    if index is not None and index.token == token:
        return index
    if mode == "inline":
        _state["index"] = CatalogueIndex.build(token)
        return _state["index"]
    with _lock:
        if _state["building"]:
            return None
        _state["building"] = True
    threading.Thread(target=_build_in_background, name="catalogue-index", daemon=True).start()
    return None


def _build_in_background() -> None:
    try:
        token = CatalogueState.objects.current(public=True).token  # before the cases it names
        _state["index"] = CatalogueIndex.build(token)
    except Exception:
        log.exception("building the catalogue index failed; pages keep using SQL")
    finally:
        _state["building"] = False
        connections.close_all()  # this thread's connections only
