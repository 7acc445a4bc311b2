"""The LSP base protocol's framing, checked, so bad input ends the server instead of wedging it.

pygls reads ``Content-Length`` headers leniently: a non-numeric, missing or
short length leaves it waiting for a header that never comes, alive and
silent forever. :class:`FramedReader` stands in for stdin (pygls calls its
``readline`` and ``read``) and checks each header line as it arrives, before
its newline if need be: a line that cannot be a header (a JSON body sent
without headers, the rest of a body whose length was short), a length that
is not a decimal number or is over ``MAX_CONTENT_LENGTH``, a blank line with
no length before it. (A short length shows as the rest of its body where the
next header should be.) On the first such error it logs what was wrong and
answers end-of-file, pygls stops, and ``serve`` exits with status 1 so that
the editor restarts the server.
"""

from __future__ import annotations

import logging
import os
import re

log = logging.getLogger("planreview.lsp.framing")

MAX_CONTENT_LENGTH = 64 * 1024 * 1024
MAX_HEADER_LINE = 8 * 1024
CHUNK = 64 * 1024

# A header line, possibly still incomplete: a token, then optionally ':' and a value.
_PARTIAL_HEADER = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?::[^\r\n]*)?\r?")
_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*")


class FramedReader:
    """A checked reader of LSP messages from a file descriptor (stdin by default)."""

    def __init__(self, fd: int | None = None) -> None:
        self.fd = 0 if fd is None else fd
        self.error: str | None = None
        self._buf = bytearray()
        self._length: int | None = None
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buf.extend(chunk)
        return True

    def _fail(self, reason: str, sample: bytes = b"") -> bytes:
        shown = sample[:60].decode("utf-8", "replace")
        self.error = f"{reason}: {shown!r}" if sample else reason
        log.error("bad LSP framing on stdin, exiting: %s", self.error)
        self._eof = True
        return b""

    def readline(self) -> bytes:
        """The next header line (normalised to end in CRLF), or b"" at the end or on an error."""
        while True:
            if self.error is not None:
                return b""
            end = self._buf.find(b"\n")
            if end >= 0:
                line = bytes(self._buf[: end + 1])
                del self._buf[: end + 1]
                return self._header(line)
            partial = bytes(self._buf)
            if len(partial) > MAX_HEADER_LINE:
                return self._fail("a header line longer than 8 KB", partial)
            if partial and not _PARTIAL_HEADER.fullmatch(partial):
                return self._fail("not a message header", partial)
            if not self._fill():
                if partial:
                    return self._fail("the input ended inside a message header", partial)
                return b""

    def _header(self, line: bytes) -> bytes:
        text = line.rstrip(b"\n").removesuffix(b"\r")
        if not text:
            if self._length is None:
                return self._fail("a message without a Content-Length header")
            return b"\r\n"
        match = _HEADER.fullmatch(text)
        if match is None:
            return self._fail("not a message header", text)
        name, value = match.group(1).lower(), match.group(2)
        if name == b"content-length":
            if not value.isdigit() or len(value) > 12:
                return self._fail("Content-Length is not a decimal number", text)
            length = int(value)
            if length == 0 or length > MAX_CONTENT_LENGTH:
                return self._fail(f"Content-Length {length} is out of range", text)
            self._length = length
            return b"Content-Length: %d\r\n" % length
        return text + b"\r\n"

    def read(self, n: int) -> bytes:
        """The message body of ``n`` bytes, or b"" when the input ends first."""
        while len(self._buf) < n:
            if not self._fill():
                return self._fail(f"the input ended inside a {n}-byte message body")
        body = bytes(self._buf[:n])
        del self._buf[:n]
        self._length = None
        return body  # well framed but not JSON: pygls answers and carries on
