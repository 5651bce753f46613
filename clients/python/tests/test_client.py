"""The client against a real `crowdlens serve` on the demo store (see conftest.py)."""

from __future__ import annotations

import http.server
import inspect
import json
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import crowdlens
from crowdlens import Answer, Client, CrowdlensError, Price, UnsupportedServer

DOWNTOWN = "bbox:-93.285,44.968,-93.245,44.988"
CAMPUS = "bbox:-93.245,44.965,-93.210,44.985"
CITY = "bbox:-93.40,44.85,-92.98,45.10"

#: One question of each kind, by the client's keyword names, on the demo's days.
QUESTIONS = {
    "presence": dict(area=DOWNTOWN, from_="2026-11-02", to="2026-11-03", bucket="3h", epsilon=0.1),
    "flows": dict(area="bbox:-93.30,44.955,-93.20,44.99", zones_res=7, from_="2026-11-02", to="2026-11-05", epsilon=0.1),
    "dwell": dict(area=DOWNTOWN, from_="2026-11-02", to="2026-11-05", epsilon=0.1),
    "co-visit": dict(area=DOWNTOWN, area_b=CAMPUS, from_="2026-11-02", to="2026-11-05", epsilon=0.1),
    "series": dict(area=DOWNTOWN, baseline_from="2026-11-02", baseline_to="2026-11-04", from_="2026-11-04",
                   to="2026-11-05", bucket="6h", epsilon=0.1),
    "reach": dict(area=CITY, zones_res=7, from_="2026-11-02", to="2026-11-05", epsilon=0.1),
}


def method_of(client: Client, kind: str):
    return getattr(client, kind.replace("-", "_"))


def body_of(params: dict, case: str, purpose: str = "research") -> dict:
    body = {k.rstrip("_"): v for k, v in params.items()}
    return {**body, "case": case, "purpose": purpose}


def raw(served, method: str, path: str, token: str, body=None):
    """The API's own JSON, without the client."""
    request = urllib.request.Request(
        served.url + path, data=None if body is None else json.dumps(body).encode(), method=method
    )
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


@pytest.fixture(scope="session")
def client(served) -> Client:
    return Client(served.url, served.tokens["analyst"])


def test_every_question_has_a_method_that_takes_exactly_its_parameters(client: Client):
    descriptors = client.questions()
    assert sorted(d["kind"] for d in descriptors) == sorted(QUESTIONS), "a question without a method, or the reverse"
    for d in descriptors:
        method = method_of(client, d["kind"])
        signature = inspect.signature(method)
        names = {n.rstrip("_") for n in signature.parameters} - {"case", "purpose", "dry_run", "job"}
        assert names == {p["name"] for p in d["params"]}, d["kind"]
        for p in d["params"]:
            parameter = signature.parameters.get(p["name"]) or signature.parameters[p["name"] + "_"]
            assert (parameter.default is inspect.Parameter.empty) == p["required"], (d["kind"], p["name"])
        assert d["summary"] in (method.__doc__ or ""), f"{d['kind']}: its docstring starts with its summary"
        for key in d["keys"]:
            assert f"``{key['name']}``" in method.__doc__, (d["kind"], key["name"])


def test_every_question_asked_through_the_client_is_what_the_api_gives(served, client: Client):
    for kind, params in QUESTIONS.items():
        case = f"PY-SAME-{kind}"
        frame = method_of(client, kind)(**params, case=case, purpose="research")
        assert isinstance(frame, Answer) and len(frame) > 0, kind
        # The same question on the API is given the same kept answer again, free.
        reply = raw(served, "POST", f"/v1/ask/{kind}", served.tokens["analyst"], body_of(params, case))
        assert reply["reused"]["answer"] == frame.answer_id, kind
        assert frame.attrs["question"] == reply["asked"], kind
        assert frame.attrs["answer"]["epsilon"] == reply["epsilon"]
        assert len(frame) == len(reply["rows"]), kind
        keys = {k["name"]: k["type"] for k in client._descriptor(kind)["keys"]}
        for i, row in enumerate(reply["rows"]):
            for column, value in row.items():
                got = frame[column].iloc[i]
                if keys.get(column) == "timestamp":
                    assert got == pd.Timestamp(value), (kind, column)
                elif value is None:
                    assert pd.isna(got), (kind, column)
                else:
                    assert got == value, (kind, i, column, got, value)
        assert list(frame.columns[-3:]) == ["value", "ci_low", "ci_high"]
        for name, kind_of_key in keys.items():
            if name not in frame.columns:
                continue
            if kind_of_key == "timestamp":
                assert str(frame[name].dtype) .startswith("datetime64") and str(frame[name].dt.tz) == "UTC"
            else:
                assert str(frame[name].dtype) == "string"
            if kind_of_key == "cell":
                assert frame[name].str.fullmatch(r"8[0-9a-f]{14}").all(), (kind, name)
        # Read again, free, it is the same frame.
        again = client.answer(frame.answer_id)
        pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(frame))


def test_a_dry_run_prices_by_accuracy_and_charges_nothing(client: Client):
    before = client.budget()
    price = client.presence(DOWNTOWN, "2026-11-04", "2026-11-05", bucket="6h", accuracy=20,
                            case="PY-PRICE", purpose="research", dry_run=True)
    assert isinstance(price, Price)
    assert price["epsilon"] > 0 and price["epochs"] == ["2026-W45"]
    assert price["ci_half_width"] <= 20
    after = client.budget()
    pd.testing.assert_frame_equal(before, after)
    assert {"epoch", "epsilon_spent", "epsilon_remaining"} <= set(after.columns)


def test_a_job_runs_reports_its_progress_and_gives_what_asking_gives(served, client: Client):
    job = client.presence(CITY, "2026-11-02", "2026-11-05", bucket="6h", res=8, epsilon=0.1,
                          case="PY-JOB", purpose="research", job=True)
    assert isinstance(job, crowdlens.Job) and len(job.id) == 32
    seen = []
    final = job.wait(timeout=600, on_progress=seen.append)
    assert final["status"] == "done", final
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0, progress
    result = job.result()
    assert isinstance(result, Answer) and result.answer_id == final["answer"]
    kept = client.answer(final["answer"])
    pd.testing.assert_frame_equal(pd.DataFrame(result), pd.DataFrame(kept))
    assert job.id in [j.id for j in client.jobs()]
    with pytest.raises(CrowdlensError) as e:
        job.cancel()
    assert (e.value.code, e.value.status) == ("job_finished", 409)
    # Another analyst's token does not see it.
    other = Client(served.url, served.tokens["other"])
    assert job.id not in [j.id for j in other.jobs()]
    with pytest.raises(CrowdlensError) as e:
        crowdlens.Job(other, {"id": job.id, "question": "presence"}).status()
    assert (e.value.code, e.value.status) == ("not_found", 404)


def test_a_cancelled_job_is_audited_as_abandoned_after_its_charge(served, client: Client):
    auditor = Client(served.url, served.tokens["auditor"])
    outcomes = []
    # City-wide, every hour at resolution 9: hundreds of thousands of keys, so the job reads
    # for a while after its charge. Cancelled as soon as it reads; a job that finishes first
    # is tried again with another case.
    for attempt in range(4):
        case = f"PY-CANCEL-{attempt}"
        job = client.presence(CITY, "2026-11-02", "2026-11-05", bucket="1h", res=9, epsilon=0.1,
                              case=case, purpose="research", job=True)
        status = job.last
        while status["status"] == "running" and status["stage"] not in ("reading", "releasing"):
            status = job.status(wait=0.5)
        cancelled = job.cancel() if status["status"] == "running" else status
        outcomes.append(cancelled["status"])
        if cancelled["status"] != "cancelled":
            continue
        with pytest.raises(CrowdlensError) as e:
            job.result()
        assert e.value.code == "job_cancelled"
        entries = [x for x in auditor.audit()["entries"] if x["case_id"] == case]
        assert [x["outcome"].split(":")[0] for x in entries][-1] == "abandoned after charge", entries
        assert auditor.audit()["intact"] is True
        break
    assert "cancelled" in outcomes, f"no job was cancelled before it finished: {outcomes}"


def test_errors_carry_the_servers_code_and_field_and_roles_are_enforced(served, client: Client):
    with pytest.raises(CrowdlensError) as e:
        client.presence("bbox:1,2,3", "2026-11-02", "2026-11-03", epsilon=0.1, case="PY-ERR", purpose="research")
    assert (e.value.code, e.value.field, e.value.status) == ("bad_area", "area", 400)
    assert "bbox needs four numbers" in e.value.message
    with pytest.raises(CrowdlensError) as e:
        client.presence(DOWNTOWN, "2026-11-02", "2026-11-03", epsilon=0.1, case="PY-ERR", purpose="gossip")
    assert (e.value.code, e.value.field) == ("purpose_not_allowed", "purpose") and "research" in e.value.message
    auditor = Client(served.url, served.tokens["auditor"])
    with pytest.raises(CrowdlensError) as e:
        auditor.presence(DOWNTOWN, "2026-11-02", "2026-11-03", epsilon=0.1, case="PY-ERR", purpose="research")
    assert (e.value.code, e.value.status) == ("forbidden", 403)
    with pytest.raises(CrowdlensError) as e:
        client.audit()
    assert (e.value.code, e.value.status) == ("forbidden", 403)
    assert auditor.audit()["intact"] is True
    report = auditor.report()
    assert report["questions"]["answered"] > 0 and report["questions"]["refused_by_code"]["bad_area"] >= 1
    assert "<html" in auditor.report("html").lower()
    with pytest.raises(CrowdlensError) as e:
        Client(served.url, "cl_1_not-a-real-secret-at-all").budget()
    assert (e.value.code, e.value.status) == ("unauthorized", 401)
    with pytest.raises(CrowdlensError) as e:
        client.ask("teleport", case="PY-ERR", purpose="research")
    assert e.value.code == "unknown_question" and "presence" in e.value.message
    with pytest.raises(CrowdlensError) as e:
        Client("http://127.0.0.1:1", served.tokens["analyst"])
    assert e.value.code == "unreachable"
    with pytest.raises(CrowdlensError) as e:
        client.presence(DOWNTOWN, pd.Timestamp("2026-11-02").to_pydatetime(), "2026-11-03", case="C", purpose="research")
    assert (e.value.code, e.value.field) == ("bad_parameter", "from")


class _FutureServer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the handler's name is http.server's
        body = json.dumps({"status": "ok", "api_version": 2, "crowdlens": "9.0.0"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_of_an_api_version_the_client_does_not_speak_is_refused():
    server = http.server.HTTPServer(("127.0.0.1", 0), _FutureServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(UnsupportedServer) as e:
            Client(f"http://127.0.0.1:{server.server_address[1]}", "cl_1_x")
        assert e.value.code == "unsupported_api_version"
        assert "API version 2" in e.value.message and "speaks 1" in e.value.message
    finally:
        server.shutdown()


def test_answers_become_geodataframes_and_exports_are_read_by_gis_tools(served, client: Client, tmp_path: Path):
    import geopandas
    frame = method_of(client, "presence")(**QUESTIONS["presence"], case="PY-SAME-presence", purpose="research")
    gdf = frame.to_geodataframe()
    assert isinstance(gdf, geopandas.GeoDataFrame) and len(gdf) == len(frame)
    assert gdf.crs.to_epsg() == 4326 and set(gdf.geom_type) == {"Polygon"}
    assert gdf.attrs["question"]["kind"] == "presence"
    assert gdf.geometry.is_valid.all()
    flows = method_of(client, "flows")(**QUESTIONS["flows"], case="PY-SAME-flows", purpose="research").to_geodataframe()
    assert set(flows.geom_type) <= {"LineString", "Polygon"}

    # GeoParquet: read back by GeoPandas, with the spec's metadata, the same rows and geometry.
    path = client.export(frame.answer_id, "geoparquet", tmp_path / "presence.parquet")
    back = geopandas.read_parquet(path)
    # No `crs` in the metadata: GeoParquet's default, OGC:CRS84 (longitude, latitude on WGS 84).
    assert len(back) == len(frame) and back.crs.to_string() == "OGC:CRS84"
    assert all(a.equals_exact(b, 1e-9) for a, b in zip(back.geometry, gdf.geometry))
    assert (back["value"].to_numpy() == frame["value"].to_numpy()).all()
    assert str(back["bucket_start"].dtype).startswith("datetime64") and str(back["bucket_start"].dt.tz) == "UTC"
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata.metadata
    geo = json.loads(meta[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["Polygon"]
    xmin, ymin, xmax, ymax = column["bbox"]
    bounds = back.total_bounds
    assert abs(bounds[0] - xmin) < 1e-9 and abs(bounds[3] - ymax) < 1e-9
    assert json.loads(meta[b"crowdlens"])["asked"] == frame.attrs["question"]

    # GeoJSON: GDAL's ogrinfo reads it (Debian's GDAL has no Parquet driver: see docs/serve.md).
    geojson = client.export(frame.answer_id, "geojson", tmp_path / "presence.geojson")
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo (Debian's gdal-bin) is installed by .ci/run"
    info = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(geojson)], capture_output=True, text=True, check=True)
    assert f"Feature Count: {len(frame)}" in info.stdout and "Polygon" in info.stdout, info.stdout

    csv = client.export(frame.answer_id, "csv")
    assert csv.startswith("# crowdlens answer #")
    assert pd.read_csv(pd.io.common.StringIO(csv), comment="#").shape[0] == len(frame)
    with pytest.raises(CrowdlensError) as e:
        client.export(frame.answer_id, "shapefile")
    assert e.value.field == "format"


def test_kept_answers_are_listed_and_the_budget_shows_their_spend(client: Client):
    answers = client.answers()
    assert {"audit_id", "question", "case_id", "epsilon"} <= set(answers.columns), answers.columns
    assert str(answers["at"].dtype).startswith("datetime64")
    mine = client.answers(case="PY-SAME-presence")
    assert set(mine["case_id"]) == {"PY-SAME-presence"}
    budget = client.budget()
    w45 = budget[budget["epoch"] == "2026-W45"].iloc[0]
    assert w45["epsilon_spent"] > 0


def test_the_readme_example_draws_the_presence_map(served, tmp_path: Path):
    example = Path(__file__).resolve().parents[1] / "examples" / "presence_map.py"
    out = tmp_path / "presence-map.png"
    env = {"CROWDLENS_URL": served.url, "CROWDLENS_TOKEN": served.tokens["analyst"], "MPLBACKEND": "Agg"}
    import os
    import sys

    done = subprocess.run([sys.executable, str(example), str(out)], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
