"""The seed-text grammar (cases/seed.py), without Django."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cases import seed
from cases.seed import SeedError, parse, parse_file

from .factories import ATE, BARCELONA, HOMENET

# 90 characters of prose ending with a full stop: a valid DESCRIPTION.
DESCRIPTION = (
    "A cooperative of waste pickers works with the city council to collect and sort the waste."
)
OTHER_DESCRIPTION = (
    "Home-based workers organise across the country to win recognition and social protection."
)


def text(*paragraphs: str) -> str:
    """Seed text: one paragraph a line, one blank line between paragraphs."""
    return "\n\n".join(paragraphs) + "\n"


def one_case(*rest: str, title: str = "Waste pickers and the city") -> seed.Case:
    (case,) = parse(text(title, DESCRIPTION, *rest), "t.txt").cases
    return case


def error_of(content: str, source: str = "t.txt") -> SeedError:
    with pytest.raises(SeedError) as caught:
        parse(content, source)
    return caught.value


# --- header ---


def test_header_lines_name_the_themes_including_a_merged_line_of_three():
    parsed = parse(
        text(
            "Social Cohesion",
            "Recognizing the Informal Economy",
            "Indicators and Measures of Impact Women Youth",
            "Waste pickers and the city",
            DESCRIPTION,
        )
    )
    assert parsed.themes == (
        "Social Cohesion",
        "Recognizing the Informal Economy",
        "Indicators and Measures of Impact",
        "Women",
        "Youth",
    )
    assert [case.title for case in parsed.cases] == ["Waste pickers and the city"]


def test_header_themes_match_case_insensitively_and_take_the_vocabulary_spelling():
    parsed = parse(text("social COHESION   youth", "A title", DESCRIPTION))
    assert parsed.themes == ("Social Cohesion", "Youth")


def test_header_is_optional():
    assert parse(text("A title", DESCRIPTION)).themes == ()


def test_header_line_with_a_word_outside_the_vocabulary_is_an_error():
    error = error_of(text("Social Cohesion", "Social Cohesion Poverty", "A title", DESCRIPTION))
    assert error.line == 3


def test_theme_names_glued_together_are_not_a_header():
    error = error_of(text("WomenYouth", "A title", DESCRIPTION))
    assert error.line == 1


def test_a_theme_name_right_before_a_description_is_a_title():
    parsed = parse(text("Social Cohesion", "Women", DESCRIPTION))
    assert parsed.themes == ("Social Cohesion",)
    assert parsed.cases[0].title == "Women"


# --- cases ---


def test_title_region_and_description_are_read_with_their_lines():
    (case,) = parse(text("A title", "Asia", DESCRIPTION), "dir/my-seed.txt").cases
    assert (case.title, case.region, case.description) == ("A title", "Asia", DESCRIPTION)
    assert (case.source, case.line) == ("my-seed.txt", 1)


def test_region_is_optional():
    assert one_case().region is None


@pytest.mark.parametrize("written", ["latin america", "LATIN AMERICA", "Latin America"])
def test_region_matches_case_insensitively_and_takes_the_vocabulary_spelling(written):
    (case,) = parse(text("A title", written, DESCRIPTION)).cases
    assert case.region == "Latin America"


def test_title_ending_in_absent_is_marked_and_loses_the_suffix():
    (case,) = parse(text("Women at work - ABSENT", DESCRIPTION)).cases
    assert case.title == "Women at work"
    assert case.marked_absent is True


def test_title_without_the_suffix_is_not_marked_absent():
    (case,) = parse(text("Women at work - ABSENT or not", DESCRIPTION)).cases
    assert case.title == "Women at work - ABSENT or not"
    assert case.marked_absent is False


def test_several_cases_follow_each_other():
    parsed = parse(
        text(
            "First case",
            DESCRIPTION,
            "Org A",
            "SSE organization",
            "Second case",
            "Africa",
            OTHER_DESCRIPTION,
            "Third case",
            DESCRIPTION,
        )
    )
    assert [(c.title, c.region, c.line) for c in parsed.cases] == [
        ("First case", None, 1),
        ("Second case", "Africa", 9),
        ("Third case", None, 15),
    ]
    assert [o.name for o in parsed.cases[0].organizations] == ["Org A"]
    assert parsed.cases[1].organizations == ()


# --- description ---


@pytest.mark.parametrize("ending", [".", "!", "?", ".”", '."', "?’", "!»", ".)", ".”)"])
def test_description_ends_with_a_stop_maybe_then_a_closing_quote_or_bracket(ending):
    description = DESCRIPTION[:-1] + ending
    (case,) = parse(text("A title", description)).cases
    assert case.description == description


@pytest.mark.parametrize("ending", ["", ",", ":", ";", " (see below)", ".x"])
def test_description_must_end_with_a_stop(ending):
    error = error_of(text("A title", DESCRIPTION[:-1] + ending))
    assert error.line == 1
    assert "description" in error.message


def test_description_of_exactly_80_characters_is_enough_and_79_is_not():
    eighty = "x" * 79 + "."
    assert parse(text("A title", eighty)).cases[0].description == eighty
    error = error_of(text("A title", eighty[1:]))
    assert str(error).startswith("t.txt:1: ")


# --- organizations and contacts ---


def test_organization_name_kind_contact_and_role():
    case = one_case("Org A", "SSE organization", "Dr Ana Ruiz", "Director of research")
    (org,) = case.organizations
    assert (org.name, org.kind, org.line) == ("Org A", "sse-organization", 5)
    assert org.contact == seed.Contact("Dr.", "Ana Ruiz", "Director of research")


@pytest.mark.parametrize(("label", "key"), [(label, key) for key, label in seed.KINDS.items()])
def test_every_kind_label_names_its_key(label, key):
    assert one_case("Org A", label).organizations[0].kind == key


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("sse ORGANIZATION", "sse-organization"),
        ("GOVERNMENT AND PUBLIC AGENCY", "government-and-public-agency"),
        ("private Sector", "private-sector"),
        ("other", "other"),
    ],
)
def test_kind_matches_case_insensitively(label, key):
    assert one_case("Org A", label).organizations[0].kind == key


def test_contact_and_role_are_optional():
    case = one_case(
        "Org A",
        "SSE organization",
        "Org B",
        "Private sector",
        "Mr. Li Wei",
        "Org C",
        "Other",
        "Ms. Jane Doe",
    )
    contacts = [org.contact for org in case.organizations]
    assert contacts == [None, seed.Contact("Mr.", "Li Wei"), seed.Contact("Ms.", "Jane Doe")]


def test_contact_without_role_before_a_new_case():
    parsed = parse(
        text("First", DESCRIPTION, "Org A", "Other", "Mr. Li Wei", "Second", OTHER_DESCRIPTION)
    )
    assert parsed.cases[0].organizations[0].contact == seed.Contact("Mr.", "Li Wei")
    assert parsed.cases[1].title == "Second"


def test_organization_without_contact_before_a_new_case():
    parsed = parse(text("First", DESCRIPTION, "Org A", "Other", "Second", OTHER_DESCRIPTION))
    assert parsed.cases[0].organizations[0].contact is None
    assert [c.title for c in parsed.cases] == ["First", "Second"]


@pytest.mark.parametrize(
    ("written", "honorific", "name"),
    [
        ("Mr.Jesus Quispe", "Mr.", "Jesus Quispe"),
        ("Ms. Elisenda Vegué Gisbert", "Ms.", "Elisenda Vegué Gisbert"),
        ("Dr Ana Ruiz", "Dr.", "Ana Ruiz"),
        ("Prof. Li Wei", "Prof.", "Li Wei"),
        ("Prof Li Wei", "Prof.", "Li Wei"),
        ("Mrs. Amina Diallo", "Mrs.", "Amina Diallo"),
        ("Mrs Amina Diallo", "Mrs.", "Amina Diallo"),
        ("Mrs.Amina Diallo", "Mrs.", "Amina Diallo"),
        ("Mr Sam Smith", "Mr.", "Sam Smith"),
        ("dr. ana ruiz", "Dr.", "ana ruiz"),
        ("MS.  Jane Doe", "Ms.", "Jane Doe"),
    ],
)
def test_contact_honorific_is_the_longest_that_fits(written, honorific, name):
    contact = one_case("Org A", "Other", written).organizations[0].contact
    assert (contact.honorific, contact.name) == (honorific, name)


@pytest.mark.parametrize(
    "paragraph", ["Drought Relief Network", "Msunduzi Women's Cooperative", "Profit sharing", "Mr"]
)
def test_words_that_start_like_an_honorific_are_not_contacts(paragraph):
    error = error_of(text("A title", DESCRIPTION, "Org A", "Other", paragraph))
    assert error.line == 9
    assert "expected a contact" in error.message


def test_an_honorific_paragraph_right_before_a_kind_is_an_organization_name():
    case = one_case("Org A", "Other", "Dr. Foster Foundation", "Private sector")
    assert [(o.name, o.contact) for o in case.organizations] == [
        ("Org A", None),
        ("Dr. Foster Foundation", None),
    ]


def test_long_role_ending_with_a_stop_is_still_the_contacts_role():
    # CONTACT (right after a KIND) comes before TITLE in the grammar's order of rules,
    # so a role shaped like a description does not turn its contact into a case title.
    role = (
        "Coordinator of Productive Municipalities Commission of Solidarity Economy "
        "and Tourism, MUNIRED PERU."
    )
    parsed = parse(
        text("A title", DESCRIPTION, "Org A", "SSE organization", "Mr.Jesus Quispe", role)
    )
    assert [c.title for c in parsed.cases] == ["A title"]
    assert parsed.cases[0].organizations[0].contact == seed.Contact("Mr.", "Jesus Quispe", role)


# --- text handling ---


def test_leading_byte_order_mark_is_dropped(write_seed):
    path = write_seed(b"\xef\xbb\xbf" + text("A title", DESCRIPTION).encode())
    (case,) = parse_file(path).cases
    assert (case.title, case.line) == ("A title", 1)


def test_byte_order_mark_before_a_header_is_dropped():
    assert parse("\ufeff" + text("Women", "A title", DESCRIPTION)).themes == ("Women",)


def test_crlf_and_lf_files_read_the_same():
    lf = text("Youth", "A title", "Asia", DESCRIPTION, "Org A", "Other", "Dr Ana Ruiz", "Chair")
    assert parse(lf.replace("\n", "\r\n"), "t.txt") == parse(lf, "t.txt")
    assert parse(lf.replace("\n", "\r"), "t.txt") == parse(lf, "t.txt")


def test_non_breaking_spaces_inside_text_are_kept():
    description = DESCRIPTION.replace("waste pickers", "waste\u00a0pickers")
    (case,) = parse(text("A\u00a0title", description, "Cooperativa\u00a0Labcoop", "Other")).cases
    assert case.title == "A\u00a0title"
    assert case.description == description
    assert case.organizations[0].name == "Cooperativa\u00a0Labcoop"


def test_surrounding_whitespace_is_stripped():
    (case,) = parse(text("  A title \t", f"\t{DESCRIPTION}  ", "  Org A", "Other  ")).cases
    assert (case.title, case.description) == ("A title", DESCRIPTION)
    assert case.organizations[0].name == "Org A"


@pytest.mark.parametrize("separator", ["\n", "\n\n", "\n\n\n\n\n", "\n \t \n", "\n\u00a0\n\n  \n"])
def test_number_of_blank_lines_and_their_whitespace_carry_no_meaning(separator):
    paragraphs = ["Women", "A title", "Asia", DESCRIPTION, "Org A", "Other", "Dr Ana Ruiz", "Chair"]
    parsed = parse(separator.join(paragraphs))
    assert parsed.themes == ("Women",)
    (case,) = parsed.cases
    assert (case.title, case.region, case.description) == ("A title", "Asia", DESCRIPTION)
    assert case.organizations[0].contact == seed.Contact("Dr.", "Ana Ruiz", "Chair")


def test_lines_are_counted_in_the_file_including_blank_ones():
    (case,) = parse("\n\n  \nA title\n\n\n" + DESCRIPTION + "\n\n\nOrg A\nOther\n").cases
    assert case.line == 4
    assert case.organizations[0].line == 10


# --- errors name FILE:LINE ---


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  \n\t\r\n", b"\xef\xbb\xbf"])
def test_empty_file_error_names_just_the_file(write_seed, content):
    path = write_seed(content, "empty.txt")
    with pytest.raises(SeedError) as caught:
        parse_file(path)
    assert caught.value.line is None
    assert str(caught.value).startswith(f"{path}: ")
    assert "empty" in str(caught.value)


def test_missing_file_error_names_the_file(tmp_path):
    path = tmp_path / "missing.txt"
    with pytest.raises(SeedError, match=re.escape(f"{path}: cannot read the file")):
        parse_file(path)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_non_utf8_file_error_names_the_line_of_the_bad_byte(write_seed, newline):
    content = newline.join([b"A title", b"", b"Caf\xe9 society " + DESCRIPTION.encode()])
    path = write_seed(content, "latin1.txt")
    with pytest.raises(SeedError) as caught:
        parse_file(path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert "UTF-8" in str(caught.value)


def test_title_without_description_is_an_error_at_the_title():
    error = error_of(text("A title", "Too short."), "my.txt")
    assert str(error).startswith("my.txt:1: expected a case title")


def test_title_of_a_later_case_without_description_is_an_error_at_that_title():
    error = error_of(text("A title", DESCRIPTION, "Org A", "Other", "Second title", "Too short."))
    assert error.line == 9


def test_region_without_description_is_an_error_at_the_line_after_the_region():
    error = error_of(text("A title", "Asia", "Too short."))
    assert error.line == 5
    assert "expected the description of “A title”" in error.message


def test_file_ending_after_a_title_and_region_names_the_last_line():
    error = error_of(text("A title", "Asia"))
    assert error.line == 3
    assert "ends too early" in error.message


def test_file_of_headers_only_is_an_error_at_its_last_line():
    error = error_of(text("Women", "Youth"))
    assert error.line == 3


def test_kind_without_a_name_is_an_error_at_the_kind():
    error = error_of(text("A title", DESCRIPTION, "Org A", "Other", "Private sector"))
    assert str(error).startswith("t.txt:9: expected an organization name")


def test_kind_as_the_first_paragraph_is_an_error_at_line_one():
    error = error_of(text("SSE organization", "A title", DESCRIPTION))
    assert error.line == 1


def test_paragraph_right_before_a_kind_is_a_name_even_if_shaped_like_a_description():
    # NAME comes before DESCRIPTION in the order of rules: the case has no description.
    error = error_of(text("A title", DESCRIPTION, "SSE organization"))
    assert str(error).startswith("t.txt:1: expected a case title")


def test_contact_line_without_honorific_is_an_error_at_that_line():
    error = error_of(text("A title", DESCRIPTION, "Org A", "Other", "Jesus Quispe"))
    assert str(error).startswith("t.txt:9: expected a contact")


def test_trailing_garbage_after_a_role_is_an_error_at_its_line():
    content = text("A title", DESCRIPTION, "Org A", "Other", "Dr Ana Ruiz", "Chair", "Thanks!")
    error = error_of(content)
    assert error.line == 13


def test_trailing_garbage_after_a_description_is_an_error_at_its_line():
    error = error_of(text("A title", DESCRIPTION, "see also: the annex"))
    assert error.line == 5
    assert "expected an organization name followed by its kind" in error.message


def test_error_message_is_file_colon_line_colon_message():
    error = error_of(text("A title", "Too short."), "dir/seed.txt")
    assert (error.path, error.line) == ("dir/seed.txt", 1)
    assert str(error) == f"dir/seed.txt:1: {error.message}"


# --- the real seed ---


def test_real_seed_holds_five_header_themes(seed_path):
    assert parse_file(seed_path).themes == seed.THEMES


def test_real_seed_holds_three_cases(seed_path):
    cases = parse_file(seed_path).cases
    assert [c.title for c in cases] == [BARCELONA, HOMENET, ATE]
    assert [c.line for c in cases] == [8, 29, 39]
    assert {c.source for c in cases} == {"seed-cases.txt"}


def test_real_seed_states_a_region_only_for_the_third_case(seed_path):
    assert [c.region for c in parse_file(seed_path).cases] == [None, None, "Latin America"]


def test_real_seed_marks_only_the_second_case_absent(seed_path):
    assert [c.marked_absent for c in parse_file(seed_path).cases] == [False, True, False]


def test_real_seed_organizations_in_order_with_kinds(seed_path):
    cases = parse_file(seed_path).cases
    assert [[(o.name, o.kind) for o in c.organizations] for c in cases] == [
        [
            ("Cooperativa Labcoop, SCCL", "sse-organization"),
            ("Ayuntamiento de Barcelona", "government-and-public-agency"),
        ],
        [("HomeNet Pakistan", "sse-organization")],
        [("Asociación de Municipalidades en Red del Perú (MUNIRED PERU)", "sse-organization")],
    ]


def test_real_seed_contacts_with_honorific_name_and_role(seed_path):
    cases = parse_file(seed_path).cases
    contacts = [o.contact for c in cases for o in c.organizations]
    assert contacts == [
        seed.Contact("Mr.", "Guillermo Rojo", ""),
        seed.Contact("Ms.", "Elisenda Vegué Gisbert", "Chief of Operations, Other Economies"),
        None,
        seed.Contact(
            "Mr.",
            "Jesus Quispe",
            "Coordinator of Productive Municipalities Commission of Solidarity Economy "
            "and Tourism, MUNIRED PERU",
        ),
    ]


def test_real_seed_descriptions_are_kept_as_written(seed_path):
    barcelona, homenet, ate = parse_file(seed_path).cases
    assert "This \u00a0innovative project" in barcelona.description
    assert "highly socially vulnerabie" in barcelona.description  # typos are kept
    assert homenet.description.startswith("HomeNet Pakistan is a network")
    assert ate.description.endswith("informally in the streets.")


# --- any text: a SeedFile or a SeedError naming the source ---

PIECES = [
    *seed.THEMES,
    "Indicators and Measures of Impact Women Youth",
    *seed.REGIONS,
    *seed.KINDS.values(),
    "Mr.Jesus Quispe",
    "Dr Ana Ruiz",
    "Mrs. Amina",
    "Drought",
    "A title - ABSENT",
    "A title",
    "Org A",
    "Chair",
    DESCRIPTION,
    OTHER_DESCRIPTION + "”",
    "",
    " \t",
    "\u00a0",
    "\ufeff",
]
seed_like = st.lists(st.sampled_from(PIECES) | st.text(max_size=20), max_size=30).flatmap(
    lambda parts: st.sampled_from(["\n", "\r\n", "\r", "\n\n"]).map(lambda nl: nl.join(parts))
)


def has_paragraphs(content: str) -> bool:
    return any(line.strip() for line in re.split(r"\r\n|\r|\n", content.removeprefix("\ufeff")))


@settings(deadline=None)
@given(st.text() | seed_like)
@example("ındicators and Measures of Impact\n\nA title\n\n" + DESCRIPTION)
@example("Socıal Cohesion")
def test_any_text_parses_or_raises_a_seed_error_naming_the_source(content):
    try:
        parsed = parse(content, "any.txt")
    except SeedError as error:
        assert error.path == "any.txt"
        assert str(error).startswith("any.txt")
        if has_paragraphs(content):
            assert isinstance(error.line, int)
            assert 1 <= error.line <= len(re.split(r"\r\n|\r|\n", content))
            assert str(error).startswith(f"any.txt:{error.line}: ")
        else:
            assert error.line is None
    else:
        assert parsed.cases
        assert all(case.title and len(case.description) >= 80 for case in parsed.cases)


@settings(deadline=None)
@given(st.binary())
@example("A title\n\nCaf\xe9".encode("latin-1"))
def test_any_bytes_decode_and_parse_or_raise_a_seed_error(data):
    try:
        seed.parse(seed.decode(data, "any.txt"), "any.txt")
    except SeedError as error:
        assert error.path == "any.txt"
