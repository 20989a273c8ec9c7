"""Golden records in a CRM's import template (HubSpot, Salesforce Data Loader, plain CSV).

Every text cell that a spreadsheet would run as a formula (one starting ``=``, ``+``, ``-``,
``@``, tab or carriage return, or their full-width forms) is prefixed with ``'`` by the one CSV
writer (:mod:`crmclean.write`); an E.164 phone number (``+5511...``) is a number, not a
formula, and is left as it is so CRMs still read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from crmclean.errors import UserError
from crmclean.model import format_validation_error, load_yaml
from crmclean.write import write_csv

TEMPLATES = Path(__file__).with_name("templates.yaml")
Format = Literal["hubspot", "salesforce", "csv"]


class Template(BaseModel):
    """Import columns -> ``contacts`` columns (``all``: every column as stored)."""

    model_config = ConfigDict(extra="forbid")
    bom: bool
    columns: dict[str, str] | Literal["all"]


def load_template(name: str) -> Template:
    """One template of ``templates.yaml``."""
    templates = load_yaml(TEMPLATES)
    if not isinstance(templates, dict) or name not in templates:
        raise UserError(f"no export template {name!r}", file=str(TEMPLATES))
    try:
        return Template.model_validate(templates[name])
    except ValidationError as exc:
        raise UserError(format_validation_error(exc), file=str(TEMPLATES)) from None


def shape(golden: pl.DataFrame, template: Template) -> pl.DataFrame:
    """``golden`` (rows of ``contacts``) in the template's columns, every cell as text."""
    if template.columns == "all":
        frame = golden.select(pl.all().cast(pl.String))
    else:
        missing = sorted(set(template.columns.values()) - set(golden.columns))
        if missing:
            raise UserError(f"the target's contacts table has no columns {missing}")
        frame = golden.select(
            pl.col(c).cast(pl.String).alias(h) for h, c in template.columns.items()
        )
    return frame


WRITTEN = (".csv",)  # import templates are CSV files


def check_out(out: Path) -> None:
    """Refuse a file name whose extension promises another format (``.xlsx`` would get CSV)."""
    if out.suffix.lower() not in WRITTEN:
        raise UserError(
            f"expected a .csv file name (import templates are CSV), got '{out.suffix or out.name}'",
            file=str(out),
        )


def export_frame(golden: pl.DataFrame, to: Format, out: Path) -> int:
    """Write ``golden`` to ``out`` in the ``to`` template; returns the rows written."""
    template = load_template(to)
    frame = shape(golden.sort("golden_id"), template)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(frame, out, bom=template.bom)
    return frame.height
