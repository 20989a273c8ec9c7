"""Segment files (``rules/segments.yaml``, ``rules/rfm.yaml``): an ordered list of named
segments with conditions, first match wins, the last one a required catch-all."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crmclean.errors import UserError
from crmclean.model import format_validation_error, load_yaml

Axis = Literal["text", "number", "date", "any"]
_TEXT = ("in_", "not_in")
_NUMBER = ("min", "max")
_DATE = ("older_than_days", "within_days", "before", "since", "age_min", "age_max")


def _text(value: object) -> str:
    """A YAML scalar as the text the canonical model stores (``true``, ``false``, ``42``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class Condition(BaseModel):
    """Tests on one field, all of which must hold; a null value passes only ``present: false``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    present: bool | None = None
    min: float | None = None
    max: float | None = None
    older_than_days: int | None = Field(default=None, ge=0)
    within_days: int | None = Field(default=None, ge=0)
    before: date | None = None
    since: date | None = None
    age_min: int | None = Field(default=None, ge=0)
    age_max: int | None = Field(default=None, ge=0)

    @field_validator("in_", "not_in", mode="before")
    @classmethod
    def _as_text(cls, values: object) -> object:
        return [_text(v) for v in values] if isinstance(values, list) else values

    def tests(self) -> set[str]:
        """The names of the tests given."""
        return {n for n in type(self).model_fields if n != "field" and getattr(self, n) is not None}

    @property
    def axis(self) -> Axis:
        """How the field's values are read: text, number, date, or any (``present`` only)."""
        given = self.tests()
        axes = [
            a
            for a, names in (("text", _TEXT), ("number", _NUMBER), ("date", _DATE))
            if given & set(names)
        ]
        return axes[0] if axes else "any"  # type: ignore[return-value]

    @model_validator(mode="after")
    def _one_axis(self) -> Condition:
        given = self.tests()
        if not given:
            raise ValueError(f"condition on {self.field!r} tests nothing")
        kinds = [names for names in (_TEXT, _NUMBER, _DATE) if given & set(names)]
        if len(kinds) > 1:
            raise ValueError(f"condition on {self.field!r} mixes text, number and date tests")
        return self


class Segment(BaseModel):
    """A named segment: every ``when`` condition holds and, if ``any`` is given, at least one of
    its groups holds entirely. ``catch_all`` takes everyone left (no conditions)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    when: list[Condition] = []
    any: list[list[Condition]] = []
    catch_all: bool = False

    def conditions(self) -> list[Condition]:
        return [*self.when, *(c for group in self.any for c in group)]

    @model_validator(mode="after")
    def _catch_all_is_bare(self) -> Segment:
        if self.catch_all and self.conditions():
            raise ValueError(f"catch-all segment {self.name!r} takes no conditions")
        if not self.catch_all and not self.conditions():
            raise ValueError(f"segment {self.name!r} has no conditions (mark it catch_all)")
        return self


class SegmentFile(BaseModel):
    """The whole file: ordered segments, names unique, exactly one catch-all and it is last."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    rfm: str | None = None
    segments: list[Segment] = Field(min_length=1)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.segments]

    @model_validator(mode="after")
    def _order(self) -> SegmentFile:
        seen = [n for i, n in enumerate(self.names) if n in self.names[:i]]
        if seen:
            raise ValueError(f"segment names used twice: {sorted(set(seen))}")
        catch_alls = [s.name for s in self.segments if s.catch_all]
        if catch_alls != [self.segments[-1].name] or not self.segments[-1].catch_all:
            raise ValueError(
                f"the last segment, and only it, must be `catch_all: true` (found {catch_alls})"
            )
        return self


def load_segments(path: Path, known: set[str]) -> SegmentFile:
    """Read and validate a segment file; every problem is reported at once.

    ``known`` is the set of fields a condition may name (canonical and derived fields).
    """
    try:
        spec = SegmentFile.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(path)) from None
    unknown = sorted({c.field for s in spec.segments for c in s.conditions()} - known)
    if unknown:
        raise UserError(f"unknown fields {unknown}; known: {sorted(known)}", file=str(path))
    axes = _axes(spec)
    if isinstance(axes, str):
        raise UserError(axes, file=str(path))
    return spec


def _axes(spec: SegmentFile) -> dict[str, Axis] | str:
    """Each field's axis, or the message naming a field tested as two different kinds."""
    axes: dict[str, Axis] = {}
    for segment in spec.segments:
        for condition in segment.conditions():
            axis, seen = condition.axis, axes.get(condition.field, "any")
            if axis != "any" and seen not in ("any", axis):
                return f"field {condition.field!r} is tested both as {seen} and as {axis}"
            axes[condition.field] = axis if axis != "any" else seen
    return axes


def field_axes(spec: SegmentFile) -> dict[str, Axis]:
    """Each field the file tests, and how its values are read."""
    axes = _axes(spec)
    assert not isinstance(axes, str), axes
    return axes
