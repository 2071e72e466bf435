"""Leave a Reply: comments, threading, moderation, spam defence and commenter privacy.

Owns `Comment` (and `Commenter`, the stored spam model, rate counters), the reader URLs under
/comments/ (posting, confirmation and unsubscribe links, comment feeds), the moderation queue
at /newsroom/comments/, the `masthead comments` command, and the spam filter (`spam/`).

Public functions (`services`): `post_comment`, `moderate` / `approve_comments` /
`spam_comments` / `trash_comments`, `edit_comment`, `reply_as_staff`, `queue_counts`,
`export_commenter`, `erase_commenter`, `forget_ip_addresses`, `content_verdict`,
`retrain_from_decisions`. Signals (`signals`): `comment_posted`, `comment_status_changed`.
Article-page blocks (`blocks`): the comment thread and the Leave a Reply form, read with one
SQL statement (`display`) and the list's markup built in Python (`listing`); the
`annotate_comment_counts(articles)` helper for teasers (`templatetags/comment_counts`).

Commenter emails are stored encrypted with a keyed hash for look-ups and never leave this app
in clear (`privacy.encrypt_email`, `privacy.email_digest`). See docs/comments.md.
"""
