"""`rotate()`: a new key, every stored value re-encrypted and re-digested, the ring re-wrapped.

Order matters for never losing a value: the new key is stored first (wrapped, like every
kept key, under the *current* secret key), then each app's re-keying function moves its rows
to it, in one transaction so that look-ups by digest never see half a rotation. A server that
read the ring just before the new key committed may still write one value under the previous
key; a second pass catches it, and the previous key is kept (so such a value stays readable)
until the next rotation, which moves anything left on it before deleting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.module_loading import import_string

from . import crypto
from .models import DataKey
from .ring import Ring, load, secrets


@dataclass
class Rotation:
    version: int
    rekeyed: dict[str, int] = field(default_factory=dict)
    deleted_versions: list[int] = field(default_factory=list)


def rekeyers() -> list:
    """The apps' re-keying functions: `fn(ring) -> rows changed` (settings)."""
    return [import_string(path) for path in getattr(settings, "MASTHEAD_KEYRING_USERS", [])]


def rekey_everything(ring: Ring) -> dict[str, int]:
    return {f"{fn.__module__}.{fn.__name__}": fn(ring) for fn in rekeyers()}


def rotate() -> Rotation:
    """Raises RingLocked (changing nothing) when the ring does not open."""
    ring = load()  # opens every key now, before anything is written
    with transaction.atomic():
        version = (DataKey.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        roots = {**ring.roots, version: crypto.new_root()}
        # Re-wrap every kept key under the current secret: after this the fallbacks are no
        # longer needed to open the ring.
        for old, root in ring.roots.items():
            DataKey.objects.filter(version=old).update(wrapped=crypto.wrap(root, secrets()[0]))
        DataKey.objects.create(version=version, wrapped=crypto.wrap(roots[version], secrets()[0]))
        new_ring = Ring(roots)
        done = Rotation(version=version, rekeyed=rekey_everything(new_ring))
    with transaction.atomic():
        for name, count in rekey_everything(load()).items():
            done.rekeyed[name] += count
        older = sorted(v for v in roots if v < version - 1)
        DataKey.objects.filter(version__in=older).delete()
        done.deleted_versions = older
    return done
