"""Full-page cache for anonymous readers, invalidated exactly by surrogate keys.
"""
