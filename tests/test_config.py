from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.config import SETTINGS, Config, write_setting
from ebrain.errors import ConfigError


def test_precedence_argument_env_file_default(tmp_path: Path) -> None:
    cfg_file = tmp_path / "config.yaml"
    cfg_file.write_text("chunk:\n  target_tokens: 300\n", encoding="utf-8")
    cfg = Config.load(cfg_file, environ={})
    assert cfg.get("chunk.target_tokens") == 300
    assert cfg.get("chunk.overlap_tokens") == SETTINGS["chunk.overlap_tokens"].default
    env = Config.load(cfg_file, environ={"EBRAIN_CHUNK_TARGET_TOKENS": "250"})
    assert env.get("chunk.target_tokens") == 250
    assert env.get("chunk.target_tokens", explicit=200) == 200


def test_bad_values_and_unknown_keys(tmp_path: Path) -> None:
    cfg = Config({}, environ={"EBRAIN_INGEST_EMBED": "maybe"})
    with pytest.raises(ConfigError, match=r"ingest\.embed"):
        cfg.get("ingest.embed")
    with pytest.raises(ConfigError, match="unknown setting"):
        cfg.get("no.such")


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("chunk: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        Config.load(bad)


def test_every_setting_has_help() -> None:
    assert all(s.help for s in SETTINGS.values())


@pytest.mark.parametrize(
    ("env", "value", "words"),
    [
        ("EBRAIN_SEARCH_FUSION", "bogus", ["'adaptive', 'rrf', 'weighted'"]),
        ("EBRAIN_CHUNK_TARGET_TOKENS", "-5", ["32..8192"]),
        ("EBRAIN_SEARCH_K", "0", ["1..1000"]),
        ("EBRAIN_SERVER_PORT", "70000", ["1..65535"]),
        ("EBRAIN_EMBED_BATCH_SIZE", "0", [">= 1", "1..4096"]),
        ("EBRAIN_ANSWER_REFUSAL_THRESHOLD", "nan", ["0..1"]),
        ("EBRAIN_LOCALE", "fr", ["'en'", "'zh'"]),
    ],
)
def test_out_of_range_env_values_name_the_setting(env: str, value: str, words: list[str]) -> None:
    key = next(s.key for s in SETTINGS.values() if s.env == env)
    with pytest.raises(ConfigError) as info:
        Config({}, environ={env: value}).get(key)
    assert key in info.value.message and env in info.value.message
    assert env in info.value.hint and any(w in info.value.hint for w in words)


def test_range_is_checked_for_every_origin(tmp_path: Path) -> None:
    cfg_file = tmp_path / "config.yaml"
    cfg_file.write_text("search:\n  fusion: bogus\nchunk:\n  target_tokens: 5\n", "utf-8")
    cfg = Config.load(cfg_file, environ={})
    for key in ("search.fusion", "chunk.target_tokens"):
        with pytest.raises(ConfigError, match=r"from config\.yaml"):
            cfg.get(key)
    with pytest.raises(ConfigError, match="from argument"):
        Config({}, environ={}).get("search.k", explicit=-1)


def test_overlap_must_stay_below_target() -> None:
    env = {"EBRAIN_CHUNK_TARGET_TOKENS": "64", "EBRAIN_CHUNK_OVERLAP_TOKENS": "64"}
    with pytest.raises(ConfigError, match=r"less than chunk\.target_tokens") as info:
        Config({}, environ=env).get("chunk.overlap_tokens")
    assert "EBRAIN_CHUNK_OVERLAP_TOKENS" in info.value.hint


def test_every_setting_declares_its_range_and_defaults_fit() -> None:
    for s in SETTINGS.values():
        assert not s.problem(s.default), s.key
        if isinstance(s.default, int | float) and not isinstance(s.default, bool):
            assert s.min is not None, f"{s.key} declares no range"
    cfg = Config({}, environ={})
    assert all(cfg.get(k) == s.default for k, s in SETTINGS.items())


def test_write_setting_checks_then_stores(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("embed:\n  model: none\n", encoding="utf-8")
    assert write_setting(path, "search.k", "7") == 7
    with pytest.raises(ConfigError, match=r"search\.fusion"):
        write_setting(path, "search.fusion", "bogus")
    with pytest.raises(ConfigError, match="less than"):
        write_setting(path, "chunk.target_tokens", "40")  # the default overlap is 40
    with pytest.raises(ConfigError, match="unknown setting"):
        write_setting(path, "no.such", "1")
    cfg = Config.load(path, environ={})
    assert cfg.get("search.k") == 7 and cfg.get("embed.model") == "none"
    assert cfg.get("chunk.target_tokens") == 380 and cfg.get("search.fusion") == "adaptive"
