"""The workspace user dictionary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebrain.errors import InvalidInputError
from ebrain.text.analyzer import Analyzer
from ebrain.text.userdict import (
    UserWord,
    add_words,
    dict_path,
    load_entries,
    load_user_words,
    remove_words,
)


def test_missing_dictionary_is_empty(tmp_path: Path) -> None:
    assert load_user_words(tmp_path) == []


def test_add_list_remove(tmp_path: Path) -> None:
    assert add_words(tmp_path, ["数据中台", "iFactory"]) == ["数据中台", "iFactory"]
    assert add_words(tmp_path, ["IFACTORY", "星河"]) == ["星河"]
    assert load_user_words(tmp_path) == ["数据中台", "iFactory", "星河"]
    assert remove_words(tmp_path, ["ifactory", "不存在"]) == ["iFactory"]
    assert load_user_words(tmp_path) == ["数据中台", "星河"]
    assert not list(tmp_path.glob(".userdict-*"))


def test_jieba_format_with_comments(tmp_path: Path) -> None:
    dict_path(tmp_path).write_text("# 产品\n数据中台 20 nz\n\niFactory 5\n星河\n", "utf-8")
    assert load_entries(tmp_path) == [
        UserWord("数据中台", 20, "nz"),
        UserWord("iFactory", 5, None),
        UserWord("星河", None, None),
    ]
    add_words(tmp_path, ["新词"])
    assert dict_path(tmp_path).read_text("utf-8").startswith("# 产品\n数据中台 20 nz\n")


def test_words_with_spaces_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        add_words(tmp_path, ["Power BI"])
    assert not dict_path(tmp_path).exists()


def test_dictionary_feeds_the_analyzer(tmp_path: Path) -> None:
    add_words(tmp_path, ["数据中台"])
    assert "数据中台" in Analyzer(load_user_words(tmp_path)).terms("数据中台建设")
