"""The process pool for transform batches, made to stop quietly and never outlive `kabar`.

- Workers start with SIGINT and SIGTERM blocked (the mask is inherited through fork and exec, and Python
  leaves it so): a terminal's Ctrl-C or systemd's stop reaches the whole process group, and a worker that
  got it would print a traceback mid-import or mid-batch, or die before the parent has seen the signal, so
  the run would fail on a broken pool instead of stopping. The parent handles the stop and kills its workers.
- Each worker asks the kernel for SIGKILL when its parent dies (`init_worker`), so even `kill -9` of
  `kabar` leaves no worker running.
"""

from __future__ import annotations

import signal
from multiprocessing.context import SpawnContext, SpawnProcess

from prefect.task_runners import ProcessPoolTaskRunner

from flows.runtime import init_worker


class _QuietSpawnProcess(SpawnProcess):
    def start(self) -> None:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _QuietSpawnContext(SpawnContext):
    Process = _QuietSpawnProcess


class WorkerPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's process pool whose workers ignore Ctrl-C and SIGTERM (the parent ends them) and die with their parent."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers, initializer=init_worker)

    def __enter__(self):
        super().__enter__()
        # The executor spawns its workers lazily, on the first submits; spawn them through our context.
        self._executor._mp_context = _QuietSpawnContext()
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if exc_type is not None and not issubclass(exc_type, Exception):
            # A stop (KeyboardInterrupt, Prefect's TerminationSignal): the pool would otherwise wait for every
            # batch in flight to finish. The batches are discarded anyway; end the workers now.
            for process in list((getattr(self._executor, "_processes", None) or {}).values()):
                process.kill()
        super().__exit__(exc_type, exc_value, traceback)
