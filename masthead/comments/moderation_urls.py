"""Moderation queue URLs, mounted at /newsroom/comments/."""

from django.urls import path

from . import moderation_views as views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reply/", views.reply, name="reply"),
]
