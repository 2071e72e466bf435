"""Drop the related lists' two foreign-key indexes, which duplicated others.

Django indexed `article` and `related` on its own, beside `related_rank_unique` (article, rank)
and `related_holders` (related): six indexes for each of the lists' rows, two of them never
chosen by a plan. A full rebuild at 1M articles writes 8M rows. The database side is a plain
DROP INDEX (instant), not an AlterField: on SQLite that rebuilds the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

from masthead.core.duplicate_indexes import drop_indexes

INDEXES = {
    "article": "recommendations_relatedarticle_article_id_1e34bc94",
    "related": "recommendations_relatedarticle_related_id_90796606",
}


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0001_initial"),
        ("recommendations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="relatedarticle",
                    name=field,
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="+", to="articles.article"),
                )
                for field in INDEXES
            ],
            database_operations=[
                drop_indexes("recommendations_relatedarticle",
                             {index: f"{field}_id" for field, index in INDEXES.items()}),
            ],
        ),
    ]
