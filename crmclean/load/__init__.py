"""The load stage: plan a batch against the target, then apply the plan in one transaction.

The names below load their module (and SQLAlchemy) when first asked for (PEP 562): a run
that never reaches the load (``crmclean dedupe``) imports none of it, though it reads
:class:`~crmclean.load.run.RunInfo` and a few constants from modules of this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crmclean.load.apply import load
    from crmclean.load.plan import LoadPlan, plan_load
    from crmclean.load.run import LoadResult, RunInfo

__all__ = ["LoadPlan", "LoadResult", "RunInfo", "load", "plan_load"]

_HOMES = {
    "LoadPlan": "plan",
    "plan_load": "plan",
    "LoadResult": "run",
    "RunInfo": "run",
    "load": "apply",
}


def __getattr__(name: str) -> Any:
    """``name`` of ``__all__``, from its module (imported now, the first time)."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
