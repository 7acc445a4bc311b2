"""The Dockerfile, checked without a Docker engine.

No engine runs here, so the image is checked piece by piece: its structure
(multi-stage, non-root, healthcheck, port), that everything it copies exists
and passes .dockerignore, that every command its RUN lines invoke exists
(apt/pip lines need the network and are only parsed), and that its ENTRYPOINT
and CMD, then its HEALTHCHECK, work in this virtualenv with /app mapped to the
repository: the server refuses 0.0.0.0 without keys, starts once a key exists,
and the healthcheck passes.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.api.launch import free_port

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
NETWORK_COMMANDS = ("apt-get", "apt", "pip", "pip3")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (REPO / "Dockerfile").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions():
        if ins[0] == "FROM":
            result.append([])
        result[-1].append(ins)
    return result


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, args in stage:
        if word == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value.replace("/app", str(REPO))
    return env


def local(arg: str) -> str:
    """An image path as this machine has it: /opt/venv -> this venv, /app -> the repo."""
    return arg.replace("/opt/venv/bin", str(VENV_BIN)).replace("/app", str(REPO))


def test_structure_multi_stage_non_root_healthcheck() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2, "multi-stage"
    final = all_stages[-1]
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1] not in ("root", "0"), "runs as a non-root user"
    words = [w for w, _ in final]
    assert "HEALTHCHECK" in words and "EXPOSE" in words and "CMD" in words
    assert dict(final)["EXPOSE"] == "8000"
    build = all_stages[0]
    runs = " ".join(args for word, args in build if word == "RUN")
    assert "planreview kb index" in runs, "the knowledge index is built at image build time"


def test_copied_sources_exist_and_pass_dockerignore() -> None:
    ignore = (REPO / ".dockerignore").read_text("utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for word, args in instructions():
        if word != "COPY" or "--from=" in args:
            continue
        *sources, _dest = shlex.split(args)
        for src in sources:
            assert (REPO / src).exists(), src
            assert src.rstrip("/") in allowed, f"{src} is excluded by .dockerignore"


def test_every_run_command_exists_here() -> None:
    checked = 0
    for stage in stages():
        for word, args in stage:
            if word != "RUN":
                continue
            for command in args.split("&&"):
                argv = [local(a) for a in shlex.split(command)]
                program = Path(argv[0]).name
                if program in NETWORK_COMMANDS:
                    continue  # needs a package index; parsed, not run
                if program == "planreview":
                    # The sub-command exists (running `kb index` here would embed the corpus).
                    done = subprocess.run(
                        [*argv[:3], "--help"], capture_output=True, text=True, timeout=60, cwd=REPO
                    )
                    assert done.returncode == 0, (argv, done.stderr)
                elif argv[:3] == ["python", "-m", "venv"]:
                    assert (
                        subprocess.run(
                            [sys.executable, "-m", "venv", "--help"], capture_output=True
                        ).returncode
                        == 0
                    )
                else:
                    assert shutil.which(argv[0]) or Path(argv[0]).exists(), argv[0]
                checked += 1
    assert checked >= 5


def _exec_form(args: str) -> list[str]:
    return list(json.loads(args))


@pytest.mark.slow
def test_entrypoint_cmd_and_healthcheck_work_in_a_virtualenv(tmp_path: Path) -> None:
    final = stages()[-1]
    entry = _exec_form(dict(final)["ENTRYPOINT"])
    cmd = _exec_form(dict(final)["CMD"])
    health = dict(final)["HEALTHCHECK"]
    health_cmd = _exec_form(health[health.index("CMD") + 3 :].strip())
    port = str(free_port("0.0.0.0"))
    argv = [str(VENV_BIN / entry[0]), *entry[1:], *[port if a == "8000" else a for a in cmd]]
    env = {
        **os.environ,
        **env_of(final),
        "PLANREVIEW_DATA_DIR": str(tmp_path),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "PLANREVIEW_API_REVIEW_PROCESSES": "0",
        "PLANREVIEW_API_KNOWLEDGE_AUTO_INDEX": "false",
    }

    refused = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "without API keys" in refused.stderr

    made = subprocess.run(
        [str(VENV_BIN / entry[0]), "keys", "create", "docker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0 and made.stdout.startswith("pr_")

    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = [
            sys.executable if health_cmd[0] == "python" else health_cmd[0],
            *[a.replace(":8000/", f":{port}/") for a in health_cmd[1:]],
        ]
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            if subprocess.run(probe, capture_output=True, timeout=30).returncode == 0:
                break
            assert time.monotonic() < deadline, "the healthcheck never passed"
            time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
