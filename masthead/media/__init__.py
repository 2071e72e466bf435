"""Images: the media library, lead images and their responsive renditions.

Owns `Image` (the stored, re-encoded original plus WebP renditions for `srcset`), the upload
service `services.store_upload` (content-checked, size-limited, EXIF-free; see processing.py),
`services.delete_image` (the row and every stored file), where files live (`storage`: the data
dir, MASTHEAD_MEDIA_DIR or an S3 bucket, checked at start-up by `storage.verify`) and
`views.serve`, which serves the stored files under MEDIA_URL with year-long caching.
"""
