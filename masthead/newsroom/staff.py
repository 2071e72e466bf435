"""Admin actions: newsroom accounts (create, role, deactivate) and sections.

Used by the admin pages and by `masthead createuser`, so both apply the same rules. `actor` is
the person acting (None for the command line, which is trusted like the server's owner).
Section changes go through `articles.services.change_taxonomy`, which tells the caches.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from masthead.articles import services as articles
from masthead.articles.models import Author, Section

from . import policy
from .roles import ROLES, assign_role, role_of


def _require(actor, allowed: bool) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied("Only administrators can do this.")


def check_username(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 150 or any(ch.isspace() for ch in name):
        raise ValidationError("A login name is 1-150 characters without spaces.")
    if get_user_model().objects.filter(username__iexact=name).exists():
        raise ValidationError(f"A user named {name!r} already exists.")
    return name


def create_staff_user(username: str, role: str, *, password: str | None = None,
                      display_name: str = "", actor=None):
    """Create an account with a role and a byline; returns (user, generated password or None)."""
    _require(actor, actor is None or policy.can_manage_users(actor))
    username = check_username(username)
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    generated = None
    if password:
        validate_password(password)
    else:
        password = generated = secrets.token_urlsafe(12)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        if display_name.strip():
            first, _, last = display_name.strip().partition(" ")
            user.first_name, user.last_name = first[:150], last[:150]
            user.save(update_fields=["first_name", "last_name"])
        assign_role(user, role)
        name = display_name.strip()[:150] or username
        if Author.objects.filter(name=name, user__isnull=True).exists():
            author = Author.objects.filter(name=name, user__isnull=True).first()
            author.user = user
            author.save(update_fields=["user"])
        else:
            Author.objects.create(name=name, user=user,
                                  slug=articles.unique_slug(Author, name, max_length=150))
    return user, generated


def _active_admins():
    return get_user_model().objects.filter(is_active=True, is_superuser=True)


def change_role(actor, user, role: str) -> None:
    _require(actor, policy.can_manage_users(actor))
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}.")
    if role != "admin" and role_of(user) == "admin":
        if actor is not None and actor.pk == user.pk:
            raise ValidationError("You cannot remove your own admin role.")
        if not _active_admins().exclude(pk=user.pk).exists():
            raise ValidationError("The newsroom needs at least one active admin.")
    assign_role(user, role)


def set_active(actor, user, active: bool) -> None:
    """Deactivated users cannot log in, and their open sessions stop working at once."""
    _require(actor, policy.can_manage_users(actor))
    if not active:
        if actor is not None and actor.pk == user.pk:
            raise ValidationError("You cannot deactivate your own account.")
        if user.is_superuser and not _active_admins().exclude(pk=user.pk).exists():
            raise ValidationError("The newsroom needs at least one active admin.")
    user.is_active = active
    user.save(update_fields=["is_active"])


def create_section(actor, name: str, description: str = "") -> Section:
    _require(actor, policy.can_manage_sections(actor))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("A section name is 1-100 characters.")
    if Section.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a section called {name!r}.")
    last = Section.objects.order_by("-position").values_list("position", flat=True).first()
    section = Section(name=name, slug=articles.unique_slug(Section, name),
                      description=description.strip(), position=(last or 0) + 10)
    articles.change_taxonomy(section)  # saves it and tells the caches (navigation changed)
    return section


def rename_section(actor, section: Section, name: str, slug: str = "",
                   description: str | None = None) -> Section:
    _require(actor, policy.can_manage_sections(actor))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("A section name is 1-100 characters.")
    if Section.objects.filter(name__iexact=name).exclude(pk=section.pk).exists():
        raise ValidationError(f"There is already a section called {name!r}.")
    slug = slugify(slug or section.slug)[:100]
    if not slug:
        raise ValidationError("The URL name needs at least one letter or digit.")
    if Section.objects.filter(slug=slug).exclude(pk=section.pk).exists():
        raise ValidationError(f"Another section already uses /section/{slug}/.")
    fields = {"name": name, "slug": slug}
    if description is not None:
        fields["description"] = description.strip()
    articles.change_taxonomy(section, **fields)
    return section


def set_section_navigation(actor, section: Section, shown: bool) -> None:
    _require(actor, policy.can_manage_sections(actor))
    articles.change_taxonomy(section, in_navigation=shown)


@transaction.atomic
def move_section(actor, section: Section, offset: int) -> None:
    """Move a section up (-1) or down (+1) in the navigation order."""
    _require(actor, policy.can_manage_sections(actor))
    ordered = list(Section.objects.order_by("position", "name"))
    index = next(i for i, s in enumerate(ordered) if s.pk == section.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    # Renumber in steps of ten; only rows whose position changes are saved (and announced).
    for position, item in enumerate(ordered, start=1):
        if item.position != position * 10:
            articles.change_taxonomy(item, position=position * 10)
