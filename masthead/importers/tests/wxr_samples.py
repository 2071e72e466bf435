"""Small WordPress exports built in tests, one rule at a time (shared by the WXR tests)."""

from __future__ import annotations

WP = "http://wordpress.org/export/1.2/"


def export_file(tmp_path, items: str, *, url="https://news.example/blog", extra="", ns=WP):
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:excerpt="{ns}excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}"><channel>'
        f"<title>News</title><link>{url}</link><language>en-GB</language>"
        f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{url}</wp:base_site_url>"
        f"<wp:base_blog_url>{url}</wp:base_blog_url>"
        "<wp:author><wp:author_login>jdoe</wp:author_login><wp:author_email>j@news.example"
        "</wp:author_email><wp:author_display_name><![CDATA[Jane Doe]]></wp:author_display_name>"
        f"</wp:author>{extra}{items}</channel></rss>",
        encoding="utf-8",
    )
    return path


def item(pid, content="Text.", *, title="A post", post_type="post", status="publish", more=""):
    return (
        f"<item><title>{title}</title><link>https://news.example/blog/2023/09/16/p{pid}/</link>"
        f"<dc:creator>jdoe</dc:creator><content:encoded><![CDATA[{content}]]></content:encoded>"
        f"<wp:post_id>{pid}</wp:post_id><wp:post_date>2023-09-16 12:00:00</wp:post_date>"
        "<wp:post_date_gmt>2023-09-16 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>p{pid}</wp:post_name><wp:status>{status}</wp:status>"
        f"<wp:post_type>{post_type}</wp:post_type>{more}</item>"
    )


def comment(cid, *, parent=0, approved="1", kind="", content="Hello", ip="192.0.2.1"):
    return (
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>Reader {cid}"
        "</wp:comment_author><wp:comment_author_email>r@example.org</wp:comment_author_email>"
        "<wp:comment_author_url>javascript:alert(1)</wp:comment_author_url>"
        f"<wp:comment_author_IP>{ip}</wp:comment_author_IP>"
        "<wp:comment_date>2023-09-17 12:00:00</wp:comment_date>"
        "<wp:comment_date_gmt>2023-09-17 10:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )
