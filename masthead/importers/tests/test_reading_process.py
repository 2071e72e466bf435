"""The forked reader's share of the rendering (reading_process, "Balanced").

What an import stores either way is checked by the second-process tests of test_wxr_import and
test_jsonl_import, each run with the reader rendering every body and with it rendering none.
"""

import multiprocessing

from masthead.importers import reading_process


def test_the_reader_renders_only_while_the_storer_has_batches_waiting():
    pipe = multiprocessing.get_context("fork").Queue(maxsize=reading_process.QUEUE_BATCHES)
    try:
        waiting = []
        for _ in range(reading_process.QUEUE_BATCHES):
            waiting.append(reading_process._ahead(pipe))
            pipe.put(("records", [], 0))
        assert waiting == [n >= reading_process.RENDER_AHEAD
                           for n in range(reading_process.QUEUE_BATCHES)]
        while pipe.qsize():  # the storer takes them: the reader stops rendering again
            pipe.get(timeout=5)
        assert not reading_process._ahead(pipe)
    finally:
        pipe.close()
        pipe.join_thread()
