"""Signals of the comments app, sent inside the transaction of the change (receivers only
enqueue durable jobs: masthead/jobs).

- `comment_posted(comment)`: a reader or staff member posted a comment (any status).
- `comment_status_changed(comment, old_status)`: moderation moved a comment between states
  (approve, spam, trash, restore), or it was edited or erased.
"""

from django.dispatch import Signal

comment_posted = Signal()
comment_status_changed = Signal()
