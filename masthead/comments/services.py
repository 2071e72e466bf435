"""The comments app's write path, in one import (STYLE habit 4).

Views, the newsroom queue, the CLI and other apps call these and nothing else:
- posting: `post_comment(Submission)`, `comments_open(article)`; refusals raise `CommentRefused`
- moderation: `moderate(ids, action, user=)`, `approve_comments`, `spam_comments`,
  `trash_comments`, `edit_comment`, `reply_as_staff`, `queue_counts()`, `queue(...)`
- commenters: `confirm_address`, `unsubscribe`, `export_commenter`, `erase_commenter`,
  `forget_ip_addresses`
- spam filter: `content_verdict`, `add_training_examples`, `retrain_from_decisions`
"""

from .commenters import (
    confirm_address,
    erase_commenter,
    export_commenter,
    forget_ip_addresses,
    unsubscribe,
)
from .filtering import add_training_examples, content_verdict, retrain_from_decisions
from .moderation import (
    ModerationError,
    approve_comments,
    edit_comment,
    moderate,
    queue,
    queue_counts,
    reply_as_staff,
    spam_comments,
    trash_comments,
)
from .posting import CommentRefused, Posted, Submission, comments_open, post_comment

__all__ = [
    "CommentRefused",
    "ModerationError",
    "Posted",
    "Submission",
    "add_training_examples",
    "approve_comments",
    "comments_open",
    "confirm_address",
    "content_verdict",
    "edit_comment",
    "erase_commenter",
    "export_commenter",
    "forget_ip_addresses",
    "moderate",
    "post_comment",
    "queue",
    "queue_counts",
    "reply_as_staff",
    "retrain_from_decisions",
    "spam_comments",
    "trash_comments",
    "unsubscribe",
]
