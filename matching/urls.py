from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("needs/<int:pk>/candidates/", views.need_candidates, name="need-candidates"),
    path("needs/<int:pk>/match-now/", views.need_match_now, name="need-match-now"),
    path("recommended/", views.recommended, name="recommended"),
]
