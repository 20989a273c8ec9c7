"""Shared fixtures. Database fixtures fail (never skip) when their server is unreachable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from crmclean.rules import Rules

DATA = Path(__file__).parent / "data"

# No deadline on any property test: a deadline is a wall-clock limit, and on a loaded machine
# (CI beside other jobs) a normal example can take past hypothesis' 200 ms default. Speed is
# measured in bench/, never asserted in tests.
settings.register_profile("crmclean", deadline=None)
settings.load_profile("crmclean")

POSTGRES_URL = os.environ.get(
    "CRMCLEAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("CRMCLEAN_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The bundled rule set."""
    return Rules()


def _reachable(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        pytest.fail(f"database server not reachable at {engine.url!r}: {exc}", pytrace=False)
    return engine


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server; dropped afterwards."""
    engine = _reachable(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    base = engine.url.render_as_string(hide_password=False)
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    engine.dispose()


@pytest.fixture()
def mariadb_url() -> Iterator[str]:
    """A fresh database on the real MariaDB server; dropped afterwards."""
    engine = _reachable(MARIADB_URL)
    name = f"t_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"create database `{name}` character set utf8mb4"))
    yield engine.url.set(database=name).render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(sa.text(f"drop database `{name}`"))
    engine.dispose()
