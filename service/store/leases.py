"""Who runs a job: an owner id per server process, and whether an owner is gone.

A running job row names its owner (``claimed_by``) and holds a lease
(``lease_until``) that its owner renews while the job runs. Another server
takes a running job over only when its lease has expired, or when its owner is
a process on this same host that no longer exists (a restart after a crash
need not wait for the lease). A live server's jobs are never taken.
"""

from __future__ import annotations

import os
import secrets
import socket


def owner_id() -> str:
    """``host/pid/nonce``: unique per server process, readable in the database."""
    return f"{socket.gethostname()[:100]}/{os.getpid()}/{secrets.token_hex(4)}"


def owner_is_gone(owner: str | None) -> bool:
    """True when ``owner`` was a process on this host that has ended.

    False whenever it cannot be told (another host, an unreadable id): then only
    the lease decides.
    """
    if not owner:
        return False
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname()[:100] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, someone else's
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
