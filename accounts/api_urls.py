from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/signup/", api.AuthSignupApi.as_view(), name="auth-signup"),
    path("auth/token/", api.AuthTokenApi.as_view(), name="auth-token"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("me/consent/", api.MeConsentApi.as_view(), name="me-consent"),
    path("me/password/", api.MePasswordApi.as_view(), name="me-password"),
    path("me/export/", api.MeExportApi.as_view(), name="me-export"),
    path("me/export/archive/", api.MeExportArchiveApi.as_view(), name="me-export-archive"),
    path("consent/", api.ConsentApi.as_view(), name="consent"),
]
