"""Listeners' lists, feedback, ratings and playlists in the Django admin (read mostly, for support)."""

from django.contrib import admin

from music.library import links
from music.library.models import Feedback, Playlist, PlaylistItem, Rating, Recommendation, RecommendationItem


class RecommendationItemInline(admin.TabularInline):
    model = RecommendationItem
    fields = ["rank", "song", "score", "explanation"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("song")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "goal", "top_emotion", "check_in", "created_at"]
    list_filter = ["goal"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "check_in", "goal", "emotions", "seed", "created_at"]
    inlines = [RecommendationItemInline]

    def get_queryset(self, request):
        return links.with_check_in_id(super().get_queryset(request))

    @admin.display(description="check-in")
    def check_in(self, obj) -> int | None:
        return obj.check_in_id

    def has_add_permission(self, request):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["user", "song", "kind", "recommendation", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "song__title", "song__artist"]
    raw_id_fields = ["user", "song", "recommendation"]
    # The automatic select_related skips the nullable recommendation (whose __str__ reads its user).
    list_select_related = ["user", "song", "recommendation__user"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "song", "value", "updated_at"]
    list_filter = ["value"]
    raw_id_fields = ["user", "song"]


class PlaylistItemInline(admin.TabularInline):
    model = PlaylistItem
    raw_id_fields = ["song"]
    extra = 0


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user", "recommendation"]
    inlines = [PlaylistItemInline]
