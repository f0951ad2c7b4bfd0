"""The catalogue's curation pages in the admin: import, export, coverage and the review queue."""

import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from music.catalog import selectors
from music.catalog.csv_format import COLUMN_HELP, songs_to_csv
from music.catalog.forms import CatalogImportForm
from music.catalog.importing import song_import
from music.catalog.models import Song
from music.catalog.services import songs_tags_approve
from symphony.middleware import body_limit

# Fewer active songs than this for an emotion and the coverage view warns: a list of 10 with one
# song per artist and no repeats from the last lists needs a few times that many to choose from.
THIN_COVERAGE = 30
# How long an uploaded file is kept for another try after an error (then it must be chosen again).
KEPT_FILE_SECONDS = 30 * 60
REVIEW_PAGE = 50


class CurationPagesMixin:
    """Mixed into SongAdmin: the extra pages and their URLs."""

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="music_song_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="music_song_export"),
            path("coverage/", self.admin_site.admin_view(self.coverage_view), name="music_song_coverage"),
            path("review/", self.admin_site.admin_view(self.review_view), name="music_song_review"),
        ]
        return urls + super().get_urls()

    def _page(self, request, template: str, title: str, **context):
        context = {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **context}
        return render(request, template, context)

    @body_limit("import")
    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        report, kept_name = None, ""
        if request.method == "POST" and form.is_valid():
            upload, token = form.cleaned_data["file"], form.cleaned_data["kept"]
            key = f"song-import:{request.user.pk}:{token}"
            if upload:
                data, kept_name, token = upload.read(), upload.name, secrets.token_urlsafe(16)
            else:
                data, kept_name = cache.get(key, (None, ""))
            if data is None:
                form.add_error("file", "Choose a CSV file to import.")
            else:
                options = {"dry_run": form.cleaned_data["dry_run"], "replace": form.cleaned_data["replace"]}
                report = song_import(data=data, **options)
                if report.ok and not report.dry_run:
                    cache.delete(key)
                    self.message_user(request, report.summary())
                    return redirect("admin:music_song_changelist")
                cache.set(f"song-import:{request.user.pk}:{token}", (data, kept_name), KEPT_FILE_SECONDS)
                form = CatalogImportForm(initial={**options, "kept": token})
        return self._page(
            request, "admin/music/song/import.html", "Import songs from CSV",
            form=form, report=report, kept_name=kept_name, columns=COLUMN_HELP.items(),
        )  # fmt: skip

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        songs = Song.objects.select_related("genre").order_by("id")
        songs = self.get_search_results(request, songs, request.GET.get("q", ""))[0]
        response = StreamingHttpResponse(songs_to_csv(songs.iterator(chunk_size=2000)), content_type="text/csv")
        filename = f"songs-{timezone.now():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def coverage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.coverage()
        for row in rows:
            row["thin"] = row["songs"] < THIN_COVERAGE
            row["url"] = reverse("admin:music_song_changelist") + f"?tag={row['emotion']}&active__exact=1"
        families, table = selectors.coverage_by_family()
        for row in table:
            row["cells"] = [{"count": n, "thin": n < THIN_COVERAGE} for n in row["counts"]]
        return self._page(
            request, "admin/music/song/coverage.html", "Catalog coverage per emotion and genre family",
            rows=rows, families=families, table=table, threshold=THIN_COVERAGE,
            total=Song.objects.filter(active=True).count(),
        )  # fmt: skip

    def review_view(self, request):
        """Machine tags, least confident first: approve them as they are, or open a song to adjust them."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        queue = selectors.review_queue()
        if request.method == "POST":
            ids = [int(pk) for pk in request.POST.getlist("songs") if pk.isdigit()][:REVIEW_PAGE]
            approved = songs_tags_approve(songs=Song.objects.filter(pk__in=ids))
            self.message_user(request, f"Approved the tags of {approved} song(s).")
            return redirect("admin:music_song_review")
        return self._page(
            request, "admin/music/song/review.html", "Review machine tags",
            songs=list(queue[:REVIEW_PAGE]), waiting=queue.count(),
        )  # fmt: skip
