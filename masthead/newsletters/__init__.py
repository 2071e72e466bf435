"""Newsletters: readers subscribe (double opt-in), editors send issues, addresses stay private.

What this app owns:
- `models`: `Newsletter` (what the publisher defines), `Subscriber` (one per address, stored
  only encrypted with a keyed digest for look-ups, on the shared key ring: `privacy`),
  `ArticleEmail` (an article to send when published), `Subscription` (subscriber x newsletter),
  `Issue` (one mailing) and `Delivery` (the per-recipient ledger that makes sending
  exactly-once-or-in-doubt: docs/newsletters.md, "Delivery guarantee").
- `services`: every write: `subscribe`, `confirm`, `set_preferences`, `unsubscribe`,
  `create_issue`, `send_issue`, `suppress`, `erase`.
- `tokens`: the signed form token, confirmation, preferences and unsubscribe links.
- `mail`: building one issue's message (HTML with inlined CSS + plain text) per recipient.
- `delivery`: the sending loop of one batch (claim, pace to the global rate, SMTP, mark), run
  by `tasks.send_batch`.
- `article_mail`: an article sent as an email when it is published (opt-in per article), once.
- `bounces`: RFC 3464 delivery status notifications and ARF complaints -> suppression.
- `csvio`: Ghost / Mailchimp / Substack subscriber CSV in and out.
"""
