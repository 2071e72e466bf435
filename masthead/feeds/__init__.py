"""RSS 2.0, Atom 1.0 and JSON Feed 1.1, sitemaps, the Google News sitemap and robots.txt.

Owns the feeds of the site, of each section, tag and author (`syndication.ArticleFeed`,
declared once and written by the generators in `generators`), the sitemap declarations in
`sitemaps`, and the views answering them with conditional GET and deliberate Cache-Control.
Everything here reads `Article.objects.published()` and writes no data.
"""
