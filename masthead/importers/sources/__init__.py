"""Import sources: each parses one format into `importers.records`."""
