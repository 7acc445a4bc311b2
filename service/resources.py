"""Where the shipped data folders (knowledge/, prompts/) are.

In a checkout or an editable install they sit at the repository root next to
``service/``; a wheel installs them under ``<prefix>/share/planreview/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def shipped_folder(name: str) -> Path:
    """The repository's folder when present, else the installed copy (which may not exist)."""
    in_repo = _REPO / name
    if in_repo.is_dir():
        return in_repo
    return Path(sys.prefix) / "share" / "planreview" / name
