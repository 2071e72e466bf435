"""Issuing, checking and revoking integration keys; the only writes to this app's models.

Keys are shown once (returned by `create_integration`) and stored as SHA-256 digests. Each
integration gets a service account with its role (newsroom `roles.assign_role`), so what its
Admin key may do is decided by the newsroom's own policy for that role.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead.articles.models import Author
from masthead.articles.services import unique_slug
from masthead.newsroom import policy
from masthead.newsroom.roles import ROLES, assign_role

from .models import ApiKey, Integration

KEY_PREFIX = {ApiKey.Kind.CONTENT: "mhc_", ApiKey.Kind.ADMIN: "mha_"}
# Recording every use would turn each API read into a write; once a minute says enough.
LAST_USE_PRECISION = dt.timedelta(seconds=60)
SERVICE_USER_PREFIX = "integration:"


@dataclasses.dataclass(frozen=True)
class Issued:
    integration: Integration
    content_key: str
    admin_key: str


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_key(integration: Integration, kind: str) -> str:
    raw = KEY_PREFIX[kind] + secrets.token_urlsafe(32)
    ApiKey.objects.create(integration=integration, kind=kind, prefix=raw[:10],
                          digest=digest(raw))
    return raw


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100 or not slugify(name):
        raise ValidationError("An integration name is 1-100 characters with a letter or digit.")
    if Integration.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"An integration named {name!r} already exists.")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    return role


def _require_admin(actor) -> None:
    # `actor=None` is the operator at the command line, trusted like the server's owner.
    if actor is not None and not policy.can_manage_users(actor):
        raise PermissionDenied("Only administrators can manage integrations.")


@transaction.atomic
def create_integration(name: str, role: str, *, actor=None) -> Issued:
    """A new integration, its service account and both keys (returned once, never again)."""
    _require_admin(actor)
    name, role = check_name(name), check_role(role)
    User = get_user_model()
    username = f"{SERVICE_USER_PREFIX}{slugify(name)}"[:150]
    base, n = username, 2
    while User.objects.filter(username=username).exists():
        username, n = f"{base[:140]}-{n}", n + 1
    # first_name: the byline the newsroom gives an article filed without one (author_for).
    user = User(username=username, first_name=name[:150])
    user.set_unusable_password()
    user.save()
    assign_role(user, role)
    # Its byline, made now: the newsroom makes one on a user's first save (author_for), and
    # an integration's first saves can arrive all at once.
    Author.objects.create(name=name[:150], user=user,
                          slug=unique_slug(Author, name, max_length=150))
    integration = Integration.objects.create(name=name, role=role, user=user)
    return Issued(integration, _new_key(integration, ApiKey.Kind.CONTENT),
                  _new_key(integration, ApiKey.Kind.ADMIN))


def find(name: str) -> Integration:
    found = Integration.objects.filter(name__iexact=" ".join((name or "").split())).first()
    if found is None:
        raise ValidationError(f"No integration named {name!r}.")
    return found


@transaction.atomic
def revoke_integration(integration: Integration, *, actor=None) -> Integration:
    """Both keys stop working at once; the service account is deactivated (no permissions)."""
    _require_admin(actor)
    now = timezone.now()
    if integration.revoked_at is None:
        integration.revoked_at = now
        integration.save(update_fields=["revoked_at"])
    integration.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
    type(integration.user).objects.filter(pk=integration.user_id).update(is_active=False)
    return integration


def authenticate(raw: str, kinds=(ApiKey.Kind.CONTENT, ApiKey.Kind.ADMIN)) -> ApiKey | None:
    """The live key of one of `kinds` whose digest matches, its integration and user loaded."""
    if not raw or len(raw) > 200 or not raw.startswith(tuple(KEY_PREFIX.values())):
        return None
    key = (ApiKey.objects.select_related("integration", "integration__user")
           .filter(digest=digest(raw), kind__in=kinds, revoked_at__isnull=True,
                   integration__revoked_at__isnull=True).first())
    if key is None or not key.integration.user.is_active:
        return None
    record_use(key)
    return key


def record_use(key: ApiKey, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if key.last_used_at and now - key.last_used_at < LAST_USE_PRECISION:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


def listing():
    return Integration.objects.prefetch_related("keys").order_by("name")
