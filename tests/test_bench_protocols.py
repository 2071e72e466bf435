"""bench/related_protocol.py and bench/spam_protocol.py: the splits mirror the unseen checks
(issue 19). The figures themselves come from running the scripts, not from the test suite."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import related_protocol  # noqa: E402
import spam_protocol  # noqa: E402


def test_spam_parts_are_drawn_as_the_unseen_set_was():
    # Per (video, label), 20 % of the ids held out: every group keeps its share, and another
    # seed draws another part.
    rows = [{"id": f"{v}-{lab}-{i}", "video": v, "label": lab}
            for v in ("Psy", "Eminem") for lab in ("spam", "ham") for i in range(10 + len(v))]
    held = spam_protocol.as_held_out(rows, seed=1)
    for v in ("Psy", "Eminem"):
        for lab in ("spam", "ham"):
            group = [r["id"] for r in rows if r["video"] == v and r["label"] == lab]
            assert sum(i in held for i in group) == round(0.2 * len(group))
    assert held != spam_protocol.as_held_out(rows, seed=2)
    assert held == spam_protocol.as_held_out(rows, seed=1)


@pytest.fixture
def sections_mode():
    saved = related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED
    yield
    related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED = saved


def test_related_engine_gets_sections_as_import_jsonl_reads_them(sections_mode):
    bbc = {"id": "bbc-tech-001", "category": "tech"}
    ecb = {"id": "ecbplus-1_1ecb", "category": "topic-01", "story": "01-a"}
    wiki = {"id": "wikinews-00", "category": None}
    related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED = True, False
    assert [related_protocol.section_as_imported(r) for r in (bbc, ecb, wiki)] == \
        ["tech", "topic-01", ""]
    related_protocol.CROSS_FILED = True
    assert related_protocol.section_as_imported(ecb) in related_protocol.CROSS_SECTIONS
    assert related_protocol.section_as_imported(bbc) == "tech"
    related_protocol.WITH_SECTIONS = False
    assert related_protocol.section_as_imported(bbc) == ""


def test_spam_periods_are_whole_stretches_of_time_per_video():
    rows = [{"id": f"{v}-{i}", "video": v, "date": f"2014-01-{i + 1:02d}T10:00:00"}
            for v in ("Psy", "Shakira") for i in range(10)]
    parts = [spam_protocol.period_part(rows, i) for i in range(5)]
    assert set().union(*parts) == {r["id"] for r in rows}  # every comment held out once
    assert sum(len(p) for p in parts) == len(rows)
    assert parts[4] == {"Psy-8", "Psy-9", "Shakira-8", "Shakira-9"}  # the latest fifth
