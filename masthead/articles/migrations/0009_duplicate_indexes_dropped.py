"""Drop the article tables' indexes that a composite index already starts with.

`article_slug` serves the slug (the SlugField's own index and its PostgreSQL `LIKE` twin were
copies); `article_section` the section; the unique (article, tag) and (article, author) pairs
and the listing indexes the tag, byline and revision foreign keys. Slugs and external keys
are only ever matched whole, so their `LIKE` twins go too. A 30k import on PostgreSQL
measured 60.5 / 67.1 s against 70.9 / 75.2 s with them, the database 486 MB against 510.
"""

import django.db.models.deletion
from django.db import migrations, models

from masthead.core.duplicate_indexes import drop_indexes


def unindexed(model, name, to, on_delete=django.db.models.deletion.CASCADE, **kw):
    return migrations.AlterField(model_name=model, name=name, field=models.ForeignKey(
        db_index=False, on_delete=on_delete, to=to, **kw))


class Migration(migrations.Migration):

    dependencies = [("articles", "0008_kind_recent_with_status")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="article", name="slug",
                                      field=models.SlugField(db_index=False, max_length=200)),
                unindexed("article", "section", "articles.section",
                          django.db.models.deletion.PROTECT, blank=True, null=True,
                          related_name="articles"),
                unindexed("articletag", "article", "articles.article", related_name="tag_links"),
                unindexed("articletag", "tag", "articles.tag", related_name="article_links"),
                unindexed("byline", "article", "articles.article", related_name="bylines"),
                unindexed("byline", "author", "articles.author",
                          django.db.models.deletion.PROTECT, related_name="bylines"),
                unindexed("revision", "article", "articles.article", related_name="revisions"),
            ],
            database_operations=[
                drop_indexes("articles_article",
                             {"articles_article_slug_cc61df93": "slug",
                              "articles_article_section_id_624070f6": "section_id"},
                             {"articles_article_slug_cc61df93_like": "slug",
                              "articles_article_external_key_b4771047_like": "external_key"}),
                drop_indexes("articles_article_tags",
                             {"articles_article_tags_article_id_524565b8": "article_id",
                              "articles_article_tags_tag_id_56ec02c6": "tag_id"}),
                drop_indexes("articles_byline",
                             {"articles_byline_article_id_b3b9786c": "article_id",
                              "articles_byline_author_id_4bd786b8": "author_id"}),
                drop_indexes("articles_revision",
                             {"articles_revision_article_id_2d2af917": "article_id"}),
            ],
        ),
    ]
