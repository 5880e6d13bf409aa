"""The seed-text grammar: plain Python, no Django.

A file is a sequence of paragraphs (non-empty lines). Which rule a paragraph
obeys depends on its neighbours, so the parser classifies paragraphs by
looking one ahead, in the order of precedence DESIGN.md gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

THEMES = (
    "Social Cohesion",
    "Recognizing the Informal Economy",
    "Indicators and Measures of Impact",
    "Women",
    "Youth",
)
REGIONS = (
    "Africa",
    "Asia",
    "Europe",
    "Latin America",
    "Middle East",
    "North America",
    "Oceania",
)
KINDS = {
    "sse-organization": "SSE organization",
    "government-and-public-agency": "Government and public agency",
    "international-organization": "International organization",
    "academic-and-research-institution": "Academic and research institution",
    "private-sector": "Private sector",
    "other": "Other",
}
HONORIFICS = ("Mrs.", "Mr.", "Ms.", "Dr.", "Prof.")
ABSENT_SUFFIX = " - ABSENT"
MIN_DESCRIPTION_LENGTH = 80

_KIND_BY_LABEL = {label.casefold(): key for key, label in KINDS.items()}
_REGION_BY_NAME = {name.casefold(): name for name in REGIONS}
_THEME_RE = re.compile(
    "|".join(re.escape(t) for t in sorted(THEMES, key=len, reverse=True)), re.IGNORECASE
)
_CONTACT_RE = re.compile(r"(Mrs|Mr|Ms|Dr|Prof)(?:\.\s*|\s+)(\S.*)", re.IGNORECASE | re.DOTALL)
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_DESCRIPTION_END_RE = re.compile(r"[.!?][\"”’»)]*$")


class SeedError(ValueError):
    """A seed file that does not follow the grammar; str() is `FILE:LINE: message`."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Contact:
    honorific: str
    name: str
    role: str = ""
    # Where the name and the role are written: for errors, not part of what a contact is.
    line: int | None = field(default=None, compare=False)
    role_line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Organization:
    name: str
    kind: str
    line: int
    contact: Contact | None = None


@dataclass(frozen=True)
class Case:
    title: str
    description: str
    source: str
    line: int
    region: str | None = None
    marked_absent: bool = False
    organizations: tuple[Organization, ...] = ()


@dataclass(frozen=True)
class SeedFile:
    source: str
    themes: tuple[str, ...] = ()
    cases: tuple[Case, ...] = field(default_factory=tuple)


def kind_of(text: str) -> str | None:
    """The kind key a KIND paragraph names, or None."""
    return _KIND_BY_LABEL.get(text.casefold())


def region_of(text: str) -> str | None:
    """The canonical region name a REGION paragraph names, or None."""
    return _REGION_BY_NAME.get(text.casefold())


def themes_of(text: str) -> tuple[str, ...] | None:
    """The themes a header line names side by side, or None if it holds anything else."""
    canonical = {t.casefold(): t for t in THEMES}
    found, pos = [], 0
    while pos < len(text):
        match = _THEME_RE.match(text, pos)
        if not match:
            return None
        pos = match.end()
        if pos < len(text):
            if not text[pos].isspace():
                return None
            while pos < len(text) and text[pos].isspace():
                pos += 1
        # Case-insensitive regex matching is looser than casefold() (`ı` matches `i`).
        theme = canonical.get(match.group().casefold())
        if theme is None:
            return None
        found.append(theme)
    return tuple(found) or None


def contact_of(text: str) -> Contact | None:
    """The honorific and name of a CONTACT paragraph, or None."""
    match = _CONTACT_RE.fullmatch(text)
    if not match:
        return None
    prefix = match.group(1).casefold()
    honorific = next(h for h in HONORIFICS if h[:-1].casefold() == prefix)
    return Contact(honorific=honorific, name=match.group(2).strip())


def is_description(text: str) -> bool:
    """Prose of 80 characters or more ending with . ! or ?, maybe then a closing mark."""
    return len(text) >= MIN_DESCRIPTION_LENGTH and bool(_DESCRIPTION_END_RE.search(text))


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(line number, stripped text) of every non-blank line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_BREAK_RE.split(text)
    return [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of a file, or a SeedError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(re.split(rb"\r\n|\r|\n", data[: exc.start]))
        raise SeedError(source, line, "the file is not valid UTF-8 text") from exc


def parse_file(path: str | Path) -> SeedFile:
    """Parse one seed file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(str(path), None, f"cannot read the file ({exc.strerror})") from exc
    return parse(decode(data, str(path)), source=str(path))


def parse(text: str, source: str = "<text>") -> SeedFile:
    """Parse seed text; raise SeedError at the first paragraph that fits no rule."""
    return _Parser(paragraphs(text), source).parse()


class _Parser:
    def __init__(self, paras: list[tuple[int, str]], source: str):
        self.paras, self.source, self.i = paras, source, 0

    def peek(self, ahead: int = 0) -> tuple[int, str] | None:
        j = self.i + ahead
        return self.paras[j] if j < len(self.paras) else None

    def error(self, para: tuple[int, str] | None, message: str) -> SeedError:
        line = para[0] if para else (self.paras[-1][0] if self.paras else None)
        if para is None:
            message = f"the file ends too early: {message}"
        return SeedError(self.source, line, message)

    def is_kind(self, ahead: int) -> bool:
        para = self.peek(ahead)
        return para is not None and kind_of(para[1]) is not None

    def starts_case(self, ahead: int = 0) -> bool:
        """A TITLE is the paragraph right before a REGION or a DESCRIPTION."""
        title, after = self.peek(ahead), self.peek(ahead + 1)
        if title is None or after is None or kind_of(title[1]):
            return False
        if region_of(after[1]) is not None:
            return True
        # A description-shaped paragraph right before a KIND is an organization's NAME.
        return is_description(after[1]) and not self.is_kind(ahead + 2)

    def parse(self) -> SeedFile:
        if not self.paras:
            raise SeedError(self.source, None, "the file is empty: expected at least one case")
        themes: list[str] = []
        while (para := self.peek()) and not self.starts_case():
            header = themes_of(para[1])
            if header is None:
                break
            themes.extend(t for t in header if t not in themes)
            self.i += 1
        cases = []
        while self.peek() is not None:
            cases.append(self.parse_case())
        if not cases:
            raise self.error(None, "expected a case title followed by a description")
        return SeedFile(source=self.source, themes=tuple(themes), cases=tuple(cases))

    def parse_case(self) -> Case:
        title_para = self.peek()
        if not self.starts_case():
            raise self.error(
                title_para,
                "expected a case title followed by a region or a description "
                f"(a description is prose of {MIN_DESCRIPTION_LENGTH} characters or more "
                "ending with '.', '!' or '?')",
            )
        line, title = title_para
        marked_absent = title.endswith(ABSENT_SUFFIX)
        if marked_absent:
            title = title[: -len(ABSENT_SUFFIX)].rstrip()
        self.i += 1
        region = region_of(self.peek()[1])
        if region is not None:
            self.i += 1
        description_para = self.peek()
        if description_para is None or not is_description(description_para[1]):
            raise self.error(
                description_para,
                f"expected the description of “{title}”: prose of "
                f"{MIN_DESCRIPTION_LENGTH} characters or more ending with '.', '!' or '?'",
            )
        self.i += 1
        organizations = []
        while self.peek() is not None and not self.starts_case():
            organizations.append(self.parse_organization())
        return Case(
            title=title,
            description=description_para[1],
            source=Path(self.source).name,
            line=line,
            region=region,
            marked_absent=marked_absent,
            organizations=tuple(organizations),
        )

    def parse_organization(self) -> Organization:
        name_para = self.peek()
        if not self.is_kind(1) or kind_of(name_para[1]):
            raise self.error(
                name_para,
                "expected an organization name followed by its kind "
                f"({', '.join(KINDS.values())}), or a new case title",
            )
        kind = kind_of(self.peek(1)[1])
        self.i += 2
        contact = None
        para = self.peek()
        # CONTACT comes before TITLE: a contact whose role looks like a description stays one.
        if (
            para
            and not self.is_kind(0)
            and not self.is_kind(1)
            and (contact_of(para[1]) is not None or not self.starts_case())
        ):
            contact = contact_of(para[1])
            if contact is None:
                raise self.error(
                    para,
                    f"expected a contact ({', '.join(HONORIFICS)} and a name), "
                    "the next organization (a name followed by its kind), or a new case title",
                )
            contact = replace(contact, line=para[0])
            self.i += 1
            role = self.peek()
            if role and not self.is_kind(0) and not self.is_kind(1) and not self.starts_case():
                contact = replace(contact, role=role[1], role_line=role[0])
                self.i += 1
        return Organization(name=name_para[1], kind=kind, line=name_para[0], contact=contact)
