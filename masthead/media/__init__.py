"""Images: the media library, lead images and their responsive renditions.

Owns `Image` (the stored, re-encoded original plus renditions) and the upload service.
"""
