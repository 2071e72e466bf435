"""URLs of `masthead.search`."""

app_name = "search"
urlpatterns = []
