"""An article sent as an email when it is published (opt-in per article).

The editor ticks "Send as email to <newsletter>" in the article editor (or passes
`email_newsletters` to the Admin API): `choose` stores the choice (`ArticleEmail`) in the
transaction of the save. On the article's transition to published — now, or when the scheduler
publishes a scheduled article — the `article_published` signal enqueues `tasks.send_article`
in that same transaction, and the job makes one issue per chosen newsletter and starts it.

"Once" is the database's: `Issue.article` is unique per newsletter, and the issue, its ledger
and its batch jobs are written in one transaction, so a republish, an edit after publication
(`article_changed`, not `article_published`), a retried job or two servers running the job at
once make one issue and one set of copies. The email holds the whole article (headline,
standfirst, lead image, body with absolute links) and a "Read on the site" link: a breaking
news email is read in the inbox, and a shortened one would have to cut HTML mid-structure.
"""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, transaction
from markupsafe import Markup

from masthead.articles.models import Article
from masthead.core.html import html_to_text
from masthead.feeds.syndication import absolutise_html

from .models import ArticleEmail, Issue, Newsletter

log = logging.getLogger("masthead.newsletters")


def eligible():
    """The newsletters an article can be sent to: active ones an editor writes by hand."""
    return Newsletter.objects.filter(is_active=True, kind=Newsletter.Kind.MANUAL)


def chosen(article: Article) -> list[Newsletter]:
    if not article.pk:
        return []
    return list(Newsletter.objects.filter(article_emails__article=article))


def already_sent(article: Article) -> list[Newsletter]:
    if not article.pk:
        return []
    return list(Newsletter.objects.filter(issues__article=article))


def choose(article: Article, newsletters) -> None:
    """Set the newsletters this article goes to when published (an empty list: none).

    Call inside the transaction that saves the article. A newsletter the article was already
    sent to stays recorded (unticking it cannot unsend)."""
    wanted = {n.pk for n in newsletters}
    sent = {n.pk for n in already_sent(article)}
    ArticleEmail.objects.filter(article=article).exclude(
        newsletter_id__in=wanted | sent).delete()
    have = set(ArticleEmail.objects.filter(article=article).values_list("newsletter_id",
                                                                        flat=True))
    ArticleEmail.objects.bulk_create([ArticleEmail(article=article, newsletter_id=pk)
                                      for pk in sorted(wanted - have)])


def on_article_published(sender, article, **kwargs):
    # Only a job in the publishing transaction: sending happens after it commits.
    if ArticleEmail.objects.filter(article_id=article.pk).exists():
        from masthead.jobs.registry import enqueue

        from . import tasks

        enqueue(tasks.send_article, article.pk)


def send_article(article_id: int) -> list[int]:
    """Make and start one issue per chosen newsletter not yet sent this article; their ids."""
    from . import services

    article = Article.objects.published().filter(pk=article_id).first()
    if article is None:
        return []  # unpublished again before the job ran: nothing goes out
    started = []
    for choice in ArticleEmail.objects.filter(
            article_id=article_id, newsletter__in=eligible()).select_related("newsletter"):
        if Issue.objects.filter(newsletter=choice.newsletter, article_id=article_id).exists():
            continue
        try:
            with transaction.atomic():
                issue = services.create_issue(choice.newsletter, article.headline[:200],
                                              article_ids=[article.pk], article=article)
                services.send_issue(issue)
        except IntegrityError:
            # Another server's job made it between our check and our insert: theirs stands.
            log.info("article %s: issue for newsletter %s made elsewhere", article_id,
                     choice.newsletter_id)
            continue
        started.append(issue.pk)
    return started


_IMG_WITHOUT_WIDTH = re.compile(r"<img\b(?![^>]*\bwidth=)", re.I)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figcaption|pre)>|<br\s*/?>", re.I)


def body_html(article: Article) -> Markup:
    """The article's body for an email: links and images absolute, every image with a width
    (Outlook ignores CSS sizes and would show a camera's full width)."""
    html = absolutise_html(article.body_html or "")
    html = _IMG_WITHOUT_WIDTH.sub('<img width="600"', html)
    # body_html was sanitised (nh3) when the article was saved.
    return Markup(html)  # noqa: S704


_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*>(.*?)</a>', re.I | re.S)


def body_text(article: Article) -> str:
    """The body as plain-text paragraphs, for the text/plain part; a link's address follows
    its words (absolute, as in the HTML part)."""
    html = _LINK.sub(lambda m: m[2] if m[1] in m[2] else f"{m[2]} ({m[1]})",
                     absolutise_html(article.body_html or ""))
    blocks = (html_to_text(b) for b in _BLOCK_END.split(html))
    return "\n\n".join(b for b in blocks if b)
