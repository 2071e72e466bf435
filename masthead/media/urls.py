"""Media URLs, mounted at MEDIA_URL (`/media/`) by the root URLconf."""

from django.urls import path

from . import views

app_name = "media"
urlpatterns = [
    path("<path:path>", views.serve, name="file"),
]
