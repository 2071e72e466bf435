"""The JSON API under /api/v1/ (issue 18), on django-ninja (docs/decisions/0005).

Owns the NinjaAPI instance and its error handling (`api`), the Content API (`content`:
published content, public, page-cached, CORS), the Admin API (`admin_articles`, `admin_site`,
`admin_taxonomy` for sections, tags and authors: writes through the newsroom's services as an
integration's service account, with `writes` for versions and idempotency), key checks and rate
limits (`auth`), RFC 9457 problems (`problems`), the allow-listed answers (`serializers`) and
their described shapes (`schemas`, `admin_schemas`), the edges no view owns (`middleware`: body
size, CORS, stray errors), and the page cache's key check for keyed Content API reads
(`fastpath`, named in settings so the page cache imports no app).
`schema.openapi()` is the generated OpenAPI 3.1 description, served at openapi.json.
"""
