"""Reading uploads: a multipart file or a JSON body -> (bytes, name, options), within limits.

The body limit middleware bounds the whole request; here each file is read
in chunks and refused as soon as it passes ``Settings.max_bytes``, a batch zip
is checked (entries, declared sizes, compression ratio) before any entry is
inflated, and every refusal is an :class:`InputError` naming the file.

Batch uploads stay on disk: multipart parts spool to temporary files past 1 MB,
a zip is read from its spooled file (never copied into memory), and each plan
in it is inflated only when its row is written, one at a time.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any, TypeVar

import anyio.to_thread
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from service.api.problems import ApiProblem
from service.api.schemas.common import ReviewOptionsIn
from service.api.schemas.reviews import ReviewTextCreate
from service.api.settings import ApiSettings
from service.errors import InputError, InputTooLarge
from service.settings import Settings

CHUNK = 64 * 1024
PLAN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt", ".text", ".docx", ".pdf")
# A zip entry expanding more than this many times is a bomb, not a document.
MAX_RATIO = 200
OPTION_FIELDS = ("llm", "lang", "draft", "select", "ignore")


@dataclass
class Upload:
    data: bytes
    name: str
    options: dict[str, Any]
    print_payload: dict[str, Any] = field(default_factory=dict)


def _invalid(exc: ValidationError, prefix: str = "body") -> RequestValidationError:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "loc": (prefix, *err.get("loc", ())),
                "msg": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return RequestValidationError(errors)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_file(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refused with 413 as soon as it passes ``limit``."""
    name = upload.filename or "upload"
    buf = bytearray()
    while True:
        chunk = await upload.read(CHUNK)
        if not chunk:
            break
        buf.extend(chunk)
        if len(buf) > limit:
            raise InputTooLarge(
                name,
                f"the file is larger than the {limit // 1024:,} KB limit",
                hint="split the plan, or ask the operator to raise PLANREVIEW_MAX_BYTES",
            )
    return bytes(buf)


def safe_name(name: str | None, default: str = "plan.md") -> str:
    """A display name from a client-given file name: no directories, no control characters."""
    if not name:
        return default
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:200]
    return base or default


def form_options(form: FormData, model: type[BaseModel] = ReviewOptionsIn) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key in form:
        if key in ("file", "files"):
            continue
        if key not in OPTION_FIELDS:
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", key),
                        "msg": f"unknown form field (allowed: file, {', '.join(OPTION_FIELDS)})",
                        "type": "extra_forbidden",
                    }
                ]
            )
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        raw[key] = values if key in ("select", "ignore") else (values[-1] if values else "")
    if raw.get("draft") in ("", None):
        raw.pop("draft", None)
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc) from None
    assert isinstance(parsed, ReviewOptionsIn)
    return parsed.as_options()


M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request, model: type[M]) -> M:
    """A JSON body parsed into ``model``; 415 for another media type, 422 when invalid.

    Called inside a route, after authentication: the body limit middleware bounds it.
    """
    kind = media_type(request)
    if kind not in ("application/json", "") and not kind.endswith("+json"):
        raise ApiProblem(415, f"unsupported content type {kind!r}", hint="send application/json")
    body = await request.body()
    if not body:
        raise RequestValidationError(
            [{"loc": ("body",), "type": "missing", "msg": "the request has no JSON body"}]
        )
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from None


async def read_review(request: Request, settings: Settings, api: ApiSettings) -> Upload:
    """One plan from a multipart upload (field ``file``) or a JSON body."""
    kind = media_type(request)
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20, max_part_size=64 * 1024)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", "file"),
                        "type": "missing",
                        "msg": "send the plan as a multipart file field named 'file'",
                    }
                ]
            )
        name = safe_name(upload.filename)
        options = form_options(form)
        data = await read_file(upload, settings.max_bytes)
        return Upload(data, name, options, {"name": name, "sha256": _sha(data), "options": options})
    if kind in ("application/json", "") or kind.endswith("+json"):
        body = await request.body()
        if not body:
            raise RequestValidationError(
                [
                    {
                        "loc": ("body",),
                        "type": "missing",
                        "msg": "the request has no body: send JSON with 'text', or upload a file",
                    }
                ]
            )
        try:
            parsed = ReviewTextCreate.model_validate_json(body)
        except ValidationError as exc:
            raise _invalid(exc) from None
        if len(parsed.text) > api.max_text_chars:
            raise InputTooLarge(
                parsed.name or "text",
                f"the text has {len(parsed.text):,} "
                f"characters, more than the {api.max_text_chars:,} limit",
                hint="upload the plan as a file, or split it",
            )
        default = "plan.md" if parsed.format == "markdown" else "plan.txt"
        name = safe_name(parsed.name, default)
        suffix = ".md" if parsed.format == "markdown" else ".txt"
        if not name.lower().endswith(suffix):
            name = f"{name}{suffix}"
        data = parsed.text.encode("utf-8")
        options = parsed.as_options()
        return Upload(data, name, options, {"name": name, "sha256": _sha(data), "options": options})
    raise ApiProblem(
        415,
        f"unsupported content type {kind!r}",
        hint="send multipart/form-data with a 'file' field, or application/json with 'text'",
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


Reader = Callable[[], bytes]


@dataclass
class BatchUpload:
    items: list[tuple[str, Reader]]  # (name, read its bytes): read when stored, one at a time
    skipped: list[str]
    options: dict[str, Any]
    print_payload: dict[str, Any]


def _as_file(data: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(data) if isinstance(data, bytes | bytearray) else data


def is_zip_archive(name: str, data: bytes | IO[bytes]) -> bool:
    if name.lower().endswith(".zip"):
        return True
    fh = _as_file(data)
    fh.seek(0)
    if fh.read(4) != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        fh.seek(0)
    return not any(n.startswith("word/") for n in names)


def _entry_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Reader:
    def read() -> bytes:
        try:
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError(
                name,
                f"the zip entry {info.filename!r} cannot be read ({type(exc).__name__})",
                hint="create the zip again",
            ) from None
        if len(content) > info.file_size:
            raise InputTooLarge(
                name,
                f"the zip entry {info.filename!r} is larger than it declares",
                hint="this is not an ordinary archive of plans",
            )
        return content

    return read


def expand_zip(
    data: bytes | IO[bytes], name: str, settings: Settings, api: ApiSettings, room: int
) -> tuple[list[tuple[str, Reader]], list[str]]:
    """Plan files inside a zip, each with a reader; checks every declared size before
    inflating anything. The zip (bytes or a seekable file) must stay open while the
    readers are used."""
    try:
        zf = zipfile.ZipFile(_as_file(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(
            name,
            "not a valid zip archive: it is damaged or truncated",
            hint="create the zip again and retry",
        ) from None
    if len(infos) > api.max_zip_entries:
        raise InputTooLarge(
            name,
            f"the zip holds {len(infos):,} entries, more than the {api.max_zip_entries:,} allowed",
            hint="split the library into several batches",
        )
    total = 0
    chosen: list[zipfile.ZipInfo] = []
    skipped: list[str] = []
    for info in infos:
        entry = info.filename
        if info.is_dir():
            continue
        parts = PurePosixPath(entry).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts) or not entry.lower().endswith(
            PLAN_SUFFIXES
        ):
            skipped.append(entry)
            continue
        if info.flag_bits & 0x1:
            raise InputError(
                name,
                f"the zip entry {entry!r} is encrypted",
                hint="zip the plans without a password",
            )
        if info.file_size > settings.max_bytes:
            raise InputTooLarge(
                name,
                f"the zip entry {entry!r} unpacks to "
                f"{info.file_size:,} bytes, more than the {settings.max_bytes:,} "
                "allowed for one plan",
                hint="split that plan",
            )
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputTooLarge(
                name,
                f"the zip entry {entry!r} expands "
                f"{info.file_size // max(info.compress_size, 1):,}x when unpacked "
                "(a zip bomb)",
                hint="this is not an ordinary archive of plans",
            )
        total += info.file_size
        if total > api.max_zip_uncompressed_bytes:
            raise InputTooLarge(
                name,
                f"the zip unpacks to more than "
                f"{api.max_zip_uncompressed_bytes // (1024 * 1024):,} MB",
                hint="split the library into several batches",
            )
        chosen.append(info)
    if len(chosen) > room:
        raise InputTooLarge(
            name,
            f"the batch would hold more than {api.max_batch_files:,} plans",
            hint="split the library into several batches",
        )
    items = [(info.filename.lstrip("/")[:300], _entry_reader(zf, info, name)) for info in chosen]
    return items, skipped


def _spooled(upload: UploadFile, limit: int) -> tuple[IO[bytes], str]:
    """The upload's spooled file, rewound, and its SHA-256; 413 when it passes ``limit``."""
    name = upload.filename or "upload"
    fh = upload.file
    fh.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise InputTooLarge(
                name,
                f"the file is larger than the {limit // 1024:,} KB limit",
                hint="split the plan, or ask the operator to raise PLANREVIEW_MAX_BYTES",
            )
        digest.update(chunk)
    fh.seek(0)
    return fh, digest.hexdigest()


def _file_reader(fh: IO[bytes]) -> Reader:
    def read() -> bytes:
        fh.seek(0)
        return fh.read()

    return read


def _expand_uploads(
    uploads: list[UploadFile], settings: Settings, api: ApiSettings
) -> tuple[list[tuple[str, Reader]], list[str], list[tuple[str, str]]]:
    """Blocking file work of ``read_batch`` (run in a thread)."""
    items: list[tuple[str, Reader]] = []
    skipped: list[str] = []
    hashes: list[tuple[str, str]] = []
    for upload in uploads:
        name = safe_name(upload.filename)
        limit = api.max_batch_bytes if name.lower().endswith(".zip") else settings.max_bytes
        fh, sha = _spooled(upload, limit)
        hashes.append((name, sha))
        if is_zip_archive(name, fh):
            got, skip = expand_zip(fh, name, settings, api, api.max_batch_files - len(items))
            items.extend((f"{name}/{entry}", reader) for entry, reader in got)
            skipped.extend(f"{name}/{entry}" for entry in skip)
        else:
            items.append((name, _file_reader(fh)))
        if len(items) > api.max_batch_files:
            raise InputTooLarge(
                name,
                f"the batch holds more than {api.max_batch_files:,} plans",
                hint="split the library into several batches",
            )
    return items, skipped, hashes


async def read_batch(request: Request, settings: Settings, api: ApiSettings) -> BatchUpload:
    """Several plan files and/or zips in the multipart field ``files`` (or ``file``).

    The parts stay in their spooled files; the readers in ``items`` are valid until the
    request ends.
    """
    if media_type(request) != "multipart/form-data":
        raise ApiProblem(
            415,
            f"unsupported content type {media_type(request)!r}",
            hint="send multipart/form-data with one or more 'files' fields "
            "(plans or a zip of plans)",
        )
    form = await request.form(max_files=api.max_batch_files, max_fields=20, max_part_size=64 * 1024)
    uploads = [
        u for key in ("files", "file") for u in form.getlist(key) if isinstance(u, UploadFile)
    ]
    if not uploads:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "files"),
                    "type": "missing",
                    "msg": "send one or more plan files, or a zip of plans, "
                    "in multipart fields named 'files'",
                }
            ]
        )
    options = form_options(form)
    items, skipped, hashes = await anyio.to_thread.run_sync(_expand_uploads, uploads, settings, api)
    if not items:
        raise InputError(
            uploads[0].filename or "upload",
            f"no plan files found (looked for {', '.join(PLAN_SUFFIXES)})",
            hint="put .md, .txt, .docx or .pdf plans in the zip",
        )
    return BatchUpload(items, skipped, options, {"files": hashes, "options": options})
