"""An import's report lists the first skipped items of each reason and counts the rest, so a
million-post export's 100,000 skipped attachments are not 100,000 lines."""

from __future__ import annotations

from masthead.importers.records import LISTED_PER_REASON, ImportReport


def test_past_the_listed_items_of_a_reason_the_rest_are_counted():
    report = ImportReport()
    report.count("article", n=3)
    for n in range(LISTED_PER_REASON + 5):
        report.skip(f"attachment {n}", "media file")
    report.skip("menu item 1", "not content")
    for n in range(LISTED_PER_REASON + 2):
        report.skip(f"pingback {n}", "pingbacks are not comments", whole=False)
    lines = report.lines()
    assert sum(line.startswith("skipped attachment ") for line in lines) == LISTED_PER_REASON
    assert "skipped 5 more item(s): media file" in lines
    assert "skipped menu item 1: not content" in lines
    assert "skipped 2 more part(s): pingbacks are not comments" in lines
    assert len(report.skipped) == 2 * LISTED_PER_REASON + 1
    # parts of an item (a pingback) are not items left out
    assert report.summary() == f"3 imported, {LISTED_PER_REASON + 6} skipped, 0 errors"


def test_a_parsers_report_adds_its_counts_to_the_stores():
    store, parser = ImportReport(), ImportReport()
    for n in range(LISTED_PER_REASON + 3):
        parser.skip(f"attachment {n}", "media file")
    store.skip("post 9", "status 'trash' is not imported")
    parser.notes.append("a note")
    store.add_skips(parser)
    assert store.summary() == f"0 imported, {LISTED_PER_REASON + 4} skipped, 0 errors"
    assert "skipped 3 more item(s): media file" in store.lines()
    assert store.lines()[-1] == "a note"


def test_notes_about_the_same_thing_are_listed_then_counted_across_reports():
    store, parser = ImportReport(), ImportReport()
    for n in range(LISTED_PER_REASON + 4):
        parser.note(f"post {n} has no title; it was given 'Untitled {n}'", "untitled posts")
    parser.note("the feed has no entries")
    store.note("comment 'c1' on 'A': parent 'c0' not in the file", "orphaned comments")
    store.add_skips(parser)
    lines = store.lines()
    assert sum("has no title" in line for line in lines) == LISTED_PER_REASON
    assert "4 more: untitled posts" in lines
    assert "the feed has no entries" in lines
    assert not any(line.endswith("orphaned comments") for line in lines)  # one: listed
    assert len(store.notes) == LISTED_PER_REASON + 2
