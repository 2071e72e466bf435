"""URLs of `masthead.newsroom`, mounted at /newsroom/ (the moderation queue is at
/newsroom/comments/, owned by the comments app)."""

from django.urls import path

from .views import articles, auth, dashboard, front_page, library, preview, revisions, staff

app_name = "newsroom"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("articles/", articles.article_list, name="article_list"),
    path("articles/new/", articles.article_new, name="article_new"),
    path("articles/<int:pk>/", articles.article_edit, name="article_edit"),
    path("articles/<int:pk>/unpublish/", articles.article_unpublish, name="article_unpublish"),
    path("articles/<int:pk>/revisions/", revisions.revision_list, name="revision_list"),
    path("articles/<int:pk>/revisions/diff/", revisions.revision_diff, name="revision_diff"),
    path("articles/<int:pk>/revisions/<int:revision_pk>/restore/", revisions.revision_restore,
         name="revision_restore"),
    path("markdown-preview/", articles.markdown_preview, name="markdown_preview"),
    path("tags/", articles.tag_suggestions, name="tag_suggestions"),
    path("preview/<str:token>/", preview.shared_preview, name="shared_preview"),
    path("articles/<int:pk>/preview-links/revoke/", preview.revoke_links,
         name="revoke_preview_links"),
    path("front-page/", front_page.front_page, name="front_page"),
    path("media/", library.library, name="library"),
    path("media/<int:pk>/delete/", library.image_delete, name="image_delete"),
    path("users/", staff.user_list, name="user_list"),
    path("users/new/", staff.user_new, name="user_new"),
    path("users/<int:pk>/", staff.user_edit, name="user_edit"),
    path("sections/", staff.section_list, name="section_list"),
    path("sections/<int:pk>/", staff.section_edit, name="section_edit"),
    path("sections/<int:pk>/move/", staff.section_move, name="section_move"),
]
