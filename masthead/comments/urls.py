"""URLs of `masthead.comments`."""

app_name = "comments"
urlpatterns = []
