"""Speed of the read-only, batched SQL read (crmclean.read.sql) on the real servers.

Fills a throw-away table with N synthetic contacts server-side, reads it back through
``read_sql`` (server-side cursor, 10,000 rows a batch) and prints rows per second.

    flock /tmp/crmclean-bench.lock .venv/bin/python bench/read_sql.py --rows 200000
"""

from __future__ import annotations

import argparse
import time
import uuid

import sqlalchemy as sa

from crmclean.read.sql import read_sql, table_query

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/test"
FILL = {
    "postgresql": "INSERT INTO {t} SELECT g, 'Pessoa ' || g, 'p' || g || '@ex.com.br', "
    "'(11) 9' || lpad(g::text, 8, '0'), now() FROM generate_series(1, {n}) g",
    "mysql": "INSERT INTO {t} SELECT seq, CONCAT('Pessoa ', seq), CONCAT('p', seq, '@ex.com.br'), "
    "CONCAT('(11) 9', LPAD(seq, 8, '0')), NOW() FROM seq_1_to_{n}",
}


def bench(url: str, rows: int) -> None:
    engine = sa.create_engine(url)
    table = f"bench_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE {table} (id integer PRIMARY KEY, nome varchar(80), "
            "email varchar(120), telefone varchar(40), criado_em timestamp)"
        )
        conn.exec_driver_sql(FILL[engine.dialect.name].format(t=table, n=rows))
    try:
        start = time.perf_counter()
        read = read_sql(url, table_query(table), name=table)
        seconds = time.perf_counter() - start
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {table}")
        engine.dispose()
    height = read.frame.height
    rate = height / seconds
    print(f"{engine.dialect.name:<10} {height:>9,} rows  {seconds:6.2f} s  {rate:>9,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    for url in (POSTGRES, MARIADB):
        bench(url, args.rows)


if __name__ == "__main__":
    main()
