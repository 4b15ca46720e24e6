from django.contrib import admin
from django.urls import include, path

from tracker.web.accounts import ThrottledPasswordResetView

urlpatterns = [
    path("", include("tracker.web.urls")),
    # The versioned API (healthchecks' hc/api/urls.py: v1 by include, later versions beside it).
    path("api/v1/", include(("tracker.api.v1.urls", "v1"))),
    # The first release's unversioned paths answer as v1 until clients have moved.
    path("api/", include("tracker.api.v1.urls")),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

# An address no route matches: JSON under /api/, the site's page elsewhere.
handler404 = "tracker.api.errors.page_not_found"
