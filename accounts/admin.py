from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class SymphonyUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (
        ("Preferences", {"fields": ("goal", "keep_images", "consent_version", "consent_at")}),
    )
    list_display = ("username", "email", "goal", "consent_version", "is_staff")
