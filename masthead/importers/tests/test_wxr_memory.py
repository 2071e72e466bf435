"""What the WordPress reader remembers across an export (sources/wxr_memory) answers as the
dict and set it replaces did, in a forked reading process too, and leaves no file behind."""

from __future__ import annotations

import multiprocessing
import os

from hypothesis import given
from hypothesis import strategies as st

from masthead.importers.sources.wxr_markup import Attachment
from masthead.importers.sources.wxr_memory import BITMAP_IDS, FLUSH_ROWS, MediaIndex, PostIds


def _index(attachments) -> MediaIndex:
    index = MediaIndex()
    for attachment in attachments:
        index.add(attachment)
    index.finish()
    return index


def test_attachments_are_found_by_id_and_by_parent_past_many_flushes():
    made = [Attachment(id=n, url=f"https://x.example/{n}.jpg", parent=n // 3, alt=f"alt {n}",
                       caption="Caption — ünïcode", title=f"T{n}")
            for n in range(1, FLUSH_ROWS * 2 + 7)]
    index = _index(made)
    assert len(index) == len(made)
    assert index.get(5) == made[4] and index[FLUSH_ROWS * 2 + 6] == made[-1]
    assert index.get(10**6) is None and index.get(10**30) is None and 10**6 not in index
    assert index.children.get(4, []) == [12, 13, 14]
    assert index.children.get(10**6, []) == []
    try:
        index[10**6]
    except KeyError:
        pass
    else:
        raise AssertionError("a missing attachment must raise KeyError")


def test_a_later_attachment_with_the_same_id_replaces_the_first_as_in_a_dict():
    index = _index([Attachment(id=7, url="a.jpg", parent=1), Attachment(id=7, url="b.jpg")])
    assert index[7].url == "b.jpg" and len(index) == 1
    assert index.children.get(1, []) == []


def _read_in_child(index: MediaIndex, out) -> None:
    out.put((index[3].url, index.children.get(1, [])))


def test_a_forked_reader_opens_its_own_connection_and_leaves_the_file_to_its_maker():
    index = _index([Attachment(id=n, url=f"{n}.jpg", parent=1) for n in range(1, 5)])
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_read_in_child, args=(index, out))
    child.start()
    assert out.get(timeout=30) == ("3.jpg", [1, 2, 3, 4])
    child.join(30)
    assert child.exitcode == 0
    assert os.path.exists(index.path)  # the child did not remove it
    assert index[2].url == "2.jpg"  # and the maker's connection still works
    path = index.path
    index.close()
    assert not os.path.exists(path)


def test_the_file_goes_when_the_index_is_collected():
    index = _index([Attachment(id=1, url="1.jpg")])
    path = index.path
    del index
    import gc

    gc.collect()
    assert not os.path.exists(path)


@given(st.lists(st.one_of(st.integers(min_value=0, max_value=5_000),
                          st.integers(min_value=BITMAP_IDS - 3, max_value=BITMAP_IDS + 3),
                          st.integers(min_value=-(1 << 70), max_value=1 << 70))),
       st.lists(st.integers(min_value=-10, max_value=10_000)))
def test_post_ids_answer_as_a_set_does(added, probes):
    ids, expected = PostIds(), set()
    for pid in added:
        ids.add(pid)
        expected.add(pid)
    for pid in [*added, *probes, BITMAP_IDS, BITMAP_IDS - 1]:
        assert (pid in ids) == (pid in expected)


def test_a_million_dense_post_ids_take_a_bitmap_not_a_set():
    ids = PostIds()
    for pid in range(1, 1_000_001):
        ids.add(pid)
    assert len(ids._bits) <= 2 * 1_000_001 // 8 + 1 and not ids._large
    assert 999_999 in ids and 1_000_001 not in ids
