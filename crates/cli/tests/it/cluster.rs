//! `--engine` from the CLI: the errors a user sees when the cluster is not there. The cluster
//! itself (a scheduler and two executors on loopback) is tested in `crates/cluster/tests`.

use crate::support::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn ask(store: &std::path::Path, engine: Option<&str>, question: &[&str]) -> Run {
    let mut args = vec!["ask"];
    args.extend_from_slice(question);
    args.extend_from_slice(&[
        "--store",
        s(store),
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-04",
        "--epsilon",
        "0.5",
        "--case",
        "CL-1",
        "--purpose",
        "research",
        "--json",
    ]);
    if let Some(e) = engine {
        args.extend_from_slice(&["--engine", e]);
    }
    run(&args)
}

#[test]
fn a_cluster_that_is_not_there_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 50, 1);
    let st = init_store(dir.path());
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st)]).ok();
    let nobody = format!("df://127.0.0.1:{}", free_port());
    let e = ask(&st, Some(&nobody), &["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"]);
    let e = e.clean_error();
    assert!(e.contains("cannot reach the Ballista scheduler") && e.contains("crowdlens cluster scheduler"), "{e}");
    let bad = ask(&st, Some("127.0.0.1:50050"), &["presence", "--area", "bbox:-93.30,44.955,-93.20,44.99"]);
    assert!(bad.clean_error().contains("df://HOST:PORT"), "{}", bad.stderr);
}
