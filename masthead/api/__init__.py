"""The JSON API under /api/v1/: allow-listed fields only, with its OpenAPI description.
"""
