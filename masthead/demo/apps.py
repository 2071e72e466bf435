"""App config for `masthead.demo`."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "masthead.demo"
    label = "demo"
