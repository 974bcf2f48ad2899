"""One BLAS/OpenMP thread for explanation work.

A web server already runs requests side by side; when each ``predict`` inside an explanation
(the counterfactual search calls it hundreds of times) also starts a thread per core, the
threads fight over the cores and a 20 ms explanation takes half a second under load (issue 10).

OpenMP limits hold per calling thread, OpenBLAS limits for the whole process. So the limit is
set in each thread that explains, the first time it does, and kept: restoring it on the way
out would lift the process-wide BLAS limit under a request still running in another thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

_controller = None
_lock = threading.Lock()
_local = threading.local()


def _get_controller():
    global _controller
    if _controller is None:
        with _lock:
            if _controller is None:
                import sklearn.ensemble  # noqa: F401 — load the OpenMP runtime before looking
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
    return _controller


def limit_threads(limit: int = 1) -> None:
    """Keep BLAS and OpenMP to ``limit`` threads in this thread from now on (cheap to repeat)."""
    if getattr(_local, "limit", None) != limit:
        _get_controller().limit(limits=limit)
        _local.limit = limit


@contextmanager
def one_thread(limit: int = 1):
    """``with one_thread(): ...`` — explanation work with BLAS/OpenMP limited (see the module)."""
    limit_threads(limit)
    yield
