"""HTML validity, judged by the Nu Html Checker (vnu.jar): the W3C's conformance checker
for the HTML living standard, run offline.

It checks what a parser alone does not: which element may stand where (a link inside a
button, a block inside a paragraph), attributes and their values, unique ids, a document's
required parts. vnu.jar comes from the npm registry (the vnu-jar package, pinned in
package.json, installed by ``make install-js``) and runs on the system's Java (11 or later;
Debian's openjdk-17 here). All the documents of one check go to one run of the checker:
starting the JVM is most of its cost.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("CI") == "true"


def _checker() -> list[str]:
    java = shutil.which("java")
    if java is None:
        message = "Java is not installed (apt-get install default-jre-headless): vnu.jar needs it"
        if REQUIRED:
            pytest.fail(f"{message} (required in CI)")
        pytest.skip(message)
    if not VNU.exists():
        pytest.fail(f"vnu.jar is missing at {VNU}: run `make install-js` (npm ci)")
    return [java, "-jar", str(VNU)]


def problems(documents: dict[str, str]) -> dict[str, list[str]]:
    """The checker's errors and warnings in each document, by its name; none for a valid one."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, (name, text) in enumerate(documents.items()):
            path = Path(folder) / f"{number:03d}.html"
            path.write_text(text, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(
            [*_checker(), "--format", "json", "--stdout", *sorted(Path(folder).iterdir())],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar did not answer (exit {result.returncode}):\n{result.stderr}")
    found: dict[str, list[str]] = {name: [] for name in documents}
    for message in messages:
        if message["type"] == "info" and message.get("subType") != "warning":
            continue
        kind = message.get("subType") or message["type"]
        name = files.get(message.get("url", "").rsplit("/", 1)[-1])
        where = f"line {message['lastLine']}" if "lastLine" in message else "document"
        extract = " ".join(message.get("extract", "").split())
        text = f"{kind} at {where}: {message['message']} [{extract}]"
        found.setdefault(name or "the checker", []).append(text)
    return {name: texts for name, texts in found.items() if texts}


def assert_valid(documents: dict[str, str]) -> None:
    """Fail with each document's errors and warnings, if any."""
    found = problems(documents)
    assert not found, "not valid HTML:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(texts) for name, texts in found.items()
    )
