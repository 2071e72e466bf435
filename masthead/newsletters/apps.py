"""App config for `masthead.newsletters`: forgets the sign-up form's cached offer on change."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    label = "newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import blocks
        from .models import Newsletter

        for signal in (post_save, post_delete):
            signal.connect(blocks.forget_offer, sender=Newsletter,
                           dispatch_uid=f"newsletters.forget_offer.{signal is post_save}")
