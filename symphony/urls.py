from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from symphony.api import not_found
from symphony.favicon import favicon
from symphony.health import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("detection.api_urls")),
    path("", include("history.api_urls")),
    path("", include("live.api_urls")),
    path("", include("music.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script from a URL: no inline script (strict CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema"), name="docs"),
]

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("detection.urls")),
    path("", include("history.urls")),
    path("", include("live.urls")),
    path("", include("music.urls")),
    path("api/v1/", include((api_v1, "api-v1"))),
]

# An address no route matches: under /api/ the API's error shape, elsewhere the page (templates/404.html).
handler404 = not_found
