"""One body for each call of the sync and async clients (a sans-I/O design).

An operation is a generator that does no I/O itself: it *yields* what it needs done (an
:class:`Send` of a request, a :class:`Sleep`, a :class:`Notify` of a callback, a :class:`Page`
of results) and receives the outcome (the parsed answer, or the error thrown into it). Two small
drivers run any operation: :func:`run` for :class:`~geminidb_backup.BackupClient` (httpx.Client,
the clock's sleep) and :func:`run_async` for :class:`~geminidb_backup.AsyncBackupClient`
(httpx.AsyncClient, the clock's async sleep). :func:`blocking` and :func:`awaitable` turn an
operation into each client's method, keeping its typed signature (``ParamSpec``), so a twin is a
line.

Why not unasync (generating the sync code from the async, as httpcore does): it needs a build
step and leaves two copies to read and to keep in step; here the logic is written once.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    from ._calls import Call

T = TypeVar("T")
P = ParamSpec("P")

__all__ = [
    "AsyncPaged",
    "Effect",
    "Notify",
    "Op",
    "Page",
    "Paged",
    "Send",
    "Sleep",
    "Stream",
    "awaitable",
    "blocking",
    "iterating",
    "iterating_async",
]


@dataclass(frozen=True)
class Send:
    """Send this request; the operation receives the parsed answer (or the error is thrown)."""

    call: Call


@dataclass(frozen=True)
class Sleep:
    """Sleep this many seconds on the client's clock."""

    seconds: float


@dataclass(frozen=True)
class Notify:
    """Call ``callback(value)`` (a user's callback; the async client awaits what it returns)."""

    callback: Callable[[Any], None | Awaitable[None]]
    value: Any


@dataclass(frozen=True)
class Page:
    """Hand these items to whoever iterates the operation; ``total_count`` counts them all."""

    items: list[Any]
    total_count: int


Effect = Send | Sleep | Notify | Page
# An operation answering T: yields effects, receives their outcomes, returns T.
Op = Generator[Effect, Any, T]


@dataclass(frozen=True)
class Stream(Generic[T]):
    """An operation that yields :class:`Page`\\ s of T (a list call, page after page). Built by
    a plain method, so that its arguments are validated where the call is written, before the
    first item is asked for."""

    op: Generator[Effect, Any, None]


class Paged(Iterator[T], Generic[T]):
    """The items of every page of a list call, fetched as they are iterated. ``total_count`` is
    the API's count of all matching items (the ``total_count`` of the first page), None until a
    page has been read."""

    def __init__(self, stream: Stream[T], perform: Callable[[Effect], Any]) -> None:
        self.total_count: int | None = None
        self._items = self._walk(stream, perform)

    def _walk(self, stream: Stream[T], perform: Callable[[Effect], Any]) -> Iterator[T]:
        op, reply, error = stream.op, None, None
        while True:
            try:
                effect = op.throw(error) if error is not None else op.send(reply)
            except StopIteration:
                return
            reply, error = None, None
            if isinstance(effect, Page):
                if self.total_count is None:
                    self.total_count = effect.total_count
                yield from effect.items
                continue
            try:
                reply = perform(effect)
            except Exception as exc:  # noqa: BLE001 - thrown into the operation, as a call would
                error = exc

    def __next__(self) -> T:
        return next(self._items)


class AsyncPaged(AsyncIterator[T], Generic[T]):
    """The async twin of :class:`Paged`: ``async for``, with ``total_count``."""

    def __init__(
        self, stream: Stream[T], perform: Callable[[Effect], Coroutine[Any, Any, Any]]
    ) -> None:
        self.total_count: int | None = None
        self._stream, self._perform = stream, perform
        self._buffer: list[Any] = []
        self._reply: Any = None
        self._error: BaseException | None = None

    async def __anext__(self) -> T:
        op = self._stream.op
        while not self._buffer:
            try:
                effect = op.throw(self._error) if self._error is not None else op.send(self._reply)
            except StopIteration:
                raise StopAsyncIteration from None
            self._reply, self._error = None, None
            if isinstance(effect, Page):
                if self.total_count is None:
                    self.total_count = effect.total_count
                self._buffer = list(reversed(effect.items))
                continue
            try:
                self._reply = await self._perform(effect)
            except Exception as exc:  # noqa: BLE001 - thrown into the operation
                self._error = exc
        item: T = self._buffer.pop()
        return item


def run(op: Op[T], perform: Callable[[Effect], Any]) -> T:
    """Drive ``op`` to its end, ``perform`` doing each effect; returns what ``op`` returns."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = op.throw(error) if error is not None else op.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        reply, error = None, None
        try:
            reply = perform(effect)
        except Exception as exc:  # noqa: BLE001 - thrown into the operation, as a call would
            error = exc


async def run_async(op: Op[T], perform: Callable[[Effect], Coroutine[Any, Any, Any]]) -> T:
    """The async twin of :func:`run`."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = op.throw(error) if error is not None else op.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        reply, error = None, None
        try:
            reply = await perform(effect)
        except Exception as exc:  # noqa: BLE001 - thrown into the operation
            error = exc


# Turning operations into methods. ``self`` is typed Any: the operation is written on the base
# class, the method lives on each client, which provides ``_perform``.


def blocking(op: Callable[Concatenate[Any, P], Op[T]]) -> Callable[Concatenate[Any, P], T]:
    """The sync client's method for operation ``op``."""

    @functools.wraps(op)
    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return run(_start(op, self, args, kwargs), self._perform)

    return _named(method, op)


def awaitable(
    op: Callable[Concatenate[Any, P], Op[T]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """The async client's method for operation ``op``."""

    @functools.wraps(op)
    async def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await run_async(_start(op, self, args, kwargs), self._perform)

    return _named(method, op)


def iterating(
    stream: Callable[Concatenate[Any, P], Stream[T]],
) -> Callable[Concatenate[Any, P], Paged[T]]:
    """The sync client's method for a list operation: a :class:`Paged` iterator."""

    @functools.wraps(stream)
    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> Paged[T]:
        return Paged(_start(stream, self, args, kwargs), self._perform)

    return _named(method, stream, "Paged[{}]")


def iterating_async(
    stream: Callable[Concatenate[Any, P], Stream[T]],
) -> Callable[Concatenate[Any, P], AsyncPaged[T]]:
    """The async client's method for a list operation: an :class:`AsyncPaged` iterator."""

    @functools.wraps(stream)
    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> AsyncPaged[T]:
        return AsyncPaged(_start(stream, self, args, kwargs), self._perform)

    return _named(method, stream, "AsyncPaged[{}]")


M = TypeVar("M", bound=Callable[..., Any])


def _named(method: M, op: Callable[..., Any], returns: str = "{}") -> M:
    """The method carries the public name (operations are written as ``_name``) and, for
    ``help()`` and the API reference, the type it returns: ``returns`` formatted with the
    operation's ``Op[T]``/``Stream[T]`` argument (``CreatedBackup``, ``Paged[Backup]``)."""
    method.__name__ = method.__qualname__ = op.__name__.lstrip("_")
    signature = inspect.signature(op)
    annotation = signature.return_annotation
    if isinstance(annotation, str) and annotation.endswith("]") and "[" in annotation:
        returned = returns.format(annotation[annotation.index("[") + 1 : -1])
        method.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=returned
        )
        # A new dict: functools.wraps shares the operation's own. Without __wrapped__, tools
        # that unwrap (griffe, for the API reference) read this method, not the operation.
        method.__annotations__ = {**op.__annotations__, "return": returned}
        del method.__wrapped__  # type: ignore[attr-defined]
    return method


def _start(op: Callable[..., T], self: Any, args: Any, kwargs: Any) -> T:
    """``op(self, *args, **kwargs)``, an unknown keyword answered with the valid ones (mypy
    catches it in typed code; this is for the rest). ``**filters`` typed with a TypedDict
    accept any name at run time: their names are checked here."""
    valid, open_ended = _keywords(op)
    if open_ended:
        _check_keywords(op, kwargs, valid)
    try:
        return op(self, *args, **kwargs)
    except TypeError:
        _check_keywords(op, kwargs, valid)
        raise


def _check_keywords(op: Callable[..., Any], kwargs: Any, valid: tuple[str, ...]) -> None:
    unknown = [name for name in kwargs if name not in valid]
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise TypeError(
        f"{op.__name__.lstrip('_')}() got an unexpected keyword argument {unknown[0]!r}{hint};"
        f" it takes: {', '.join(valid)}"
    ) from None


@functools.cache
def _keywords(op: Callable[..., Any]) -> tuple[tuple[str, ...], bool]:
    """The keyword names ``op`` takes, and whether it has ``**filters: Unpack[TypedDict]``."""
    names: list[str] = []
    open_ended = False
    try:
        signature = inspect.signature(op, eval_str=True)
    except NameError:  # an annotation imported for type checking only
        signature = inspect.signature(op)
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            hints = getattr(parameter.annotation, "__args__", None)
            if hints:  # Unpack[SomeTypedDict]: its keys
                names.extend(getattr(hints[0], "__annotations__", {}))
                open_ended = True
        elif parameter.kind is not inspect.Parameter.VAR_POSITIONAL:
            names.append(parameter.name)
    return tuple(names), open_ended
