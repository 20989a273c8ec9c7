"""Run a suite with Great Expectations 1.x over a polars frame or a database table.

The only module that imports ``great_expectations`` (and :mod:`crmclean.validate.custom`), and
only when a suite runs: the import costs about four seconds, which a run that stops before the
gate should not pay.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import polars as pl

from crmclean.errors import UserError
from crmclean.validate.suite import Suite, checked_columns, reads_column_names

# GX lists at most this many failing values of an expectation, whatever the format
# (``great_expectations.constants.MAX_RESULT_RECORDS``).
LISTED = 200
# Failing values only: asking GX for ``unexpected_index_column_names`` builds a dict per failing
# row, 8x slower at 100k bad rows (minutes at 1M); the result maps values back to golden ids.
# ``BASIC`` with every listed value as "partial": the same values as ``COMPLETE``'s list, without
# the two metrics ``COMPLETE`` adds per column check (the failing rows' pandas index and a query
# naming them, each a filter of every column GX holds), which crmclean never reads.
DETAILED = {"result_format": "BASIC", "partial_unexpected_count": LISTED}
SOURCE = "crmclean"
ASSET = "golden"
BatchOf = Callable[[Any], Any]  # context.data_sources -> a batch definition


def run_suite(
    frame: pl.DataFrame,
    suite: Suite,
    accepted: dict[str, pl.Series] | None = None,
    held: frozenset[int] = frozenset(),
) -> tuple[Any, list[int]]:
    """Validate ``frame`` in memory (GX's pandas backend), in one detailed pass (see
    :func:`_run`). ``accepted``: per column, values the normalizer wrote in this run, which
    crmclean's own checks take as valid; ``held``: positions in ``suite`` of expectations
    known to hold over ``frame`` (see :func:`crmclean.validate.suite.holds_on_fewer_rows`),
    not run.

    Returns GX's ``ExpectationSuiteValidationResult`` and the position in ``suite`` of each
    of its outcomes.
    """
    from crmclean.validate.custom import ACCEPTED

    def batch(sources: Any) -> Any:
        asset = sources.add_pandas(SOURCE).add_dataframe_asset(ASSET)
        return asset.add_batch_definition_whole_dataframe(ASSET)

    kept = [i for i in range(len(suite.expectations)) if i not in held]
    part = Suite(suite.name, [suite.expectations[i] for i in kept], suite.path)
    # The columns the expectations run read (GX copies them all per expectation), but all the
    # suite's when one reports the column names it found.
    data = {
        "dataframe": _pandas(frame, checked_columns(suite if reads_column_names(part) else part))
    }
    token = ACCEPTED.set(accepted or {})
    try:
        result, positions = _run(part, batch, data, at_once=True)
    finally:
        ACCEPTED.reset(token)
    return result, [kept[i] for i in positions]


def _pandas(frame: pl.DataFrame, columns: set[str] | None) -> Any:
    """``frame`` for GX's pandas backend: only ``columns`` when given (GX filters the whole
    frame for each column it checks), Arrow-backed, but integers without nulls as NumPy
    ``int64`` arrays (GX compares those in one vectorized step, others value by value)."""
    if columns is not None:
        kept = [name for name in frame.columns if name in columns]
        frame = frame.select(kept or frame.columns[:1])
    data = frame.to_pandas(use_pyarrow_extension_array=True)
    for name, dtype in frame.schema.items():
        if dtype.is_integer() and dtype != pl.UInt64 and not frame[name].has_nulls():
            data[name] = frame[name].cast(pl.Int64).to_numpy()
    return data


def run_suite_on_table(url: str, schema: str, table: str, suite: Suite) -> tuple[Any, list[int]]:
    """Validate ``schema.table`` in the PostgreSQL database at ``url`` through GX's SQL
    datasource: every metric is a query there; only results come back (as
    :func:`run_suite`'s)."""
    sources: list[Any] = []

    def batch(data_sources: Any) -> Any:
        source = data_sources.add_postgres(SOURCE, connection_string=url)
        sources.append(source)
        asset = source.add_table_asset(ASSET, table_name=table, schema_name=schema)
        return asset.add_batch_definition_whole_table(ASSET)

    try:
        return _run(suite, batch, None)
    finally:  # no pooled connection may outlive the run (it would hold a lock on the table)
        for source in sources:
            source.get_execution_engine().engine.dispose()


def _run(
    suite: Suite, batch_of: BatchOf, parameters: dict[str, Any] | None, *, at_once: bool = False
) -> tuple[Any, list[int]]:
    """The whole suite in one pass listing the failing values (``at_once``: in memory, where
    that pass costs about what a cheap pass and a detailed one of the failed expectations do);
    else (in a database, where listing failing values is a scan of the table per expectation)
    one cheap pass, then, if some expectations failed (errors or warnings), a second pass of
    those alone listing their failing values, whose detailed outcomes replace the cheap ones in
    the first pass's result. Returns GX's result and the position in ``suite`` of each of its
    outcomes."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    import crmclean.validate.custom  # noqa: F401  (registers crmclean's expectations)

    # GX fingerprints every in-memory batch (a hash of all its rows: seconds at 1M) for a
    # marker crmclean never reads; frames this size would skip it anyway past 1 GB.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(project_config=_config(), mode="ephemeral")
    batch = batch_of(context.data_sources).get_batch(batch_parameters=parameters)
    result, order = _validate(context, batch, suite, DETAILED if at_once else "BOOLEAN_ONLY")
    positions = [order[o.expectation_config.id] for o in result.results]
    failed = sorted(order[o.expectation_config.id] for o in result.results if not o.success)
    if at_once or not failed:
        return result, positions
    retry = Suite(f"{suite.name}.failed", [suite.expectations[i] for i in failed], suite.path)
    detailed, retry_order = _validate(context, batch, retry, DETAILED)
    by_index = {failed[retry_order[o.expectation_config.id]]: o for o in detailed.results}
    result.results = [by_index.get(order[o.expectation_config.id], o) for o in result.results]
    return result, positions


def _validate(
    context: Any, batch: Any, suite: Suite, result_format: Any
) -> tuple[Any, dict[str, int]]:
    """``suite`` over ``batch`` (not kept in GX's result store: serializing long lists of
    failing values there cost seconds), and the position in the suite of each expectation by
    GX's id (GX may list outcomes in another order)."""
    import great_expectations as gx

    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=_build(suite)))
    order = {expectation.id: index for index, expectation in enumerate(gx_suite.expectations)}
    return batch.validate(gx_suite, result_format=result_format), order


def _config() -> Any:
    """In memory only (no temporary docs site), no progress bars, no analytics."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )


def _build(suite: Suite) -> list[Any]:
    """GX expectation objects; every unknown type or bad argument is reported at once.

    (``ExpectationSuite`` itself would log and drop an invalid expectation: the gate must not
    silently run fewer checks than the file lists.)
    """
    from great_expectations.exceptions import GreatExpectationsError
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    built, problems = [], []
    for index, item in enumerate(suite.expectations):
        try:
            built.append(ExpectationConfiguration(**item).to_domain_obj())
        except (TypeError, ValueError, GreatExpectationsError) as exc:
            message = " ".join(str(exc).split())
            problems.append(f"expectations.{index} ({item['type']}): {message}")
    if problems:
        raise UserError("; ".join(problems), file=str(suite.path))
    return built
