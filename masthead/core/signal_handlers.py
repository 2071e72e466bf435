"""Receivers of `masthead.core`: every stored text is clean (issue 15, item 1).

`clean_stored_text` runs before any model instance is saved, whatever path saved it (a
newsroom form, the API, the CLI, a comment, a service not written yet), and strips from its
text fields the characters `core.text.clean_text` removes. One receiver for every model, not
a cleaning call in every form, so that no future entry point can forget it. Bulk inserts skip
signals: the importers clean their records instead (importers/records.py).
"""

from __future__ import annotations

from functools import cache

from django.db import models

from .text import clean_text

_TEXT_FIELDS = (models.CharField, models.TextField)


@cache
def _text_attnames(model) -> tuple[str, ...]:
    return tuple(
        f.attname for f in model._meta.concrete_fields if isinstance(f, _TEXT_FIELDS)
    )


def clean_stored_text(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # loaddata: fixtures are stored exactly as written
        return
    values = vars(instance)  # loaded values only: reading a deferred field would query
    for name in _text_attnames(type(instance)):
        if update_fields is not None and name not in update_fields:
            continue
        value = values.get(name)
        if isinstance(value, str):
            cleaned = clean_text(value)
            if cleaned is not value:
                setattr(instance, name, cleaned)
