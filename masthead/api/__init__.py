"""The JSON API under /api/v1/ (issue 18), on django-ninja (docs/decisions/0005).

Owns the NinjaAPI instance and its error handling (`api`), the Content API (`content`:
published content, public, page-cached, CORS), the Admin API (`admin_articles`, `admin_site`:
writes through the newsroom's services as an integration's service account, with `writes`
for versions and idempotency), key checks and rate limits (`auth`), RFC 9457 problems
(`problems`), the allow-listed answers (`serializers`) and their described shapes (`schemas`,
`admin_schemas`), and the edges no view owns (`middleware`: body size, CORS, stray errors).
`schema.openapi()` is the generated OpenAPI 3.1 description, served at openapi.json.
"""
