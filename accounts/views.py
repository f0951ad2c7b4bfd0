import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import data_rights
from accounts.consent import CONSENT_TITLE, CONSENT_VERSION, consent_sections
from accounts.forms import DeleteAccountForm, ProfileForm, SignupForm
from accounts.selectors import user_data_archive, user_data_export
from accounts.services import (
    TAKEN_RACE,
    user_consent_give,
    user_consent_withdraw,
    user_delete,
    user_password_changed,
    user_password_reset_done,
    user_update,
)
from symphony.throttling import rate_limited


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
@rate_limited("auth")
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Taken between validation and insert by a concurrent signup.
            form.add_error(None, TAKEN_RACE)
            return render(request, "registration/signup.html", {"form": form})
        # Two backends are configured (axes + model): name the one that logs in.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! One more step before your first selfie.")
        return redirect("accounts:consent")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(request.user, **form.changes())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
def consent(request):
    """Anyone can read the consent text (before signing up, too); agreeing needs an account."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user_consent_give(request.user, version=CONSENT_VERSION)
        messages.success(request, "Thank you. You can now take a selfie.")
        return redirect(_safe_next(request, settings.CONSENT_REDIRECT_URL))
    return render(
        request,
        "accounts/consent.html",
        {
            "title": CONSENT_TITLE,
            "version": CONSENT_VERSION,
            "sections": consent_sections(),
            "next": _safe_next(request, ""),
        },
    )


@login_required
@require_POST
def consent_withdraw(request):
    user_consent_withdraw(request.user)
    messages.success(
        request,
        "Consent withdrawn. Your kept pictures are deleted, and we will not analyse any picture until you agree again.",
    )
    return redirect("accounts:consent")


@login_required
@require_GET
def data(request):
    return render(request, "accounts/data.html", {"delete_form": DeleteAccountForm(user=request.user)})


@login_required
@require_GET
def data_export(request):
    body = json.dumps(user_data_export(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    filename = f"emotion-symphony-{request.user.username}-{timezone.now():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def data_export_archive(request):
    archive, filename = user_data_archive(request.user)
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")


@login_required
@require_POST
def account_delete(request):
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "accounts/data.html", {"delete_form": form}, status=400)
    user_delete(request.user)
    logout(request)
    messages.success(request, "Your account and all of its data have been deleted.")
    return redirect("home")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(form.user)
        return response


@method_decorator(rate_limited("password_reset"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Each request may send an email: limited per client address."""

    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_reset_done(form.user)
        return response


def data_sources(request):
    """Where the data we ship comes from, and under which licence (public: no account needed)."""
    return render(request, "accounts/data_sources.html", {"sources": data_rights.sources()})
