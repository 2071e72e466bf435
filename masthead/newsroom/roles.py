"""Newsroom roles as Django groups with permissions.

- contributor: writes drafts, cannot publish.
- author: publishes their own articles.
- contributors and authors write under their own byline and may credit co-authors.
- editor: edits and publishes anyone's, sets any byline, moderates comments, pins related
  articles.
- admin: everything, including users, sections and settings (a superuser).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ROLES = ("contributor", "author", "editor", "admin")

# (app_label, codename) per role; each role also has everything of the roles before it.
_PERMISSIONS = {
    "contributor": [
        ("articles", "add_article"), ("articles", "change_article"), ("articles", "view_article"),
        ("media", "add_image"), ("media", "view_image"),
        ("articles", "view_revision"),
    ],
    "author": [("articles", "publish_own_article")],
    "editor": [
        ("articles", "publish_article"), ("articles", "edit_any_article"),
        ("articles", "delete_article"), ("articles", "add_tag"), ("articles", "change_tag"),
        ("comments", "moderate_comment"), ("comments", "change_comment"),
        ("comments", "view_comment"), ("recommendations", "pin_related"),
        ("articles", "curate_front_page"),
        ("media", "change_image"), ("media", "delete_image"),
    ],
    "admin": [
        ("articles", "add_section"), ("articles", "change_section"), ("articles", "delete_section"),
        ("articles", "change_author"), ("articles", "add_author"),
        ("auth", "add_user"), ("auth", "change_user"), ("auth", "view_user"),
    ],
}
# Newsletters (masthead/newsletters): editors write and send issues; only admins define
# newsletters and see subscriber addresses (issue 17: "addresses only to roles that need them").
_PERMISSIONS["editor"] += [("newsletters", "send_newsletter"), ("newsletters", "view_newsletter")]
_PERMISSIONS["admin"] += [("newsletters", "add_newsletter"), ("newsletters", "change_newsletter"),
                          ("newsletters", "view_subscriber_addresses")]


def permissions_for(role: str) -> list[tuple[str, str]]:
    perms: list[tuple[str, str]] = []
    for name in ROLES[: ROLES.index(role) + 1]:
        perms += _PERMISSIONS[name]
    return perms


@transaction.atomic
def ensure_groups() -> dict[str, Group]:
    """Create/refresh the four groups; safe to call repeatedly (after migrations, on createuser)."""
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = permissions_for(role)
        perms = [
            p for p in Permission.objects.filter(codename__in=[c for _, c in wanted])
            .select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        group.permissions.set(perms)
        groups[role] = group
    return groups


def role_of(user) -> str | None:
    if user.is_superuser:
        return "admin"
    names = set(user.groups.values_list("name", flat=True))
    for role in reversed(ROLES):
        if role in names:
            return role
    return None


@transaction.atomic
def assign_role(user, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    group = Group.objects.filter(name=role).first() or ensure_groups()[role]
    user.groups.set([group])
    user.is_staff = True
    user.is_superuser = role == "admin"
    user.save(update_fields=["is_staff", "is_superuser"])
