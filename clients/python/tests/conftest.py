"""A real `crowdlens serve` on a demo store, started once for the tests.

The binary is ``$CROWDLENS_BIN``, else the release build under ``$CARGO_TARGET_DIR`` (or the
repository's ``target/``): the README's test command builds it first.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from pathlib import Path
from typing import Dict, List

import pytest

REPO = Path(__file__).resolve().parents[3]


def binary() -> Path:
    if os.environ.get("CROWDLENS_BIN"):
        return Path(os.environ["CROWDLENS_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "release" / "crowdlens"
    if not path.exists():
        pytest.fail(f"no crowdlens binary at {path}: run `cargo build --release` first, or set CROWDLENS_BIN")
    return path


def run(*args: str) -> str:
    done = subprocess.run([str(binary()), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"crowdlens {' '.join(args)}: {done.stderr}"
    return done.stdout + done.stderr


class Served:
    """The server, its store and a token per role."""

    def __init__(self, url: str, store: Path, tokens: Dict[str, str], log: List[str]):
        self.url = url
        self.store = store
        self.tokens = tokens
        self.log = log


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("crowdlens")
    run("demo", "--dir", str(work / "demo"))
    store = work / "demo" / "store"
    tokens = {}
    for name, role in [("analyst", "analyst"), ("other", "analyst"), ("auditor", "auditor"), ("admin", "admin")]:
        out = run("token", "create", "--store", str(store), "--role", role, "--name", f"py-{name}")
        tokens[name] = re.search(r"cl_\d+_[A-Za-z0-9_-]+", out).group(0)
    server = subprocess.Popen(
        [str(binary()), "serve", "--store", str(store), "--listen", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    log: List[str] = []
    ready = threading.Event()
    url = {}

    def drain() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            log.append(line)
            found = re.search(r"crowdlens on (http://127\.0\.0\.1:\d+)/", line)
            if found:
                url["base"] = found.group(1)
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(60):
        server.kill()
        pytest.fail("crowdlens serve did not start: " + "".join(log))
    try:
        yield Served(url["base"], store, tokens, log)
    finally:
        server.terminate()
        server.wait(10)
