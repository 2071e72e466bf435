"""Full-text search: one interface, a backend per database (SQLite FTS5, PostgreSQL tsvector).
"""
