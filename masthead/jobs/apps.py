"""App config for `masthead.jobs`: the queue's place in `/healthz` and `masthead check --deploy`."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "masthead.jobs"
    label = "jobs"

    def ready(self):
        from masthead.core import checks, health

        from . import reporting

        if reporting.health_check not in health.CHECKS:
            health.CHECKS.append(reporting.health_check)
        if reporting.no_live_worker not in checks.DEPLOY_CHECKS:
            checks.DEPLOY_CHECKS.append(reporting.no_live_worker)
