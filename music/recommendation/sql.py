"""Where PostgreSQL and SQLite differ for the recommender: the one module that asks which database
it runs on. music.recommendation.queries writes each read once; the few things the two dialects
spell differently are the fragments below, one per dialect, each with the same meaning (the same
rows, in the same order), so the SQLite pass tests the recommender production runs.
music/tests/test_both_databases.py runs one scenario on both and compares the lists."""

import json
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import psycopg
from django.db import connection


@dataclass(frozen=True)
class Dialect:
    weight: str  # one emotion's tag weight of {alias}emotions, as a float (NULL when untagged)
    age: str  # seconds from {column} to now (this statement's time, even inside a transaction)
    floor: str  # the integer part of {value}, which is never negative
    in_list: str  # {column} is one of the values of one list parameter (see values())
    rows_of_list: str  # the values of one list parameter as a one-column table
    # Each row of the CTE {groups} with at most %s rows of {table} (alias r) matched on {key}: the
    # first by {order} among those meeting {where}. Columns: those of {groups}, then {column}.
    per_group: str
    values: Callable[[list], object]  # a Python list as the parameter in_list and rows_of_list read
    prepares: bool  # run the reads as prepared statements (see rows())


POSTGRESQL = Dialect(
    # The same expression as the per-emotion indexes (music.catalog.models.emotion_weight).
    weight="CAST({alias}emotions ->> '{name}' AS double precision)",
    age="CAST(EXTRACT(EPOCH FROM (statement_timestamp() - {column})) AS double precision)",
    floor="CAST(FLOOR({value}) AS bigint)",
    # One array parameter, so the text of a prepared statement does not change with the list's length.
    in_list="{column} = ANY(%s)",
    rows_of_list="SELECT unnest(CAST(%s AS bigint[]))",
    # LATERAL: one index range scan per group, stopped after %s rows, however many rows the group has.
    per_group=(
        "SELECT g.*, x.{column} FROM {groups} g CROSS JOIN LATERAL ("
        "SELECT r.{column} FROM {table} r WHERE r.{key} = g.{key} AND {where} ORDER BY {order} LIMIT %s) x"
    ),
    values=list,
    prepares=True,
)
SQLITE = Dialect(
    weight="CAST(JSON_EXTRACT({alias}emotions, '$.{name}') AS REAL)",
    age="(julianday('now') - julianday({column})) * 86400.0",
    floor="CAST({value} AS INTEGER)",  # CAST truncates towards zero: the floor of a non-negative value
    in_list="{column} IN (SELECT value FROM json_each(%s))",
    rows_of_list="SELECT value FROM json_each(%s)",
    # No LATERAL in SQLite: number each group's rows (window functions, SQLite 3.25) and keep the first %s.
    per_group=(
        "SELECT g.*, x.{column} FROM {groups} g JOIN (SELECT r.{key}, r.{column}, ROW_NUMBER() OVER (PARTITION BY "
        "r.{key} ORDER BY {order}) AS nth FROM {table} r WHERE r.{key} IN (SELECT {key} FROM {groups}) AND {where}) x "
        "ON x.{key} = g.{key} AND x.nth <= %s"
    ),
    values=json.dumps,
    prepares=False,
)
DIALECTS = {"postgresql": POSTGRESQL, "sqlite": SQLITE}


def dialect() -> Dialect:
    return DIALECTS[connection.vendor]


def values(items: list) -> object:
    """A list as one query parameter, for in_list and rows_of_list."""
    return dialect().values(list(items))


def rows(sql: str, params: list) -> list[tuple]:
    """Run one of the recommender's reads; rows are named tuples (row.song_id), never read by position.

    On PostgreSQL it is a prepared statement: planning these unions of a dozen index scans over a
    table with twenty indexes costs more than running them (measured: 9 ms planning against 6 ms
    execution), and a prepared statement is planned once per connection. Django's cursor binds
    values on the client and cannot prepare, hence psycopg's own; settings.py asks for generic plans."""
    if not dialect().prepares:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return _named(cursor)
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True, binary=True)
        return _named(cursor)


def _named(cursor) -> list[tuple]:
    row = _row_type(tuple(column[0] for column in cursor.description))
    return list(map(row._make, cursor.fetchall()))


@cache
def _row_type(columns: tuple[str, ...]) -> type:
    return namedtuple("Row", columns)
