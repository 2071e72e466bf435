"""The JSON API under /api/v1/: allow-listed fields only, with its OpenAPI description.

Owns the read-only endpoints (`views`), the explicit field lists they return (`serializers`)
and the hand-written OpenAPI 3.1 document (`schema.openapi()`) at /api/v1/openapi.json.
Articles come from `Article.objects.published()`, search from `masthead.search.services`.
"""
