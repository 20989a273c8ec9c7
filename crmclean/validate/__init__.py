"""The validation gate: golden records must pass the expectation suite before they are loaded.

Importing this package does not import Great Expectations; running the gate does.
"""

from __future__ import annotations

from crmclean.batch import Batch
from crmclean.rules import Rules
from crmclean.validate.gx_runner import run_suite
from crmclean.validate.result import ExpectationFailure, GateResult, gate_result, render_text
from crmclean.validate.suite import load_suite

__all__ = ["ExpectationFailure", "GateResult", "render_text", "validate"]


def validate(batch: Batch, rules: Rules, *, suite: str = "contacts") -> GateResult:
    """Run ``rules/expectations/<suite>.json`` over ``batch.golden``.

    Expectations with ``"meta": {"severity": "warning"}`` are reported without failing the
    gate; an expectation that raised fails it, whatever its severity.
    """
    if batch.golden is None:
        raise ValueError("validate needs batch.golden: run dedupe first")
    spec = load_suite(rules.path(f"expectations/{suite}.json"))
    validation = run_suite(batch.golden, spec)
    return gate_result(validation, batch.golden, expected=len(spec.expectations))
