"""A filter value given many times counts once; more than 20 values for a parameter is a 400."""

from __future__ import annotations

import pytest
from django_countries import countries

from .factories import HOMENET

pytestmark = pytest.mark.django_db

ONCE = {"theme": ["women"], "country": ["PK"], "region": ["asia"]}
# The same three filters sixty times over, in any letter case and spacing.
REPEATED = {
    "theme": ["women", "WOMEN", " Women "] * 20,
    "country": ["PK", "pk"] * 30,
    "region": ["asia"] * 60,
}
# 21 different country codes, all valid.
COUNTRIES = [code for code, _name in list(countries)[:21]]


def test_a_repeated_filter_value_shows_one_chip_and_the_page_of_one_value(client, imported):
    repeated = client.get("/cases/", REPEATED)
    once = client.get("/cases/", ONCE)

    assert repeated.status_code == 200
    assert [chip.label for chip in repeated.context["chips"]] == [
        "Theme: Women",
        "Region: Asia",
        "Country: Pakistan",
    ]
    assert [case.title for case in repeated.context["cases"]] == [HOMENET]
    assert repeated.content == once.content


def test_a_repeated_filter_value_answers_the_json_of_one_value(client, imported):
    once = client.get("/cases.json", ONCE)
    repeated = client.get("/cases.json", REPEATED)

    assert repeated.status_code == 200
    assert repeated.json()["results"] == once.json()["results"] != []


def test_a_repeated_filter_value_exports_the_csv_of_one_value(client, imported):
    def csv(params) -> bytes:
        response = client.get("/cases.csv", params)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    assert csv(REPEATED) == csv(ONCE)
    assert len(csv(ONCE).splitlines()) == 2


def test_twenty_values_of_one_parameter_are_accepted(client, imported):
    assert client.get("/cases/", {"country": COUNTRIES[:20]}).status_code == 200
    assert client.get("/cases.json", {"country": COUNTRIES[:20]}).status_code == 200
    assert client.get("/cases.csv", {"country": COUNTRIES[:20]}).status_code == 200


def test_more_than_twenty_values_on_the_case_list_is_400_saying_so(client, imported):
    response = client.get("/cases/", {"country": COUNTRIES})

    assert response.status_code == 400
    assert "country: At most 20 values, not 21." in response.content.decode()


def test_more_than_twenty_values_on_json_is_a_400_json_error(client, imported):
    response = client.get("/cases.json", {"theme": ["women"], "country": COUNTRIES})

    assert response.status_code == 400
    assert response.json() == {
        "error": "country: At most 20 values, not 21.",
        "errors": {"country": ["At most 20 values, not 21."]},
    }


def test_more_than_twenty_values_on_csv_is_400(client, imported):
    assert client.get("/cases.csv", {"country": COUNTRIES}).status_code == 400


def test_repeated_values_count_once_towards_the_limit(client, imported):
    assert client.get("/cases.json", {"country": COUNTRIES[:20] * 3}).status_code == 200
