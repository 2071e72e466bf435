"""The hostile-input corpus: the comment form's and the HTML importer's lists, and more.

Each string is something an attacker sends in a form field or a query parameter: markup and
script, URL schemes, template syntax, SQL, path traversal, header injection, control and
bidi characters, numbers at and past their limits, and very long values.
"""

from __future__ import annotations

from masthead.comments.tests.test_hostile_inputs import HOSTILE_TEXT as COMMENT_CORPUS
from masthead.importers.tests.test_html_to_markdown import HOSTILE_TEXT as MARKUP_CORPUS
from masthead.importers.tests.test_html_to_markdown import URLS as URL_CORPUS

MORE = [
    "' OR '1'='1", "1; DROP TABLE articles_article; --", "1' UNION SELECT password FROM "
    "auth_user --", '" OR ""="', "%' AND 1=1 --", "\\'; SELECT pg_sleep(5); --",
    "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/", "C:\\Windows\\win.ini",
    "a\r\nSet-Cookie: sessionid=evil", "%0d%0aLocation: https://evil.example/",
    "${7*7}", "#{7*7}", "{{7*7}}", "<%= 7*7 %>", "%s%s%s%n", "{0.__class__}",
    "\x00", "\x0c\x0b\x1b", "\ufeff", "\u202e", "\udfff".encode("utf-8", "replace").decode(),
    "-1", "0", "9" * 30, "1e308", "NaN", "1.5", "0x10", " 1", "1\x00", "[]", "{}", "null",
    "true", "2026-02-30", "9999-12-31", "0000-00-00", "--", "\"", "'", "<", ">", "&", "%",
    "%00", "%ff", "%", "+", "*", "()", "a" * 5000, "é" * 2000, "😀" * 500,
    "<img src=x onerror=window.__xss=1>", "\"><svg onload=window.__xss=1>",
    "javascript:window.__xss=1", "<iframe src=javascript:1>", "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>",
]

CORPUS = list(dict.fromkeys([*COMMENT_CORPUS, *MARKUP_CORPUS, *URL_CORPUS, *MORE]))
