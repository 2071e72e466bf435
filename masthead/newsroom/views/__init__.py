"""Newsroom views, one module per page family; HTTP only, decisions in policy/services."""
