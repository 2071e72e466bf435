"""Row ids as runs (core/id_runs): nothing lost, nothing added, order kept."""

from array import array

from hypothesis import given
from hypothesis import strategies as st

from masthead.core import id_runs


@given(st.lists(st.integers(min_value=1, max_value=10_000)))
def test_runs_expand_to_the_same_ids_in_the_same_order(ids):
    runs = id_runs.runs(ids)
    assert list(id_runs.expand(runs)) == ids
    assert id_runs.count(runs) == len(ids)


def test_consecutive_ids_are_one_run_and_gaps_start_new_ones():
    assert id_runs.runs(array("q", range(100, 1_100))) == [[100, 1_099]]
    assert id_runs.runs([1, 2, 3, 7, 8, 5]) == [[1, 3], [7, 8], [5, 5]]


def test_plain_ids_from_an_older_job_still_expand():
    assert list(id_runs.expand([4, [6, 8], 2])) == [4, 6, 7, 8, 2]
    assert id_runs.count([4, [6, 8], 2]) == 5
