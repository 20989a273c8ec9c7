"""What the gate found: failures, warnings and expectations that could not run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID, SOURCE, SOURCE_ID
from crmclean.validate.suite import ERROR, WARNING, severity_of
from crmclean.write import write_csv

JsonScalar = str | int | float | bool | None
MAX_EXAMPLES = 10
ROW_SCHEMA: dict[str, pl.DataType] = {
    name: pl.String()
    for name in ("expectation", "column", "severity", GOLDEN_ID, "source", "source_id", "value")
}


@dataclass(frozen=True)
class ExpectationFailure:
    """One expectation that did not hold, with up to ten failing rows as examples."""

    expectation: str
    column: str | None
    severity: str
    unexpected_count: int | None
    element_count: int | None
    observed_value: JsonScalar
    examples: list[dict[str, JsonScalar]]


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict: it passes only with no error-severity failure and no exception.

    ``failing_rows`` lists every golden record behind each failure and warning
    (``expectation, column, severity, golden_id, source, source_id, value``); ``to_dict``
    leaves it out (it can be long: :func:`write_failures` writes it to a file).
    """

    success: bool
    checked: int
    failures: list[ExpectationFailure]
    warnings: list[ExpectationFailure]
    exceptions: list[str]
    failing_rows: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ROW_SCHEMA))
    records: int = 0  # golden records checked
    companies: GateResult | None = None  # the company suite's part, joined in the totals
    passed: frozenset[int] = frozenset()  # positions in the suite of the expectations that held
    # Position in the suite -> golden ids of every row it found unexpected (empty: none), for
    # the outcomes whose unexpected rows are all known (see :func:`gate_result`).
    culprits: dict[int, pl.Series] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "checked": self.checked,
            "failures": [asdict(f) for f in self.failures],
            "warnings": [asdict(w) for w in self.warnings],
            "exceptions": self.exceptions,
        }


def _json_safe(value: Any) -> JsonScalar:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _label(expectation: str, column: str | None) -> str:
    return f"{expectation}({column})" if column else expectation


def _exceptions(outcome: Any) -> list[str]:
    """Distinct messages of an expectation that raised (GX nests them per metric, or not)."""
    info = outcome.exception_info or {}
    entries = [info] if "raised_exception" in info else list(info.values())
    config = outcome.expectation_config
    label = _label(config.type, config.kwargs.get("column"))
    messages = [
        f"{label}: {e.get('exception_message')}" for e in entries if e.get("raised_exception")
    ]
    return list(dict.fromkeys(messages))


def _failing_values(outcome: Any, golden: pl.DataFrame) -> pl.DataFrame:
    """``golden_id, value``: every golden record holding one of the failing values of the
    expectation's column."""
    config, details = outcome.expectation_config, outcome.result or {}
    column = config.kwargs.get("column")
    values = details.get("unexpected_list") or details.get("partial_unexpected_list") or []
    if column not in golden.columns or not values:
        return pl.DataFrame(schema={GOLDEN_ID: pl.String, "value": pl.String})
    found = [v for v in values if isinstance(v, str | int | float)]
    holds = pl.col(column).is_in(found)
    if len(found) < len(values):  # GX lists a null as None or pandas.NA
        holds = holds | pl.col(column).is_null()
    return golden.filter(holds).select(GOLDEN_ID, pl.col(column).cast(pl.String).alias("value"))


def _failing_rows(outcome: Any, values: pl.DataFrame, lineage: pl.DataFrame) -> pl.DataFrame:
    """``values`` (:func:`_failing_values`) with a source record of each and the
    expectation, as :data:`ROW_SCHEMA` rows."""
    config = outcome.expectation_config
    rows = values.join(lineage, on=GOLDEN_ID, how="left", maintain_order="left").rename(
        {SOURCE: "source", SOURCE_ID: "source_id"}
    )
    labels = {
        "expectation": config.type,
        "column": config.kwargs.get("column"),
        "severity": severity_of(config.meta),
    }
    return rows.with_columns(pl.lit(v, pl.String).alias(k) for k, v in labels.items()).select(
        list(ROW_SCHEMA)
    )


def _failure(outcome: Any, rows: pl.DataFrame) -> ExpectationFailure:
    config, details = outcome.expectation_config, outcome.result or {}
    examples = rows.head(MAX_EXAMPLES).select(GOLDEN_ID, "source", "source_id", "value")
    return ExpectationFailure(
        expectation=config.type,
        column=config.kwargs.get("column"),
        severity=severity_of(config.meta),
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        observed_value=_json_safe(details.get("observed_value")),
        examples=examples.to_dicts(),
    )


def _first_sources(lineage: pl.DataFrame | None, golden_ids: pl.Series) -> pl.DataFrame:
    """One ``(source, source_id)`` per golden id of ``golden_ids`` (the smallest), to show
    where a failing value came from."""
    if lineage is None or golden_ids.is_empty():
        return pl.DataFrame(schema={GOLDEN_ID: pl.String, SOURCE: pl.String, SOURCE_ID: pl.String})
    first = lineage.select(GOLDEN_ID, SOURCE, SOURCE_ID).filter(
        pl.col(GOLDEN_ID).is_in(golden_ids.implode())
    )
    return first.sort(SOURCE, SOURCE_ID).unique(GOLDEN_ID, keep="first")


def gate_result(
    validation: Any,
    golden: pl.DataFrame,
    expected: int,
    positions: list[int],
    lineage: pl.DataFrame | None = None,
    held: frozenset[int] = frozenset(),
) -> GateResult:
    """Sort GX's ``ExpectationSuiteValidationResult`` over ``golden``; fail closed.

    ``positions``: the position in the suite of each outcome; ``lineage`` (``golden_id,
    _source, _source_id``) names a source record of each example; ``held``: the positions of
    the expectations known to hold, not run (counted as checked and passed).
    """
    outcomes = validation.results
    exceptions = [message for outcome in outcomes for message in _exceptions(outcome)]
    if len(outcomes) + len(held) != expected:
        ran = len(outcomes) + len(held)
        exceptions.append(f"the suite lists {expected} expectations but {ran} ran")
    failed = [o for o in outcomes if not o.success and not _exceptions(o)]
    values = [_failing_values(o, golden) for o in failed]
    ids = pl.concat([v[GOLDEN_ID] for v in values]).unique() if values else pl.Series([])
    sources = _first_sources(lineage, ids)  # sorts the records of failing golden ids only
    rows = [_failing_rows(o, v, sources) for o, v in zip(failed, values, strict=True)]
    reported = [_failure(o, r) for o, r in zip(failed, rows, strict=True)]
    failures = [f for f in reported if f.severity == ERROR]
    warnings = [f for f in reported if f.severity == WARNING]
    success = not failures and not exceptions
    failing = pl.concat([pl.DataFrame(schema=ROW_SCHEMA), *rows])
    outcome_at = zip(positions, outcomes, strict=True)
    passed = held | {i for i, o in outcome_at if o.success and not _exceptions(o)}
    checked = len(outcomes) + len(held)
    failing_ids = {id(o): v[GOLDEN_ID] for o, v in zip(failed, values, strict=True)}
    return GateResult(
        success,
        checked,
        failures,
        warnings,
        exceptions,
        failing,
        golden.height,
        passed=passed,
        culprits=_culprits(outcomes, positions, failing_ids),
    )


def _culprits(
    outcomes: list[Any], positions: list[int], failing_ids: dict[int, pl.Series]
) -> dict[int, pl.Series]:
    """Position in the suite -> golden ids of every row the outcome found unexpected, for the
    outcomes whose every such row is known: one that found none, or a failed one whose
    failing values (``failing_ids``, by ``id`` of the outcome) are held by as many golden
    records as it counted (GX lists at most 200 failing values; each row holding one fails)."""
    none = pl.Series(GOLDEN_ID, [], pl.String)
    known = {}
    for position, outcome in zip(positions, outcomes, strict=True):
        count = (outcome.result or {}).get("unexpected_count")
        ids = failing_ids.get(id(outcome), none)
        if isinstance(count, int) and not _exceptions(outcome) and ids.len() == count:
            known[position] = ids
    return known


def _example(row: dict[str, JsonScalar]) -> str:
    where = f"{row['source']} {row['source_id']}" if row["source"] is not None else "-"
    return f"    {where}  ({row[GOLDEN_ID]}): {row['value']!r}"


def write_failures(result: GateResult, path: Path) -> Path:
    """Every failing row of every failed expectation and warning, as CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(result.failing_rows, path)


def _summary(failure: ExpectationFailure, tag: str) -> list[str]:
    """The expectation, its counts, then up to ten failing rows: source, source id, value."""
    where = _label(failure.expectation, failure.column)
    if failure.unexpected_count is None:
        return [f"{tag} {where}: observed {failure.observed_value}"]
    counts = f"{failure.unexpected_count} of {failure.element_count} golden records"
    return [f"{tag} {where}: {counts}", *(_example(e) for e in failure.examples)]


def render_text(result: GateResult) -> str:
    """A short report: the verdict, then one line per failure, warning and exception."""
    verdict = "passed" if result.success else "FAILED"
    lines = [
        f"Gate {verdict}: {result.checked} expectations, {len(result.failures)} failed, "
        f"{len(result.warnings)} warnings, {len(result.exceptions)} could not run",
        *(line for f in result.failures for line in _summary(f, "FAIL")),
        *(line for w in result.warnings for line in _summary(w, "WARN")),
        *(f"ERROR {message}" for message in result.exceptions),
    ]
    return "\n".join(lines)
