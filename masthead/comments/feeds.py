"""Comment feeds (RSS 2.0 and Atom): the site's latest approved comments, and one article's.

Declared once with Django's syndication `Feed` (STYLE habit 7). Only approved comments on
articles visible to readers; absolute URLs from SITE_URL; the author's name and never an email
(`item_author_email` is not defined, so the generator has nothing to print).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404

from masthead.articles.models import Article
from masthead.core import surrogate
from masthead.core.feedtext import Atom, Rss
from masthead.core.http import public

from .models import Comment
from .rendering import render_body

ITEMS = 30


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _visible_comments():
    return Comment.objects.approved().filter(article__in=Article.objects.published()) \
        .select_related("article").order_by("-created_at", "-id")


class LatestComments(Feed):
    feed_type = Rss  # Django's, with every string cleaned (core/feedtext.py)

    def title(self):
        return f"Comments on {settings.SITE_NAME}"

    def link(self):
        return settings.SITE_URL + "/"

    def feed_url(self):
        return _absolute("/comments/feed/")

    def description(self):
        return f"The latest reader comments on {settings.SITE_NAME}."

    def items(self):
        return _visible_comments()[:ITEMS]

    def item_title(self, item):
        return f"{item.author_name} on “{item.article.headline}”"

    def item_description(self, item):
        return render_body(item.body)

    def item_link(self, item):
        return _absolute(item.get_absolute_url())

    def item_guid(self, item):
        return _absolute(item.get_absolute_url())

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.created_at


class LatestCommentsAtom(LatestComments):
    feed_type = Atom
    subtitle = LatestComments.description

    def feed_url(self):
        return _absolute("/comments/feed/atom/")


class ArticleComments(LatestComments):
    def get_object(self, request, article_id):
        return get_object_or_404(Article.objects.published(), pk=article_id)

    def title(self, obj):
        return f"Comments on “{obj.headline}”"

    def link(self, obj):
        return _absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return _absolute(f"/comments/feed/{obj.pk}/")

    def description(self, obj):
        return f"Reader comments on “{obj.headline}”, {settings.SITE_NAME}."

    def items(self, obj):
        return _visible_comments().filter(article=obj)[:ITEMS]


class ArticleCommentsAtom(ArticleComments):
    feed_type = Atom
    subtitle = ArticleComments.description

    def feed_url(self, obj):
        return _absolute(f"/comments/feed/{obj.pk}/atom/")


def _served(feed):
    def view(request, **kwargs):
        keys = ["comments", "site"]
        if "article_id" in kwargs:
            keys.append(f"a:{kwargs['article_id']}")
        surrogate.add(request, *keys)
        return public(feed(request, **kwargs))

    return view


latest = _served(LatestComments())
latest_atom = _served(LatestCommentsAtom())
article = _served(ArticleComments())
article_atom = _served(ArticleCommentsAtom())
