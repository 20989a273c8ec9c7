"""The learned match model as data: what decided a run's matches, saved and reused.

A model holds what the dedupe stage estimates or learns from the records (``u`` per level,
``m`` per level, the prior, each ``tf`` comparison's value frequencies), the thresholds it
decided with, and the hash of the match rules it was learned under. It is written as a
versioned JSON file (``--save-model``), read back (``--model``) and stored per run in a
target's ``models`` table, so an incremental run decides as the earlier one did: the same
records with the same model give the same clusters. A value the model never saw (a new
e-mail) takes the frequency the current records give it.

A learned model keeps each term-frequency table as the polars frame it was estimated as
(:class:`Frequencies`); a Python ``dict`` of one (a million values at 1M records) is only built
when a caller looks a value up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.dedupe.coded_keys import KeyTable
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.params import Parameters
from crmclean.errors import UserError
from crmclean.write import write_text

FORMAT = "crmclean-match-model"
VERSION = 1
# Settings that change no estimate: the thresholds travel in the model, the rest is reporting.
_UNHASHED = {"auto_merge_threshold", "review_threshold", "survivorship", "oversized_report"}
_PADDING = "\x00" * 16  # a value's first 16 bytes, zero-padded: see _in_value_order
NUMBERED_SORT = 150_000  # values from which a table sorts faster by a number first (ditto)


def rules_hash(config: MatchConfig) -> str:
    """The hash of the match rules a model depends on (thresholds and survivorship aside)."""
    settings = config.model_dump(mode="json", exclude=_UNHASHED)
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


class Frequencies(Mapping[str, float]):
    """A term-frequency table ``{value: frequency}`` held as a frame (``value``, ``tf``: the
    distinct values of a key); the ``dict`` of it is made on the first lookup only."""

    __slots__ = ("_lookup", "frame")

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._lookup: dict[str, float] | None = None

    def _dict(self) -> dict[str, float]:
        if self._lookup is None:
            values, tf = self.frame["value"].to_list(), self.frame["tf"].to_list()
            self._lookup = dict(zip(values, tf, strict=True))
        return self._lookup

    def __getitem__(self, value: str) -> float:
        return self._dict()[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __repr__(self) -> str:
        return f"Frequencies({self.frame.height} values)"


def frame_of(table: Mapping[str, float]) -> pl.DataFrame:
    """``table`` as a ``value, tf`` frame (a learned table's own frame, not rebuilt)."""
    if isinstance(table, Frequencies):
        return table.frame
    return pl.DataFrame(
        {"value": list(table), "tf": list(table.values())},
        schema={"value": pl.String, "tf": pl.Float64},
    )


@dataclass(frozen=True)
class MatchModel:
    """Learned parameters, the thresholds and the rules' hash; ``model_id`` hashes them all."""

    model_id: str
    learned_at: str
    records: int
    rules_hash: str
    auto_merge_threshold: float
    review_threshold: float
    prior: float
    u: dict[str, list[float]]
    m: dict[str, list[float]]
    tf: dict[str, Mapping[str, float]]

    @classmethod
    def learned(cls, params: Parameters, table: KeyTable, config: MatchConfig) -> MatchModel:
        """The model behind ``params`` (estimated on ``table`` under ``config``)."""
        tables = {
            spec.name: pl.DataFrame(
                {
                    "value": table.values[spec.key].cast(pl.String),
                    "tf": params.tf[spec.name].cast(pl.Float64),
                }
            )
            for spec in config.comparisons
            if spec.name in params.tf
        }
        model = cls(
            model_id="",
            learned_at=datetime.now(UTC).isoformat(),
            records=table.height,
            rules_hash=rules_hash(config),
            auto_merge_threshold=config.auto_merge_threshold,
            review_threshold=config.review_threshold,
            prior=params.prior,
            u=params.u,
            m={spec.name: params.m_of(spec) for spec in config.comparisons},
            tf={name: Frequencies(frame) for name, frame in tables.items()},
        )
        return replace(model, model_id=_digest(model, tables))

    def summary(self) -> dict[str, Any]:
        """Which model: id, when learned, from how many records, under which rules."""
        keys = ("model_id", "learned_at", "records", "rules_hash")
        return {key: getattr(self, key) for key in keys}

    def as_dict(self) -> dict[str, Any]:
        """Every field by name, the tables as they are (``dataclasses.asdict`` would deep-copy
        term-frequency tables of a million values first: seconds at 1M records)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def to_json(self) -> str:
        """The model as JSON text; the term-frequency tables (a million values at 1M records)
        written by polars, not one Python value at a time."""
        tables = ",".join(f"{json.dumps(name)}:{_object(table)}" for name, table in self.tf.items())
        head = self.head_json().removesuffix('"tf": {}}')
        return f'{head}"tf": {{{tables}}}}}'

    def head_json(self) -> str:
        """The model as JSON text with empty term-frequency tables (``"tf": {}``)."""
        head = {k: v for k, v in self.as_dict().items() if k != "tf"}
        return json.dumps({"format": FORMAT, "version": VERSION, **head, "tf": {}})

    def with_tables(self, frames: Mapping[str, pl.DataFrame]) -> MatchModel:
        """This model with term-frequency tables ``frames`` (``value, tf`` each)."""
        return replace(self, tf={name: Frequencies(frame) for name, frame in frames.items()})

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (whole or not at all)."""
        write_text(path, self.to_json())

    def checked(self, config: MatchConfig) -> MatchModel:
        """This model, if it was learned under the rules of ``config``; else a user error."""
        if self.rules_hash != rules_hash(config):
            raise UserError(
                f"model {self.model_id} was learned under other match rules (rules "
                f"hash {self.rules_hash}, now {rules_hash(config)}); pass --relearn to learn "
                "a new one"
            )
        return self

    def config(self, config: MatchConfig) -> MatchConfig:
        """``config`` deciding with this model's thresholds."""
        thresholds = {
            "auto_merge_threshold": self.auto_merge_threshold,
            "review_threshold": self.review_threshold,
        }
        return config.model_copy(update=thresholds)

    def parameters(self, table: KeyTable, config: MatchConfig, fresh: Parameters) -> Parameters:
        """The parameters for the records of ``table``: this model's, with the frequencies
        of values it never saw taken from ``fresh`` (estimated on ``table``)."""
        tf = {}
        for name, current in fresh.tf.items():
            spec = next(s for s in config.comparisons if s.name == name)
            known = frame_of(self.tf.get(name, {})).rename({"tf": "saved"})
            values = table.values[spec.key].cast(pl.String).to_frame("value")
            joined = values.join(known, on="value", how="left", maintain_order="left")
            tf[name] = joined["saved"].fill_null(current).alias(current.name)
        return replace(fresh, u=self.u, m=self.m, prior=self.prior, tf=tf)


def _object(table: Mapping[str, float]) -> str:
    """``{value: frequency}`` as a JSON object, encoded by polars (strings escaped as JSON,
    floats in their shortest form that reads back the same)."""
    frame = frame_of(table)
    if frame.is_empty():
        return "{}"
    value = pl.struct("value").struct.json_encode().str.strip_prefix('{"value":')
    number = pl.struct("tf").struct.json_encode().str.strip_prefix('{"tf":')
    entry = value.str.strip_suffix("}") + ":" + number.str.strip_suffix("}")
    return "{" + frame.select(entry.str.join(",")).item() + "}"


def _digest(model: MatchModel, tables: dict[str, pl.DataFrame]) -> str:
    """A hash of what ``model`` decides with (not its id, not when it was learned); each
    term-frequency table (``value, tf``) hashed as columns sorted by value
    (:func:`_in_value_order`), not as JSON text (a million values through
    ``json.dumps(sort_keys=True)`` cost seconds)."""
    skipped = ("model_id", "learned_at", "tf")
    body = {k: v for k, v in model.as_dict().items() if k not in skipped}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode())
    for name in sorted(tables):
        table = _in_value_order(tables[name])
        digest.update(json.dumps(name).encode())
        digest.update(table["value"].str.len_bytes().to_numpy().tobytes())
        digest.update(table["value"].str.join("").item().encode())
        digest.update(table["tf"].to_numpy().tobytes())
    return digest.hexdigest()[:12]


def _in_value_order(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` sorted by its distinct ``value`` texts, as ``sort("value")``; from
    :data:`NUMBERED_SORT` values by their first 16 bytes as one big-endian 128-bit number first
    (zero-padded, which keeps the bytes' order), the text only breaking ties. One thread
    sorts (polars' parallel string sort costs four times the CPU). The number first costs
    0.48 s CPU against the texts' 1.22 s (two 64-bit numbers: 0.78 s) on the largest tables
    (neutral 1M, four tables of 647k-804k values), more below ~150k values (samples of them:
    30k values 3.3 -> 4.4 ms, 100k 14 -> 15 ms, 200k 38 -> 30 ms)."""
    if table.height < NUMBERED_SORT:
        return table.sort("value", multithreaded=False)
    head = (pl.col("value") + _PADDING).cast(pl.Binary).bin.slice(0, 16)
    number = head.bin.reinterpret(dtype=pl.UInt128, endianness="big")
    return table.sort(number, "value", multithreaded=False)


def model_of_json(text: str, where: str) -> MatchModel:
    """A model from its JSON text; a clear error for anything else."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not a crmclean model (JSON): {exc.msg}", file=where) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError("not a crmclean model file (see `dedupe --save-model`)", file=where)
    if data.get("version") != VERSION:
        raise UserError(
            f"model format version {data.get('version')}, this crmclean reads {VERSION}",
            file=where,
        )
    fields = {key: value for key, value in data.items() if key not in ("format", "version")}
    try:
        return MatchModel(**fields)
    except TypeError as exc:
        raise UserError(f"damaged model file: {exc}", file=where) from None


def read_model(path: Path) -> MatchModel:
    """The model saved in ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read the model: {exc.strerror}", file=str(path)) from None
    return model_of_json(text, str(path))
