"""Who may do what to which article: the newsroom's permission rules, in one place.

Roles grant Django permissions (roles.py); these functions add ownership. An article is a
user's own when they created it or are on its byline (co-authors share it).

- see:      `articles.edit_any_article` (editors, admins), or own.
- edit:     `articles.change_article` and see; once an article is scheduled or published,
            editing changes what readers get, so it also takes the right to publish it.
- publish:  `articles.publish_article` (anyone's), or `articles.publish_own_article` and own.
- byline:   editors and admins (`articles.edit_any_article`) may set any byline: wire copy,
            a piece written up for a correspondent. Contributors and authors write under their
            own name: the lead byline is their own, or stays whoever it already is (a co-author
            working on a colleague's piece); they may credit anyone as a co-author, and take
            themselves off, but take nobody else off. So only an editor can make someone
            else the lead byline (issue 15: an author published with the editor as lead).

Views answer 404 for an article the user may not see (its existence is not confirmed) and 403
for an action the user may not take on one they can see.
"""

from __future__ import annotations

from django.db.models import Q

from masthead.articles.models import Article, Author

LIVE_STATES = (Article.Status.SCHEDULED, Article.Status.PUBLISHED)


def is_newsroom_user(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def owns(user, article: Article) -> bool:
    if not article.pk:
        return True
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def articles_for(user):
    """The articles a user may see in the newsroom."""
    articles = Article.objects.all()
    if user.has_perm("articles.edit_any_article"):
        return articles
    own = Article.objects.filter(Q(created_by=user) | Q(bylines__author__user=user))
    return articles.filter(pk__in=own.values("pk"))


def can_see(user, article: Article) -> bool:
    return user.has_perm("articles.edit_any_article") or owns(user, article)


def can_create(user) -> bool:
    return user.has_perm("articles.add_article")


def can_publish(user, article: Article) -> bool:
    if user.has_perm("articles.publish_article"):
        return True
    return user.has_perm("articles.publish_own_article") and owns(user, article)


def can_edit(user, article: Article) -> bool:
    if not user.has_perm("articles.change_article") or not can_see(user, article):
        return False
    if article.status in LIVE_STATES:
        return can_publish(user, article)
    return True


def can_set_any_byline(user) -> bool:
    return user.has_perm("articles.edit_any_article")


def allowed_leads(user, article: Article):
    """The authors `user` may name as the lead byline of `article`."""
    if can_set_any_byline(user):
        return Author.objects.all()
    current = article.byline_authors[:1] if article.pk else []
    return Author.objects.filter(Q(user=user) | Q(pk__in=[a.pk for a in current]))


def byline_problem(user, article: Article, authors) -> str | None:
    """Why `user` may not give `article` this byline (lead first), or None if they may."""
    if can_set_any_byline(user) or not authors:
        return None
    current = article.byline_authors if article.pk else []
    lead = authors[0]
    if lead.user_id != user.pk and (not current or lead.pk != current[0].pk):
        return ("Only an editor can put an article under another person's name; "
                "add them as a co-author instead.")
    kept = {a.pk for a in authors}
    dropped = [a.name for a in current if a.pk not in kept and a.user_id != user.pk]
    if dropped:
        return f"Only an editor can take {', '.join(dropped)} off the byline."
    return None


def can_delete(user, article: Article) -> bool:
    """Deleting loses the article and its history, so it is an editor's call (no own-rule)."""
    return user.has_perm("articles.delete_article") and can_see(user, article)


def can_edit_placement(user) -> bool:
    """Featured flag and standing pages shape the whole site, so they are editors' calls."""
    return user.has_perm("articles.edit_any_article")


def can_send_newsletters(user) -> bool:
    return user.has_perm("newsletters.send_newsletter")


def can_moderate(user) -> bool:
    return user.has_perm("comments.moderate_comment")


def can_manage_users(user) -> bool:
    return user.has_perm("auth.change_user") and user.has_perm("auth.add_user")


def can_manage_sections(user) -> bool:
    return user.has_perm("articles.change_section") and user.has_perm("articles.add_section")


def can_pin_related(user) -> bool:
    return user.has_perm("recommendations.pin_related")
