"""View decorators for pages: `@consent_required` on anything that analyses a face."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse


def consent_required(view):
    """Send anonymous users to log in, and users without current consent to the
    consent page, each with ?next= so they come back to where they were."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_current_consent:
            messages.info(request, "Please read and agree to how we analyse your face first.")
            return redirect(f"{reverse('accounts:consent')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
