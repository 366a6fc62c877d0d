"""Sweep centres in worker processes (SWEEP_PROCESSES > 1): the sweep is CPU-bound in one process.

The parent (the scheduler's job thread) keeps everything a run is: the lease (jobs/lock.py, renewed
by its heartbeat thread), the report, the one `JobRun` (jobs/runner.py). The workers only sweep
centres, each with `jobs/sweep.py:sweep_centre`, the same function as the in-process loop, so a
centre is one transaction in a worker as it is in the scheduler: a worker killed mid-centre leaves
nothing of that centre, and the next run redoes it (one idempotency key per email: none goes twice).

Processes are started with `spawn`, not `fork`: the scheduler has APScheduler's and the heartbeat's
threads and pooled connections, and a forked child inherits locks other threads held, and sockets
it must not use. Each worker builds its own app from the parent's configuration (its own engine
and pool, its own key store engine) once, then sweeps centres until told to stop.

The parent hands out centres one at a time over each worker's pipe (the next centre to whichever
worker finishes first: centres differ in size). Rather than a shared queue, so the parent always
knows which centre a worker holds: a worker that dies (SIGKILL, OOM) mid-centre is reported as
that centre's error, a replacement takes its place, and no centre is lost between a queue's `get`
and the worker saying so. Stops, between centres:
- the lease is lost (`heartbeat()` False): no further centre is handed out, and the `stop` event
  tells a worker that already has its next one not to begin it;
- the parent dies (the scheduler SIGKILLed): each worker asked the kernel for SIGKILL when its
  parent goes (prctl PR_SET_PDEATHSIG), which kills it even mid-centre (leaving nothing of that
  centre), and it checks `os.getppid()` between centres in case the parent died before the prctl.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import wait

from flask import current_app

from saas.config import sweep_processes

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL = 0.5  # seconds between two looks at the lease while every worker is busy


def processes() -> int:
    """SWEEP_PROCESSES of the current app (1: the in-process sweep of jobs/sweep.py)."""
    return sweep_processes(current_app.config.get("SWEEP_PROCESSES", 1))


def worker_config(config) -> dict:
    """The parent app's configuration as `create_app` overrides: what pickles (all of it, in
    practice: strings, numbers, timedeltas), without the scheduler (a worker never starts one)."""
    kept = {}
    for key, value in config.items():
        try:
            pickle.dumps(value)
        except Exception:  # an object an extension put there; the worker's own app makes its own
            continue
        kept[key] = value
    kept["SCHEDULER_IN_PROCESS"] = "0"
    kept["SWEEP_PROCESSES"] = 1  # a worker sweeps in-process
    return kept


def sweep_in_processes(job: str, action: Callable, now: datetime, centres: list, report, heartbeat,
                       count: int, sweep_centre: Callable):
    """Sweep `centres` in `count` worker processes, each centre with `sweep_centre` (jobs/sweep.py's,
    as the in-process loop); each centre's outcome merged into `report`."""
    context = multiprocessing.get_context("spawn")
    factory, config = current_app.extensions["create_app"], worker_config(current_app.config)
    stop = context.Event()
    pending = [centre.id for centre in centres]
    pending.reverse()  # pop() hands them out in id order, as the in-process sweep does
    slugs = {centre.id: centre.slug for centre in centres}
    workers: dict = {}  # connection -> _Worker
    shredded = False

    def start() -> None:
        ours, theirs = context.Pipe()
        process = context.Process(target=work, name=f"sweep-{job}", daemon=True,
                                  args=(theirs, stop, factory, config, sweep_centre, job, action, now, os.getpid()))
        process.start()
        theirs.close()
        workers[ours] = _Worker(process, ours)

    def next_for(worker) -> None:
        # As the in-process loop does, the lease is asked before each centre is begun.
        if pending and not stop.is_set() and heartbeat is not None and heartbeat() is False:
            log.warning("%s: lock lost, stopping the workers between centres", job)
            stop.set()
        worker.centre = pending.pop() if pending and not stop.is_set() else None
        try:
            worker.connection.send(worker.centre)  # None: done, the worker says goodbye and exits
        except OSError:  # it died since its last word: its sentinel says so (with the centre it was given)
            pass

    for _ in range(min(count, len(pending))):
        start()
    try:
        while workers:
            if heartbeat is not None and not stop.is_set() and heartbeat() is False:
                log.warning("%s: lock lost, stopping the workers between centres", job)
                stop.set()
            ready = wait([*workers, *(w.process.sentinel for w in workers.values())], timeout=POLL)
            for connection, worker in list(workers.items()):
                if connection in ready:
                    try:
                        kind, payload = connection.recv()
                    except (EOFError, OSError):  # it died: its sentinel says so below
                        kind = None
                    if kind == "done":
                        report.merge(payload)
                        next_for(worker)
                    elif kind == "ready":
                        next_for(worker)
                    elif kind == "bye":  # a centre it held when told to stop was not begun
                        shredded = shredded or payload
                        worker.centre, worker.finished = None, True
                    if kind is not None:
                        continue
                if worker.process.sentinel in ready or not worker.process.is_alive():
                    worker.process.join()
                    connection.close()
                    del workers[connection]
                    if worker.finished:
                        continue
                    where = "before its first centre" if worker.centre is None else f"in centre {slugs[worker.centre]}"
                    log.error("%s: worker %s died (exit %s) %s", job, worker.process.pid, worker.process.exitcode,
                              where)
                    if worker.centre is not None:  # died mid-centre: nothing of it committed, the next run redoes it
                        report.errors.append({"centre": slugs[worker.centre],
                                              "error": f"worker process died (exit {worker.process.exitcode})"})
                        report.centres += 1
                        if pending and not stop.is_set():
                            start()  # a replacement, for the centres still to sweep
                    elif not workers and pending:  # none could start: the job's crash, not a centre's
                        report.errors.append({"centre": None, "error": "no sweep worker could start "
                                              f"(exit {worker.process.exitcode})"})
                        pending.clear()
    finally:
        stop.set()
        for worker in workers.values():  # left only on the way out of an exception in this loop
            worker.process.kill()
            worker.process.join()
    if shredded:
        # Keys were shredded in the workers: scrub the key store now that none of them writes it,
        # so the TRUNCATE checkpoint empties the WAL whole (deferred to the end of the caller's
        # one_scrub block, jobs/destruction.py); docs/SECURITY.md, "Destruction".
        current_app.extensions["crypto"].store.scrub()
    return report


class _Worker:
    def __init__(self, process, connection):
        self.process, self.connection = process, connection
        self.centre = None     # the centre id it holds, from handing out to its "done"
        self.finished = False  # said goodbye: its exit is not a death


def _bound_to_parent(parent: int) -> None:
    """SIGKILL from the kernel when the parent goes (Linux; elsewhere the getppid check stays), and
    deaf to SIGTERM and SIGINT.

    The death signal follows the parent *thread* that started this process: the sweep's thread,
    which waits for the workers until they are done, so it never ends before them on its own.
    SIGTERM (systemd stops the whole unit's cgroup, deploy/bilan-scheduler.service) and Ctrl-C (the
    terminal's whole process group) are the scheduler's to handle: it lets the running sweep finish
    (jobs/scheduler.py:run_blocking), so its workers finish their centres too; it stops handing
    them out only when the lease goes, and they die with it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before the prctl took effect
        os._exit(1)


def work(connection, stop, factory: Callable, config: dict, sweep_centre: Callable, job: str, action: Callable,
         now: datetime, parent: int) -> None:
    """A worker process: its own app (the parent's factory, given by the composition root, on the
    parent's configuration), then one centre after another, as the parent hands them out."""
    _bound_to_parent(parent)
    from saas.centres.models import Centre
    from saas.db import database

    app = factory(config)
    with app.app_context():
        store = app.extensions["crypto"].store
        # Shredded keys are scrubbed once, by the parent after every worker is done: a worker's own
        # TRUNCATE checkpoint would wait on the others' reads, and empty the WAL only of what they
        # had not written since.
        with store.one_scrub():
            connection.send(("ready", None))
            while True:
                centre_id = connection.recv()
                if centre_id is None or stop.is_set() or os.getppid() != parent:
                    break
                with database().public_session() as session:
                    centre = session.get(Centre, centre_id)
                    session.expunge(centre)
                connection.send(("done", sweep_centre(job, action, centre, now)))
            shredded = store.hand_over_scrub()
        connection.send(("bye", shredded))
    app.extensions["db"].dispose()  # its connections closed, not dropped with the process
    store.dispose()
