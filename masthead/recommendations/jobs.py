"""The periodic sweep every job worker runs (settings.MASTHEAD_BACKGROUND_JOBS; masthead/jobs).

Safe from many processes at once: applying events happens under the `EngineState` lock, and a
refit is claimed with a conditional UPDATE, so exactly one worker runs it.
"""

from __future__ import annotations

from . import services
from .models import EngineState, RelatedEvent


def keep_lists_fresh() -> None:
    """Apply changes a failed signal handler left behind; refit when the engine asked for it
    (after incremental changes to a fifth of the corpus, docs/recommendations.md)."""
    row = EngineState.objects.filter(pk=1).values("generation", "written_event",
                                                  "refit_due").first()
    if not row or not row["generation"]:
        return  # nothing built yet: the first publication or import builds it
    if row["refit_due"]:
        if services.claim_refit():
            services.rebuild()
        return
    if RelatedEvent.objects.filter(id__gt=row["written_event"]).exists():
        services.apply_pending()
