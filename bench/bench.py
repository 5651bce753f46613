#!/usr/bin/env python3
"""Side-by-side benchmark: crowdlens against DuckDB (non-private) and PipelineDP (private).

    python3 bench/bench.py                  # 10M pings, 3 runs each
    python3 bench/bench.py --pings 100M     # the large scale
    python3 bench/bench.py --pings 1M --runs 1
    python3 bench/bench.py --engine cluster # the same questions on a local Ballista cluster
    python3 bench/bench.py --shape broker   # the city's pings as a broker sends them
    python3 bench/bench.py --store-pings 1G # a billion pings built straight into a store

It builds crowdlens (release), installs `duckdb` and `pipeline-dp` into bench/.venv, makes a
synthetic city at the chosen scale, and times, on the same data in the same run:

  ingest     crowdlens `ingest pings`        vs DuckDB COPY csv -> parquet
  presence   crowdlens `ask presence`        vs DuckDB, same bounded count on the store's files
  presence   crowdlens `ask presence`        vs PipelineDP (local backend), per row
  flows      crowdlens `ask flows`           vs DuckDB, same bounded count
  dwell      crowdlens `ask dwell`           vs DuckDB, same bounded count
  co-visit   crowdlens `ask co-visit`        vs DuckDB, same lag histogram
  series     crowdlens `ask series`          vs DuckDB, same bounded count

Two data shapes (--shape): `city`, the synthetic city's CSV as `synth` writes it (each device's
pings together, in time order; upper-case IDFA and lower-case AAID UUIDs; IP and user agent
columns), and `broker`, the same pings as a broker's feed arrives: every device interleaved in
time order, all ids lower-case 36-character UUIDs, only the six location columns. DuckDB makes
the broker file from the city's (not timed).

With --engine cluster it starts `crowdlens cluster scheduler` and two `crowdlens cluster
executor`s on loopback and times presence, flows and dwell on the cluster against the same
questions run in one process: the ratio is cluster / local.

With --store-pings it builds a store straight from the generator (`synth --store`: no CSV,
every ping admitted and pseudonymised as ingest would), reports the build time, and times every
question on it with its peak memory, against the targets of a minute for presence city-wide and
1 GiB for any question; presence also runs in DuckDB over the same files.

Each figure is the median of --runs runs, with the min-max beside it. The ratio is
crowdlens / peer: below 1 crowdlens is faster. Peak memory is each process's max RSS.
The table is printed and written as JSON to bench/results/<date>.json (10M, the reference
scale) or bench/results/<date>-<scale>.json.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / ".venv"
CITY_BBOX = "bbox:-93.40,44.85,-92.98,45.10"
FROM, TO = "2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"
FROM_S, TO_S = 1793577600, 1793577600 + 7 * 86400
DAYS = 7
BOUND = 4
# Synthetic devices ping about 38 times a day on average (heavy-tailed), over 7 days.
PINGS_PER_DEVICE = 265.5


def parse_count(text):
    text = text.strip().upper()
    scale = {"K": 1e3, "M": 1e6, "G": 1e9}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def run(cmd, env=None, timeout=None):
    """Runs a command; returns (wall seconds, peak RSS in MB, stdout), or None when it was still
    running after `timeout` seconds (it is then killed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while timeout is not None:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                p.kill()
                os.wait4(p.pid, 0)
                return None
            time.sleep(0.2)
        else:
            _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{stderr}")
    return wall, usage.ru_maxrss / 1024, stdout


def setup_python():
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    subprocess.check_call([str(python), "-m", "pip", "install", "-q", "duckdb", "pipeline-dp", "h3"])
    return python


def build():
    # The README's first command builds exactly this (`cargo run --release` builds the default
    # member), so the benchmark reuses that build rather than making another.
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.check_call(["cargo", "build", "--release"], cwd=ROOT)
    return target / "release" / "crowdlens"


def peer(python, code):
    """Runs Python `code` that prints the seconds its timed part took; returns (s, MB)."""
    _, rss, stdout = run([str(python), "-c", code])
    return float(stdout.split()[-1]), rss


def duck(python, sql, threads):
    """Times one DuckDB query in a fresh process, measured inside it (startup excluded)."""
    code = f"""
import duckdb, time
con = duckdb.connect()
con.execute("SET threads TO {threads}")
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
con.execute({sql!r}).fetchall()
print(time.perf_counter() - t)
"""
    return peer(python, code)


def parent_sql(res):
    # H3 parent by bit arithmetic, as crowdlens plans it: set finer digits to 7, rewrite the
    # resolution field.
    ones = (1 << (3 * (15 - res))) - 1
    return f"((cell | {ones}::UBIGINT) & ~{0xF << 52}::UBIGINT) | {res << 52}::UBIGINT"


def presence_sql(files, limit=""):
    return f"""
WITH scoped AS (
  SELECT DISTINCT pseudonym, {parent_sql(8)} AS qcell, (time_s - {FROM_S}) // 3600 AS bidx
  FROM read_parquet('{files}') WHERE time_s >= {FROM_S} AND time_s < {TO_S} {limit}),
r AS (SELECT *, random() AS u FROM scoped),
capped AS (SELECT qcell, bidx, row_number() OVER (PARTITION BY pseudonym ORDER BY u) AS rn FROM r)
SELECT qcell, bidx, count(*) FROM capped WHERE rn <= {BOUND} GROUP BY ALL"""


def flows_sql(files):
    return f"""
WITH zoned AS (SELECT pseudonym, time_s, {parent_sql(7)} AS zone FROM read_parquet('{files}')
               WHERE time_s >= {FROM_S} AND time_s < {TO_S}),
s AS (SELECT pseudonym, time_s // 86400 AS day, time_s, zone,
             LAG(zone) OVER (PARTITION BY pseudonym, time_s // 86400 ORDER BY time_s, zone) AS prev FROM zoned),
c AS (SELECT pseudonym, day, time_s, zone FROM s WHERE prev IS NULL OR prev <> zone),
t AS (SELECT pseudonym, zone AS dest, LAG(zone) OVER (PARTITION BY pseudonym, day ORDER BY time_s, zone) AS origin FROM c),
d AS (SELECT DISTINCT pseudonym, origin, dest FROM t WHERE origin IS NOT NULL),
r AS (SELECT *, random() AS u FROM d),
capped AS (SELECT origin, dest, row_number() OVER (PARTITION BY pseudonym ORDER BY u) AS rn FROM r)
SELECT origin, dest, count(*) FROM capped WHERE rn <= {BOUND} GROUP BY ALL"""


def dwell_sql(files):
    # The city-wide area holds every synthetic ping, so "inside" is true for all rows.
    return f"""
WITH marked AS (SELECT pseudonym, time_s, true AS inside FROM read_parquet('{files}')
                WHERE time_s >= {FROM_S} AND time_s < {TO_S}),
s AS (SELECT pseudonym, time_s, inside, LAG(time_s) OVER w AS prev_t, LAG(inside) OVER w AS prev_in
      FROM marked WINDOW w AS (PARTITION BY pseudonym ORDER BY time_s, inside)),
starts AS (SELECT pseudonym, time_s, inside,
                  CASE WHEN inside AND (prev_in IS NULL OR NOT prev_in OR time_s - prev_t >= 1800) THEN 1 ELSE 0 END AS nv
           FROM s),
v AS (SELECT pseudonym, time_s, inside,
             SUM(nv) OVER (PARTITION BY pseudonym ORDER BY time_s, inside ROWS UNBOUNDED PRECEDING) AS visit FROM starts),
visits AS (SELECT pseudonym, visit, MAX(time_s) - MIN(time_s) AS dwell FROM v WHERE inside GROUP BY pseudonym, visit),
binned AS (SELECT pseudonym, CASE WHEN dwell < 600 THEN 0 WHEN dwell < 1800 THEN 1 WHEN dwell < 3600 THEN 2
                                  WHEN dwell < 14400 THEN 3 ELSE 4 END AS bin FROM visits),
r AS (SELECT *, random() AS u FROM binned),
capped AS (SELECT bin, row_number() OVER (PARTITION BY pseudonym ORDER BY u) AS rn FROM r)
SELECT bin, count(*) FROM capped WHERE rn <= {BOUND} GROUP BY bin"""


# Two downtowns, as explicit H3 cells at resolution 8 so that both engines count the same cells.
DOWNTOWN_A = (-93.30, 44.95, -93.24, 44.99)  # Minneapolis
DOWNTOWN_B = (-93.12, 44.93, -93.06, 44.96)  # Saint Paul
# Series: the last three days against the four before them, hourly.
SERIES_FROM_S, SERIES_TO_S = FROM_S + 4 * 86400, TO_S
SERIES_FROM, SERIES_TO = "2026-11-06T00:00:00Z", TO
BASELINE_FROM, BASELINE_TO = FROM, "2026-11-06T00:00:00Z"


def downtown_cells(python, bbox):
    """The resolution-8 cells whose centres lie in `bbox`, as crowdlens tiles an area."""
    west, south, east, north = bbox
    code = f"""
import h3
poly = h3.LatLngPoly([({south}, {west}), ({south}, {east}), ({north}, {east}), ({north}, {west})])
print(",".join(sorted(h3.polygon_to_cells(poly, 8))))
"""
    return run([str(python), "-c", code])[2].strip().split(",")


def in_cells(cells):
    return ", ".join(f"{int(c, 16)}::UBIGINT" for c in cells)


def covisit_sql(files, a, b):
    return f"""
WITH m AS (SELECT pseudonym, time_s, {parent_sql(8)} AS c FROM read_parquet('{files}')
           WHERE time_s >= {FROM_S} AND time_s < {TO_S}),
a AS (SELECT pseudonym, MIN(time_s) AS ta FROM m WHERE c IN ({in_cells(a)}) GROUP BY pseudonym),
b AS (SELECT pseudonym, MIN(time_s) AS tb FROM m WHERE c IN ({in_cells(b)}) GROUP BY pseudonym),
lag AS (SELECT abs(tb - ta) AS l FROM a JOIN b USING (pseudonym))
SELECT CASE WHEN l < 3600 THEN 1 WHEN l < 21600 THEN 2 WHEN l < 86400 THEN 3 WHEN l < 259200 THEN 4 ELSE 5 END AS bin,
       count(*) FROM lag GROUP BY 1"""


def series_sql(files, cells):
    n_target = (SERIES_TO_S - SERIES_FROM_S) // 3600
    return f"""
WITH m AS (SELECT pseudonym, time_s FROM read_parquet('{files}')
           WHERE {parent_sql(8)} IN ({in_cells(cells)}) AND time_s >= {FROM_S} AND time_s < {TO_S}),
b AS (SELECT DISTINCT pseudonym,
             CASE WHEN time_s >= {SERIES_FROM_S} THEN (time_s - {SERIES_FROM_S}) // 3600
                  ELSE {n_target} + (time_s - {FROM_S}) // 3600 END AS bidx FROM m),
r AS (SELECT *, random() AS u FROM b),
capped AS (SELECT bidx, row_number() OVER (PARTITION BY pseudonym ORDER BY u) AS rn FROM r)
SELECT bidx, count(*) FROM capped WHERE rn <= {BOUND} GROUP BY 1"""


def broker_shape(python, csv, out):
    """The city's pings as a broker sends them: interleaved in time, lower-case ids, six columns."""
    sql = (f"COPY (SELECT lower(mobile_ad_id) AS mobile_ad_id, id_type, timestamp, latitude, longitude, "
           f"horizontal_accuracy FROM read_csv('{csv}', all_varchar = true) ORDER BY timestamp::BIGINT) "
           f"TO '{out}' (HEADER, DELIMITER ',')")
    run([str(python), "-c", f"import duckdb; duckdb.sql({sql!r})"])


def pipelinedp_code(files, rows):
    # The keys are computed by DuckDB outside the timed part; PipelineDP gets (id, cell, hour).
    keyed = (f"SELECT pseudonym, {parent_sql(8)} AS qcell, (time_s - {FROM_S}) // 3600 AS bidx "
             f"FROM read_parquet('{files}') WHERE time_s >= {FROM_S} AND time_s < {TO_S} LIMIT {rows}")
    return f"""
import duckdb, time, pipeline_dp
rows = duckdb.sql({keyed!r}).fetchall()
backend = pipeline_dp.LocalBackend()
budget = pipeline_dp.NaiveBudgetAccountant(total_epsilon=1.0, total_delta=1e-6)
engine = pipeline_dp.DPEngine(budget, backend)
params = pipeline_dp.AggregateParams(noise_kind=pipeline_dp.NoiseKind.LAPLACE,
    metrics=[pipeline_dp.Metrics.PRIVACY_ID_COUNT], max_partitions_contributed={BOUND},
    max_contributions_per_partition=1)
extract = pipeline_dp.DataExtractors(privacy_id_extractor=lambda r: r[0],
    partition_extractor=lambda r: (r[1], r[2]), value_extractor=lambda r: 0)
t = time.perf_counter()
result = engine.aggregate(rows, params, extract)
budget.compute_budgets()
released = list(result)
print(len(rows))
print(time.perf_counter() - t)
"""


def summarise(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pings", default="10M", help="scale of the synthetic city (default 10M)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    ap.add_argument("--pipelinedp-rows", default="1M", help="rows PipelineDP aggregates (default 1M)")
    ap.add_argument("--work", type=Path, help="working directory (default: a new one under /tmp)")
    ap.add_argument("--out", type=Path, help="JSON output (default bench/results/<date>-<scale>.json)")
    ap.add_argument("--engine", choices=["local", "cluster"], default="local",
                    help="cluster: time questions on a local Ballista cluster against this process")
    ap.add_argument("--shape", choices=["city", "broker"], default="city",
                    help="broker: the same pings interleaved in time, lower-case UUIDs, six columns")
    ap.add_argument("--crowdlens", type=Path,
                    help="time this crowdlens binary instead of building one (for example the test build's "
                         "target/release/crowdlens)")
    ap.add_argument("--store-pings",
                    help="instead: build a store of this many pings straight from the generator "
                         "(`synth --store`, no CSV) and time every question on it, e.g. 1G")
    args = ap.parse_args()
    if args.store_pings:
        return store_bench(args)
    pings = parse_count(args.pings)
    pdp_rows = parse_count(args.pipelinedp_rows)
    threads = os.cpu_count() or 1

    python = setup_python() if args.engine == "local" else None
    crowdlens = args.crowdlens.resolve() if args.crowdlens else build()
    work = args.work or Path(tempfile.mkdtemp(prefix=f"crowdlens-bench-{args.pings}-"))
    work.mkdir(parents=True, exist_ok=True)
    city = work / "city"
    devices = max(1, round(pings / PINGS_PER_DEVICE))
    print(f"== synth: {devices} devices x {DAYS} days into {city}", flush=True)
    run([crowdlens, "synth", "--out", city, "--devices", str(devices), "--days", str(DAYS), "--bids-per-day", "0"])
    csv = city / "pings.csv"
    if args.shape == "broker":
        if python is None:
            python = setup_python()
        broker = city / "broker.csv"
        print(f"== broker shape: {broker}", flush=True)
        broker_shape(python, csv, broker)
        csv = broker
    rows = sum(1 for _ in open(csv, "rb")) - 1
    print(f"   {rows} pings, {csv.stat().st_size / 1e6:.0f} MB of CSV", flush=True)

    results = []
    if args.engine == "cluster":
        return cluster_bench(args, crowdlens, work, city, csv, rows)

    def record(operation, ours, theirs, peer_name, rows_in, ours_rss, theirs_rss, per_row_scale=1.0):
        o, t = summarise(ours), summarise(theirs)
        results.append({
            "operation": operation, "peer": peer_name, "rows": rows_in,
            "crowdlens_s": o, "peer_s": t, "ratio": o["median"] / t["median"] * per_row_scale,
            "crowdlens_peak_mb": max(ours_rss), "peer_peak_mb": max(theirs_rss),
        })
        print(f"   {operation:<22} crowdlens {o['median']:7.2f}s  {peer_name} {t['median']:7.2f}s  "
              f"ratio {results[-1]['ratio']:.3f}", flush=True)

    print("== ingest", flush=True)
    ours, ours_rss, theirs, theirs_rss = [], [], [], []
    store = work / "store"
    for i in range(args.runs):
        st = work / f"store-{i}"
        run([crowdlens, "init", "--store", st])
        wall, rss, _ = run([crowdlens, "ingest", "pings", csv, "--store", st, "--sensitive",
                            city / "sensitive.geojson", "--json"])
        ours.append(wall)
        ours_rss.append(rss)
        out = work / f"duck-{i}.parquet"
        s, r = duck(python, f"COPY (SELECT * FROM read_csv_auto('{csv}')) TO '{out}' (FORMAT parquet)", threads)
        theirs.append(s)
        theirs_rss.append(r)
        out.unlink()
        if i < args.runs - 1:
            subprocess.check_call(["rm", "-rf", str(st)])
        else:
            # A reused --work directory holds the last run's store: replace it.
            subprocess.check_call(["rm", "-rf", str(store)])
            st.rename(store)
    record("ingest pings", ours, theirs, "duckdb", rows, ours_rss, theirs_rss)

    # Enough budget for every timed question: the rules live in the ledger, so they change
    # through `budget set` (which audits the change), not by editing crowdlens.toml.
    run([crowdlens, "budget", "set", "--store", store, "--rule", "epsilon_per_epoch=100000",
         "--reason", "benchmark"])
    files = f"{store}/data/*/*.parquet"
    ask = [crowdlens, "ask"]

    def common(from_=FROM, to=TO):
        return ["--store", store, "--from", from_, "--to", to, "--epsilon", "1", "--case", "BENCH",
                "--purpose", "research", "--max-partitions", str(BOUND), "--json"]

    a, b = downtown_cells(python, DOWNTOWN_A), downtown_cells(python, DOWNTOWN_B)
    questions = [
        ("presence", ask + ["presence", "--area", CITY_BBOX, "--bucket", "1h", "--res", "8"] + common(), presence_sql(files)),
        ("flows", ask + ["flows", "--area", CITY_BBOX, "--zones-res", "7"] + common(), flows_sql(files)),
        ("dwell", ask + ["dwell", "--area", CITY_BBOX, "--max-gap", "30m"] + common(), dwell_sql(files)),
        ("co-visit", ask + ["co-visit", "--area", "cells:" + ",".join(a), "--area-b", "cells:" + ",".join(b),
                            "--res", "8"] + common(), covisit_sql(files, a, b)),
        ("series", ask + ["series", "--area", "cells:" + ",".join(a), "--res", "8", "--bucket", "1h",
                          "--baseline-from", BASELINE_FROM, "--baseline-to", BASELINE_TO]
         + common(SERIES_FROM, SERIES_TO), series_sql(files, a)),
    ]
    stored = json.loads(run([crowdlens, "store", "info", "--store", store, "--json"])[2])["rows"]
    presence_times = []
    for name, cmd, sql in questions:
        print(f"== {name}", flush=True)
        ours, ours_rss, theirs, theirs_rss = [], [], [], []
        for _ in range(args.runs):
            wall, rss, _ = run(cmd)
            ours.append(wall)
            ours_rss.append(rss)
            s, r = duck(python, sql, threads)
            theirs.append(s)
            theirs_rss.append(r)
        record(f"ask {name}", ours, theirs, "duckdb", stored, ours_rss, theirs_rss)
        if name == "presence":
            presence_times, presence_rss = ours, ours_rss

    print(f"== presence, DP, against PipelineDP on {pdp_rows} rows", flush=True)
    theirs, theirs_rss, pdp_in = [], [], pdp_rows
    for _ in range(args.runs):
        _, rss, stdout = run([str(python), "-c", pipelinedp_code(files, pdp_rows)])
        lines = stdout.strip().splitlines()
        pdp_in, seconds = int(lines[-2]), float(lines[-1])
        theirs.append(seconds)
        theirs_rss.append(rss)
    # Per row: crowdlens' time per stored row against PipelineDP's time per row it was given.
    record("ask presence (DP)", presence_times, theirs, "pipelinedp", stored, presence_rss, theirs_rss,
           per_row_scale=pdp_in / stored)
    results[-1]["peer_rows"] = pdp_in

    print()
    print(f"{'operation':<20} {'crowdlens s (min-max)':>24} {'peer':>10} {'peer s (min-max)':>22} "
          f"{'ratio':>7} {'rows':>11} {'peak MB (ours/peer)':>20}")
    for r in results:
        o, t = r["crowdlens_s"], r["peer_s"]
        print(f"{r['operation']:<20} {o['median']:>8.2f} ({o['min']:.2f}-{o['max']:.2f}) {r['peer']:>10} "
              f"{t['median']:>8.2f} ({t['min']:.2f}-{t['max']:.2f}) {r['ratio']:>7.3f} {r['rows']:>11} "
              f"{r['crowdlens_peak_mb']:>9.0f}/{r['peer_peak_mb']:.0f}")
    print("ratio = crowdlens / peer (per row for PipelineDP); below 1 crowdlens is faster.")

    suffix = ("" if pings == 10_000_000 else f"-{args.pings}") + ("" if args.shape == "city" else f"-{args.shape}")
    out = args.out or ROOT / "bench" / "results" / f"{datetime.date.today()}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "date": str(datetime.date.today()), "scale": args.pings, "shape": args.shape, "pings": rows, "stored": stored,
        "runs": args.runs, "threads": threads, "machine": os.uname().machine, "results": results,
    }, indent=2) + "\n")
    print(f"wrote {out}")


# The billion-ping targets (issue #16): presence city-wide within a minute, no question above
# 1 GiB peak memory.
STORE_PRESENCE_S = 60
STORE_PEAK_MB = 1024
DUCK_MEMORY, DUCK_SPILL = "16GB", "30GB"
# A question still running after this long is stopped and reported as unfinished.
STORE_QUESTION_TIMEOUT_S = 3600


def store_bench(args):
    """A store built by `synth --store`, timed, then every question on it with its peak memory,
    and presence against DuckDB over the same files (DuckDB may spill under a memory limit)."""
    pings = parse_count(args.store_pings)
    python = setup_python()
    crowdlens = args.crowdlens.resolve() if args.crowdlens else build()
    work = args.work or Path(tempfile.mkdtemp(prefix=f"crowdlens-store-{args.store_pings}-"))
    work.mkdir(parents=True, exist_ok=True)
    store, city = work / "store", work / "city"
    devices = max(1, round(pings / PINGS_PER_DEVICE))
    build_record = work / "build.json"
    if not (store / "manifest.json").exists():
        print(f"== build: {devices} devices x {DAYS} days straight into {store}", flush=True)
        build_s, build_rss, out = run([crowdlens, "synth", "--out", city, "--devices", str(devices),
                                       "--days", str(DAYS), "--store", store])
        print(out, flush=True)
        build_record.write_text(json.dumps({"build_s": build_s, "build_peak_mb": build_rss}) + "\n")
    else:
        # A reused store keeps the figures of the run that built it.
        built = json.loads(build_record.read_text()) if build_record.exists() else {}
        build_s, build_rss = built.get("build_s"), built.get("build_peak_mb")
        print(f"== reusing the store in {store} (built in {build_s} s)", flush=True)
    info = json.loads(run([crowdlens, "store", "info", "--store", store, "--json"])[2])
    stored = info["rows"]
    store_mb = sum(f.stat().st_size for f in (store / "data").rglob("*.parquet")) / 1e6
    print(f"   {stored} stored rows, {store_mb:.0f} MB of Parquet", flush=True)
    run([crowdlens, "budget", "set", "--store", store, "--rule", "epsilon_per_epoch=100000",
         "--reason", "benchmark"])

    def common(from_=FROM, to=TO):
        return ["--store", store, "--from", from_, "--to", to, "--epsilon", "1", "--case", "BENCH",
                "--purpose", "research", "--max-partitions", str(BOUND), "--json"]

    ask = [crowdlens, "ask"]
    a, b = downtown_cells(python, DOWNTOWN_A), downtown_cells(python, DOWNTOWN_B)
    questions = [
        ("presence", ask + ["presence", "--area", CITY_BBOX, "--bucket", "1h", "--res", "8"] + common()),
        ("co-visit", ask + ["co-visit", "--area", "cells:" + ",".join(a), "--area-b", "cells:" + ",".join(b),
                            "--res", "8"] + common()),
        ("series", ask + ["series", "--area", "cells:" + ",".join(a), "--res", "8", "--bucket", "1h",
                          "--baseline-from", BASELINE_FROM, "--baseline-to", BASELINE_TO]
         + common(SERIES_FROM, SERIES_TO)),
        ("flows", ask + ["flows", "--area", CITY_BBOX, "--zones-res", "7"] + common()),
        ("dwell", ask + ["dwell", "--area", CITY_BBOX, "--max-gap", "30m"] + common()),
    ]
    results = []
    for name, cmd in questions:
        runs = args.runs if name == "presence" else 1
        print(f"== {name} ({runs} run{'s' if runs > 1 else ''})", flush=True)
        times, peaks = [], []
        for _ in range(runs):
            done = run(cmd, timeout=STORE_QUESTION_TIMEOUT_S)
            if done is None:
                break
            times.append(done[0])
            peaks.append(done[1])
        if not times:
            results.append({"operation": f"ask {name}", "unfinished_after_s": STORE_QUESTION_TIMEOUT_S})
            print(f"   {name:<10} did not finish within {STORE_QUESTION_TIMEOUT_S} s", flush=True)
            continue
        results.append({"operation": f"ask {name}", "crowdlens_s": summarise(times), "crowdlens_peak_mb": max(peaks)})
        print(f"   {name:<10} {statistics.median(times):8.1f} s  peak {max(peaks):6.0f} MB", flush=True)

    # DuckDB gets most of the machine's memory and a bounded spill directory: at a billion rows
    # its DISTINCT and window spill tens of GB.
    files = f"{store}/data/*/*.parquet"
    threads = os.cpu_count() or 1
    spill = work / "duck-spill"
    print(f"== presence in DuckDB over the same files (memory_limit {DUCK_MEMORY}, "
          f"spill up to {DUCK_SPILL})", flush=True)
    code = f"""
import duckdb, time
con = duckdb.connect()
con.execute("SET threads TO {threads}")
con.execute("SET memory_limit = '{DUCK_MEMORY}'")
con.execute("SET temp_directory = '{spill}'")
con.execute("SET max_temp_directory_size = '{DUCK_SPILL}'")
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
con.execute({presence_sql(files)!r}).fetchall()
print(time.perf_counter() - t)
"""
    presence = results[0]
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    subprocess.run(["rm", "-rf", str(spill)])
    if done.returncode == 0:
        duck_s = float(done.stdout.split()[-1])
        presence.update({"peer": "duckdb", "peer_s": duck_s})
        if "crowdlens_s" in presence:
            presence["ratio"] = presence["crowdlens_s"]["median"] / duck_s
        print(f"   duckdb     {duck_s:8.1f} s; ratio {presence.get('ratio', 'n/a')}", flush=True)
    else:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        presence.update({"peer": "duckdb", "peer_error": reason})
        print(f"   duckdb did not finish: {reason}", flush=True)

    out = args.out or ROOT / "bench" / "results" / f"{datetime.date.today()}-store-{args.store_pings}.json"
    out.write_text(json.dumps({
        "date": str(datetime.date.today()), "scale": args.store_pings, "devices": devices, "stored": stored,
        "store_mb": store_mb, "build_s": build_s, "build_peak_mb": build_rss, "runs": args.runs,
        "threads": threads, "machine": os.uname().machine, "results": results,
        "targets": {"presence_s": STORE_PRESENCE_S, "peak_mb": STORE_PEAK_MB},
    }, indent=2) + "\n")

    print()
    if build_s is not None:
        peak = "not recorded" if build_rss is None else f"{build_rss:.0f} MB"
        print(f"built {stored} rows ({pings} pings asked) in {build_s:.0f} s, peak {peak}")
    for r in results:
        if "crowdlens_s" not in r:
            print(f"{r['operation']:<16} did not finish within {r['unfinished_after_s']} s")
            continue
        within = r["crowdlens_peak_mb"] <= STORE_PEAK_MB
        print(f"{r['operation']:<16} {r['crowdlens_s']['median']:8.1f} s  peak {r['crowdlens_peak_mb']:6.0f} MB "
              f"({'within' if within else 'ABOVE'} {STORE_PEAK_MB} MB)")
    if "crowdlens_s" in results[0]:
        p = results[0]["crowdlens_s"]["median"]
        print(f"presence city-wide: {p:.1f} s "
              f"({'within' if p <= STORE_PRESENCE_S else 'ABOVE'} the {STORE_PRESENCE_S} s target)")
    print(f"wrote {out}")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_bench(args, crowdlens, work, city, csv, rows):
    """Presence, flows and dwell on a local cluster (one scheduler, two executors) against the
    same questions in one process, on the same store, alternated."""
    store = work / "store"
    run([crowdlens, "init", "--store", store])
    run([crowdlens, "ingest", "pings", csv, "--store", store, "--json"])
    run([crowdlens, "budget", "set", "--store", store, "--rule", "epsilon_per_epoch=100000", "--reason", "benchmark"])
    stored = json.loads(run([crowdlens, "store", "info", "--store", store, "--json"])[2])["rows"]
    sched = free_port()
    logs = work / "cluster-logs"
    logs.mkdir(exist_ok=True)

    def node(name, argv):
        log = open(logs / f"{name}.log", "w")
        return subprocess.Popen([crowdlens, "cluster"] + argv + ["--log"], stdout=subprocess.DEVNULL, stderr=log)

    def wait_for(name, needle, within=60):
        deadline = time.time() + within
        while time.time() < deadline:
            if needle in (logs / f"{name}.log").read_text():
                return
            time.sleep(0.1)
        sys.exit(f"the cluster's {name} did not log {needle!r} within {within}s: see {logs / (name + '.log')}")

    # Every node and the coordinator hold a bundle from one authority: the cluster runs with
    # mutual TLS, as it is deployed.
    creds = work / "cluster-credentials"
    if creds.exists():
        shutil.rmtree(creds)
    run([crowdlens, "cluster", "credentials", "--out", creds, "--store", store])
    nodes = [node("scheduler", ["scheduler", "--bind", f"127.0.0.1:{sched}", "--credentials", creds / "scheduler"])]
    wait_for("scheduler", "crowdlens cluster scheduler on")
    cores = os.cpu_count() or 2
    for i in range(2):
        port = free_port()
        nodes.append(node(f"executor{i}", ["executor", "--scheduler", f"127.0.0.1:{sched}",
                                           "--bind", f"127.0.0.1:{port}", "--concurrency", str(max(1, cores // 2)),
                                           "--credentials", creds / f"executor-{i + 1}",
                                           "--work-dir", work / f"executor-{i + 1}"]))
        wait_for(f"executor{i}", "Starting poll work loop")
    results = []
    try:
        common = ["--store", store, "--from", FROM, "--to", TO, "--epsilon", "1", "--case", "BENCH",
                  "--purpose", "research", "--max-partitions", str(BOUND), "--json"]
        questions = [
            ("presence", ["presence", "--area", CITY_BBOX, "--bucket", "1h", "--res", "8"]),
            ("flows", ["flows", "--area", CITY_BBOX, "--zones-res", "7"]),
            ("dwell", ["dwell", "--area", CITY_BBOX, "--max-gap", "30m"]),
        ]
        for name, q in questions:
            print(f"== {name}: cluster against local", flush=True)
            local, remote, local_rss, remote_rss = [], [], [], []
            for _ in range(args.runs):
                wall, rss, _ = run([crowdlens, "ask"] + q + common)
                local.append(wall)
                local_rss.append(rss)
                wall, rss, _ = run([crowdlens, "ask"] + q + common + ["--engine", f"df://127.0.0.1:{sched}"])
                remote.append(wall)
                remote_rss.append(rss)
            o, t = summarise(remote), summarise(local)
            results.append({"operation": f"ask {name}", "peer": "crowdlens local", "rows": stored,
                            "crowdlens_s": o, "peer_s": t, "ratio": o["median"] / t["median"],
                            "crowdlens_peak_mb": max(remote_rss), "peer_peak_mb": max(local_rss)})
            print(f"   {name:<10} cluster {o['median']:7.2f}s  local {t['median']:7.2f}s  "
                  f"ratio {results[-1]['ratio']:.2f}", flush=True)
    finally:
        for n in nodes:
            n.terminate()
        for n in nodes:
            n.wait()
    print("ratio = cluster / local (one scheduler and two executors on this machine); above 1 the cluster is slower.")
    out = args.out or ROOT / "bench" / "results" / f"{datetime.date.today()}-cluster-{args.pings}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "date": str(datetime.date.today()), "scale": args.pings, "pings": rows, "stored": stored,
        "runs": args.runs, "cores": os.cpu_count(), "engine": "cluster: 1 scheduler + 2 executors on loopback, mutual TLS",
        "results": results,
    }, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
