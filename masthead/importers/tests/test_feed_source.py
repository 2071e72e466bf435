"""Feeds → records: the feedparser and W3C test documents, hostile markup, and fetching.

The shared documents' header comments say what a correct reader makes of them; where an
entry has no title (many of these tiny test documents have none, and Masthead skips untitled
entries), a title is added in memory so the rest of the entry can be checked.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import threading
import time
from pathlib import Path

import pytest

from masthead.importers.html_to_markdown import html_to_markdown
from masthead.importers.records import ImportReport, RecordError
from masthead.importers.sources.feed import fetch_feed, parse_feed


@pytest.fixture
def feeds(shared_data) -> Path:
    path = shared_data / "feeds"
    if not path.is_dir():
        pytest.skip(f"feed test documents not found at {path} (set MASTHEAD_SHARED_DATA)")
    return path


def read(path: Path, *, titled: bool = False, text: bool = False) -> bytes:
    """The document, with a title (and some text) added to each entry when asked, so that
    only the field under test decides what becomes of the entry."""
    data = path.read_bytes()
    extra = (b"<title>Titled</title>" if titled else b"") + (
        b"<description>Text</description>" if text else b""
    )
    return re.sub(rb"<(entry|item)>", rb"<\1>" + extra, data) if extra else data


def expectation(path: Path) -> str:
    return re.search(r"Expect:\s*(.*)", path.read_text()).group(1).strip()


SANITIZE = [
    "entry_content_script.xml",
    "entry_content_script_cdata.xml",
    "entry_content_iframe.xml",
    "entry_content_onclick.xml",
]


@pytest.mark.parametrize("name", SANITIZE)
def test_hostile_entry_html_becomes_what_feedparser_expects_and_nothing_more(feeds, name):
    path = feeds / "feedparser/wellformed/sanitize" / name
    expected_html = re.search(r"== '(.*)'$", expectation(path)).group(1)
    (record,) = parse_feed(read(path, titled=True))
    assert record.body == html_to_markdown(expected_html)
    for bad in ("<script", "iframe", "onclick", "location.href", "<"):
        assert bad not in record.body.lower()


def test_an_ill_formed_feed_without_entries_is_refused(feeds):
    path = feeds / "feedparser/illformed/aaa_illformed.xml"
    assert expectation(path) == "bozo"
    with pytest.raises(RecordError, match="not a readable RSS or Atom feed"):
        parse_feed(read(path))


@pytest.mark.parametrize(
    "name",
    [
        "item_author.xml",
        "item_author_map_author_detail_email.xml",
        "item_author_map_author_detail_email2.xml",
    ],
)
def test_rss_author_gives_the_name_and_never_the_address(feeds, name):
    (record,) = parse_feed(read(feeds / "feedparser/wellformed/rss" / name, titled=True, text=True))
    assert record.authors == ["Example editor"]


def test_entries_without_title_are_skipped_with_a_reason(feeds):
    report = ImportReport()
    path = feeds / "feedparser/wellformed/atom10/entry_contributor_multiple.xml"
    assert parse_feed(read(path), report=report) == []
    assert [(s.what, s.reason) for s in report.skipped] == [("entry 1", "no title")]


def test_entries_without_text_are_skipped_with_a_reason(feeds):
    report = ImportReport()
    path = feeds / "feedparser/wellformed/atom10/entry_link_rel_enclosure_no_href.xml"
    assert parse_feed(read(path, titled=True), report=report) == []
    assert [s.reason for s in report.skipped] == ["no text", "no text"]


@pytest.mark.parametrize("name", ["channel_title.xml", "channel_title_lt.xml", "channel_link.xml"])
def test_a_valid_feed_without_entries_gives_no_records(feeds, name):
    report = ImportReport()
    assert parse_feed(read(feeds / "feedparser/wellformed/rss" / name), report=report) == []
    assert report.notes == ["the feed has no entries"]


def test_json_feed_items(feeds):
    report = ImportReport()
    (record,) = parse_feed(read(feeds / "feedparser/json/example.json"), report=report)
    assert (record.key, record.title, record.body) == ("2", "post 2", "This is a second item.")
    assert record.tags == ["test", "JSON"] and record.authors == ["me"]  # feed-level author
    assert record.attachments == ["https://example.org/second-item-show.mp4"]
    assert [s.reason for s in report.skipped] == ["no title"]  # item 1 has none


def test_atom_brief_and_extensive_documents(feeds):
    (brief,) = parse_feed(read(feeds / "w3c-feedvalidator/atom/1.1/brief-noerror.xml"))
    assert (brief.key, brief.title, brief.body, brief.authors) == (
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "Atom-Powered Robots Run Amok",
        "Some text.",
        ["John Doe"],  # the feed's author: Atom makes it every entry's author
    )
    assert brief.published_at == dt.datetime(2003, 12, 13, 18, 30, 2, tzinfo=dt.UTC)
    (full,) = parse_feed(read(feeds / "w3c-feedvalidator/atom/1.1/extensive-noerror.xml"))
    assert full.body == "*\\[Update: The Atom draft is finished.\\]*"
    assert full.authors == ["Mark Pilgrim"]
    assert full.published_at == dt.datetime(2003, 12, 13, 12, 29, 29, tzinfo=dt.UTC)
    assert full.updated_at == dt.datetime(2005, 7, 11, 12, 29, 29, tzinfo=dt.UTC)
    assert full.attachments == ["http://example.org/audio/ph34r_my_podcast.mp3"]
    assert full.lead_image_url == ""  # an audio enclosure is not an image
    (entry,) = parse_feed(read(feeds / "w3c-feedvalidator/atom/2/brief-entry-noerror.xml"))
    assert entry.title == "Atom-Powered Robots Run Amok"


def test_rss_2_sample_items(feeds):
    report = ImportReport()
    path = feeds / "w3c-feedvalidator/rss20/introduction/rss-2.0-sample-noerror.xml"
    nolan, joebob = parse_feed(read(path), report=report)
    assert nolan.key == "http://dallas.example.com/1991/05/02/nolan.htm"
    assert nolan.title == "Seventh Heaven! Ryan Hurls Another No Hitter"
    assert joebob.authors == ["Joe Bob Briggs"]  # from "jbb@dallas.example.com (Joe Bob …)"
    assert joebob.tags == ["movies", "1983/V"]
    assert joebob.published_at == dt.datetime(1983, 5, 6, 15, tzinfo=dt.UTC)  # 09:00 CST
    assert joebob.attachments == ["http://dallas.example.com/joebob_050689.mp3"]
    assert [s.reason for s in report.skipped] == ["no title", "no title"]


def test_an_email_only_author_is_not_a_byline(feeds):
    records = parse_feed(read(feeds / "w3c-feedvalidator/rss/must/atom_link.xml"))
    assert len(records) == 10 and all(r.authors == [] for r in records)


def test_rss_with_html_descriptions_keeps_links_and_images(feeds):
    path = feeds / "w3c-feedvalidator/rss/must/rss20_spec_sample_noerror.xml"
    records = {r.title: r for r in parse_feed(read(path))}
    body = records["Law and Order"].body
    assert body.startswith(
        "[![A picture named lenny.gif](http://radio.weblogs.com/0001015/images/2002/09/29/"
        "lenny.gif)](http://www.nbc.com/Law_&_Order/index.html)"
    )


def test_every_rss_date_form_is_read(feeds):
    path = feeds / "w3c-feedvalidator/rss20/data-types-datetime/everything.xml"
    records = parse_feed(read(path))
    assert len(records) == 30
    months = {"February": 2}
    for record in records:
        stated = re.findall(r"(\w+), (\d+)\w\w (\d{4}), (\d\d):(\d\d):(\d\d) GMT", record.body)
        allowed = {
            dt.datetime(int(y), months[m], int(d), int(H), int(M), int(S), tzinfo=dt.UTC)
            for m, d, y, H, M, S in stated
        }
        assert record.published_at in allowed, record.title


# --- synthetic feeds -----------------------------------------------------------------------


def rss(items: str, extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/"{extra_ns}><channel>'
        f"<title>T</title><link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


def test_full_content_is_preferred_and_a_distinct_summary_is_the_standfirst():
    items = (
        "<item><title>A</title><guid>a</guid><description>The short version.</description>"
        "<content:encoded><![CDATA[<p>The long version.</p><p>More.</p>]]></content:encoded>"
        "</item><item><title>B</title><guid>b</guid><description>The long version …"
        "</description><content:encoded><![CDATA[<p>The long version, in full.</p>]]>"
        "</content:encoded></item>"
    )
    first, second = parse_feed(rss(items))
    assert (first.body, first.standfirst) == ("The long version.\n\nMore.", "The short version.")
    assert second.standfirst == ""  # a truncated copy of the text is not a standfirst


def test_hostile_markup_never_reaches_the_body():
    html = (
        '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>'
        "<script>alert(1)</script><iframe src='https://evil.example'></iframe>"
        '<img src="https://ok.example/i.png" onerror="alert(1)"><a href="/rel">rel</a>'
    )
    items = f"<item><title>T</title><content:encoded><![CDATA[{html}]]></content:encoded></item>"
    (record,) = parse_feed(rss(items), url="https://news.example/feed/")
    assert record.body == (
        "Hi there\n\n![](https://ok.example/i.png)[rel](https://news.example/rel)"
    )


def test_images_from_enclosures_and_media_rss():
    media = ' xmlns:media="http://search.yahoo.com/mrss/"'
    items = (
        '<item><title>A</title><description>x</description><enclosure url="https://i.example/'
        'a.jpg" type="image/jpeg" length="1"/></item>'
        '<item><title>B</title><description>x</description><media:content url="https://i.'
        'example/b.png" medium="image"/></item>'
        '<item><title>C</title><description>x</description><media:thumbnail url="https://i.'
        'example/c.png"/></item>'
    )
    assert [r.lead_image_url for r in parse_feed(rss(items, media))] == [
        "https://i.example/a.jpg",
        "https://i.example/b.png",
        "https://i.example/c.png",
    ]


def test_categories_become_tags_and_keys_fall_back_to_links():
    items = (
        "<item><title>A</title><link>https://news.example/a</link><description>x</description>"
        "<category>Politics</category><category>politics </category><category>EU</category>"
        "</item>"
    )
    (record,) = parse_feed(rss(items))
    assert record.key == "https://news.example/a" and record.tags == ["Politics", "politics", "EU"]


def test_rss_0_91_with_its_doctype_and_rss_1_0():
    rss091 = (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91'
        b'//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91">'
        b"<channel><title>T</title><item><title>Old</title><link>http://x.example/1</link>"
        b"<description>Old &amp; good</description></item></channel></rss>"
    )
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://x.example/"><title>T'
        b'</title></channel><item rdf:about="http://x.example/2"><title>RDF</title><link>'
        b"http://x.example/2</link><description>Hello</description></item></rdf:RDF>"
    )
    assert [(r.title, r.body) for r in parse_feed(rss091)] == [("Old", "Old & good")]
    assert [(r.key, r.body) for r in parse_feed(rdf)] == [("http://x.example/2", "Hello")]


def test_external_entities_are_not_read_and_entity_bombs_do_not_explode(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>T</title><item><title>A</title>'
        "<description>before &x; after</description></item></channel></rss>"
    ).encode()
    (record,) = parse_feed(xxe)
    assert "TOP-SECRET" not in record.body and record.body.startswith("before")
    bomb = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{bomb}]><rss version="2.0"><channel><title>T'
        "</title><item><title>A</title><description>&i;</description></item></channel></rss>"
    ).encode()
    started = time.monotonic()
    try:
        records = parse_feed(doc)
    except RecordError:
        records = []
    assert time.monotonic() - started < 5
    assert all(len(r.body) < 10_000 for r in records)


def test_an_html_page_is_not_a_feed():
    with pytest.raises(RecordError):
        parse_feed(b"<!doctype html><html><body><p>Hello</p></body></html>")


# --- fetching ------------------------------------------------------------------------------


class FeedServer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = rss("<item><title>A</title><description>x</description></item>")
        if self.path == "/feed":
            self.reply(200, body)
        elif self.path == "/huge":
            self.reply(200, body, length=str(50 * 1024 * 1024))
        elif self.path == "/stream":  # no length announced: the limit applies while reading
            self.send_response(200)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x" * 65536)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.reply(200, body)
        elif self.path == "/drip":  # each byte in time, the whole far too late
            self.send_response(200)
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        else:
            self.reply(404, b"no")

    def reply(self, status, body, length=None):
        self.send_response(status)
        self.send_header("Content-Length", length or str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_then_parse(server):
    (record,) = parse_feed(fetch_feed(f"{server}/feed"), url=f"{server}/feed")
    assert record.title == "A"


@pytest.mark.parametrize(
    "path, kwargs, message",
    [
        ("/huge", {}, "too large"),
        ("/stream", {"max_bytes": 1024 * 1024}, "too large"),
        ("/slow", {"timeout": 0.3}, "timed out"),
        ("/drip", {"timeout": 1}, "timed out"),
        ("/missing", {}, "HTTP 404"),
        ("/to-file", {}, "refusing a redirect"),
    ],
)
def test_fetch_refuses_what_it_should(server, path, kwargs, message):
    with pytest.raises(RecordError, match=message):
        fetch_feed(server + path, **kwargs)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.example/feed", "/local", ""])
def test_only_http_urls_are_fetched(url):
    with pytest.raises(RecordError, match="only http"):
        fetch_feed(url)
