"""Matching companies: the contacts' engine (keys, blocking, Fellegi-Sunter scores with term
frequencies, EM, clusters with chains cut) with ``rules/match_company.yaml``.

    normalized companies -> find_matches -> branch families guarded -> clusters (company_id)
        -> golden companies -> parents (CNPJ root)
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from crmclean.batch import GOLDEN_ID
from crmclean.companies.branches import guard_families
from crmclean.companies.config import load_company_config
from crmclean.companies.fields import COMPANY_ID, to_batch_lineage
from crmclean.companies.golden import golden_companies
from crmclean.companies.parents import parent_links
from crmclean.dedupe import find_matches
from crmclean.dedupe.cluster import assign_golden_ids
from crmclean.dedupe.config import MatchConfig
from crmclean.dedupe.decisions import DECISION, cannot_link
from crmclean.dedupe.keys import RECORD
from crmclean.dedupe.review import explain_table, why
from crmclean.rules import Rules

# Columns the contact keys the company rules reuse read (phone_tails); empty when missing.
_READ: dict[str, pl.DataType] = {"mobile": pl.String(), "phone_alt": pl.List(pl.String())}


@dataclass(frozen=True)
class CompanyMatches:
    """What matching companies gives.

    - ``frame``: the input rows, each with its ``company_id`` (the golden company; the same
      stable generation as contacts' golden ids: the cluster's smallest lineage);
    - ``golden``: one row per golden company (:mod:`crmclean.companies.golden`);
    - ``pairs``: every scored candidate pair (``left, right`` row indices of ``frame``,
      ``sim_<comparison>``, ``w_<comparison>``, ``probability``, ``match``, ``review``,
      ``veto``, ``why``);
    - ``parents``: branch -> head office links from the CNPJ root
      (:mod:`crmclean.companies.parents`);
    - ``config``: the rules it ran with.
    """

    frame: pl.DataFrame
    golden: pl.DataFrame
    pairs: pl.DataFrame
    parents: pl.DataFrame
    config: MatchConfig

    def explain(self) -> pl.DataFrame:
        """Every pair with both records' lineage, probability, outcome, each comparison's
        weight and why (as ``dedupe explain`` gives it for contacts)."""
        frame = to_batch_lineage(self.frame)
        return explain_table(self.pairs, frame, self.config)

    def review(self) -> pl.DataFrame:
        """The review band, most likely first, both records' names, domains and places."""
        band = self.pairs.filter("review").sort("probability", descending=True)
        frame = to_batch_lineage(self.frame)
        shown = ("name", "domain", "cnpj", "phone", "street", "postal_code", "city")
        sides = [
            frame[field].gather(band[side]).alias(f"{field}_{letter}")
            for field in shown
            for side, letter in (("left", "a"), ("right", "b"))
        ]
        return explain_table(band, frame, self.config).select(
            pl.exclude("^w_.*$", "match", "review", "match_weight"), *sides
        )


def _prepared(frame: pl.DataFrame) -> pl.DataFrame:
    work = to_batch_lineage(frame)
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in _READ.items() if c not in work.columns]
    return work.with_columns(missing).with_row_index(RECORD)


def dedupe_companies(
    frame: pl.DataFrame, rules: Rules, threshold: float | None = None
) -> CompanyMatches:
    """Match normalized companies (:func:`crmclean.companies.normalize_companies`); a
    ``threshold`` overrides the rules' ``auto_merge_threshold``."""
    config = load_company_config(rules, threshold)
    work = _prepared(frame)
    scored, _ = find_matches(work, config)
    scored = guard_families(scored, work)
    scored = scored.with_columns(pl.lit(None, dtype=pl.String).alias(DECISION))
    clustered = assign_golden_ids(work, scored.filter("match"), cannot_link(scored, config))
    clustered = clustered.rename({GOLDEN_ID: COMPANY_ID})
    golden = golden_companies(clustered, config.survivorship)
    result = frame.with_columns(clustered[COMPANY_ID])
    return CompanyMatches(
        frame=result,
        golden=golden,
        pairs=scored.with_columns(why(config)),
        parents=parent_links(golden),
        config=config,
    )
