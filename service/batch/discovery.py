"""Find the plans of a library: files, folders and globs, minus ignored paths.

``discover(paths, ...)`` walks folders (skipping hidden folders and files,
the output folder, ``node_modules``/``__pycache__``/``site-packages``, and
whatever ``--exclude`` or a ``.planreviewignore`` file names), keeps files
with a supported suffix, and returns them in a stable order (by their path
relative to the library root). A file named explicitly
on the command line is always reviewed, whatever its suffix: if it cannot be
read, the batch reports it as a failed file.

``.planreviewignore`` files use gitignore syntax: one pattern a line, ``#``
comments, ``!`` to re-include, a trailing ``/`` for folders only, a leading or
inner ``/`` to anchor the pattern at the ignore file's folder, ``*``, ``?``,
``[...]`` and ``**``. A ``.planreviewignore`` applies to its folder and
everything below it; those in the library root (the deepest folder holding
every input) and below it are read. Files found by a glob obey the same
suffix, ignore, ``--include`` and ``--exclude`` rules as files found in a folder.

Links: folders reached through a symbolic link are not walked, and a file that
is a link (or a glob match reached through one) is reviewed only when its real
path stays inside the library (the real folders of the inputs, for a glob the
folder before its first wildcard). A link leaving it, to ``/etc/passwd`` or
``~/.ssh/id_rsa``, is skipped and reported in ``skipped`` with the reason: a
batch over an untrusted repository must not copy outside files into its
published outputs. A file named explicitly is the user's choice and is read.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from service.errors import PlanReviewError

PLAN_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".docx", ".pdf"})
SUPPORTED_TEXT = ".md, .markdown, .txt, .docx, .pdf"
IGNORE_FILE = ".planreviewignore"
# Folders that hold other people's Markdown, not plans; a .planreviewignore line such as
# "!node_modules/" brings them back.
DEFAULT_EXCLUDES = ("node_modules/", "__pycache__/", "site-packages/", "*.egg-info/")
_GLOB_CHARS = re.compile(r"[*?\[]")
# Documents that are probably plans but cannot be read: listed in ``skipped`` with what to do,
# rather than left out without a word.
UNSUPPORTED = {
    ".doc": "an old Word .doc file: save it as .docx (Word, LibreOffice: Save As) to review it",
    ".wps": "a WPS document: save it as .docx to review it",
    ".rtf": "an RTF file: save it as .docx or .md to review it",
    ".odt": "an OpenDocument file: save it as .docx to review it",
    ".pages": "a Pages document: export it as .docx or .pdf to review it",
}


class DiscoveryError(PlanReviewError):
    """A path given on the command line that names nothing usable (exit code 2)."""

    kind = "bad-usage"


@dataclass(frozen=True)
class Skipped:
    """A file found but not reviewed, and why (``path`` as reports name plans)."""

    path: str
    reason: str


OUTSIDE_LINK = "a symbolic link to a file outside the library; not followed"


@dataclass(frozen=True)
class PlanFile:
    """One plan to review."""

    path: Path  # absolute
    rel: str  # posix path relative to the library root: names the per-plan output file
    source: str  # what reports call the plan: relative to the working folder when inside it

    @property
    def folder(self) -> str:
        """The plan's team: the first folder of its relative path ('.' at the top level)."""
        parts = PurePosixPath(self.rel).parts
        return parts[0] if len(parts) > 1 else "."


@dataclass
class IgnoreRule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


@dataclass
class IgnoreSet:
    """Gitignore-style patterns, each relative to the folder it was declared in."""

    rules: list[tuple[str, IgnoreRule]] = field(default_factory=list)  # (base rel dir, rule)

    def add(self, base: str, line: str) -> None:
        rule = compile_pattern(line)
        if rule is not None:
            self.rules.append((base, rule))

    def extend_from_file(self, base: str, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            self.add(base, line)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether ``rel`` (posix, relative to the library root) is ignored; the last match wins."""
        verdict = False
        for base, rule in self.rules:
            if rule.dir_only and not is_dir:
                continue
            if base:
                if not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :]
            else:
                sub = rel
            if rule.regex.fullmatch(sub):
                verdict = not rule.negate
        return verdict

    def copy(self) -> IgnoreSet:
        return IgnoreSet(list(self.rules))


def compile_pattern(line: str) -> IgnoreRule | None:
    """One gitignore line -> a rule (None for blanks and comments)."""
    line = line.rstrip("\n\r")
    if not line.strip() or line.startswith("#"):
        return None
    # Trailing spaces are ignored unless escaped.
    line = re.sub(r"(?<!\\)\s+$", "", line)
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    if line.startswith("\\"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _translate(line)
    regex = body if anchored else f"(?:.*/)?{body}"
    return IgnoreRule(re.compile(regex, re.S), negate, dir_only)


def _translate(pattern: str) -> str:
    """A gitignore glob -> a regex over posix paths."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                inner = pattern[i + 1 : j]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append(f"[{inner.replace(chr(92), chr(92) * 2)}]")
                i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _expand(arg: str) -> tuple[list[Path], bool]:
    """A command-line path: itself when it exists, else its glob matches (and True)."""
    p = Path(arg).expanduser()
    if p.exists():
        return [p], False
    if _GLOB_CHARS.search(arg):
        matches = sorted(glob.glob(os.path.expanduser(arg), recursive=True))
        return [Path(m) for m in matches], True
    raise DiscoveryError(f"{arg}: no such file or folder", hint="check the path")


def library_root(paths: list[Path]) -> Path:
    """The deepest folder holding every input (a file's folder for a file)."""
    folders = [p if p.is_dir() else p.parent for p in paths]
    if not folders:
        return Path.cwd().resolve()
    return Path(os.path.commonpath([str(f) for f in folders]))


def discover(
    args: list[str] | list[Path],
    *,
    out_dir: Path | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    cwd: Path | None = None,
    skipped: list[Skipped] | None = None,
) -> list[PlanFile]:
    """The plans named by ``args``, sorted by path relative to the library root.

    Files found but not reviewed for safety (links leaving the library) are appended
    to ``skipped``. Raises DiscoveryError when an argument names nothing (a missing
    path, a glob with no match).
    """
    cwd = (cwd or Path.cwd()).resolve()

    def skip(path: str, reason: str = OUTSIDE_LINK) -> None:
        if skipped is not None and all(s.path != path for s in skipped):
            skipped.append(Skipped(path, reason))

    inputs: list[tuple[Path, bool]] = []  # (path, found by a glob)
    bounds: list[Path] = []  # real folders a found file must stay inside
    for arg in args:
        found, globbed = _expand(str(arg))
        if not found:
            raise DiscoveryError(f"{arg}: the pattern matches no file", hint="check the pattern")
        if globbed:
            base = _glob_base(str(arg))
            bounds.append(base)
            for p in found:
                if not _inside(p, base):  # a link, or a match reached through a linked folder
                    skip(_display(p.absolute(), cwd))
                    continue
                # a match keeps its own name (it may be a link inside); its folder is made real
                inputs.append((p.absolute().parent.resolve() / p.name, True))
        else:
            inputs.extend((p.resolve(), False) for p in found)
            bounds.extend(p.resolve() if p.is_dir() else p.resolve().parent for p in found)
    root = library_root([p for p, _ in inputs])
    boundary = Path(os.path.commonpath([str(b) for b in bounds])) if bounds else root
    out_resolved = out_dir.resolve() if out_dir is not None else None

    include_set = IgnoreSet()
    for pattern in include or []:
        include_set.add("", pattern)
    base_ignores = IgnoreSet()
    for pattern in [*DEFAULT_EXCLUDES, *(exclude or [])]:
        base_ignores.add("", pattern)
    ignore_cache: dict[Path, IgnoreSet] = {}

    def ignores_for(folder: Path) -> IgnoreSet:
        """--exclude plus the .planreviewignore files from the library root down to ``folder``."""
        got = ignore_cache.get(folder)
        if got is None:
            if folder == root or root not in folder.parents:
                got = base_ignores.copy()
            else:
                got = ignores_for(folder.parent).copy()
            f = folder / IGNORE_FILE
            if f.is_file():
                got.extend_from_file(_rel_dir(folder, root), f)
            ignore_cache[folder] = got
        return got

    def ignored_on_the_way(p: Path, rules: IgnoreSet) -> bool:
        """A folder between the library root and ``p`` is hidden, ignored or the output."""
        for folder in reversed(p.parents):
            if folder == root or root not in folder.parents:
                continue
            if _is_hidden(folder.name) or folder == out_resolved:
                return True
            if rules.ignored(_rel_dir(folder, root), is_dir=True):
                return True
        return False

    chosen: dict[str, PlanFile] = {}

    def rel_of(p: Path) -> str:
        return p.relative_to(root).as_posix()

    def keep(p: Path, explicit: bool, ignores: IgnoreSet) -> None:
        rel = rel_of(p)
        if not explicit:
            if p.suffix.lower() not in PLAN_SUFFIXES:
                reason = UNSUPPORTED.get(p.suffix.lower())
                if reason and not ignores.ignored(rel, is_dir=False):
                    skip(
                        _display(p, cwd), reason
                    )  # a plan, most likely, in a format we cannot read
                return
            if ignores.ignored(rel, is_dir=False):
                return
            if include_set.rules and not include_set.ignored(rel, is_dir=False):
                return
            if not _inside(p, boundary):
                skip(_display(p, cwd))
                return
        chosen.setdefault(rel, PlanFile(path=p, rel=rel, source=_display(p, cwd)))

    for inp, globbed in inputs:
        if inp.is_file():
            if not globbed:
                keep(inp, explicit=True, ignores=base_ignores)  # named: always reviewed
                continue
            rules = ignores_for(inp.parent)
            if not _is_hidden(inp.name) and not ignored_on_the_way(inp, rules):
                keep(inp, explicit=False, ignores=rules)
            continue
        if not inp.is_dir():
            continue
        if globbed and ignored_on_the_way(inp / "_", ignores_for(inp)):
            continue  # a folder a glob matched, which is hidden or ignored itself
        _walk(inp, root, out_resolved, ignores_for(inp), keep)
    return [chosen[k] for k in sorted(chosen, key=_sort_key)]


def _inside(p: Path, boundary: Path) -> bool:
    """Whether ``p``'s real path (every link followed) is ``boundary`` or below it."""
    real = Path(os.path.realpath(p))
    return real == boundary or boundary in real.parents


def _glob_base(arg: str) -> Path:
    """The real folder before a glob's first wildcard component."""
    parts = Path(os.path.expanduser(arg)).parts
    literal: list[str] = []
    for part in parts:
        if _GLOB_CHARS.search(part):
            break
        literal.append(part)
    return Path(*literal).resolve() if literal else Path.cwd().resolve()


def _rel_dir(folder: Path, root: Path) -> str:
    rel = folder.relative_to(root).as_posix()
    return "" if rel == "." else rel


def _sort_key(rel: str) -> tuple[str, ...]:
    return tuple(PurePosixPath(rel).parts)


def _walk(
    top: Path,
    root: Path,
    out_dir: Path | None,
    ignores: IgnoreSet,
    add: Callable[[Path, bool, IgnoreSet], None],
) -> None:
    stack: list[tuple[Path, IgnoreSet]] = [(top, ignores)]
    while stack:
        folder, rules = stack.pop()
        local = folder / IGNORE_FILE
        if folder != top and local.is_file():  # the top folder's own file is already in rules
            rules = rules.copy()
            rules.extend_from_file(_rel_dir(folder, root), local)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if _is_hidden(entry.name):
                continue
            p = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                if out_dir is not None and (p.resolve() == out_dir):
                    continue
                if rules.ignored(p.relative_to(root).as_posix(), is_dir=True):
                    continue
                stack.append((p, rules))
            elif is_file:
                add(p, False, rules)
