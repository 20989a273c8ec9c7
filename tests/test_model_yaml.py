"""``load_yaml``: parsed files are cached, yet edits are seen and callers never share data."""

from __future__ import annotations

import os

import pytest

from crmclean.errors import UserError
from crmclean.model import load_yaml


def test_an_edited_file_is_read_again(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_yaml(path) == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_yaml(path) == {"a": 2}


def test_each_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("words: [a, b]\n", encoding="utf-8")
    first = load_yaml(path)
    assert isinstance(first, dict)
    first["words"].append("c")
    assert load_yaml(path) == {"words": ["a", "b"]}


def test_a_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\nb: [1, 2\n", encoding="utf-8")
    with pytest.raises(UserError, match="invalid YAML") as caught:
        load_yaml(path)
    assert caught.value.row is not None


def test_a_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_yaml(tmp_path / "absent.yaml")
