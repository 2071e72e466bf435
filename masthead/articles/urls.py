"""Reader URLs for articles and listings (see CONTRACT.md, Web)."""

from django.urls import path, register_converter

from . import views


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigits, "dd")

app_name = "articles"
urlpatterns = [
    path("", views.front_page, name="front"),
    path("<int:year>/<dd:month>/<dd:day>/<slug:slug>/", views.article_page, name="article"),
    path("section/<slug:slug>/", views.section_page, name="section"),
    path("tag/<slug:slug>/", views.tag_page, name="tag"),
    path("author/<slug:slug>/", views.author_page, name="author"),
    path("pages/<slug:slug>/", views.standing_page, name="page"),
]
