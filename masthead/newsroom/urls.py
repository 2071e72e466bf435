"""URLs of `masthead.newsroom`."""

app_name = "newsroom"
urlpatterns = []
