"""Articles and their furniture: Article, Section, Tag, Author, Revision, Redirect.

Owns the one definition of "visible to readers" (`Article.objects.published()`), the write
path (`services.save_article`, `publish_article`, `unpublish_article`, `change_slug`), the
signals other apps react to (`signals.article_published`, `article_changed`,
`article_unpublished`) and the reader pages (front, article, section/tag/author listings).
The front page's curation (`FrontPageSlot`: lead, top stories, section pins) is read by
`front_page.py` and written only by `curation.set_front_page` (signal `front_page_curated`).
The tag and byline link rows (`ArticleTag`, `Byline`) carry the listing key `listed_at`, kept
by database triggers (migration 0007, decision 0007), never written from Python.
"""
