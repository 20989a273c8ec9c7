"""What the gate found: failures, warnings and expectations that could not run."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.validate.suite import ERROR, WARNING, severity_of

JsonScalar = str | int | float | bool | None
MAX_EXAMPLES = 10


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
    """The gate's verdict: it passes only with no error-severity failure and no exception."""

    success: bool
    checked: int
    failures: list[ExpectationFailure]
    warnings: list[ExpectationFailure]
    exceptions: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _examples(golden: pl.DataFrame, column: str | None, values: list[Any]) -> list[dict]:
    """Up to ten golden records holding one of the failing ``values`` of ``column``."""
    if column not in golden.columns or not values:
        return []
    found = [v for v in values if isinstance(v, str | int | float)]
    holds = pl.col(column).is_in(found)
    if len(found) < len(values):  # GX lists a null as None or pandas.NA
        holds = holds | pl.col(column).is_null()
    rows = golden.filter(holds).head(MAX_EXAMPLES).select(GOLDEN_ID, pl.col(column).alias("value"))
    return [{key: _json_safe(value) for key, value in row.items()} for row in rows.to_dicts()]


def _failure(outcome: Any, golden: pl.DataFrame) -> ExpectationFailure:
    config, details = outcome.expectation_config, outcome.result or {}
    column = config.kwargs.get("column")
    return ExpectationFailure(
        expectation=config.type,
        column=column,
        severity=severity_of(config.meta),
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        observed_value=_json_safe(details.get("observed_value")),
        examples=_examples(golden, column, details.get("partial_unexpected_list") or []),
    )


def gate_result(validation: Any, golden: pl.DataFrame, expected: int) -> GateResult:
    """Sort GX's ``ExpectationSuiteValidationResult`` over ``golden``; fail closed."""
    outcomes = validation.results
    exceptions = [message for outcome in outcomes for message in _exceptions(outcome)]
    if len(outcomes) != expected:
        exceptions.append(f"the suite lists {expected} expectations but {len(outcomes)} ran")
    failed = [_failure(o, golden) for o in outcomes if not o.success and not _exceptions(o)]
    failures = [f for f in failed if f.severity == ERROR]
    warnings = [f for f in failed if f.severity == WARNING]
    success = not failures and not exceptions
    return GateResult(success, len(outcomes), failures, warnings, exceptions)


def _summary(failure: ExpectationFailure, tag: str) -> str:
    where = _label(failure.expectation, failure.column)
    if failure.unexpected_count is None:
        return f"{tag} {where}: observed {failure.observed_value}"
    examples = ", ".join(f"{e[GOLDEN_ID]}={e['value']!r}" for e in failure.examples[:3])
    counts = f"{failure.unexpected_count} of {failure.element_count} golden records"
    return f"{tag} {where}: {counts}" + (f" (e.g. {examples})" if examples else "")


def render_text(result: GateResult) -> str:
    """A short report: the verdict, then one line per failure, warning and exception."""
    verdict = "passed" if result.success else "FAILED"
    lines = [
        f"Gate {verdict}: {result.checked} expectations, {len(result.failures)} failed, "
        f"{len(result.warnings)} warnings, {len(result.exceptions)} could not run",
        *(_summary(f, "FAIL") for f in result.failures),
        *(_summary(w, "WARN") for w in result.warnings),
        *(f"ERROR {message}" for message in result.exceptions),
    ]
    return "\n".join(lines)
