"""Newsroom pages of integrations and webhooks, mounted at /newsroom/integrations/."""

from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.integration_list, name="list"),
    path("<int:pk>/revoke/", views.integration_revoke, name="revoke"),
    path("webhooks/", views.webhook_add, name="webhook_add"),
    path("deliveries/", views.delivery_log, name="deliveries"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
    path("api/", views.api_reference, name="api_reference"),
]
