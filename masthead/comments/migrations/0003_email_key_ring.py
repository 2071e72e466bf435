"""Stored commenter emails move from the secret-key scheme to the key ring (issue 14).

Addresses are decrypted with the secret key (or a fallback) as before, then encrypted and
digested with the ring's first key. One that no key opens is left as it was; `masthead keys
rotate` tries again.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from masthead.comments.privacy import rekey
    from masthead.keyring.ring import load

    comment, commenter = apps.get_model("comments", "Comment"), apps.get_model("comments",
                                                                               "Commenter")
    if not comment.objects.exclude(email_encrypted="").exists() \
            and not commenter.objects.exists():
        return  # a new site: the first key is made when the first address is stored
    rekey(load(apps.get_model("keyring", "DataKey")), comment, commenter)


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0002_posting_moderation_filter"),
        ("keyring", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
