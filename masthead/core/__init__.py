"""Shared plumbing with no knowledge of articles or comments.

Owns: Markdown → safe HTML (`html.render_markdown`), text measures (`text.word_count`,
`text.reading_minutes`), HTTP helpers (`http.public`, `http.private`) and
`/healthz`; the rule for stored text (`text.clean_text`, applied to every save by
`signal_handlers.clean_stored_text`) and feeds that honour it (`feedtext`); the
Content-Security-Policy every response carries (`security`). Every other app may import
from here; this app imports from none of them.
"""
