"""Exporters: Masthead's content out, in formats its importers (and others) read back."""
