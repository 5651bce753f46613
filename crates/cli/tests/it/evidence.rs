//! Evidence that holds up outside the store: an answer's signed receipt checked offline with the
//! public key alone, tampering caught, a rolled-back ledger caught by the receipts and the signed
//! report it gave earlier, and the CLI's approval of a large question (never its asker's own).

use crate::support::*;
use std::path::Path;

const AREA: &str = "bbox:-93.30,44.95,-93.24,44.99";

fn presence<'a>(st: &'a str, epsilon: &'a str, case: &'a str) -> Vec<&'a str> {
    vec![
        "ask", "presence", "--store", st, "--area", AREA, "--from", "2026-11-02T00:00:00Z", "--to",
        "2026-11-03T00:00:00Z", "--bucket", "6h", "--epsilon", epsilon, "--case", case, "--purpose", "research",
        "--json",
    ]
}

fn store_with_data(dir: &Path) -> std::path::PathBuf {
    let city = synth(dir, 200, 1);
    let st = init_store(dir);
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st), "--json"]).ok();
    st
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_receipt_verifies_offline_and_any_tampering_fails() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    let answer = run(&presence(stp, "0.5", "C-1")).ok().json();
    let id = answer["audit_id"].as_i64().unwrap();
    let answer_file = dir.path().join("answer.json");
    write(&answer_file, &answer.to_string());
    let receipt = dir.path().join("receipt.json");
    run(&["answers", "receipt", &id.to_string(), "--store", stp, "--out", s(&receipt)]).ok();
    let key = dir.path().join("store.pub.pem");
    run(&["key", "export-public", "--store", stp, "--out", s(&key)]).ok();
    assert!(std::fs::read_to_string(&key).unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));

    // The receipt says everything the issue lists.
    let envelope: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    assert_eq!(envelope["format"], "crowdlens-signed/1");
    assert_eq!(envelope["signature"].as_str().unwrap().len(), 128);
    let payload: serde_json::Value = serde_json::from_str(envelope["payload"].as_str().unwrap()).unwrap();
    for field in ["answer_digest", "asked", "charged", "method", "interval", "audit", "store", "sources", "crowdlens"] {
        assert!(payload.get(field).is_some(), "the receipt lacks {field}: {payload}");
    }
    assert_eq!(payload["asked"], answer["asked"]);
    assert_eq!(payload["charged"]["epsilon"], 0.5);
    assert_eq!(payload["charged"]["epochs"], answer["epochs"]);
    assert_eq!(payload["audit"]["answered"]["id"], id);
    assert_eq!(payload["audit"]["charged"]["id"], answer["charged_in"]);
    assert_eq!(payload["audit"]["chain_length"], id, "the answered entry is the head at release");
    assert_eq!(payload["sources"]["count"], 1);
    assert_eq!(payload["sources"]["commitment"].as_str().unwrap().len(), 64);
    assert!(payload["interval"]["ci_half_width"].as_f64().unwrap() > 0.0);
    // The answer the API and `ask --json` give carries the same receipt.
    assert_eq!(answer["receipt"], envelope);

    // Offline: a copy of the three files elsewhere, no store.
    let offline = tempfile::tempdir().unwrap();
    for f in [&answer_file, &receipt, &key] {
        std::fs::copy(f, offline.path().join(f.file_name().unwrap())).unwrap();
    }
    let (a, r, k) =
        (offline.path().join("answer.json"), offline.path().join("receipt.json"), offline.path().join("store.pub.pem"));
    let ok = run(&["verify", s(&r), s(&a), "--public-key", s(&k)]);
    assert!(ok.ok().stdout.contains("signature valid") && ok.stdout.contains("answer matches"), "{}", ok.stdout);
    // The answer file carries its receipt: it verifies alone too.
    run(&["verify", s(&a), s(&a), "--public-key", s(&k)]).ok();
    // `answers show` gives the same answer, and it matches the receipt.
    let shown = dir.path().join("shown.json");
    write(&shown, &run(&["answers", "show", &id.to_string(), "--store", stp]).ok().stdout);
    run(&["verify", s(&r), s(&shown), "--public-key", s(&k)]).ok();

    // One value of the answer changed: the receipt no longer matches it.
    let mut altered = answer.clone();
    let v = altered["rows"][0]["value"].as_i64().unwrap();
    altered["rows"][0]["value"] = (v + 1).into();
    let altered_file = offline.path().join("altered.json");
    write(&altered_file, &altered.to_string());
    let e = run(&["verify", s(&r), s(&altered_file), "--public-key", s(&k)]);
    assert!(e.clean_error().contains("answer was altered"), "{}", e.stderr);
    // The receipt's ε lowered: its signature fails.
    let mut forged = envelope.clone();
    forged["payload"] = envelope["payload"].as_str().unwrap().replace("\"epsilon\":0.5", "\"epsilon\":0.05").into();
    assert_ne!(forged["payload"], envelope["payload"]);
    let forged_file = offline.path().join("forged.json");
    write(&forged_file, &forged.to_string());
    let e = run(&["verify", s(&forged_file), "--public-key", s(&k)]);
    assert!(e.clean_error().contains("signature does not match"), "{}", e.stderr);
    // Another store's key does not verify it.
    let other = init_store(&dir.path().join("other"));
    let other_key = offline.path().join("other.pem");
    run(&["key", "export-public", "--store", s(&other), "--out", s(&other_key)]).ok();
    let e = run(&["verify", s(&r), s(&a), "--public-key", s(&other_key)]);
    assert!(e.clean_error().contains("another public key"), "{}", e.stderr);
    // The receipt is held by the ledger, and its sources are the store's; a manifest whose
    // source was swapped at the same generation is caught.
    let dir_of_receipts = dir.path().join("kept-receipts");
    std::fs::create_dir(&dir_of_receipts).unwrap();
    std::fs::copy(&receipt, dir_of_receipts.join("r.json")).unwrap();
    let held = run(&["audit", "verify", "--store", stp, "--receipts", s(&dir_of_receipts)]);
    assert!(held.ok().stdout.contains("its sources are the store's"), "{}", held.stdout);
    let manifest = st.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let digest = serde_json::from_str::<serde_json::Value>(&text).unwrap()["sources"][0]["digest"].as_str().unwrap().to_string();
    std::fs::write(&manifest, text.replace(&digest, "blake3:0000")).unwrap();
    let swapped = run(&["audit", "verify", "--store", stp, "--receipts", s(&dir_of_receipts)]);
    assert!(swapped.clean_error().contains("not held") && swapped.stdout.contains("other sources"), "{}", swapped.stdout);
    std::fs::write(&manifest, text).unwrap();
    // A field added beside the signed ones (a "summary" a reader would take for the answer's).
    let mut padded = answer.clone();
    padded["summary"] = serde_json::json!({"total_devices": 99999});
    let padded_file = offline.path().join("padded.json");
    write(&padded_file, &padded.to_string());
    let e = run(&["verify", s(&r), s(&padded_file), "--public-key", s(&k)]);
    assert!(e.clean_error().contains("does not sign"), "{}", e.stderr);
    // Nothing usable is not a key.
    write(&offline.path().join("junk.pem"), "hello");
    let e = run(&["verify", s(&r), "--public-key", s(&offline.path().join("junk.pem"))]);
    assert!(e.clean_error().contains("public key"), "{}", e.stderr);
}

#[test]
fn a_gaussian_answer_read_back_verifies_to_the_last_bit() {
    // Gaussian intervals have 17 significant digits: read back from the ledger or from a file,
    // each float must be the one that was signed.
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    let answer = run(&[presence(stp, "0.5", "C-G"), vec!["--mechanism", "gaussian"]].concat()).ok().json();
    assert_eq!(answer["mechanism"], "gaussian");
    let id = answer["audit_id"].as_i64().unwrap().to_string();
    let key = dir.path().join("k.pem");
    run(&["key", "export-public", "--store", stp, "--out", s(&key)]).ok();
    let receipt = dir.path().join("r.json");
    run(&["answers", "receipt", &id, "--store", stp, "--out", s(&receipt)]).ok();
    for (name, text) in [
        ("asked.json", answer.to_string()),
        ("shown.json", run(&["answers", "show", &id, "--store", stp]).ok().stdout.clone()),
        ("exported.json", run(&["answers", "export", &id, "--store", stp, "--format", "json"]).ok().stdout.clone()),
    ] {
        let path = dir.path().join(name);
        write(&path, &text);
        let checked = run(&["verify", s(&receipt), s(&path), "--public-key", s(&key)]);
        assert!(checked.ok().stdout.contains("answer matches"), "{name}: {}", checked.stdout);
    }
    // `--adjust` output is post-processed, not the release: it carries no receipt.
    let adjusted = run(&["answers", "show", &id, "--store", stp, "--adjust"]).ok().json();
    assert!(adjusted.get("receipt").is_none());
}

#[test]
fn a_rolled_back_ledger_is_caught_by_the_receipts_and_reports_it_gave() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    run(&presence(stp, "0.5", "C-1")).ok();
    // The operator's backup, taken here: the whole ledger and the keyring's witness.
    let backup = dir.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    for name in ["control.sqlite", "control.head", "keyring/ledger.witness"] {
        std::fs::copy(st.join(name), backup.join(name.replace('/', "_"))).unwrap();
    }
    // Later answers, each with its receipt kept by its asker; a published report.
    let receipts = dir.path().join("receipts");
    std::fs::create_dir(&receipts).unwrap();
    for (i, case) in ["C-2", "C-3"].iter().enumerate() {
        let answer = run(&presence(stp, "0.5", case)).ok().json();
        write(&receipts.join(format!("r{i}.json")), &answer["receipt"].to_string());
    }
    let report = receipts.join("report.json");
    run(&["report", "transparency", "--store", stp, "--out", s(&dir.path().join("r.html")), "--signed", s(&report)])
        .ok();
    let key = dir.path().join("k.pem");
    run(&["key", "export-public", "--store", stp, "--out", s(&key)]).ok();
    let checked = run(&["verify", s(&report), "--public-key", s(&key)]);
    assert!(checked.ok().stdout.contains("transparency_report"), "{}", checked.stdout);
    let fine = run(&["audit", "verify", "--store", stp, "--receipts", s(&receipts)]);
    assert!(fine.ok().stdout.contains("every receipt and report (3) is held"), "{}", fine.stdout);

    // The backup restored, all three files together: the store alone cannot tell, since the
    // witness went back with the rest; the receipts can.
    for name in ["control.sqlite", "control.head", "keyring/ledger.witness"] {
        std::fs::copy(backup.join(name.replace('/', "_")), st.join(name)).unwrap();
    }
    for wal in ["control.sqlite-wal", "control.sqlite-shm"] {
        let _ = std::fs::remove_file(st.join(wal));
    }
    run(&["audit", "verify", "--store", stp]).ok();
    let caught = run(&["audit", "verify", "--store", stp, "--receipts", s(&receipts)]);
    let e = caught.clean_error();
    assert!(caught.stdout.contains("FAILED") && e.contains("rolled back"), "{}\n{e}", caught.stdout);
    assert_eq!(caught.stdout.matches("FAILED").count(), 3, "{}", caught.stdout);

    // A ledger that went on from the backup differs at the receipts' entries: caught too.
    for case in ["C-4", "C-5", "C-6"] {
        run(&presence(stp, "0.1", case)).ok();
    }
    let caught = run(&["audit", "verify", "--store", stp, "--receipts", s(&receipts)]);
    caught.clean_error();
    assert!(caught.stdout.contains("replaced from that entry on"), "{}", caught.stdout);
    // An empty directory is an error, not a pass.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(run(&["audit", "verify", "--store", stp, "--receipts", s(&empty)]).clean_error().contains("no *.json"));
}

#[test]
fn a_large_question_waits_for_a_supervisor_who_is_not_its_asker() {
    let dir = tempfile::tempdir().unwrap();
    let st = store_with_data(dir.path());
    let stp = s(&st);
    run(&["budget", "set", "--store", stp, "--rule", "approval_above_epsilon=0.3", "--reason", "two-person rule"]).ok();
    // Under the threshold: answered as before.
    run(&presence(stp, "0.2", "C-1")).ok();
    // Over it: pending, nothing charged, and the dry run says so.
    let dry = run(&[presence(stp, "0.5", "C-1"), vec!["--dry-run"]].concat()).ok().json();
    assert_eq!(dry["needs_approval"], true, "{dry}");
    let before = run(&["budget", "--store", stp, "--json"]).ok().json();
    let pending = run(&presence(stp, "0.5", "C-1"));
    let e = pending.clean_error();
    assert!(e.contains("pending as request #1") && e.contains("Nothing was charged"), "{e}");
    assert_eq!(run(&["budget", "--store", stp, "--json"]).ok().json()["epochs"], before["epochs"]);
    let listed = run(&["approve", "--pending", "--store", stp, "--json"]).ok().json();
    assert_eq!(listed[0]["id"], 1);
    assert_eq!(listed[0]["status"], "pending");
    // The role must be stated, and be supervisor.
    assert_ne!(run(&["approve", "1", "--store", stp, "--reason", "x"]).status, 0, "--role is required");
    let e = run(&["approve", "1", "--store", stp, "--role", "admin", "--reason", "x"]).clean_error().to_string();
    assert!(e.contains("only a supervisor"), "{e}");
    // The CLI's asker is this OS user: approving it as the same user is self-approval.
    let e = run(&["approve", "1", "--store", stp, "--role", "supervisor", "--reason", "ok"]).clean_error().to_string();
    assert!(e.contains("cannot approve it"), "{e}");
    let audit = dir.path().join("audit.jsonl");
    run(&["audit", "export", "--store", stp, "--out", s(&audit)]).ok();
    let entries = std::fs::read_to_string(&audit).unwrap();
    let uid = unsafe_uid();
    assert!(entries.contains(&format!("\"actor\":\"cli:uid={uid}")), "the CLI's actor is its uid");
    assert!(entries.contains("refused [approval_required]"), "the request is audited");
}

/// The test process's uid, as the CLI records it.
fn unsafe_uid() -> u32 {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).unwrap()
}
