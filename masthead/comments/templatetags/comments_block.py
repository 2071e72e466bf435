"""Comment display tags for the staff templates (Django templates): the moderation queue and
the staff reply page show comments as readers see them.

`{% comment_body comment %}` renders a comment's text (escaped, paragraphs, links). The reader
pages render comments through `masthead/comments/blocks.py` and Jinja2 instead.
"""

from __future__ import annotations

from django import template

from .. import rendering

register = template.Library()


@register.simple_tag
def comment_body(comment):
    return rendering.render_body(comment.body)
