"""Images: the media library, lead images and their responsive renditions.

Owns `Image` (the stored, re-encoded original plus WebP renditions for `srcset`), the upload
service `services.store_upload` (content-checked, size-limited, EXIF-free; see processing.py)
and `views.serve`, which serves the stored files under MEDIA_URL with year-long caching.
"""
