"""Reader URLs of `masthead.newsletters`, mounted at /newsletters/."""

from django.urls import path

from . import views

app_name = "newsletters"
urlpatterns = [
    path("", views.index, name="index"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.archive, name="archive"),
    path("<slug:slug>/<int:pk>/", views.issue, name="issue"),
]
