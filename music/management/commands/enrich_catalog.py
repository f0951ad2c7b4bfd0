from django.core.management.base import BaseCommand, CommandError

from music.catalog.enrichment import client_from_settings, songs_enrich
from music.models import Song


class Command(BaseCommand):
    help = (
        "Fill previews, artwork, duration and Apple Music ids from the iTunes Search API (no key needed). "
        "Only confident matches on artist and title are written; unmatched and ambiguous songs are reported. "
        "Resumable: songs looked up before are skipped unless --refresh."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Ask the service and report; write nothing.")
        parser.add_argument("--refresh", action="store_true", help="Ask again about songs looked up before.")
        parser.add_argument("--limit", type=int, help="Look up at most this many songs in this run.")
        parser.add_argument("--song", type=int, action="append", dest="song_ids", help="Only this song id (repeat).")
        parser.add_argument("--active-only", action="store_true", help="Skip inactive songs.")
        parser.add_argument("--base-url", help="Search endpoint (default: settings.ITUNES_SEARCH_URL).")
        parser.add_argument("--country", help="Store country, e.g. US (default: settings.ITUNES_COUNTRY).")
        parser.add_argument(
            "--rate",
            type=int,
            help="Requests per minute, 0 for no pause (default: settings.ITUNES_REQUESTS_PER_MINUTE).",
        )
        parser.add_argument("--timeout", type=float, help="Seconds to wait for one answer.")
        parser.add_argument("--progress-every", type=int, default=25, help="A progress line every N songs.")

    def handle(self, *args, **options):
        for name in ("limit", "rate", "timeout"):
            if options[name] is not None and options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["progress_every"] < 1:
            raise CommandError("--progress-every must be at least 1.")
        songs = Song.objects.order_by("id")
        if options["song_ids"]:
            songs = songs.filter(pk__in=options["song_ids"])
            missing = sorted(set(options["song_ids"]) - set(songs.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No song with id {', '.join(map(str, missing))}.")
        if options["active_only"]:
            songs = songs.filter(active=True)
        client = client_from_settings(
            base_url=options["base_url"],
            country=options["country"],
            per_minute=options["rate"],
            timeout=options["timeout"],
        )
        every = options["progress_every"]

        def progress(done: int, report) -> None:
            if done % every == 0:
                self.stdout.write(
                    f"[{done}] matched {report.matched}, unmatched {len(report.unmatched)}, "
                    f"ambiguous {len(report.ambiguous)}, errors {len(report.errors)}"
                )

        report = songs_enrich(
            songs=songs, client=client, refresh=options["refresh"], dry_run=options["dry_run"],
            limit=options["limit"], progress=progress,
        )  # fmt: skip
        for title, rows in (
            ("Unmatched", report.unmatched),
            ("Ambiguous", report.ambiguous),
            ("Errors", report.errors),
        ):
            if rows:
                self.stdout.write(f"{title}:")
                for song, reason in rows:
                    self.stdout.write(f"  #{song.pk} {song.artist} – {song.title}: {reason}")
        per_song = report.seconds / report.looked_up * 1000 if report.looked_up else 0.0
        summary = f"{'Dry run. ' if report.dry_run else ''}{report.summary()} ({per_song:.1f} ms per song)"
        if report.stopped:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
