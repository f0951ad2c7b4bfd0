from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from music.catalog.building import DEFAULT_SOURCE, SHIPPED_CATALOG, build, write


class Command(BaseCommand):
    help = "Build music/data/catalog.csv.gz (the shipped catalogue) from a Spotify audio-features CSV."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
        parser.add_argument("--out", type=Path, default=SHIPPED_CATALOG)

    def handle(self, *args, source: Path, out: Path, **options):
        if not source.is_file():
            raise CommandError(f"No such file: {source} (the shared data's catalog/spotify_songs.csv)")
        songs, report = build(source)
        for line, message in report.errors[:50]:
            self.stderr.write(f"line {line}: {message}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} problem(s); nothing was written.")
        size = write(songs, out)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.songs} songs from {report.rows} rows ({report.repeated_rows} repeated rows merged); "
                f"starter songs matched {report.starter_exact} exactly and {report.starter_by_base_title} by base "
                f"title, {report.starter_only} shipped as typed; {out} ({size / 1e6:.1f} MB)"
            )
        )
