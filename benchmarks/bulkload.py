"""Loading millions of generated rows into PostgreSQL quickly, for the scale benchmarks."""

from contextlib import contextmanager


@contextmanager
def bulk_load(table: str):
    """Load a table without its indexes and constraints, then restore the very same ones.

    Row-by-row index upkeep and per-row foreign-key checks make up most of the cost of loading
    millions of rows; building an index by sorting, and checking a foreign key with one join,
    are many times faster. The primary key stays."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds: binary timestamps count from there


def copy_binary(np, table: str, columns: list[tuple[str, str, object]], n: int, chunk: int = 1_000_000) -> None:
    """COPY n rows in PostgreSQL's binary format, built by numpy: no Python loop per row.

    `columns` are (name, type, values): type "int8", "int2", or "timestamptz" (values in Unix
    seconds) with an array of n values, or "text" with one bytes value for every row."""
    from django.db import connection

    layout = [("fields", ">i2")]
    for name, kind, value in columns:
        size = {"int8": ">i8", "int2": ">i2", "timestamptz": ">i8"}.get(kind) or f"S{len(value)}"
        layout += [(f"{name}_len", ">i4"), (name, size)]
    names = ", ".join(name for name, _, _ in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(b"PGCOPY\n\xff\r\n\x00" + bytes(8))
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            rows = np.empty(stop - start, dtype=np.dtype(layout))
            rows["fields"] = len(columns)
            for name, kind, value in columns:
                rows[f"{name}_len"] = rows.dtype[name].itemsize
                if kind == "timestamptz":
                    rows[name] = (value[start:stop] - PG_EPOCH) * 1_000_000
                elif kind == "text":
                    rows[name] = value
                else:
                    rows[name] = value[start:stop]
            copy.write(rows.tobytes())
        copy.write(b"\xff\xff")


def copy_lines(table: str, columns: str, lines) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for chunk in lines:
            copy.write(chunk)
