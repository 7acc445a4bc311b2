"""How the eval reaches the LLM tier in each mode.

- ``offline``: the rule tier only (``ReviewOptions(llm="off")``). No LLM, no network.
- ``replay``: the LLM tier answers from recorded cassettes. The runner sets
  ``PLANREVIEW_LLM_CASSETTES`` (the cassette folder) and ``PLANREVIEW_LLM_CASSETTE_MODE=replay``
  for the LLM tier to read, and blocks every outgoing socket connection while the plans run:
  a missing cassette is an error (``ReplayError``), never a network call.
- ``live``: a configured OpenAI-compatible endpoint. With ``record=True`` the tier writes a
  cassette per call (``PLANREVIEW_LLM_CASSETTE_MODE=record``), which replay then reads.

The LLM tier (service/llm) owns the cassette format; this module owns the contract above.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from service.errors import ConfigError, PlanReviewError

Mode = Literal["offline", "replay", "live"]
MODES: tuple[str, ...] = ("offline", "replay", "live")
CASSETTE_DIR_ENV = "PLANREVIEW_LLM_CASSETTES"
CASSETTE_MODE_ENV = "PLANREVIEW_LLM_CASSETTE_MODE"
DEFAULT_CASSETTE_DIR = Path("eval") / "cassettes"
OK_LLM_STATUSES = ("ok", "cached", "replayed", "recorded")


class ReplayError(PlanReviewError):
    """Replay mode could not answer from cassettes (missing cassette or a network attempt)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(
            message,
            hint=hint or "record the cassettes first: planreview eval --mode live --record",
        )


class NetworkBlocked(ReplayError):
    pass


@contextmanager
def block_network() -> Iterator[None]:
    """Refuse every outgoing socket connection (except Unix sockets) inside the block."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create = socket.create_connection

    def _refuse(address: Any) -> None:
        raise NetworkBlocked(f"replay mode tried to open a network connection to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address)
        _refuse(address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect_ex(self, address)
        _refuse(address)
        return 1

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        _refuse(address)
        raise AssertionError("unreachable")

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.create_connection = create_connection
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.create_connection = real_create


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def check_cassettes(cassette_dir: Path) -> None:
    """Replay needs a folder with at least one recorded cassette."""
    if not cassette_dir.is_dir():
        raise ReplayError(f"{cassette_dir}: cassette folder does not exist")
    if not any(p.is_file() for p in cassette_dir.rglob("*")):
        raise ReplayError(f"{cassette_dir}: cassette folder is empty")


@contextmanager
def mode_context(
    mode: str, cassette_dir: Path | None, *, record: bool = False, llm_configured: bool = False
) -> Iterator[None]:
    """Set up the environment one eval mode needs; see the module docstring."""
    if mode == "offline":
        yield
        return
    if mode == "replay":
        folder = cassette_dir or DEFAULT_CASSETTE_DIR
        check_cassettes(folder)
        with _env({CASSETTE_DIR_ENV: str(folder), CASSETTE_MODE_ENV: "replay"}), block_network():
            yield
        return
    if mode == "live":
        if not llm_configured:
            raise ConfigError(
                "live mode needs an LLM endpoint",
                hint="set OPENAI_API_KEY and/or OPENAI_BASE_URL (and PLANREVIEW_LLM_MODEL)",
            )
        values = {}
        if record:
            folder = cassette_dir or DEFAULT_CASSETTE_DIR
            folder.mkdir(parents=True, exist_ok=True)
            values = {CASSETTE_DIR_ENV: str(folder), CASSETTE_MODE_ENV: "record"}
        with _env(values):
            yield
        return
    raise ConfigError(f"unknown eval mode {mode!r}", hint="use offline, replay or live")
