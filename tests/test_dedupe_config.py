"""match.yaml: the bundled rules load, and every problem of a bad file is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crmclean.dedupe.config import load_match_config
from crmclean.errors import UserError
from crmclean.rules import Rules


def _write(directory: Path, **changes: object) -> Rules:
    data = yaml.safe_load(Rules().path("match.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    (directory / "match.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return Rules(directory=directory)


def test_bundled_rules_load(rules: Rules) -> None:
    config = load_match_config(rules)
    assert config.blocking[0] == ["emails"]
    assert "contato" in config.role_email_local_parts
    assert config.name_suffixes["filho"] == config.name_suffixes["jr"]
    assert {"emails", "phones", "last_name_phonetic", "generation"} <= set(config.key_names)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    comparisons = [
        {
            "name": "nick",
            "key": "nickname",
            "method": "exact",
            "levels": [{"at": 1, "m": 0.9, "u": 0.1}],
        },
        {
            "name": "sound",
            "key": "name",
            "method": "soundex",
            "levels": [{"at": 1, "m": 0.9, "u": 0.1}],
        },
        {
            "name": "mails",
            "key": "emails",
            "method": "exact",
            "levels": [{"at": 1, "m": 0.9, "u": 0.1}],
        },
    ]
    rules = _write(tmp_path, blocking=[["emails"], ["zip"]], comparisons=comparisons)
    with pytest.raises(UserError) as caught:
        load_match_config(rules)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "match.yaml"))
    assert "unknown key 'zip'; known: address, birth_date, birth_place, birth_year," in message
    assert ", company, company_compact," in message
    assert "unknown key 'nickname'" in message
    assert "unknown method 'soundex'; known: address, any_shared, best_given_name," in message
    assert "method 'exact' cannot compare the list key 'emails'" in message


def test_levels_must_descend(tmp_path: Path) -> None:
    levels = [{"at": 0.8, "m": 0.1, "u": 0.1}, {"at": 0.9, "m": 0.2, "u": 0.1}]
    spec = {"name": "last", "key": "last_name", "method": "jaro_winkler", "levels": levels}
    with pytest.raises(UserError, match="levels must go from the highest 'at' to the lowest"):
        load_match_config(_write(tmp_path, comparisons=[spec]))


def test_comparison_names_are_unique(tmp_path: Path) -> None:
    spec = {
        "name": "last",
        "key": "last_name",
        "method": "exact",
        "levels": [{"at": 1, "m": 0.9, "u": 0.1}],
    }
    with pytest.raises(UserError, match="comparison names must be unique; repeated: last"):
        load_match_config(_write(tmp_path, comparisons=[spec, spec]))


def test_vocabularies_are_folded_words(tmp_path: Path) -> None:
    rules = _write(tmp_path, nicknames={"zé": "jose"}, name_suffixes={"jr": "Junior"})
    with pytest.raises(UserError) as caught:
        load_match_config(rules)
    assert "nicknames.zé.[key]" in str(caught.value)
    assert "name_suffixes.jr" in str(caught.value)


def test_threshold_and_block_size_are_bounded(tmp_path: Path) -> None:
    rules = _write(tmp_path, auto_merge_threshold=1.5, max_block_size=1, blocking=[[]])
    with pytest.raises(UserError) as caught:
        load_match_config(rules)
    message = str(caught.value)
    assert "auto_merge_threshold" in message
    assert "max_block_size" in message
    assert "every blocking rule needs at least one key" in message


def test_level_shares_leave_room_for_disagreement(tmp_path: Path) -> None:
    levels = [{"at": 1.0, "m": 0.7, "u": 0.1}, {"at": 0.9, "m": 0.3, "u": 0.1}]
    spec = {"name": "last", "key": "last_name", "method": "jaro_winkler", "levels": levels}
    with pytest.raises(UserError, match="the m of the levels must add up to less than 1"):
        load_match_config(_write(tmp_path, comparisons=[spec]))


def test_review_band_lies_below_the_merge(tmp_path: Path) -> None:
    rules = _write(tmp_path, auto_merge_threshold=0.6, review_threshold=0.8)
    with pytest.raises(UserError, match="review_threshold must not be above auto_merge"):
        load_match_config(rules)


def test_disagreement_takes_what_the_levels_leave(rules: Rules) -> None:
    spec = next(s for s in load_match_config(rules).comparisons if s.name == "first_name")
    assert spec.m[-1] == pytest.approx(1.0 - sum(level.m for level in spec.levels))
    assert len(spec.u) == len(spec.levels) + 1


def test_identifiers_name_comparisons(tmp_path: Path) -> None:
    rules = _write(tmp_path, identifiers=["email", "passport"])
    with pytest.raises(UserError, match="identifiers names unknown comparisons: passport"):
        load_match_config(rules)


@pytest.mark.parametrize("part", ["birth_date@1.5", "birth_date@x"])
def test_a_veto_similarity_is_a_number_from_0_to_1(tmp_path: Path, part: str) -> None:
    data = yaml.safe_load(Rules().path("match.yaml").read_text(encoding="utf-8"))
    first = next(spec for spec in data["comparisons"] if spec["name"] == "first_name")
    first["veto_unless"] = [part]
    (tmp_path / "match.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_match_config(Rules(directory=tmp_path))
    assert f"veto_unless '{part}'" in str(caught.value)


def test_a_veto_lift_that_asks_a_comparison_not_to_agree_names_a_known_one(
    tmp_path: Path,
) -> None:
    """``a+!b`` (b does not agree) names b like ``a+~b`` does: an unknown one is an error."""
    data = yaml.safe_load(Rules().path("match.yaml").read_text(encoding="utf-8"))
    first = next(spec for spec in data["comparisons"] if spec["name"] == "first_name")
    first["veto_unless"] = ["phone_national+!address", "phone_national+!dwelling"]
    (tmp_path / "match.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UserError, match="veto_unless names unknown comparisons: dwelling"):
        load_match_config(Rules(directory=tmp_path))
