"""Moderation queue URLs, mounted at /newsroom/comments/."""

app_name = "moderation"
urlpatterns = []
