"""Metadata policy operators, merging and their errors: OpenID Federation 1.0 Section 6.1."""

from __future__ import annotations

import pytest

from federation.openid_federation import policy
from federation.openid_federation.errors import InvalidMetadata

RP = "openid_relying_party"


def resolve(*policies: dict, metadata: dict) -> dict:
    merged: dict = {}
    for p in policies:  # trust anchor first
        merged = policy.merge(merged, policy.check_policy(p))
    return policy.apply(merged, {RP: metadata})[RP]


def test_6_1_3_1_operators_apply_in_the_fixed_order():
    result = resolve(
        {
            RP: {
                "contacts": {"add": ["ops@gov.vn"]},
                "id_token_signed_response_alg": {"default": "ES256"},
                "client_name": {"value": "Cổng DVC"},
                "grant_types": {"subset_of": ["authorization_code", "refresh_token"]},
                "response_types": {"superset_of": ["code"]},
                "redirect_uris": {"essential": True},
            }
        },
        metadata={
            "contacts": ["it@portal.vn"],
            "client_name": "old",
            "grant_types": ["authorization_code", "implicit"],
            "response_types": ["code"],
            "redirect_uris": ["https://p.vn/cb"],
        },
    )
    assert result["contacts"] == ["it@portal.vn", "ops@gov.vn"]
    assert result["id_token_signed_response_alg"] == "ES256"
    assert result["client_name"] == "Cổng DVC"
    assert result["grant_types"] == ["authorization_code"]


def test_6_1_3_1_1_a_null_value_removes_the_parameter():
    assert "logo_uri" not in resolve({RP: {"logo_uri": {"value": None}}}, metadata={"logo_uri": "https://x"})


def test_6_1_3_1_5_subset_of_may_leave_an_empty_array():
    assert resolve(
        {RP: {"grant_types": {"subset_of": ["refresh_token"]}}}, metadata={"grant_types": ["implicit"]}
    ) == {"grant_types": []}


def test_6_1_4_1_two_different_values_are_a_policy_conflict():
    with pytest.raises(InvalidMetadata, match="conflict"):
        resolve(
            {RP: {"subject_type": {"value": "pairwise"}}},
            {RP: {"subject_type": {"value": "public"}}},
            metadata={},
        )


def test_6_1_4_1_two_different_defaults_are_a_policy_conflict():
    with pytest.raises(InvalidMetadata, match="conflict"):
        resolve({RP: {"a": {"default": "x"}}}, {RP: {"a": {"default": "y"}}}, metadata={})


def test_6_1_4_1_one_of_merges_to_the_intersection_and_empty_is_a_conflict():
    merged = policy.merge(
        {RP: {"alg": {"one_of": ["ES256", "RS256"]}}}, {RP: {"alg": {"one_of": ["RS256", "PS256"]}}}
    )
    assert merged[RP]["alg"]["one_of"] == ["RS256"]
    with pytest.raises(InvalidMetadata, match="nothing in common"):
        policy.merge({RP: {"alg": {"one_of": ["ES256"]}}}, {RP: {"alg": {"one_of": ["PS256"]}}})


def test_6_1_4_1_add_and_superset_of_merge_to_the_union_subset_of_to_the_intersection():
    merged = policy.merge(
        {RP: {"c": {"add": ["a"]}, "s": {"subset_of": ["x", "y"]}, "r": {"superset_of": ["code"]}}},
        {RP: {"c": {"add": ["b"]}, "s": {"subset_of": ["y", "z"]}, "r": {"superset_of": ["id"]}}},
    )
    assert merged[RP]["c"]["add"] == ["a", "b"]
    assert merged[RP]["s"]["subset_of"] == ["y"]
    assert merged[RP]["r"]["superset_of"] == ["code", "id"]


def test_6_1_3_1_7_a_superior_essential_cannot_be_relaxed():
    merged = policy.merge({RP: {"x": {"essential": True}}}, {RP: {"x": {"essential": False}}})
    assert merged[RP]["x"]["essential"] is True
    with pytest.raises(InvalidMetadata, match="essential"):
        policy.apply(merged, {RP: {}})


def test_6_1_3_1_forbidden_combinations_are_policy_errors():
    with pytest.raises(InvalidMetadata, match="combines"):
        policy.check_policy({RP: {"x": {"add": ["a"], "one_of": ["a"]}}})
    with pytest.raises(InvalidMetadata, match="subset of subset_of"):
        policy.check_policy({RP: {"x": {"add": ["a"], "subset_of": ["b"]}}})
    with pytest.raises(InvalidMetadata, match="value must be one of"):
        policy.check_policy({RP: {"x": {"value": "c", "one_of": ["a", "b"]}}})


def test_6_1_4_2_metadata_outside_one_of_or_missing_superset_values_is_refused():
    with pytest.raises(InvalidMetadata, match="not one of"):
        resolve({RP: {"alg": {"one_of": ["ES256"]}}}, metadata={"alg": "HS256"})
    with pytest.raises(InvalidMetadata, match="lacks"):
        resolve({RP: {"rt": {"superset_of": ["code"]}}}, metadata={"rt": ["token"]})


def test_6_1_2_an_unknown_critical_operator_voids_the_policy_and_an_unknown_other_is_ignored():
    assert policy.merge({}, {RP: {"x": {"regexp": "^a"}}}) == {RP: {"x": {}}}
    with pytest.raises(InvalidMetadata, match="critical"):
        policy.merge({}, {RP: {"x": {"regexp": "^a"}}}, crit=["regexp"])
