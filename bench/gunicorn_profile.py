"""gunicorn settings for profiling a worker: the project's gunicorn.conf.py, plus cProfile in each worker.

`BENCH_PROFILE=DIR python -m bench.autosave ...` serves the product with this file
(bench/load.py:gunicorn): each worker profiles itself from its start (after the app is
loaded) to its exit and dumps `DIR/worker-<pid>.prof` (pstats). A sync worker serves its
requests on its main thread, which is the one cProfile sees. The profile covers the warm-up
too; read it as shares (cProfile inflates every call).
"""
import cProfile
import os
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
exec(compile((_ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"))  # the settings served

# CPU time of this thread, not wall time: on a loaded machine wall time counts the waits for a core.
_profiler = cProfile.Profile(time.thread_time)


def post_worker_init(worker):
    _profiler.enable()


def worker_exit(server, worker):
    _profiler.disable()
    out = Path(os.environ["BENCH_PROFILE"])
    out.mkdir(parents=True, exist_ok=True)
    _profiler.dump_stats(out / f"worker-{os.getpid()}.prof")
