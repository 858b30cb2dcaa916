from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kerne import views
from kerne.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("kerne.accounts.urls")),
    path("ledelsesgrundlag/", include("kerne.foundation.urls")),
    path("organisation/import/", include("kerne.organisation.urls_import")),
    path("organisation/", include("kerne.organisation.urls")),
    path("maalinger/", include("kerne.surveys.urls")),
    path("svar/", include("kerne.surveys.urls_answer")),
    path("maal/", include("kerne.goals.urls")),
    path("resultater/", include("kerne.results.urls")),
    path("opfoelgning/", include("kerne.followup.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# A database that is unavailable answers 503 with what to fix in the log; any other error, 500.
handler500 = "kerne.db.unavailable.server_error"
# Refused and missing pages in the user's language, with the site's navigation.
handler403 = "kerne.views.permission_denied"
handler404 = "kerne.views.page_not_found"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
