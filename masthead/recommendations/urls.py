"""The newsroom panel's POST targets (mounted at /newsroom/related/ by masthead/urls.py)."""

from django.urls import path

from . import views

app_name = "recommendations"
urlpatterns = [
    path("<int:pk>/pin/", views.pin, name="pin"),
    path("<int:pk>/exclude/", views.exclude, name="exclude"),
    path("<int:pk>/clear/", views.clear, name="clear"),
]
