"""URLs of `masthead.api`."""

app_name = "api"
urlpatterns = []
