from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("matching/", include("matching.urls")),
    # The short address of the public impact figures.
    path(
        "impact/",
        login_not_required(RedirectView.as_view(pattern_name="matching:impact-public")),
        name="impact",
    ),
    path("", include("members.urls")),
]
