"""Leave a Reply: comments, threading, moderation, spam defence and commenter privacy.

Owns `Comment`, the posting and moderation services, the spam filter (`spam/`) and the
privacy primitives (`privacy.encrypt_email`, `privacy.email_digest`). Commenter emails are
stored encrypted with a keyed hash for look-ups and never leave this app in clear.
"""
