"""`RowReader.build` gives the instance `Model.from_db` gives, with or without its shortcut."""

import pytest
from django.db import connections
from django.db.models import signals

from masthead.articles import reading as article_reading
from masthead.articles.models import Article, Author, Byline, Section, Tag
from masthead.core.rows import RowReader, fetch
from masthead.media.models import Image
from masthead.recommendations import reading as related_reading

pytestmark = pytest.mark.django_db

READERS = [
    article_reading.ARTICLE, article_reading.TEASER, article_reading.SECTION,
    article_reading.IMAGE, article_reading.BYLINE, article_reading.AUTHOR, article_reading.TAG,
    related_reading.RELATED, related_reading.SECTION,
]


def row_of(reader: RowReader, pk) -> tuple:
    table = connections["default"].ops.quote_name(reader.model._meta.db_table)
    pk_column = connections["default"].ops.quote_name(reader.model._meta.pk.column)
    (row,) = fetch(f"SELECT {reader.select('t')} FROM {table} t WHERE t.{pk_column} = %s",
                   [pk])
    return row


def from_db(reader: RowReader, row: tuple):
    """What the ORM does with the row: the backend's converters, then `from_db`."""
    connection = connections["default"]
    values = list(row)
    for i, functions, column in reader.converters(connection):
        for convert in functions:
            values[i] = convert(values[i], column, connection)
    return reader.model.from_db("default", reader.field_names, values)


def state(instance) -> tuple:
    fields = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    return (type(instance), list(instance.__dict__), fields, instance._state.adding,
            instance._state.db, instance._state.fields_cache, instance.get_deferred_fields())


@pytest.fixture
def one_of_each(make_article):
    image = Image.objects.create(original_url="https://example.org/a.jpg", width=640,
                                 height=480, renditions=[])
    article = make_article("A headline", section="World", tags=["Climate"],
                           authors=["Ada Reporter"], lead_image=image, standfirst="Stand.")
    return {Article: article.pk, Section: Section.objects.get().pk, Image: image.pk,
            Byline: Byline.objects.get().pk, Author: Author.objects.get().pk,
            Tag: Tag.objects.get().pk}


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.model.__name__}-{r.width}")
def test_build_equals_from_db(one_of_each, reader):
    row = row_of(reader, one_of_each[reader.model])
    built, expected = reader.build(row), from_db(reader, row)
    assert state(built) == state(expected)
    assert built == expected and built.pk == expected.pk


def test_the_shortcut_is_taken_where_nothing_else_happens_on_init():
    assert article_reading.ARTICLE._by_hand and article_reading.TEASER._by_hand
    assert article_reading.SECTION._by_hand and related_reading.RELATED._by_hand
    # Image's ImageField no longer fills width/height on init (media services write them on
    # upload), so a page's pictures are built without Model.__init__ too (docs/images.md).
    assert not signals.post_init.has_listeners(Image)


def test_an_init_receiver_connected_later_is_honoured(one_of_each):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Section)
    try:
        built = article_reading.SECTION.build(row_of(article_reading.SECTION,
                                                     one_of_each[Section]))
    finally:
        signals.post_init.disconnect(receiver, sender=Section)
    assert seen == [built.pk]
