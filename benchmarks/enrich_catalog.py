#!/usr/bin/env python
"""`manage.py enrich_catalog` over the starter catalogue, against a local fake of the iTunes Search API.

    DATABASE_URL=postgres://... python benchmarks/enrich_catalog.py --json

Works in its own database, `<name of DATABASE_URL's database>_enrichbench`, created fresh on the
same server and dropped at the end (keep it with --keep). Loads the 167 starter songs, then
serves, from a fake of the iTunes Search API on 127.0.0.1 (music/tests/fake_itunes.py, the
documented response shape), a catalogue built from them: most songs exactly, with a live
version and a remaster beside some; a few under another title (unmatched); a few in two
recordings of lengths far from each other and from the one we know (ambiguous). Each answer
waits `--latency-ms` (default 150, about a real round trip to Apple's servers) so the figure is
not only our own work.

Runs the command three times and times each: the whole catalogue (rate limit off), the same run
again (resumed: every song was looked up, nothing is asked), and a --dry-run --refresh (every
song asked again, nothing written). Prints JSON: songs, requests, matched, unmatched, ambiguous,
`whole_run_s`, `per_song_ms` (wall), `cpu_per_song_ms` (this process: matching, writing,
Django), `resume_run_s`, `dry_run_refresh_s`, and `paced_run_s`: the time the whole run takes at
the default pace of 20 requests a minute that Apple asks for, which is what a real run costs.
"""

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

from benchdb import NotPostgres, log, scratch_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve_catalogue(fake, songs, rng: random.Random) -> dict:
    counts = {"exact": 0, "renamed": 0, "two_lengths": 0}
    for song in songs:
        seconds = song.duration or rng.randint(150, 330)
        roll = rng.random()
        if roll < 0.06:
            fake.add(song.artist, f"{song.title} Reimagined", seconds=seconds)  # not this song
            counts["renamed"] += 1
            continue
        if roll < 0.10:
            # Two recordings, neither near the length we know (or far apart when we know none).
            shift = 40 if song.duration else 0
            fake.add(song.artist, song.title, seconds=seconds + shift)
            fake.add(song.artist, song.title, seconds=seconds + shift + 60, collectionName="Extended")
            counts["two_lengths"] += 1
            continue
        fake.add(song.artist, song.title, seconds=seconds + rng.uniform(-2, 2))
        if rng.random() < 0.3:
            fake.add(song.artist, f"{song.title} (Live)", seconds=seconds + 20)
        if rng.random() < 0.3:
            fake.add(song.artist, f"{song.title} - Remastered 2011", seconds=seconds)
        counts["exact"] += 1
    return counts


def run(call_command, fake, **options) -> tuple[float, float, str]:
    out = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    call_command("enrich_catalog", base_url=fake.url, rate=0, timeout=10, progress_every=50, stdout=out, **options)
    return time.perf_counter() - wall, time.process_time() - cpu, out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
    parser.add_argument("--latency-ms", type=float, default=150, help="how long the fake service takes to answer")
    parser.add_argument("--limit", type=int, help="only the first N starter songs (a smoke run)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    result: dict = {}
    try:
        with scratch_database("enrich_catalog.py", "enrichbench", keep=args.keep):
            from django.conf import settings
            from django.core.management import call_command

            from music.models import Song
            from music.tests.factories import load_starter_catalog
            from music.tests.fake_itunes import FakeItunes

            # The 167 hand-typed starter songs: the ones the shipped catalogue has no track for.
            load_starter_catalog()
            if args.limit:
                Song.objects.exclude(
                    pk__in=list(Song.objects.order_by("id").values_list("pk", flat=True)[: args.limit])
                ).delete()
            songs = list(Song.objects.order_by("id"))
            with FakeItunes() as fake:
                fake.latency = args.latency_ms / 1000
                built = serve_catalogue(fake, songs, random.Random(11))
                log(f"{len(songs)} songs, {len(fake.tracks)} tracks served; enriching…")
                whole, cpu, out = run(call_command, fake)
                requests = len(fake.requests)
                resumed, _, _ = run(call_command, fake)
                dry, _, _ = run(call_command, fake, dry_run=True, refresh=True)
            counts = {s: Song.objects.filter(enrichment=s).count() for s in ("matched", "unmatched", "ambiguous")}
            log(out.strip().splitlines()[-1])
            result = {
                "songs": len(songs),
                "requests": requests,
                **counts,
                "served": built,
                "latency_ms": args.latency_ms,
                "whole_run_s": round(whole, 2),
                "per_song_ms": round(whole / len(songs) * 1000, 1),
                "cpu_per_song_ms": round(cpu / len(songs) * 1000, 2),
                "resume_run_s": round(resumed, 3),
                "dry_run_refresh_s": round(dry, 2),
                "paced_run_s": round(requests * 60 / settings.ITUNES_REQUESTS_PER_MINUTE, 1),
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
    except NotPostgres as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
