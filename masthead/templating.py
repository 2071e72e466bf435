"""The reader site's template environment (Jinja2): what its templates can call.

Reader pages (article, front, listings, search, comment pages, 404) are Jinja2 templates in
`masthead/jinja2/` and each app's `jinja2/` folder; the newsroom stays on Django templates.
Why: an uncached article page with 50 comments spent 25 of its 34 ms in Django's template
engine (docs/decisions/0002-jinja2-reader-templates.md has the measurements).

The project level knows every app (as `urls.py` does), so the blocks that apps contribute to
reader pages are wired here: each is a plain function building the block's data, rendered with
the app's own template, so a block is one call in a page: `{{ comments_block(article) }}`.
"""

from __future__ import annotations

import functools

import jinja2
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse
from markupsafe import Markup

from masthead.articles.head import article_head
from masthead.comments import blocks as comment_blocks
from masthead.comments.templatetags.comment_counts import annotate_comment_counts
from masthead.core.dates import format_date
from masthead.core.typography import smarten
from masthead.media.html import image_tag
from masthead.newsletters import blocks as newsletter_blocks
from masthead.recommendations import blocks as related_blocks


def pluralize(value, suffix: str = "s") -> str:
    """Django's `pluralize` for counts and sized collections: "" for exactly one."""
    try:
        count = len(value) if hasattr(value, "__len__") else int(value)
    except (TypeError, ValueError):
        return ""
    return "" if count == 1 else suffix


@functools.lru_cache(maxsize=512)
def cached_static(path: str) -> str:
    """`static(path)`, once per process: the manifest storage looks the hashed name up and
    joins the URL on every call (five a page, ~5 % of an uncached article's CPU, cProfile).
    The manifest only changes with a deploy, which restarts the processes."""
    return static(path)


@receiver(setting_changed)
def _forget_static_urls(setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES", "STATICFILES_DIRS", "DEBUG"):
        cached_static.cache_clear()


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _block(template_name: str, build):
    """A page block: `build(context, *args)` gives the data, `template_name` the markup."""

    @jinja2.pass_context
    def render_block(context, *args):
        data = build(context, *args)
        html = context.environment.get_template(template_name).render(data)
        return Markup(html)  # noqa: S704 - the output of an autoescaping template

    return render_block


def _newsletter_form():
    """The sign-up form block, rendered once per process every few seconds
    (newsletters/blocks.py says why) unless the page shows a reader's refused input."""
    render = _block("newsletters/form.html", newsletter_blocks.form_context)

    @jinja2.pass_context
    def newsletter_form(context):
        if context.get("values") or context.get("errors") or context.get("message"):
            return render(context)
        return newsletter_blocks.cached_form(lambda: render(context))

    return newsletter_form


class ReaderEnvironment(jinja2.Environment):
    def make_globals(self, d):
        """A template's globals: the environment's own dict when the template adds none.

        Jinja2 layers them as `ChainMap(template's, environment's)`, and every render copies
        that into the new context key by key, each look-up first missing the (empty) template
        layer: ~40 caught `KeyError`s an article page (page, related block, comment block).
        The environment's dict itself keeps globals added later visible, as the ChainMap did.
        """
        return self.globals if not d else super().make_globals(d)


def environment(**options) -> jinja2.Environment:
    options.pop("autoescape", None)  # always on: never configurable for reader pages
    env = ReaderEnvironment(autoescape=True, **options)
    env.globals.update(
        static=cached_static,
        url=url,
        image=image_tag,
        article_head=article_head,
        annotate_comment_counts=annotate_comment_counts,
        comments_block=_block("comments/block.html", comment_blocks.block_context),
        comment_form=_block("comments/form.html", comment_blocks.form_context),
        newsletter_form=_newsletter_form(),
        related_block=_block(
            "recommendations/block.html",
            lambda context, article: related_blocks.block_context(context.get("request"),
                                                                  article)),
    )
    env.filters.update(date=format_date, pluralize=pluralize, smarten=smarten)
    return env
