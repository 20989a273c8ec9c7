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
