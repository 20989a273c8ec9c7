"""The snapshot a review session hands to its re-learning process: frames as Arrow files,
the rest pickled, read back equal."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crmclean.review import snapshot


def test_frames_and_series_nested_anywhere_come_back_equal(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1, 2], "s": ["x", None], "l": [["p"], []]})
    other = pl.DataFrame({"b": [0.5]})
    series = pl.Series("values", ["silva", None, "araújo"])
    value = (frame, {"report": 1, "frames": [other, frame], "tf": series}, tmp_path / "d.csv")
    snapshot.dump(value, tmp_path / "job")
    loaded = snapshot.load(tmp_path / "job")
    assert loaded[0].equals(frame) and loaded[1]["frames"][0].equals(other)
    assert loaded[1]["frames"][1].equals(frame) and loaded[2] == value[2]
    assert loaded[1]["tf"].equals(series) and loaded[1]["tf"].name == "values"
    assert sorted(p.suffix for p in (tmp_path / "job").iterdir()) == [".arrow"] * 4 + [".pickle"]
