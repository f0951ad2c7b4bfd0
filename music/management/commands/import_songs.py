from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from music.catalog.importing import song_import


class Command(BaseCommand):
    help = "Import songs from a CSV file (generic or MoodyLyrics format; see music/README.md). All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        report = song_import(data=data, dry_run=dry_run)
        for line, message in report.warnings:
            self.stdout.write(f"line {line}: warning: {message}")
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
