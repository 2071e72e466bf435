"""Articles You May Like: related-article engines, stored related lists, pins and exclusions.

Owns the stored lists (`RelatedArticle`, read with one query), editors' pins/exclusions
(`RelatedOverride`), the change log and engine snapshots (`state.py`), and the engines in
`engines/`. Public: `services.related_for`, `record_changes`, `rebuild`, `export_lists`, `pin`,
`exclude`, `clear_override`.
"""
