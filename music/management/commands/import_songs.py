from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from music.catalog.importing import song_import


class Command(BaseCommand):
    help = (
        "Import songs from a CSV file (generic, Spotify audio features in the TidyTuesday or Kaggle layout, or "
        "MoodyLyrics; see music/README.md). All rows or none; existing songs keep their values unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--replace", action="store_true", help="Replace existing songs' values (tags included) with the file's."
        )

    def handle(self, *args, file: Path, dry_run: bool, replace: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        report = song_import(data=data, dry_run=dry_run, replace=replace)
        for line, message in report.warnings:
            self.stdout.write(f"line {line}: warning: {message}")
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        if not report.ok:
            raise CommandError(report.summary())
        for change in report.changes:
            verb = "changes" if change.applied else "kept (use --replace)"
            self.stdout.write(f"line {change.line}: {change.song}: {change.field} {change.old} → {change.new}: {verb}")
        self.stdout.write(self.style.SUCCESS(report.summary()))
