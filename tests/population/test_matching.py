"""Matching rules, one suite run against every implementation (the local table and the HTTP service)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta

import pytest

from idp.population.interface import MatchStatus, PopulationRegistry
from idp.population.names import normalise_name
from tests.population.conftest import Rows, declared


@pytest.fixture(params=["local", "http"])
def registry(request: pytest.FixtureRequest) -> PopulationRegistry:
    impl: PopulationRegistry = request.getfixturevalue(f"{request.param}_registry")
    return impl


def strip_diacritics(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_exact_declaration_matches(registry: PopulationRegistry, rows: Rows) -> None:
    result = registry.match(declared(rows.active))
    assert result.status is MatchStatus.MATCHED and result.matched


@pytest.mark.parametrize("change", [str.upper, str.lower, str.title])
def test_name_case_does_not_matter(
    registry: PopulationRegistry, rows: Rows, change: Callable[[str], str]
) -> None:
    assert registry.match(declared(rows.active, full_name=change(rows.active["full_name"]))).matched


def test_decomposed_unicode_input_matches_composed_record(registry: PopulationRegistry, rows: Rows) -> None:
    nfd = unicodedata.normalize("NFD", rows.active["full_name"])
    assert nfd != rows.active["full_name"]
    assert registry.match(declared(rows.active, full_name=nfd)).matched


def test_extra_whitespace_is_collapsed(registry: PopulationRegistry, rows: Rows) -> None:
    spaced = "  " + "\t  ".join(rows.active["full_name"].split()) + " \u00a0"
    assert registry.match(declared(rows.active, full_name=spaced)).matched


def test_diacritics_matter(registry: PopulationRegistry, rows: Rows) -> None:
    plain = strip_diacritics(rows.active["full_name"])
    assert plain != rows.active["full_name"]
    result = registry.match(declared(rows.active, full_name=plain))
    assert (result.status, result.reason) == (MatchStatus.MISMATCH, "full_name")


def test_wrong_birth_date_is_a_mismatch(registry: PopulationRegistry, rows: Rows) -> None:
    result = registry.match(declared(rows.active, birth_date=declared(rows.active).birth_date + timedelta(1)))
    assert (result.status, result.reason) == (MatchStatus.MISMATCH, "birth_date")


def test_deceased_record_never_matches(registry: PopulationRegistry, rows: Rows) -> None:
    assert registry.match(declared(rows.deceased)).status is MatchStatus.DECEASED
    wrong_name = registry.match(declared(rows.deceased, full_name="Trần Thị Bình"))
    assert wrong_name.status is MatchStatus.MISMATCH  # says nothing about death to a wrong declaration


def test_unknown_personal_id_has_no_record(registry: PopulationRegistry, rows: Rows) -> None:
    unknown = "001" + rows.active["personal_id"][3:4] + "99999999"
    assert registry.match(declared(rows.active, personal_id=unknown)).status is MatchStatus.NO_RECORD


def test_personal_id_is_compared_exactly(registry: PopulationRegistry, rows: Rows) -> None:
    padded = " " + rows.active["personal_id"]
    assert registry.match(declared(rows.active, personal_id=padded)).status is MatchStatus.NO_RECORD


def test_normalise_name() -> None:
    assert normalise_name("  NGUYỄN  Đức\tTài ") == "nguyễn đức tài"
    assert normalise_name(unicodedata.normalize("NFD", "Nguyễn")) == normalise_name("Nguyễn")
    assert normalise_name("Nguyễn") != normalise_name("Nguyen")
