"""Webhook signing secrets move out of clear text: encrypted with the key ring (issue 18)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from masthead.keyring.ring import load

    subscription = apps.get_model("webhooks", "Subscription")
    if not subscription.objects.exists():
        return  # a new site: the first key is made when the first secret is stored
    ring = load(apps.get_model("keyring", "DataKey"))
    rows = list(subscription.objects.only("pk", "secret"))
    for row in rows:
        row.secret_encrypted = ring.encrypt(row.secret)
    subscription.objects.bulk_update(rows, ["secret_encrypted"], batch_size=500)


def backwards(apps, schema_editor):
    from masthead.keyring.ring import load

    subscription = apps.get_model("webhooks", "Subscription")
    ring = load(apps.get_model("keyring", "DataKey"))
    rows = list(subscription.objects.only("pk", "secret_encrypted"))
    for row in rows:
        row.secret = ring.decrypt(row.secret_encrypted) or ""
    subscription.objects.bulk_update(rows, ["secret"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("keyring", "0001_initial"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="secret_encrypted",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="subscription",
            name="secret",
            field=models.CharField(max_length=100, default=""),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="subscription", name="secret"),
    ]
