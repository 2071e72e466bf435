"""Newsroom URLs of `masthead.newsletters`, mounted at /newsroom/newsletters/."""

from django.urls import path

from . import newsroom_views as views

app_name = "newsletters_newsroom"
urlpatterns = [
    path("", views.newsletter_list, name="list"),
    path("<int:pk>/", views.newsletter_detail, name="newsletter"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/preview/", views.issue_preview, name="preview"),
    path("issues/<int:pk>/test/", views.issue_test, name="test"),
    path("subscribers/", views.subscriber_list, name="subscribers"),
]
