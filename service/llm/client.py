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

Retries are done here, not by the openai SDK (its ``max_retries`` is 0): 429,
408/409, 5xx, timeouts and connection errors are retried with exponential
backoff, honouring ``Retry-After`` / ``retry-after-ms`` capped at
``RETRY_AFTER_CAP`` seconds; ``Settings.llm_max_retries`` retries at most.
A call that still fails raises ``LLMFailure`` whose ``reason`` becomes
``llm_status: "failed: <reason>"``.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
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

    def send(self, system: str, user: str, schema: dict[str, Any], shape: str) -> Reply: ...

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
    text = str(exc).lower()
    return any(
        k in text
        for k in (
            "response_format",
            "json_schema",
            "structured output",
            "json_object",
            "schema",
            "not supported",
            "unsupported",
        )
    )


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
        self._lock = threading.Lock()

    # one attempt ---------------------------------------------------------------

    def _attempt(self, system: str, user: str, schema: dict[str, Any], method: str) -> Reply:
        import openai
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(content=system), HumanMessage(content=user)]
        with self._lock:
            self.attempts += 1
        runnable = None
        if method != "prompt":  # "prompt": no response_format at all, the JSON is parsed here
            try:
                runnable = self.model.with_structured_output(
                    schema, method=method, include_raw=True
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

    def send(self, system: str, user: str, schema: dict[str, Any], shape: str) -> Reply:
        """One round-trip (with its retries). Raises LLMFailure or CassetteMissing."""
        import openai

        attempts = 0
        while True:
            attempts += 1
            method = self.method
            try:
                reply = self._attempt(system, user, schema, method)
            except Exception as exc:
                if (
                    isinstance(exc, openai.BadRequestError)
                    and self.structured == "auto"
                    and method in FALLBACK
                    and _schema_rejected(exc)
                ):
                    # The server refuses this response format: the next one from now on
                    # (json_schema -> json_mode -> prompt), with the shape in the prompt.
                    self.method = FALLBACK[method]
                    if shape and shape not in user:
                        user = f"{user.rstrip()}\n\nJSON shape:\n{shape}\n"
                    attempts -= 1
                    continue
                failure = classify(
                    exc, timeout=self.timeout, base_url=self.base_url, secrets=self.secrets
                )
                if not failure.retryable or attempts > self.max_retries:
                    if failure.retryable and attempts > 1:
                        raise LLMFailure(f"{failure.reason} after {attempts} attempts") from exc
                    raise failure from exc
                self._sleep(self._delay(attempts, failure.retry_after))
                continue
            self.usage.add(reply)
            return reply

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


def build_backend(
    settings: Settings,
    *,
    cassettes: tuple[Any, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LangChainBackend:
    """A ChatOpenAI-backed client configured from settings (and cassettes, when given)."""
    import httpx
    from langchain_openai import ChatOpenAI

    from service.llm.cassettes import CassetteTransport

    transport: httpx.BaseTransport | None = None
    if cassettes is not None:
        directory, mode = cassettes
        transport = CassetteTransport(directory, mode)  # type: ignore[arg-type]
    http_client = httpx.Client(transport=transport, timeout=settings.llm_timeout)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    chat = ChatOpenAI(
        model=settings.llm_model,
        api_key=key or "not-needed",  # type: ignore[arg-type]  # local servers need no key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout,
        max_retries=0,  # retries are ours (Retry-After honoured and capped)
        max_tokens=settings.llm_max_output_tokens,  # type: ignore[call-arg]
        http_client=http_client,
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
    )
