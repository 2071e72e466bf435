"""The staff side at /newsroom/: roles, writing and editing, publishing, moderation, dashboard.
"""
