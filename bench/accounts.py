"""Companies and contacts in one run: contact-company link precision and the time it costs.

A generated B2B case, built apart from the demo generator: ``--companies`` golden companies
(pseudo-word names, Brazilian legal forms written several ways, a valid CNPJ each, branches
sharing a head office's CNPJ root, a website for 80%, some groups sharing one domain), written
as an accounts export where ~30% of companies appear twice (legal-form, case and website
variants); and ``--contacts`` people from ``bench/neutral.py`` (seeded, ~13% duplicates), each
person given one true company or none: a work address at its domain (45%), the company name
typed (with variants) beside a free-mail address (25%), the company's CNPJ (5%), nothing
about a company (25%); everyone without a work address has a free-mail one (80%) or none.
Then ``pipeline.run`` to the gate (read .. dedupe, segments, companies), once with the
accounts file, once with the contacts only (companies created from them) and, with
``--modes none``, once with the company stage switched off, each in a process of its own.
``--data DIR`` keeps the generated files for the next call, so each run can take the bench
lock on its own. Prints link precision and recall against the truth (a link is right when
the golden company's records, or the contacts it was created from, are mostly of the
contact's company;
``precision_head_office`` also counts a link to the company's head office or a branch of it
right, since a branch has its head office's name), and the seconds of each run and of its
companies stage. Heavy at full size::

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accounts.py --contacts 1000000 \
        --companies 100000 --data /tmp/b2b-1m --modes with
    flock /tmp/crmclean-bench.lock .venv/bin/python bench/accounts.py --data /tmp/b2b-1m \
        --modes none
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

SYLLABLES = [c + v for c in "bcdfglmnprstvz" for v in "aeiou"]
WORDS = ("Comercial", "Industria", "Servicos", "Tecnologia", "Alimentos", "Transportes", "Group",
         "Consultoria", "Engenharia", "Distribuidora", "Solucoes", "Logistica")  # fmt: skip
FORMS = (("Ltda", "Ltda.", "LTDA", "ltda"), ("S/A", "S.A.", "SA"), ("ME", "M.E."),
         ("EIRELI", "Eireli"), ("EPP",))  # fmt: skip
MODES = {"with": "with the accounts file", "without": "without the accounts file",
         "none": "contacts only, no company stage"}  # fmt: skip
FREE = ("gmail.com", "hotmail.com", "yahoo.com.br", "outlook.com", "uol.com.br", "bol.com.br")


def _word(rng: np.random.Generator, n: int) -> np.ndarray:
    parts = [rng.choice(SYLLABLES, n) for _ in range(3)]
    return np.char.capitalize(np.char.add(np.char.add(parts[0], parts[1]), parts[2]))


def _cnpj(roots: np.ndarray, branch: np.ndarray) -> list[str]:
    """Valid CNPJs (check digits) from 8-digit roots and 4-digit establishment numbers."""
    base = np.array([list(f"{r:08d}{b:04d}") for r, b in zip(roots, branch, strict=True)], int)
    weights1 = np.array([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    d1 = base @ weights1 % 11
    d1 = np.where(d1 < 2, 0, 11 - d1)
    full = np.column_stack([base, d1])
    d2 = full @ np.array([6, *weights1]) % 11
    d2 = np.where(d2 < 2, 0, 11 - d2)
    digits = np.column_stack([full, d2]).astype(str)
    return ["".join(row) for row in digits]


def companies(n: int, rng: np.random.Generator) -> pl.DataFrame:
    """The true companies: ``true_company, name, form, domain, cnpj`` (10% are branches)."""
    names = np.char.add(np.char.add(_word(rng, n), " "), _word(rng, n))
    activity = rng.random(n) < 0.4
    names = np.where(activity, np.char.add(np.char.add(names, " "), rng.choice(WORDS, n)), names)
    form = rng.integers(0, len(FORMS), n)
    branch_of = np.where(rng.random(n) < 0.1, rng.integers(0, n, n), -1)
    roots = rng.choice(99_999_999, n, replace=False)
    head = np.where(branch_of >= 0, branch_of, np.arange(n))
    establishment = np.where(branch_of >= 0, rng.integers(2, 60, n), 1)
    names = np.where(branch_of >= 0, names[head], names)  # a branch has its head's name
    slug = np.char.lower(np.char.replace(names, " ", ""))
    domain = np.char.add(slug, ".com.br")
    domain = np.where(branch_of >= 0, domain[head], domain)  # ... and its website
    group = rng.random(n) < 0.03  # groups sharing one domain
    domain = np.where(group, domain[rng.integers(0, n, n)], domain)
    has_site = rng.random(n) < 0.8
    return pl.DataFrame(
        {
            "true_company": np.arange(n),
            "head": head,
            "name": names,
            "form": form,
            "domain": np.where(has_site, domain, None),
            "cnpj": _cnpj(roots[head], establishment),
        }
    )


def _legal(names: pl.Expr, form: pl.Expr, variant: pl.Expr) -> pl.Expr:
    options = [pl.lit(list(f)) for f in FORMS]
    forms = pl.coalesce(*(pl.when(form == i).then(o) for i, o in enumerate(options)))
    return pl.concat_str(names, forms.list.get(variant % forms.list.len()), separator=" ")


def accounts(truth: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The accounts export: every company once, 30% twice with variants."""
    twice = truth.filter(pl.Series(rng.random(truth.height) < 0.3))
    rows = pl.concat([truth.with_columns(pl.lit(0).alias("copy")),
                      twice.with_columns(pl.lit(1).alias("copy"))])  # fmt: skip
    variant = pl.Series(rng.integers(0, 4, rows.height))
    name = _legal(pl.col("name"), pl.col("form"), pl.lit(variant))
    name = pl.when((pl.col("copy") == 1) & (pl.lit(variant) == 2)).then(name.str.to_uppercase())
    site = pl.when(pl.lit(variant) % 2 == 0).then("www." + pl.col("domain"))
    return rows.with_row_index("Id").select(
        pl.format("ACC{}", "Id").alias("Id"),
        "true_company",
        name.otherwise(_legal(pl.col("name"), pl.col("form"), pl.lit(variant))).alias(
            "Razão social"
        ),
        pl.when(pl.col("copy") == 0).then("cnpj").alias("CNPJ"),
        pl.coalesce(site, "https://" + pl.col("domain")).alias("Website"),
    )


def people(contacts: pl.DataFrame, truth: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Contacts with a true company per person and the evidence the scenario gives."""
    entities = contacts.select(pl.col("entity_id").unique().sort())
    n = entities.height
    zipf = np.minimum(rng.zipf(1.3, n) - 1, truth.height - 1)
    company = np.where(rng.random(n) < 0.5, rng.integers(0, truth.height, n), zipf)
    kind = rng.choice(4, n, p=(0.45, 0.25, 0.05, 0.25))
    per_person = entities.with_columns(
        pl.Series("true_company", company), pl.Series("kind", kind)
    ).join(truth, on="true_company")
    records = contacts.join(per_person, on="entity_id", how="left")
    variant = pl.Series(rng.integers(0, 4, records.height))
    local = pl.concat_str(
        pl.col("first_name", "last_name").str.to_lowercase().str.replace_all(r"[^a-z]", ""),
        pl.col("entity_id") % 97,
        separator=".",
    )
    work = pl.col("kind") == 0
    work = work & pl.col("domain").is_not_null()
    free = pl.lit(pl.Series(rng.choice(FREE, records.height)))
    email = pl.when(work).then(local + "@" + pl.col("domain"))
    email = email.when(pl.lit(pl.Series(rng.random(records.height) < 0.8))).then(local + "@" + free)
    typed = _legal(pl.col("name"), pl.col("form"), pl.lit(variant))
    typed = pl.when(pl.lit(variant) == 3).then(pl.col("name").str.to_uppercase()).otherwise(typed)
    return records.with_columns(
        email.alias("email"),
        pl.when(pl.col("kind") == 1).then(typed).alias("company"),
        pl.when(pl.col("kind") == 2).then(pl.col("cnpj")).alias("tax_id"),
        pl.when(pl.col("kind") == 3).then(None).otherwise("true_company").alias("true_company"),
    ).select(
        pl.col("unique_id").alias("Código"),
        "entity_id",
        "true_company",
        pl.col("first_name").alias("Nome"),
        pl.col("last_name").alias("Sobrenome"),
        pl.col("email").alias("Email"),
        pl.col("phone").alias("Telefone"),
        pl.col("company").alias("Empresa"),
        pl.col("tax_id").alias("CPF/CNPJ"),
        pl.col("city").alias("Cidade"),
    )


def build(folder: Path, contacts_n: int, companies_n: int, seed: int) -> None:
    """Write ``contatos.csv``, ``empresas.csv`` and their truth files to ``folder``."""
    from neutral import contacts

    rng = np.random.default_rng(seed)
    truth = companies(companies_n, rng)
    firms = accounts(truth, rng)
    persons = people(contacts(contacts_n, seed), truth, rng)
    firms.drop("true_company").write_csv(folder / "empresas.csv")
    firms.select("Id", "true_company").write_csv(folder / "empresas_truth.csv")
    persons.drop("entity_id", "true_company").write_csv(folder / "contatos.csv")
    persons.select("Código", "true_company").write_csv(folder / "contatos_truth.csv")
    truth.select("true_company", "head").write_csv(folder / "heads.csv")


def child(folder: str, mode: str) -> None:
    """One run to the gate in this process; prints times and, with companies, the links.

    ``mode``: ``with`` the accounts file, ``without`` it (companies only from contacts),
    ``none`` the contacts alone with the company stage switched off (the contacts-only time).
    """
    from crmclean import pipeline
    from crmclean.rules import Rules
    from crmclean.sources import SourceSpec

    root = Path(folder)
    specs = [SourceSpec(root / "contatos.csv", name="contatos")]
    if mode == "with":
        specs.append(SourceSpec(root / "empresas.csv", name="empresas"))
    company_seconds = [0.0, 0.0]
    staged = pipeline.with_companies

    def timed(batch, rules):  # the company stage's own time (it runs inside dedupe)
        started, cpu = time.perf_counter(), time.process_time()
        out = batch if mode == "none" else staged(batch, rules)
        company_seconds[0] += time.perf_counter() - started
        company_seconds[1] += time.process_time() - cpu
        return out

    pipeline.with_companies = timed
    cpu_started = time.process_time()  # CPU seconds: less swayed by a shared machine's load
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]
    progress = lambda stage: marks.append((stage, time.perf_counter()))  # noqa: E731
    result = pipeline.run(specs, Rules(), stop_before="validate", progress=progress)
    marks.append(("end", time.perf_counter()))
    stages = {a: round(t2 - t1, 1) for (a, t1), (_, t2) in pairwise(marks)}
    total = round(marks[-1][1] - marks[0][1], 1)
    out: dict[str, object] = {"seconds": total, "stages": stages,
                              "cpu_seconds": round(time.process_time() - cpu_started, 1),
                              "companies_stage": round(company_seconds[0], 1),
                              "companies_stage_cpu": round(company_seconds[1], 1)}  # fmt: skip
    if result.companies is not None and result.companies.links is not None:
        out["links"] = score(root, result)
        out["companies"] = result.companies.to_dict()
    print(json.dumps(out, default=int))


def score(root: Path, result) -> dict[str, float]:
    """Link precision and recall against the truth, over source contact records."""
    companies = result.companies
    crosswalk = result.crosswalk().select(pl.col("source_id").alias("Código"), "golden_id")
    truth = pl.read_csv(root / "contatos_truth.csv", schema_overrides={"Código": pl.String})
    links = companies.links.contacts.select("golden_id", "company_id")
    firms = pl.read_csv(root / "empresas_truth.csv", schema_overrides={"Id": pl.String})
    records = companies.batch.frame.select(pl.col("_source_id").alias("Id"), "company_id")
    owner_of_records = records.join(firms, on="Id").select("company_id", "true_company")
    contacts = truth.join(crosswalk, on="Código").join(links, on="golden_id", how="left")
    created = contacts.filter(pl.col("company_id").is_not_null()).select(
        "company_id", "true_company"
    )
    owners = (
        pl.concat([owner_of_records, created.drop_nulls()])
        .group_by("company_id")
        .agg(pl.col("true_company").mode().first().alias("owner"))
    )
    heads = pl.read_csv(root / "heads.csv")
    judged = (
        contacts.join(owners, on="company_id", how="left")
        .join(heads, on="true_company", how="left")
        .join(heads.rename({"true_company": "owner", "head": "owner_head"}), on="owner", how="left")
    )
    linked = judged.filter(pl.col("company_id").is_not_null())
    right = linked.filter(pl.col("owner") == pl.col("true_company")).height
    family = linked.filter(pl.col("owner_head") == pl.col("head")).height
    should = judged.filter(pl.col("true_company").is_not_null()).height
    return {
        "precision": round(right / max(linked.height, 1), 4),
        "precision_head_office": round(family / max(linked.height, 1), 4),
        "recall": round(right / max(should, 1), 4),
        "linked": linked.height,
        "with_a_true_company": should,
        "contacts": judged.height,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", type=Path, help="keep the generated files here (reused if there)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["with", "without"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1])
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data or Path(scratch)
        if not (folder / "contatos.csv").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            build(folder, args.contacts, args.companies, args.seed)
            print(f"generated {args.contacts:,} contacts, {args.companies:,} companies "
                  f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
        for mode in args.modes:
            command = [sys.executable, __file__, "--child", str(folder), mode]
            shown = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            print(f"{MODES[mode]}: {shown.strip()}")


if __name__ == "__main__":
    main()
