"""Reader URLs of `masthead.comments`, mounted at /comments/."""

from django.urls import path

from . import feeds, views

app_name = "comments"
urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("token/<int:article_id>/", views.form_token, name="form_token"),
    path("feed/", feeds.latest, name="feed"),
    path("feed/atom/", feeds.latest_atom, name="feed_atom"),
    path("feed/<int:article_id>/", feeds.article, name="article_feed"),
    path("feed/<int:article_id>/atom/", feeds.article_atom, name="article_feed_atom"),
]
