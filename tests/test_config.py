from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.config import SETTINGS, Config
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
