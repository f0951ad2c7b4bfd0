"""CPU used by the processes of a running stack, read from /proc (benchmarks/pipeline_load.py)."""

import os
from pathlib import Path


def cpu_seconds(groups: dict[str, int], database: str) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each process group (web, worker), by PostgreSQL's backends serving
    `database` and by Redis, per process id, from /proc. Per pid, so that a process of someone else's
    ending on a shared machine cannot make a figure negative, and only our database's backends.
    Backends that ended meanwhile (a connection closed) are counted through the postmaster, which
    reaps them: its children's CPU, under its pid negated (every database's, but only ours is busy)."""
    totals: dict[str, dict[int, float]] = {name: {} for name in [*groups, "postgres", "redis"]}
    by_group = {pgid: name for name, pgid in groups.items()}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            comm, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            name = by_group.get(int(fields[2]))
            if name is None and comm.startswith("postgres"):
                title = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                name = "postgres" if f" {database} " in title else None
                if not title.startswith("postgres:"):
                    # The postmaster (its children set their titles to "postgres: ..."): the ended backends.
                    totals["postgres"][-int(stat.parent.name)] = (int(fields[13]) + int(fields[14])) / tick
            name = name or ("redis" if comm.startswith("redis-server") else None)
        except OSError:
            continue  # the process ended meanwhile
        if name:
            totals[name][int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return totals


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Seconds each kind used between the two readings (a process started since counts from zero)."""
    return {
        name: sum(max(0.0, s - before[name].get(pid, 0.0)) for pid, s in pids.items()) for name, pids in after.items()
    }
