"""Shared plumbing with no knowledge of articles or comments.

Owns: Markdown → safe HTML (`html.render_markdown`), text measures (`text.word_count`,
`text.reading_minutes`), HTTP helpers (`http.public`, `http.private`) and
`/healthz`. Every other app may import from here; this app imports from none of them.
"""
