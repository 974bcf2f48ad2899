"""One BLAS/OpenMP thread for explanation work.

A web server already runs requests side by side; when each ``predict`` inside an explanation
(the counterfactual search calls it hundreds of times) also starts a thread per core, the
threads fight over the cores and a 20 ms explanation takes half a second under load (issue 10).

OpenMP limits hold per calling thread, OpenBLAS limits for the whole process. So the limit is
set in each thread that explains, the first time it does, and kept: restoring it on the way
out would lift the process-wide BLAS limit under a request still running in another thread.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

_controller = None
_generation = 0  # a new controller when scikit-learn (and its OpenMP runtime) is loaded later
_with_sklearn = False
_lock = threading.Lock()
_local = threading.local()


def _get_controller():
    """threadpoolctl's view of the loaded BLAS and OpenMP libraries. A process that explains from a
    stored explainer without scikit-learn (issue 16) does not import it just for this; once
    scikit-learn is loaded, the controller is made again so its OpenMP runtime is limited too."""
    global _controller, _generation, _with_sklearn
    loaded = "sklearn" in sys.modules
    if _controller is None or (loaded and not _with_sklearn):
        with _lock:
            loaded = "sklearn" in sys.modules
            if _controller is None or (loaded and not _with_sklearn):
                if loaded:
                    import sklearn.ensemble  # noqa: F401 — load the OpenMP runtime before looking
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
                _with_sklearn = loaded
                _generation += 1
    return _controller


def limit_threads(limit: int = 1) -> None:
    """Keep BLAS and OpenMP to ``limit`` threads in this thread from now on (cheap to repeat)."""
    controller = _get_controller()
    if getattr(_local, "limit", None) != (limit, _generation):
        controller.limit(limits=limit)
        _local.limit = (limit, _generation)


@contextmanager
def one_thread(limit: int = 1):
    """``with one_thread(): ...`` — explanation work with BLAS/OpenMP limited (see the module)."""
    limit_threads(limit)
    yield
