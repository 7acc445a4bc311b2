"""The chat client: one structured round-trip, with retries, behind a small interface.

``ChatBackend`` is what the rest of the tier talks to: ``send(system, user,
schema, shape) -> Reply``. ``LangChainBackend`` implements it over any
LangChain chat model: ChatOpenAI (``build_chat_model``) in production, a fake
chat model in unit tests. For ChatOpenAI it asks for structured output with
``with_structured_output(schema, method="json_schema", include_raw=True)``
and falls back to ``method="json_mode"`` when the server rejects JSON-schema
output, and to no response format at all ("prompt": the JSON shape is spelled
out in the prompt and parsed from the text) when it rejects JSON mode too
(``Settings.llm_structured``: auto | json_schema | json_mode | prompt).

With JSON-schema output the request says ``strict: true`` and carries the
strict, bounded schema of ``schemas.json_schema`` (OpenAI enforces it; llama.cpp
and vLLM turn the same schema into a grammar).

Retries are done here, not by the openai SDK (its ``max_retries`` is 0): 429,
408/409 and 5xx are retried with exponential backoff, honouring
``Retry-After`` / ``retry-after-ms`` capped at ``RETRY_AFTER_CAP`` seconds;
``Settings.llm_max_retries`` retries at most. A refused or dropped connection
is retried once, quickly (a dead endpoint fails in about a second; the
connect timeout is ``Settings.llm_connect_timeout``). A timeout is never
retried: the same generation would be thrown away again. One deadline
(``Settings.llm_deadline``) covers every call of a review: each request's
timeouts are cut to what is left of it. Progress (which call, retries) goes
to the ``progress`` callback. A call that still fails raises ``LLMFailure``
whose ``reason`` becomes ``llm_status: "failed: <reason>"``.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.errors import LLMError
from service.llm.redact import redact
from service.llm.tokens import count_messages, count_tokens
from service.settings import Settings

FALLBACK = {"json_schema": "json_mode", "json_mode": "prompt"}
"""In auto mode, the response format tried when the server refuses the current one."""
RETRY_AFTER_CAP = 30.0
"""Longest wait honoured from a Retry-After header, in seconds."""
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
CONNECT_RETRIES = 1
"""Retries after a refused or dropped connection (quick: the endpoint is probably down)."""
CONNECT_BACKOFF = 0.25

History = Sequence[tuple[str, str]]
"""Earlier turns of a conversation, as (role, text) with role "user" or "assistant"."""
Progress = Callable[[str], None]


class Deadline:
    """One time limit for every call of a review (monotonic clock)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def clip(self, request: Any) -> None:
        """An httpx request hook: no timeout of this request runs past the deadline."""
        left = self.left()
        if left is None:
            return
        timeouts = dict(request.extensions.get("timeout") or {})
        for key in ("connect", "read", "write", "pool"):
            value = timeouts.get(key)
            timeouts[key] = max(left, 0.05) if value is None else min(value, max(left, 0.05))
        request.extensions["timeout"] = timeouts


class LLMFailure(LLMError):
    """An LLM call that failed for good; ``reason`` is short and says what happened."""

    def __init__(
        self, reason: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(f"LLM call failed: {reason}", retryable=retryable)
        self.reason = reason
        self.retry_after = retry_after


@dataclass
class Reply:
    """One answer: the raw text, the JSON object parsed from it (or why not), token counts."""

    text: str
    data: dict[str, Any] | None
    error: str | None
    prompt_tokens: int
    completion_tokens: int
    truncated: bool = False


@dataclass
class UsageMeter:
    """Calls and tokens across the threads of one review."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, reply: Reply) -> None:
        with self._lock:
            self.calls += 1
            self.prompt_tokens += reply.prompt_tokens
            self.completion_tokens += reply.completion_tokens


class ChatBackend(Protocol):
    """The interface the tier uses; implemented over LangChain and by test doubles."""

    model_name: str
    method: str
    usage: UsageMeter

    def send(
        self,
        system: str,
        user: str,
        schema: dict[str, Any],
        shape: str,
        *,
        history: History = (),
        label: str = "",
    ) -> Reply: ...

    def close(self) -> None: ...


# ----------------------------------------------------------------------------- helpers


def parse_json_object(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object in a model's text (code fences and prose around it tolerated)."""
    from langchain_core.exceptions import OutputParserException
    from langchain_core.output_parsers import JsonOutputParser

    if not text.strip():
        return None, "empty answer"
    try:
        value = JsonOutputParser().parse(text)
    except OutputParserException as exc:
        return None, f"not valid JSON ({str(exc).splitlines()[0][:120]})"
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    return value, None


def _message_text(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def _usage_of(message: Any, system: str, user: str, text: str) -> tuple[int, int]:
    meta = getattr(message, "usage_metadata", None) or {}
    prompt = int(meta.get("input_tokens") or 0)
    completion = int(meta.get("output_tokens") or 0)
    if not prompt:
        prompt = count_messages(system, user)
    if not completion:
        completion = count_tokens(text)
    return prompt, completion


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(float(ms) / 1000.0, 0.0)
        value = headers.get("retry-after")
    except Exception:
        return None
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_rejected(exc: Exception) -> bool:
    """A 400 that refuses the response format itself (not any 400 that says "schema")."""
    text = str(exc).lower()
    names_format = any(
        k in text for k in ("response_format", "json_schema", "json_object", "structured output")
    )
    refuses = any(
        k in text
        for k in (
            "not supported",
            "unsupported",
            "not allowed",
            "not permitted",
            "must be",
            "invalid",
            "unknown",
            "unrecognized",
        )
    )
    return names_format and refuses


def classify(
    exc: BaseException,
    *,
    timeout: float,
    base_url: str | None,
    secrets: tuple[str, ...] = (),
) -> LLMFailure:
    """Turn an exception from the chat model into an LLMFailure (retryable or not).

    This is where upstream text enters the system: every reason quoting it is redacted.
    """
    import openai

    def quoted(text: str, limit: int) -> str:
        return _short(redact(text, secrets), limit)

    from service.llm.cassettes import find_missing

    missing = find_missing(exc)
    if missing is not None:
        raise missing
    if isinstance(exc, LLMFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LLMFailure(f"timeout after {timeout:g}s", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        where = redact(base_url, secrets) if base_url else "the OpenAI API"
        return LLMFailure(f"cannot connect to {where}", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        after = retry_after_seconds(getattr(exc.response, "headers", None))
        detail = quoted(getattr(exc, "message", "") or str(exc), 80)
        if status == 429:
            return LLMFailure("rate limited (429)", retryable=True, retry_after=after)
        if status >= 500:
            return LLMFailure(f"server error ({status})", retryable=True, retry_after=after)
        if status in (408, 409):
            return LLMFailure(f"HTTP {status}", retryable=True, retry_after=after)
        if status == 401:
            return LLMFailure("authentication failed (401): check OPENAI_API_KEY")
        if status == 403:
            return LLMFailure("permission denied (403)")
        if status == 404:
            return LLMFailure(
                f"not found (404): check PLANREVIEW_LLM_MODEL and OPENAI_BASE_URL ({detail})"
            )
        return LLMFailure(f"bad request ({status}): {detail}")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return LLMFailure("answer withheld by the content filter")
    if isinstance(exc, openai.APIResponseValidationError | ValueError):
        return LLMFailure(f"malformed response from the endpoint ({quoted(str(exc), 60)})")
    return LLMFailure(f"unexpected error: {type(exc).__name__}: {quoted(str(exc), 80)}")


# ----------------------------------------------------------------------------- backend


class LangChainBackend:
    """``ChatBackend`` over a LangChain chat model (ChatOpenAI, or a fake in tests)."""

    def __init__(
        self,
        model: Any,
        *,
        model_name: str,
        structured: str = "auto",
        max_retries: int = 2,
        timeout: float = 60.0,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_close: Callable[[], None] | None = None,
        secrets: tuple[str, ...] = (),
        deadline: Deadline | None = None,
        progress: Progress | None = None,
        host: str | None = None,
    ) -> None:
        if structured not in ("auto", "json_schema", "json_mode", "prompt"):
            raise LLMError(
                f"llm_structured={structured!r} is not known",
                hint="use auto, json_schema, json_mode or prompt",
            )
        self.model = model
        self.model_name = model_name
        self.structured = structured
        self.method = "json_schema" if structured == "auto" else structured
        self.max_retries = max_retries
        self.timeout = timeout
        self.base_url = base_url
        self.usage = UsageMeter()
        self.attempts = 0
        self._sleep = sleep
        self._on_close = on_close
        self.secrets = secrets
        self.deadline = deadline or Deadline(None)
        self.progress = progress
        self.host = host
        """Where requests go (host[:port]); None when nothing leaves the machine (replay)."""
        self.delivered = 0
        """Requests the endpoint received (answered, or timed out after connecting)."""
        self._lock = threading.Lock()

    # one attempt ---------------------------------------------------------------

    def _attempt(
        self, system: str, user: str, schema: dict[str, Any], method: str, history: History
    ) -> Reply:
        import openai
        from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

        messages: list[BaseMessage] = [SystemMessage(content=system)]
        for role, text in history:
            messages.append(AIMessage(content=text) if role == "assistant" else HumanMessage(text))
        messages.append(HumanMessage(content=user))
        with self._lock:
            self.attempts += 1
        runnable = None
        if method != "prompt":  # "prompt": no response_format at all, the JSON is parsed here
            try:
                extra = {"strict": True} if method == "json_schema" else {}
                runnable = self.model.with_structured_output(
                    schema, method=method, include_raw=True, **extra
                )
            except NotImplementedError:  # fake chat models: plain text, parsed here
                runnable = None
        try:
            if runnable is None:
                message = self.model.invoke(messages)
                text = _message_text(message)
                data, error = parse_json_object(text)
            else:
                out = runnable.invoke(messages)
                message = out["raw"]
                text = _message_text(message)
                parsed = out.get("parsed")
                failure = out.get("parsing_error")
                if isinstance(parsed, dict) and failure is None:
                    data, error = parsed, None
                else:
                    data, error = parse_json_object(text)
        except openai.LengthFinishReasonError as exc:
            completion = exc.completion
            text = ""
            if completion.choices:
                text = completion.choices[0].message.content or ""
            usage = completion.usage
            prompt_t = usage.prompt_tokens if usage else count_messages(system, user)
            completion_t = usage.completion_tokens if usage else count_tokens(text)
            return Reply(
                text=text,
                data=None,
                error="the answer was cut off at the token limit",
                prompt_tokens=prompt_t,
                completion_tokens=completion_t,
                truncated=True,
            )
        finish = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
        prompt_t, completion_t = _usage_of(message, system, user, text)
        truncated = finish == "length"
        if truncated and error is None:
            error = None  # a complete object despite the limit: use it
        elif truncated:
            error = "the answer was cut off at the token limit"
        return Reply(
            text=text,
            data=data,
            error=error,
            prompt_tokens=prompt_t,
            completion_tokens=completion_t,
            truncated=truncated,
        )

    # a call with retries ------------------------------------------------------

    def send(
        self,
        system: str,
        user: str,
        schema: dict[str, Any],
        shape: str,
        *,
        history: History = (),
        label: str = "",
    ) -> Reply:
        """One round-trip (with its retries). Raises LLMFailure or CassetteMissing."""
        import openai

        label = label or "call"
        attempts = 0
        connect_failures = 0
        while True:
            attempts += 1
            left = self.deadline.left()
            if left is not None and left < 0.5:
                raise LLMFailure(f"the LLM deadline of {self.deadline.seconds:g}s was reached")
            method = self.method
            where = f" at {self.host}" if self.host else ""
            self._say(
                f"{label}: asking {self.model_name}{where}"
                + (f" (attempt {attempts})" if attempts > 1 else "")
            )
            try:
                reply = self._attempt(system, user, schema, method, history)
            except Exception as exc:
                if isinstance(exc, openai.APIStatusError | openai.APITimeoutError):
                    self._delivered()
                if (
                    isinstance(exc, openai.BadRequestError)
                    and self.structured == "auto"
                    and method in FALLBACK
                    and _schema_rejected(exc)
                ):
                    # The server refuses this response format: the next one from now on
                    # (json_schema -> json_mode -> prompt), with the shape in the prompt.
                    self.method = FALLBACK[method]
                    self._say(f"{label}: the endpoint refuses {method}; using {self.method}")
                    if shape and shape not in user:
                        user = f"{user.rstrip()}\n\nJSON shape:\n{shape}\n"
                    attempts -= 1
                    continue
                failure = classify(
                    exc, timeout=self.timeout, base_url=self.base_url, secrets=self.secrets
                )
                if isinstance(exc, openai.APITimeoutError):
                    # never the same generation again: it would be thrown away again
                    left = self.deadline.left()
                    if left is not None and left < 1.0:
                        raise LLMFailure(
                            f"the LLM deadline of {self.deadline.seconds:g}s was reached"
                        ) from exc
                    raise failure from exc
                connection = isinstance(exc, openai.APIConnectionError)
                if connection:
                    connect_failures += 1
                limit = CONNECT_RETRIES if connection else self.max_retries
                tries = connect_failures if connection else attempts
                if not failure.retryable or tries > limit:
                    if failure.retryable and attempts > 1:
                        raise LLMFailure(f"{failure.reason} after {attempts} attempts") from exc
                    raise failure from exc
                delay = (
                    CONNECT_BACKOFF if connection else self._delay(attempts, failure.retry_after)
                )
                left = self.deadline.left()
                if left is not None and delay >= left:
                    raise LLMFailure(
                        f"{failure.reason}; no time left for a retry within the "
                        f"LLM deadline of {self.deadline.seconds:g}s"
                    ) from exc
                self._say(f"{label}: {failure.reason}; retrying in {delay:.1f}s")
                self._sleep(delay)
                continue
            self._delivered()
            self.usage.add(reply)
            if reply.truncated:
                self._say(f"{label}: the answer was cut off at the token limit")
            return reply

    def _delivered(self) -> None:
        with self._lock:
            self.delivered += 1

    def _say(self, message: str) -> None:
        if self.progress is not None:
            with contextlib.suppress(Exception):  # progress is a courtesy, never a failure
                self.progress(message)

    @staticmethod
    def _delay(attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_CAP)
        base = min(BACKOFF_BASE * (2 ** (attempt - 1)), BACKOFF_CAP)
        return base * (1.0 + random.random() * 0.25)

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()


# ----------------------------------------------------------------------------- building


def endpoint_host(base_url: str | None) -> str:
    """host[:port] of the endpoint (never a path, a query or credentials)."""
    from urllib.parse import urlsplit

    if not base_url:
        return "api.openai.com"
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def build_backend(
    settings: Settings,
    *,
    cassettes: tuple[Any, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
    deadline: Deadline | None = None,
) -> LangChainBackend:
    """A ChatOpenAI-backed client configured from settings (and cassettes, when given).

    ``deadline``: the review's, when it started before the client was built.
    """
    import httpx
    from langchain_openai import ChatOpenAI

    from service.llm.cassettes import CassetteTransport

    transport: httpx.BaseTransport | None = None
    replay = False
    if cassettes is not None:
        directory, mode = cassettes
        transport = CassetteTransport(directory, mode)  # type: ignore[arg-type]
        replay = mode != "record"
    deadline = deadline or Deadline(settings.llm_deadline)
    read = settings.llm_timeout
    timeout = httpx.Timeout(read, connect=settings.llm_connect_timeout)
    http_client = httpx.Client(
        transport=transport, timeout=timeout, event_hooks={"request": [deadline.clip]}
    )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    limiter = None
    if settings.llm_requests_per_second:  # the parallel critique calls share one bucket
        from langchain_core.rate_limiters import InMemoryRateLimiter

        limiter = InMemoryRateLimiter(
            requests_per_second=settings.llm_requests_per_second,
            check_every_n_seconds=0.05,
            max_bucket_size=max(1, settings.llm_concurrency),
        )
    chat = ChatOpenAI(
        rate_limiter=limiter,
        model=settings.llm_model,
        api_key=key or "not-needed",  # type: ignore[arg-type]  # local servers need no key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        # A plain tuple, not ``timeout``: openai 3.x builds its own clients on httpx2, whose Timeout
        # refuses an httpx.Timeout (and langchain caches those clients by a hashable timeout).
        timeout=(settings.llm_connect_timeout, read, read, read),
        max_retries=0,  # retries are ours (Retry-After honoured and capped)
        max_tokens=settings.llm_max_output_tokens,  # type: ignore[call-arg]
        http_client=http_client,
        http_socket_options=(),  # langchain's default would switch off HTTPS_PROXY (and warn)
        use_responses_api=False,
    )
    return LangChainBackend(
        chat,
        model_name=settings.llm_model,
        structured=settings.llm_structured,
        max_retries=settings.llm_max_retries,
        timeout=settings.llm_timeout,
        base_url=settings.openai_base_url,
        sleep=sleep,
        on_close=http_client.close,
        secrets=(key,) if key else (),
        deadline=deadline,
        progress=progress,
        host=None if replay else endpoint_host(settings.openai_base_url),
    )
