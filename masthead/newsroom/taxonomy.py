"""Taxonomy changes beyond `staff.py`: deleting sections, renaming and deleting tags, and
creating and editing authors (bylines). Used by the Admin API; the same functions serve any
newsroom page or command that comes to need them, so every caller applies one rule.

Who may: the roles' Django permissions (roles.py), as everywhere in the newsroom — sections
and authors are admins' (`add_/change_/delete_section`, `add_/change_author`), renaming a tag
is editors' (`change_tag`), deleting one is admins' (`delete_tag`: it takes the tag off every
article that carries it). Every change goes through `articles.services.change_taxonomy` or
sends the same signal, so the page cache purges exactly what showed the old names.

What the site does on a slug change, these do too: nothing is redirected (section, tag and
author listing pages are found by their current slug; article URLs do not contain them).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from masthead.articles import services as articles
from masthead.articles import signals
from masthead.articles.models import Author, Section, Tag


class InUse(Exception):
    """The thing is still used, so it cannot go (the caller answers 409)."""


def _require(actor, *perms: str) -> None:
    if actor is not None and not all(actor.has_perm(p) for p in perms):
        raise PermissionDenied("Your role may not do this.")


def _slug(model, obj, slug: str | None, max_length: int) -> str:
    """A requested slug, cleaned and free; or the current one."""
    if slug is None:
        return obj.slug
    cleaned = slugify(slug)[:max_length].strip("-")
    if not cleaned:
        raise ValidationError("The URL name needs at least one letter or digit.")
    if model.objects.filter(slug=cleaned).exclude(pk=obj.pk).exists():
        raise ValidationError(f"Another {model.__name__.lower()} already uses {cleaned!r}.")
    return cleaned


def _name(value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise ValidationError(f"A name is 1-{limit} characters, not only spaces.")
    return value


@transaction.atomic
def delete_section(actor, section: Section) -> None:
    """Refused while any article (draft or live) is filed in it: articles keep their section."""
    _require(actor, "articles.delete_section", "articles.change_section")
    count = section.articles.count()
    if count:
        raise InUse(f"The section {section.name!r} still holds {count} article(s); "
                    "move them to another section first.")
    old_url = section.get_absolute_url()
    section.delete()
    section.pk = None
    signals.taxonomy_changed.send(sender=Section, obj=section, old_url=old_url)


def rename_tag(actor, tag: Tag, name: str | None = None, slug: str | None = None) -> Tag:
    _require(actor, "articles.change_tag")
    name = tag.name if name is None else _name(name, 100)
    if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
        raise ValidationError(f"There is already a tag called {name!r}.")
    articles.change_taxonomy(tag, name=name, slug=_slug(Tag, tag, slug, 100))
    return tag


@transaction.atomic
def delete_tag(actor, tag: Tag) -> None:
    """Takes the tag off its articles; their pages and the tag's listing are purged."""
    _require(actor, "articles.delete_tag")
    # Announced before the rows go: the purge reads which articles carried the tag.
    signals.taxonomy_changed.send(sender=Tag, obj=tag, old_url=tag.get_absolute_url())
    tag.delete()


def _author_fields(author: Author, name, slug, bio) -> dict:
    fields = {}
    if name is not None:
        fields["name"] = _name(name, 150)
    fields["slug"] = _slug(Author, author, slug, 150)
    if bio is not None:
        fields["bio"] = bio.strip()
    return fields


@transaction.atomic
def create_author(actor, name: str, slug: str | None = None, bio: str = "") -> Author:
    """A byline without an account (a correspondent, the wire service)."""
    _require(actor, "articles.add_author")
    author = Author(name=_name(name, 150))
    author.slug = articles.unique_slug(Author, author.name, max_length=150) if slug is None \
        else _slug(Author, author, slug, 150)
    author.bio = (bio or "").strip()
    articles.change_taxonomy(author)
    return author


@transaction.atomic
def update_author(actor, author: Author, name: str | None = None, slug: str | None = None,
                  bio: str | None = None) -> Author:
    _require(actor, "articles.change_author")
    articles.change_taxonomy(author, **_author_fields(author, name, slug, bio))
    return author
