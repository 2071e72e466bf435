"""Arrange a flat list of comments into display order with depths (one query, no SQL recursion)."""

from __future__ import annotations


def threaded(comments) -> list:
    """Parents before their replies, siblings oldest first; sets `.thread_depth` on each.

    A reply whose parent is not in the list (e.g. the parent was trashed later) is shown at the
    top level rather than hidden.
    """
    comments = list(comments)
    by_id = {c.pk: c for c in comments}
    children: dict[int | None, list] = {}
    for c in comments:
        parent = c.parent_id if c.parent_id in by_id else None
        children.setdefault(parent, []).append(c)
    ordered: list = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        comment.thread_depth = depth
        ordered.append(comment)
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.pk, [])))
    return ordered
