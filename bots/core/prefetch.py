"""Read ahead in a thread: the wiki serves the next batches while the bot works on this one."""
from __future__ import annotations

import queue
import threading
from typing import Iterator

__all__ = ["prefetched"]

_DONE = object()


def prefetched(items: Iterator, ahead: int = 200) -> Iterator:
    """Run `items` in a thread, up to `ahead` items ahead of the consumer. Errors in the producer
    are raised in the consumer; a consumer that stops early stops the producer too."""
    out: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as exc:   # noqa: BLE001 - handed to the consumer
            out.put(exc)

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
