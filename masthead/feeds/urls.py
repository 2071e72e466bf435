"""URLs of `masthead.feeds`."""

app_name = "feeds"
urlpatterns = []
