"""App config for `masthead.jobs`."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "masthead.jobs"
    label = "jobs"
