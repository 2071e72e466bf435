"""App config for `masthead.newsletters`: forgets the sign-up form's cached offer on change,
and sends an article chosen for a newsletter when it is published (article_mail)."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    label = "newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.articles import signals as article_signals

        from . import article_mail, blocks
        from .models import Newsletter

        article_signals.article_published.connect(article_mail.on_article_published,
                                                  dispatch_uid="newsletters.article_mail")

        for signal in (post_save, post_delete):
            signal.connect(blocks.forget_offer, sender=Newsletter,
                           dispatch_uid=f"newsletters.forget_offer.{signal is post_save}")
