"""A receipt checked offline in Python with `cryptography`, exactly as the README shows it, and
the same check failing on a tampered answer or receipt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

from crowdlens import Client

from conftest import REPO, run

DOWNTOWN = "bbox:-93.285,44.968,-93.245,44.988"


def readme_check() -> str:
    """The README's Python receipt check: the fenced block after its marker."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- receipt-check: tested by clients/python/tests/test_receipts.py -->\s*```python\n(.*?)```", text, re.S)
    assert found, "the README has no receipt check under its marker"
    return found.group(1)


def check(folder: Path) -> dict:
    """Runs the README's check in `folder` (answer.json, receipt.json, store.pub.pem there)."""
    scope: dict = {}
    code = compile(readme_check(), "README.md", "exec")
    cwd = Path.cwd()
    try:
        import os

        os.chdir(folder)
        exec(code, scope)
    finally:
        os.chdir(cwd)
    return scope


def test_the_readme_receipt_check_passes_and_fails_on_tampering(served, tmp_path: Path):
    client = Client(served.url, served.tokens["analyst"])
    answer = client.presence(DOWNTOWN, "2026-11-02T06:00:00Z", "2026-11-02T18:00:00Z", bucket="6h",
                             epsilon=0.2, case="PY-RECEIPT", purpose="research")
    audit_id = answer.attrs["answer"]["audit_id"]
    raw_answer = client._transport.request("GET", f"/v1/answers/{audit_id}")
    receipt = client.receipt(audit_id)
    assert receipt == raw_answer["receipt"]
    (tmp_path / "answer.json").write_text(json.dumps(raw_answer), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(json.dumps(receipt), encoding="utf-8")
    # The key, from the operator rather than the server the answer came from.
    run("key", "export-public", "--store", str(served.store), "--out", str(tmp_path / "store.pub.pem"))
    assert client.public_key().strip() == (tmp_path / "store.pub.pem").read_text().strip()

    scope = check(tmp_path)
    assert scope["signed"]["audit"]["answered"]["id"] == audit_id
    assert scope["signed"]["charged"]["epsilon"] == 0.2

    # One value changed: the answer no longer has the signed digest.
    altered = dict(raw_answer, rows=[dict(raw_answer["rows"][0], value=raw_answer["rows"][0]["value"] + 1)] + raw_answer["rows"][1:])
    (tmp_path / "answer.json").write_text(json.dumps(altered), encoding="utf-8")
    with pytest.raises(AssertionError):
        check(tmp_path)
    (tmp_path / "answer.json").write_text(json.dumps(raw_answer), encoding="utf-8")
    # A field added beside the signed ones: refused.
    (tmp_path / "answer.json").write_text(json.dumps(dict(raw_answer, summary={"total_devices": 99999})), encoding="utf-8")
    with pytest.raises(AssertionError):
        check(tmp_path)
    (tmp_path / "answer.json").write_text(json.dumps(raw_answer), encoding="utf-8")
    # The receipt's ε lowered: the signature fails.
    forged = dict(receipt, payload=receipt["payload"].replace('"epsilon":0.2', '"epsilon":0.02'))
    assert forged["payload"] != receipt["payload"]
    (tmp_path / "receipt.json").write_text(json.dumps(forged), encoding="utf-8")
    with pytest.raises(InvalidSignature):
        check(tmp_path)
    # And the Rust verifier agrees on the untouched pair.
    (tmp_path / "receipt.json").write_text(json.dumps(receipt), encoding="utf-8")
    out = run("verify", str(tmp_path / "receipt.json"), str(tmp_path / "answer.json"),
              "--public-key", str(tmp_path / "store.pub.pem"))
    assert "answer matches" in out


def test_a_gaussian_answer_read_back_passes_the_readme_check(served, tmp_path: Path):
    # Gaussian intervals are floats of 17 significant digits: the kept answer must give back
    # exactly the floats that were signed.
    client = Client(served.url, served.tokens["analyst"])
    answer = client.presence(DOWNTOWN, "2026-11-03T00:00:00Z", "2026-11-03T12:00:00Z", bucket="1h",
                             epsilon=0.3, mechanism="gaussian", case="PY-GAUSS", purpose="research")
    audit_id = answer.attrs["answer"]["audit_id"]
    kept = client._transport.request("GET", f"/v1/answers/{audit_id}")
    assert kept["mechanism"] == "gaussian"
    (tmp_path / "answer.json").write_text(json.dumps(kept), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(json.dumps(client.receipt(audit_id)), encoding="utf-8")
    run("key", "export-public", "--store", str(served.store), "--out", str(tmp_path / "store.pub.pem"))
    check(tmp_path)


def test_the_signed_report_verifies_with_the_same_key(served, tmp_path: Path):
    auditor = Client(served.url, served.tokens["auditor"])
    signed = auditor.report("signed")
    (tmp_path / "report.json").write_text(json.dumps(signed), encoding="utf-8")
    run("key", "export-public", "--store", str(served.store), "--out", str(tmp_path / "k.pem"))
    out = run("verify", str(tmp_path / "report.json"), "--public-key", str(tmp_path / "k.pem"))
    assert "transparency_report" in out
    assert json.loads(signed["payload"])["witness"]["head"]
