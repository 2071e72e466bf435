"""`core.forked.ordered_map`: results in order, state inherited not sent, failures surface."""

from __future__ import annotations

import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from masthead.core import forked


def square_plus(shared, item):
    return item * item + shared["offset"], os.getpid()


def fail_on_three(shared, item):
    if item == 3:
        raise ValueError("three")
    return item


def die_on_two(shared, item):
    if item == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


class Unpicklable:
    """Workers can only see this by inheriting it: pickling it fails."""

    offset = 7

    def __reduce__(self):
        raise TypeError("not picklable")

    def __getitem__(self, name):
        return getattr(self, name)


def test_results_come_in_order_from_other_processes():
    got = list(forked.ordered_map(square_plus, Unpicklable(), range(40), processes=2))
    assert [value for value, _ in got] == [i * i + 7 for i in range(40)]
    assert os.getpid() not in {pid for _, pid in got}


def test_one_process_runs_here():
    got = list(forked.ordered_map(square_plus, {"offset": 1}, range(5), processes=1))
    assert got == [(i * i + 1, os.getpid()) for i in range(5)]


def test_inputs_are_read_only_a_few_tasks_ahead():
    read = []

    def items():
        for i in range(100):
            read.append(i)
            yield i

    results = forked.ordered_map(square_plus, {"offset": 0}, items(), processes=2, ahead=2)
    next(results)
    assert len(read) <= 5
    results.close()


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(ValueError, match="three"):
        list(forked.ordered_map(fail_on_three, None, range(10), processes=2))


def test_a_killed_worker_breaks_the_map_instead_of_hanging():
    with pytest.raises(BrokenProcessPool):
        list(forked.ordered_map(die_on_two, None, range(10), processes=2))


def test_maps_do_not_nest_and_the_shared_state_is_released():
    results = forked.ordered_map(square_plus, {"offset": 0}, range(3), processes=2)
    next(results)
    with pytest.raises(RuntimeError, match="nest"):
        next(forked.ordered_map(square_plus, {"offset": 0}, range(3), processes=2))
    assert list(results)
    assert forked._shared is None
