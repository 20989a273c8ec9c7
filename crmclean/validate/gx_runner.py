"""Run a suite with Great Expectations 1.x over a polars frame.

The only module that imports ``great_expectations`` (and :mod:`crmclean.validate.custom`), and
only inside :func:`run_suite`: the import costs about four seconds, which a run that stops
before the gate should not pay.
"""

from __future__ import annotations

import os
from typing import Any

import polars as pl

from crmclean.errors import UserError
from crmclean.validate.result import MAX_EXAMPLES
from crmclean.validate.suite import Suite

# Failing values only: asking GX for ``unexpected_index_column_names`` builds a dict per failing
# row, 8x slower at 100k bad rows (minutes at 1M); the result maps values back to golden ids.
DETAILED = {"result_format": "COMPLETE", "partial_unexpected_count": MAX_EXAMPLES}


def run_suite(frame: pl.DataFrame, suite: Suite) -> Any:
    """Validate ``frame``: a cheap pass first, a second one listing failing values if needed.

    Returns GX's ``ExpectationSuiteValidationResult``.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    import crmclean.validate.custom  # noqa: F401  (registers crmclean's expectations)

    context = gx.get_context(project_config=_config(), mode="ephemeral")
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=_build(suite)))
    batch = (
        context.data_sources.add_pandas("crmclean")
        .add_dataframe_asset("golden")
        .add_batch_definition_whole_dataframe("golden")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    data = {"dataframe": frame.to_pandas(use_pyarrow_extension_array=True)}
    result = definition.run(batch_parameters=data, result_format="BOOLEAN_ONLY")
    if result.success:
        return result
    return definition.run(batch_parameters=data, result_format=DETAILED)


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
