"""Articles You May Like: related-article engines, stored related lists, pins and exclusions.

Owns `RelatedArticle` lists precomputed per article (pages read them with one query), the
engines in `engines/`, and `services.related_for(article)`.
"""
