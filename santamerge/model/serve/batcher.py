"""The one thread that calls the model: requests become jobs on its queue, and each job's
future gets the model's answer (or its exception)."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.model.backends.base import Completion, TokenizerUnavailable
from santamerge.model.serve.protocol import RequestError

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend


class GenerateJob(NamedTuple):
    prompts: tuple[str, ...]
    n: int
    max_tokens: int
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    future: Future[list[list[Completion]]]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.n, self.max_tokens, self.temperature, self.top_p, self.stop)


class ScoreJob(NamedTuple):
    prompt: str
    middles: tuple[str, ...]
    future: Future[list[float]]


class TokenizeJob(NamedTuple):
    texts: tuple[str, ...]
    future: Future[list[list[int]]]


Job = GenerateJob | ScoreJob | TokenizeJob


class Batcher:
    """The one thread that calls the model (and its tokenizer). Each generation job is
    its own ``generate`` call, unless ``merge``: then jobs that wait together and share
    their sampling parameters run as one."""

    def __init__(self, backend: Backend, merge: bool = False) -> None:
        self.backend = backend
        self.merge = merge
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.batches = 0
        self.thread = threading.Thread(target=self._run, name="santamerge-model", daemon=True)
        self.thread.start()

    def generate(self, job: GenerateJob) -> None:
        self.jobs.put(job)

    def score(self, job: ScoreJob) -> None:
        self.jobs.put(job)

    def tokenize(self, job: TokenizeJob) -> None:
        self.jobs.put(job)

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                return
            taken = [first]
            while True:
                try:
                    more = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._execute(taken)
                    return
                taken.append(more)
            self._execute(taken)

    def _execute(self, taken: list[Job]) -> None:
        groups: dict[tuple[object, ...], list[GenerateJob]] = {}
        for i, job in enumerate(taken):
            if isinstance(job, ScoreJob):
                _settle(job.future, lambda j=job: self.backend.score(j.prompt, j.middles))
            elif isinstance(job, TokenizeJob):
                _settle(job.future, lambda j=job: _tokenize(self.backend, j.texts))
            else:
                groups.setdefault(job.key if self.merge else (i,), []).append(job)
        for jobs in groups.values():
            self.batches += 1
            prompts = [p for job in jobs for p in job.prompts]
            head = jobs[0]
            try:
                found = self.backend.generate(
                    prompts,
                    n=head.n,
                    max_new_tokens=head.max_tokens,
                    temperature=head.temperature,
                    top_p=head.top_p,
                    stop=head.stop,
                )
            except Exception as exc:
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            start = 0
            for job in jobs:
                job.future.set_result(found[start : start + len(job.prompts)])
                start += len(job.prompts)


def _tokenize(backend: Backend, texts: tuple[str, ...]) -> list[list[int]]:
    try:
        return [list(backend.encode(t)) for t in texts]
    except TokenizerUnavailable:
        raise RequestError(
            404, f"the model '{backend.name}' cannot tokenize here", kind="not_found_error"
        ) from None


def tokenizes(backend: Backend) -> bool:
    """Whether ``backend`` can tokenize (a served server may not)."""
    try:
        backend.encode("")
    except TokenizerUnavailable:
        return False
    return True


def _settle(future: Future[Any], work: Any) -> None:
    try:
        future.set_result(work())
    except Exception as exc:
        future.set_exception(exc)
