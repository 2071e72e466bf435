"""The newsroom at /newsroom/: roles, writing and editing, publishing, revisions, the media
library, the dashboard, front-page curation, login security, and the admin pages for users
and sections.

Public pieces other code may use:
- `roles`: `ROLES`, `assign_role(user, role)`, `role_of(user)`, `ensure_groups()`.
- `policy`: who may see/edit/publish which article (`can_see`, `can_edit`, `can_publish`, ...).
- `services`: article actions with permission checks (`save`, `autosave`, `submit_for_review`,
  `publish`, `unpublish`, `restore_revision`), built only on `masthead.articles.services`.
- `staff`: `create_staff_user` (also behind `masthead createuser`), role changes,
  deactivation, section create/rename/reorder (through `articles.services.change_taxonomy`).
- `taxonomy`: section delete (refused while it holds articles: `InUse`), tag rename/delete,
  author create/edit, with the roles' permissions (used by the Admin API).
- `previews`: signed, expiring, revocable share links for unpublished articles
  (`services.revoke_preview_links(user, article)` is the permission-checked way to revoke).
- `front_page`: the "Front page" form (lead, top-story order, section pins) over
  `masthead.articles.curation`.
The comment moderation queue (/newsroom/comments/) belongs to `masthead.comments`.
"""
