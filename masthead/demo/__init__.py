"""The demo site: original fictional articles, authors and comments, loaded by `masthead demo`.
"""
