"""Load a CRM's DDL and rows into a real database and hand back a SELECT-only user's URL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

SQL = Path(__file__).parent / "sql"


def statements(script: str) -> list[str]:
    """The statements of a ``tests/sql`` script (one per ``;`` at a line end), comments dropped."""
    text = "\n".join(
        line
        for line in (SQL / script).read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("--")
    )
    return [part.strip() for part in text.split(";\n") if part.strip().rstrip(";")]


def load_script(url: str, script: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements(script):
            conn.exec_driver_sql(statement.rstrip(";"))
    engine.dispose()


def mariadb_reader(url: str) -> tuple[str, str]:
    """A new MariaDB user with SELECT on the URL's database only: (its URL, its name)."""
    admin = sa.make_url(url)
    user, password = f"r_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    engine = sa.create_engine(admin)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"))
        conn.execute(sa.text(f"GRANT SELECT ON `{admin.database}`.* TO '{user}'@'%'"))
    engine.dispose()
    reader = admin.set(username=user, password=password)
    return reader.render_as_string(hide_password=False), user


def drop_mariadb_user(url: str, user: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
    engine.dispose()


def postgres_reader(url: str) -> tuple[str, str]:
    """A new PostgreSQL login role with SELECT on the URL's schema only: (its URL, its name)."""
    admin = sa.make_url(url)
    schema = admin.query["options"].split("search_path=")[1]
    role = f"r_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        conn.exec_driver_sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    engine.dispose()
    return admin.set(username=role).render_as_string(hide_password=False), role


def drop_postgres_role(url: str, role: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE "{role}"')
    engine.dispose()


@contextmanager
def crm_database(mariadb_url: str, script: str) -> Iterator[str]:
    """A CRM's tables and rows from ``tests/sql/<script>``, read through a SELECT-only user."""
    load_script(mariadb_url, script)
    reader, user = mariadb_reader(mariadb_url)
    try:
        yield reader
    finally:
        drop_mariadb_user(mariadb_url, user)


def read_rows(url: str, connector: str, rules) -> tuple[dict[str, dict], dict]:
    """The records a sql connector reads, by source id, and the read stats."""
    from crmclean.sources import SourceSpec, read_all

    batch = read_all([SourceSpec(url=url, connector=connector)], rules)
    return {r["_source_id"]: r for r in batch.frame.iter_rows(named=True)}, batch.stats


def check_linked(url: str, contacts: str, accounts: str, mapping: Path | None, rules) -> None:
    """One database read by its contact and its account connector: every account is a company
    record and never a contact, the mapped CNPJ reaches ``cnpj``, and contacts link to the
    accounts' golden companies."""
    from crmclean import pipeline
    from crmclean.sources import SourceSpec

    specs = [
        SourceSpec(url=url, connector=contacts),
        SourceSpec(url=url, connector=accounts, mapping=mapping),
    ]
    result = pipeline.run(specs, rules, stop_before="validate")
    companies = result.companies
    assert companies is not None and companies.links is not None
    records = companies.batch.frame
    assert set(records["_source"]) == {accounts}
    assert records["cnpj"].drop_nulls().len() == 1
    assert not (result.batch.frame["_source"] == accounts).any()
    links = companies.links.contacts
    linked = links.filter(links["company_id"].is_not_null())
    assert set(linked["company_id"]) & set(records["company_id"])
