use super::*;

fn who() -> Requester {
    Requester { actor: "cli".into(), role: "admin".into(), case_id: "C-1".into(), purpose: "research".into() }
}

pub(crate) fn facts() -> ReceiptFacts {
    ReceiptFacts { payload: serde_json::json!({ "answer_digest": "00" }), sources: vec!["blake3:aa".into()] }
}

fn rules(total: f64, delta: f64) -> Rules {
    Rules {
        epsilon_per_epoch: total,
        delta_per_epoch: delta,
        max_epsilon_per_question: total,
        max_epsilon_per_case_per_epoch: total,
        approval_above_epsilon: total,
        purposes: vec!["research".into()],
        ..crate::rules::tests::sample()
    }
}

fn files(dir: &tempfile::TempDir) -> LedgerFiles {
    LedgerFiles { database: dir.path().join("c.sqlite"), witness: dir.path().join("keyring-witness") }
}

fn ledger(dir: &tempfile::TempDir, total: f64) -> Ledger {
    Ledger::create(&files(dir), &rules(total, 1e-6)).unwrap()
}

impl Ledger {
    /// Reserves and settles at once, as a question that answers does.
    fn charge(
        &mut self,
        who: &Requester,
        q: &serde_json::Value,
        epochs: &[String],
        epsilon: f64,
        delta: f64,
        digest: &str,
    ) -> Result<i64, ControlError> {
        let kept = kept::KeptAnswer { question: "t".into(), rows_json: digest.into(), meta_json: "{}".into(), rows: 1, store_generation: 1 };
        self.reserve(who, q, epochs, &crate::Price::pair(epsilon, delta))?.answered(&kept, &facts()).map(|(id, _)| id)
    }
}

#[test]
fn kept_answers_reopen_for_free_and_refuse_when_altered() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 1.0);
    let rows = r#"[{"cell":"x","value":3}]"#;
    let kept = kept::KeptAnswer {
        question: "presence".into(),
        rows_json: rows.into(),
        meta_json: r#"{"asked":{"area":"cells:x","kind":"presence"},"epsilon":0.5}"#.into(),
        rows: 1,
        store_generation: 3,
    };
    let id = l.reserve(&who(), &serde_json::json!({"q": 1}), &["E".into()], &crate::Price::pair(0.5, 0.0)).unwrap().answered(&kept, &facts()).map(|(id, _)| id).unwrap();
    let other = Requester { actor: "someone-else".into(), case_id: "C-2".into(), ..who() };
    l.charge(&other, &serde_json::json!({}), &["E".into()], 0.25, 0.0, "[]").unwrap();

    // The same question of the same generation, by the same actor, finds it; another
    // question, generation or actor does not.
    let asked = serde_json::json!({"kind": "presence", "area": "cells:x"});
    let found = l.reusable_answer(&who(), &asked, 3).unwrap().expect("re-usable");
    assert_eq!(found.summary.audit_id, id);
    assert!(l.reusable_answer(&who(), &asked, 4).unwrap().is_none(), "new data, new answer");
    let someone = Requester { actor: "someone-else".into(), ..who() };
    assert!(l.reusable_answer(&someone, &asked, 3).unwrap().is_none(), "another analyst's answer is theirs");
    let other_case = Requester { case_id: "C-9".into(), ..who() };
    assert!(l.reusable_answer(&other_case, &asked, 3).unwrap().is_none(), "another case is another inquiry");
    let other = serde_json::json!({"kind": "presence", "area": "cells:y"});
    assert!(l.reusable_answer(&who(), &other, 3).unwrap().is_none());
    let before = l.budget(&["E".into()]).unwrap();
    let reuse = l.record_reuse(&who(), &asked, &found, false).unwrap();
    assert_eq!(l.budget(&["E".into()]).unwrap(), before, "a re-use charges nothing");
    let entry = l.audit_entries().unwrap().into_iter().find(|e| e.id == reuse.to_string()).unwrap();
    assert_eq!(crate::outcome::parse_reuse(&entry.outcome), Some(id));
    assert_eq!(entry.answer_digest, found.digest, "the chain says what was given again");

    let mine = l.kept_answers(Some("cli"), None).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].audit_id, mine[0].question.as_str(), mine[0].case_id.as_str()), (id, "presence", "C-1"));
    assert_eq!(l.kept_answers(None, Some("C-2")).unwrap().len(), 1);
    assert_eq!(l.kept_answers(None, None).unwrap().len(), 2);

    let before = (l.audit_len().unwrap(), l.budget(&[]).unwrap());
    let read = l.kept_answer(id).unwrap().unwrap();
    assert_eq!(read.rows_json, rows);
    let audited = l.audit_entries().unwrap().into_iter().find(|e| e.id == id.to_string()).unwrap();
    assert_eq!(read.digest, audited.answer_digest);
    assert_eq!((l.audit_len().unwrap(), l.budget(&[]).unwrap()), before, "re-viewing spends and writes nothing");
    assert!(l.kept_answer(9999).unwrap().is_none());

    let by_case = l.spend_by_case().unwrap();
    assert_eq!(by_case.len(), 2);
    assert!(by_case.iter().any(|s| s.case_id == "C-1" && (s.epsilon_spent - 0.5).abs() < 1e-12 && s.questions == 1));

    l.conn
        .execute("UPDATE kept_answers SET rows_json = '[{\"cell\":\"x\",\"value\":300}]' WHERE audit_id = ?1", [id])
        .unwrap();
    let err = l.kept_answer(id).unwrap_err();
    assert!(matches!(err, ControlError::KeptAnswerAltered { .. }), "{err}");
}

#[test]
fn charges_until_exhausted_then_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 1.0);
    let q = serde_json::json!({"q": 1});
    let epochs = vec!["2026-W45".to_string()];
    for _ in 0..10 {
        l.charge(&who(), &q, &epochs, 0.1, 0.0, "d").unwrap();
    }
    let err = l.charge(&who(), &q, &epochs, 0.1, 0.0, "d").unwrap_err();
    assert!(matches!(err, ControlError::BudgetExhausted { .. }), "{err}");
    let b = l.budget(&[]).unwrap();
    assert_eq!(b.len(), 1);
    assert!((b[0].epsilon_spent - 1.0).abs() < 1e-9);
    assert_eq!(b[0].questions, 10);
    // The rules recorded at creation, a charge and an answer per question, and the refusal.
    assert_eq!(l.audit_len().unwrap(), 2 + 2 * 10 + 1, "the refusal is audited too");
    assert!(l.verify_audit().unwrap().is_some());
}

#[test]
fn multi_epoch_charge_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 1.0);
    let q = serde_json::json!({});
    l.charge(&who(), &q, &["A".into()], 0.8, 0.0, "d").unwrap();
    assert!(l.charge(&who(), &q, &["B".into(), "A".into()], 0.5, 0.0, "d").is_err());
    let b = l.budget(&["B".to_string()]).unwrap();
    let by: std::collections::HashMap<_, _> = b.iter().map(|e| (e.epoch.as_str(), e.epsilon_spent)).collect();
    assert_eq!(by["B"], 0.0, "a refused charge spends nothing anywhere");
    l.charge(&who(), &q, &["B".into(), "C".into()], 0.5, 0.0, "d").unwrap();
    assert_eq!(l.budget(&[]).unwrap().len(), 3);
}

#[test]
fn concurrent_spenders_never_overspend() {
    let dir = tempfile::tempdir().unwrap();
    let path = files(&dir);
    drop(Ledger::create(&path, &rules(1.0, 0.0)).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut l = Ledger::open(&path, &rules(1.0, 0.0)).unwrap();
                (0..5)
                    .filter(|_| l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").is_ok())
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 10);
    let l = Ledger::open(&path, &rules(1.0, 0.0)).unwrap();
    assert_eq!(l.audit_len().unwrap(), 2 + 2 * 10 + 30);
    l.verify_audit().unwrap();
}

fn three_entries(dir: &tempfile::TempDir) -> Ledger {
    let mut l = ledger(dir, 5.0);
    for _ in 0..3 {
        l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").unwrap();
    }
    l.verify_audit().unwrap();
    l
}

fn broken_at(l: &Ledger) -> i64 {
    match l.verify_audit() {
        Err(ControlError::AuditBroken { id, .. }) => id,
        other => panic!("tampering went undetected: {other:?}"),
    }
}

#[test]
fn every_kind_of_tampering_is_detected() {
    let cases: [(&str, i64); 6] = [
        // Entry 3 is the first charge (1 holds the rules, 2 the signing key).
        ("UPDATE audit SET purpose = 'other' WHERE id = 3", 3),
        ("UPDATE audit SET epsilon = 0.0 WHERE id = 3", 3),
        ("DELETE FROM audit WHERE id = 2", 3),
        ("UPDATE audit SET id = -1 WHERE id = 1; UPDATE audit SET id = 1 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = -1;", 1),
        ("DELETE FROM audit WHERE id = 8", 8),
        ("INSERT INTO audit SELECT 9, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, hash, hash FROM audit WHERE id = 8", 9),
    ];
    for (sql, id) in cases {
        let dir = tempfile::tempdir().unwrap();
        let l = three_entries(&dir);
        l.conn.execute_batch(sql).unwrap();
        assert_eq!(broken_at(&l), id, "{sql}");
    }
}

#[test]
fn truncating_everything_is_caught_by_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let l = three_entries(&dir);
    l.conn.execute_batch("DELETE FROM audit").unwrap();
    assert_eq!(broken_at(&l), 8);
}

#[test]
fn a_lagging_checkpoint_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = three_entries(&dir);
    let saved = std::fs::read(l.checkpoint_path()).unwrap();
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").unwrap();
    // As if the process died between the commit and the checkpoint write.
    std::fs::write(l.checkpoint_path(), saved).unwrap();
    assert_eq!(l.verify_audit().unwrap().unwrap().id, 10);
}

#[test]
fn edits_break_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 5.0);
    for _ in 0..3 {
        l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").unwrap();
    }
    l.verify_audit().unwrap();
    l.conn.execute("UPDATE audit SET purpose = 'other' WHERE id = 2", []).unwrap();
    assert!(matches!(l.verify_audit(), Err(ControlError::AuditBroken { id: 2, .. })));
}

#[test]
fn tokens_check_revoke_and_never_store_the_secret() {
    use crate::tokens::Role;
    let dir = tempfile::tempdir().unwrap();
    let l = ledger(&dir, 1.0);
    let (token, info) = l.create_token(&tokens::NewToken::new("alice", Role::Analyst)).unwrap();
    assert!(token.starts_with(&format!("cl_{}_", info.id)));
    let secret = token.rsplit('_').next().unwrap();
    assert_eq!(secret.len(), 48, "192 bits of secret");
    assert_eq!(l.check_token(&token).unwrap().unwrap().role, Role::Analyst);
    // Wrong secret, wrong id, garbage: all simply unknown.
    // Change the last hex digit (to one it is not: a fixed '0' left 1 token in 16 unchanged).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    for bad in [wrong.as_str(), "cl_99_abcd", "Bearer x", "", "cl__"] {
        assert!(l.check_token(bad).unwrap().is_none(), "{bad}");
    }
    // The database holds a hash, not the secret.
    let stored: String = l.conn.query_row("SELECT secret_hash FROM tokens", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2") && !stored.contains(secret));
    assert!(l.revoke_token(info.id).unwrap());
    assert!(l.check_token(&token).unwrap().is_none(), "revocation takes effect at once");
    assert!(!l.revoke_token(info.id).unwrap());
    assert!(l.list_tokens().unwrap()[0].revoked_at.is_some());
    assert!(matches!("root".parse::<Role>(), Err(ControlError::BadToken(_))));
    assert!(l.create_token(&tokens::NewToken::new(" ", Role::Admin)).is_err());
}

#[test]
fn rules_are_recorded_once_and_changed_only_with_an_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = files(&dir);
    let l = Ledger::create(&path, &rules(10.0, 1e-5)).unwrap();
    assert_eq!(l.audit_entries().unwrap()[0].outcome, "rules recorded");
    // Opening with other initial values (an edited config file) changes nothing.
    drop(l);
    let mut l = Ledger::open(&path, &rules(1000.0, 0.5)).unwrap();
    assert_eq!(l.rules().epsilon_per_epoch, 10.0);
    // The rules and the signing key, recorded at creation.
    assert_eq!(l.audit_len().unwrap(), 2);
    let id = l.set_rule(&who(), "epsilon_per_epoch", &4.0.into(), "new policy").unwrap();
    let entry = &l.audit_entries().unwrap()[id as usize - 1];
    assert_eq!(entry.outcome, "rule changed: epsilon_per_epoch 10.0 -> 4.0");
    let id = l.set_rule(&who(), "purposes", &serde_json::json!(["research", "audit"]), "new purpose").unwrap();
    let entry = &l.audit_entries().unwrap()[id as usize - 1];
    assert_eq!(entry.outcome, r#"rule changed: purposes ["research"] -> ["research","audit"]"#);
    drop(l);
    let l = Ledger::open(&path, &rules(10.0, 1e-5)).unwrap();
    assert_eq!(l.rules().epsilon_per_epoch, 4.0);
    assert_eq!(l.rules().purposes, vec!["research", "audit"]);
    let mut l = l;
    for (name, value) in
        [("epsilon_per_epoch", -1.0), ("delta_per_epoch", 1.0), ("max_window_days", 0.5), ("nope", 1.0)]
    {
        assert!(matches!(l.set_rule(&who(), name, &value.into(), "x"), Err(ControlError::BadRule(_))), "{name}");
    }
    assert!(matches!(l.set_rule(&who(), "epsilon_per_epoch", &1.0.into(), " "), Err(ControlError::BadRule(_))));
    l.verify_audit().unwrap();
}

#[test]
fn the_question_cap_is_enforced_by_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&files(&dir), &Rules { max_epsilon_per_question: 1.0, ..rules(10.0, 1e-5) }).unwrap();
    let err = l.charge(&who(), &serde_json::json!({}), &["E".into()], 1.5, 0.0, "d").unwrap_err();
    assert!(matches!(err, ControlError::EpsilonAboveCap { .. }), "{err}");
    assert!(err.is_audited_refusal());
    assert_eq!(l.budget(&[]).unwrap().len(), 0, "nothing was charged");
    assert!(l.charge(&who(), &serde_json::json!({}), &["E".into()], f64::NAN, 0.0, "d").is_err());
}

#[test]
fn a_dropped_reservation_keeps_its_charge_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 5.0);
    let r = l.reserve(&who(), &serde_json::json!({}), &["E".into()], &crate::Price::pair(1.0, 0.0)).unwrap();
    let charge_id = r.charge_id();
    drop(r);
    let r = l.reserve(&who(), &serde_json::json!({}), &["E".into()], &crate::Price::pair(1.0, 0.0)).unwrap();
    r.failed("query engine: out of memory").unwrap();
    let entries = l.audit_entries().unwrap();
    assert_eq!(entries[charge_id as usize - 1].outcome, "charged");
    assert!(entries[charge_id as usize].outcome.starts_with("abandoned after charge"));
    assert!(entries.last().unwrap().outcome.starts_with("failed after charge: query engine"));
    assert!((l.budget(&[]).unwrap()[0].epsilon_spent - 2.0).abs() < 1e-9, "both charges stand");
    l.verify_audit().unwrap();
}

#[cfg(unix)]
#[test]
fn the_database_and_its_checkpoint_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 5.0);
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 1.0, 0.0, "d").unwrap();
    for name in ["c.sqlite", "c.head", "c.sqlite-wal"] {
        let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{name} is {mode:o}");
    }
}

#[test]
fn only_create_makes_a_ledger_and_verify_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = files(&dir);
    let err = Ledger::open(&f, &rules(1.0, 0.0)).err().unwrap();
    assert!(matches!(err, ControlError::LedgerMissing { .. }), "{err}");
    assert!(matches!(Ledger::verify_files(&f), Err(ControlError::LedgerMissing { .. })));
    assert!(!f.database.exists(), "neither open nor verify creates a ledger");
    let mut l = Ledger::create(&f, &rules(1.0, 0.0)).unwrap();
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.5, 0.0, "d").unwrap();
    drop(l);
    assert!(matches!(Ledger::create(&f, &rules(1.0, 0.0)), Err(ControlError::LedgerExists { .. })));
    let head = std::fs::read(f.checkpoint()).unwrap();
    let witness = std::fs::read(&f.witness).unwrap();
    let db = std::fs::read(&f.database).unwrap();
    assert_eq!(Ledger::verify_files(&f).unwrap().unwrap().id, 4);
    assert_eq!(std::fs::read(f.checkpoint()).unwrap(), head);
    assert_eq!(std::fs::read(&f.witness).unwrap(), witness);
    assert_eq!(std::fs::read(&f.database).unwrap(), db);
}

/// Copies the database (with its WAL folded in) and its checkpoint, as a backup would.
fn backup(f: &LedgerFiles, to: &std::path::Path) {
    let conn = rusqlite::Connection::open(&f.database).unwrap();
    conn.execute("VACUUM INTO ?1", [to.join("c.sqlite").to_str().unwrap()]).unwrap();
    std::fs::copy(f.checkpoint(), to.join("c.head")).unwrap();
}

fn restore(f: &LedgerFiles, from: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", f.database.display()));
    }
    std::fs::copy(from.join("c.sqlite"), &f.database).unwrap();
    std::fs::copy(from.join("c.head"), f.checkpoint()).unwrap();
}

/// A ledger charged once and backed up to `saved`, then charged `more` times after the backup.
fn backed_up_then_charged(f: &LedgerFiles, saved: &std::path::Path, more: usize) {
    let mut l = Ledger::create(f, &rules(10.0, 0.0)).unwrap();
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 1.0, 0.0, "d").unwrap();
    drop(l);
    backup(f, saved);
    let mut l = Ledger::open(f, &rules(10.0, 0.0)).unwrap();
    for _ in 0..more {
        l.charge(&who(), &serde_json::json!({}), &["E".into()], 1.0, 0.0, "d").unwrap();
    }
}

#[test]
fn a_restored_older_ledger_is_refused_as_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let saved = tempfile::tempdir().unwrap();
    let f = files(&dir);
    backed_up_then_charged(&f, saved.path(), 7);
    restore(&f, saved.path());
    let err = Ledger::open(&f, &rules(10.0, 0.0)).err().unwrap();
    assert!(matches!(err, ControlError::RolledBack { .. }), "{err}");
    assert!(err.to_string().contains("witnessed 18 audit entries but the ledger holds 4"), "{err}");
    assert!(matches!(Ledger::verify_files(&f), Err(ControlError::RolledBack { .. })));

    // Deleting the witness as well does not help: the ledger knows it was witnessed.
    std::fs::remove_file(&f.witness).unwrap();
    assert!(matches!(Ledger::open(&f, &rules(10.0, 0.0)), Err(ControlError::RolledBack { .. })));
}

#[test]
fn an_emptied_ledger_is_refused_and_never_starts_a_fresh_budget() {
    let dir = tempfile::tempdir().unwrap();
    let f = files(&dir);
    let mut l = Ledger::create(&f, &rules(10.0, 0.0)).unwrap();
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 9.0, 0.0, "d").unwrap();
    drop(l);
    let remove = |path: &std::path::Path| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    };
    // Truncated to nothing, with the keyring's witness and the head checkpoint deleted too.
    remove(&f.database);
    std::fs::remove_file(&f.witness).unwrap();
    std::fs::remove_file(f.checkpoint()).unwrap();
    std::fs::write(&f.database, b"").unwrap();
    let err = Ledger::open(&f, &rules(10.0, 0.0)).err().unwrap();
    assert!(matches!(err, ControlError::LedgerEmptied { .. }), "{err}");
    assert!(err.to_string().contains("holds no audit chain"), "{err}");
    assert!(matches!(Ledger::verify_files(&f), Err(ControlError::LedgerEmptied { .. })));
    assert_eq!(std::fs::metadata(&f.database).unwrap().len(), 0, "nothing was created in it");

    // A database with every table but no entries is no better.
    remove(&f.database);
    let blank = rusqlite::Connection::open(&f.database).unwrap();
    blank.execute_batch("CREATE TABLE audit (id INTEGER PRIMARY KEY, hash TEXT); CREATE TABLE charges (id INTEGER)").unwrap();
    drop(blank);
    assert!(matches!(Ledger::open(&f, &rules(10.0, 0.0)), Err(ControlError::LedgerEmptied { .. })));
}

#[test]
fn a_ledger_behind_its_head_checkpoint_is_refused_even_without_the_witness() {
    let dir = tempfile::tempdir().unwrap();
    let saved = tempfile::tempdir().unwrap();
    let f = files(&dir);
    backed_up_then_charged(&f, saved.path(), 1);
    let head = std::fs::read(f.checkpoint()).unwrap();
    restore(&f, saved.path());
    // The restored database with the newer checkpoint, and a witness copied from the backup's
    // time: the checkpoint still shows the chain was longer.
    std::fs::write(f.checkpoint(), head).unwrap();
    std::fs::copy(saved.path().join("c.head"), &f.witness).unwrap();
    let err = Ledger::open(&f, &rules(10.0, 0.0)).err().unwrap();
    assert!(matches!(err, ControlError::RolledBack { .. }), "{err}");
}

#[test]
fn a_replaced_ledger_of_the_same_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let f = files(&dir);
    let mut l = Ledger::create(&f, &rules(10.0, 0.0)).unwrap();
    l.charge(&who(), &serde_json::json!({"q": 1}), &["E".into()], 1.0, 0.0, "d").unwrap();
    drop(l);
    let g = files(&other);
    let mut m = Ledger::create(&g, &rules(10.0, 0.0)).unwrap();
    m.charge(&who(), &serde_json::json!({"q": 2}), &["E".into()], 0.1, 0.0, "d").unwrap();
    drop(m);
    let saved = tempfile::tempdir().unwrap();
    backup(&g, saved.path());
    restore(&f, saved.path());
    let err = Ledger::open(&f, &rules(10.0, 0.0)).err().unwrap();
    assert!(err.to_string().contains("differs from the one the keyring witnessed"), "{err}");
}

#[test]
fn tiny_epsilon_is_refused_and_an_exhausted_epoch_refuses_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 1.0);
    let q = serde_json::json!({});
    let err = l.charge(&who(), &q, &["E".into()], 1e-16, 0.0, "d").unwrap_err();
    assert!(matches!(err, ControlError::EpsilonBelowFloor { .. }), "{err}");
    assert!(err.is_audited_refusal());
    for _ in 0..10 {
        l.charge(&who(), &q, &["E".into()], 0.1, 0.0, "d").unwrap();
    }
    let err = l.charge(&who(), &q, &["E".into()], 0.01, 0.0, "d").unwrap_err();
    assert!(matches!(err, ControlError::BudgetExhausted { .. }), "{err}");
    assert!(matches!(l.check_charge(&who(), &serde_json::json!({}), &["E".into()], &crate::Price::pair(0.01, 0.0)), Err(ControlError::BudgetExhausted { .. })));
    assert!(l.check_charge(&who(), &serde_json::json!({}), &["F".into()], &crate::Price::pair(0.01, 0.0)).is_ok());
}

#[test]
fn charges_and_rules_tables_are_checked_against_the_chain() {
    for sql in [
        "DELETE FROM charges",
        "UPDATE charges SET epsilon = 0.001",
        "DELETE FROM charges WHERE epoch = 'B'",
        "INSERT INTO charges (audit_id, epoch, epsilon, delta) VALUES (99, 'A', 1.0, 0.0)",
        "UPDATE rule_values SET json = '1000' WHERE name = 'epsilon_per_epoch'",
        "UPDATE rule_values SET json = '[\"research\",\"marketing\"]' WHERE name = 'purposes'",
        "DELETE FROM rule_values; DELETE FROM rules; INSERT INTO rule_values VALUES ('epsilon_per_epoch', '1000')",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let f = files(&dir);
        let mut l = Ledger::create(&f, &rules(10.0, 0.0)).unwrap();
        l.charge(&who(), &serde_json::json!({}), &["A".into(), "B".into()], 1.0, 0.0, "d").unwrap();
        l.conn.execute_batch(sql).unwrap();
        drop(l);
        let err = Ledger::open(&f, &rules(10.0, 0.0)).err().unwrap_or_else(|| panic!("{sql}: opened"));
        assert!(matches!(err, ControlError::RolledBack { .. }), "{sql}: {err}");
        assert!(Ledger::verify_files(&f).is_err(), "{sql}: verified");
    }
}

#[test]
fn a_missing_rule_is_taken_from_the_chain_never_from_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let f = files(&dir);
    drop(Ledger::create(&f, &rules(10.0, 0.0)).unwrap());
    let conn = rusqlite::Connection::open(&f.database).unwrap();
    conn.execute_batch("DELETE FROM rule_values; DELETE FROM rules").unwrap();
    drop(conn);
    let l = Ledger::open(&f, &rules(100_000.0, 0.0)).unwrap();
    assert_eq!(l.rules().epsilon_per_epoch, 10.0, "an edited config cannot fill a rule the chain holds");
}

#[test]
fn create_refuses_a_keyring_that_witnesses_another_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let f = files(&dir);
    drop(Ledger::create(&f, &rules(10.0, 0.0)).unwrap());
    std::fs::remove_file(&f.database).unwrap();
    assert!(matches!(Ledger::create(&f, &rules(10.0, 0.0)), Err(ControlError::LedgerExists { .. })));
}

/// A ledger from before charges kept ρ (and kept answers their store generation) verifies as
/// it is, read-only, and opens with its spend carried over.
#[test]
fn a_ledger_from_before_rho_verifies_and_migrates_with_its_spend() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 10.0);
    l.charge(&who(), &serde_json::json!({"q": 1}), &["E".into()], 0.5, 0.0, "[]").unwrap();
    l.charge(&who(), &serde_json::json!({"q": 2}), &["E".into()], 1.0, 1e-7, "[]").unwrap();
    drop(l);
    let db = rusqlite::Connection::open(&files(&dir).database).unwrap();
    db.execute_batch("ALTER TABLE charges DROP COLUMN rho; ALTER TABLE kept_answers DROP COLUMN store_generation;")
        .unwrap();
    drop(db);
    assert!(Ledger::verify_files(&files(&dir)).unwrap().is_some(), "an old ledger verifies read-only");
    let l = Ledger::open(&files(&dir), &rules(10.0, 1e-6)).unwrap();
    let spent = &l.budget(&["E".into()]).unwrap()[0];
    assert_eq!((spent.parts.epsilon_pure, spent.parts.epsilon_approx, spent.parts.rho), (0.5, 1.0, 0.0));
    assert!((spent.epsilon_spent - 1.5).abs() < 1e-12 && (spent.delta_spent - 1e-7).abs() < 1e-20, "{spent:?}");
    assert!(Ledger::verify_files(&files(&dir)).unwrap().is_some());
}

/// A charge of nothing is refused: the ledger never lets a question run for free.
#[test]
fn a_charge_of_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 10.0);
    for cost in [crate::Cost::default(), crate::Cost::pure(f64::NAN), crate::Cost::zcdp(-1.0), crate::Cost::pure(0.1)] {
        let price = crate::Price { epsilon: 0.5, delta: 0.0, cost };
        assert!(l.reserve(&who(), &serde_json::json!({}), &["E".into()], &price).is_err(), "{cost:?}");
    }
    assert!(l.charges().unwrap().is_empty());
}

/// A dry run's "N more at this price": pure ε by division, ρ by the composed guarantee, the
/// fewest over the epochs a question touches.
#[test]
fn questions_left_counts_what_the_epochs_still_pay_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = ledger(&dir, 10.0);
    l.charge(&who(), &serde_json::json!({"q": 1}), &["E".into()], 0.5, 0.0, "[]").unwrap();
    let half = crate::Price::pair(0.5, 0.0);
    assert_eq!(l.questions_left(&["E".into()], &half).unwrap(), 19);
    assert_eq!(l.questions_left(&["F".into()], &half).unwrap(), 20);
    assert_eq!(l.questions_left(&["E".into(), "F".into()], &half).unwrap(), 19);
    let gaussian = crate::Price { epsilon: 1.0, delta: 1e-6, cost: crate::Cost::zcdp(0.05) };
    let n = l.questions_left(&["F".into()], &gaussian).unwrap();
    let fits = |n: u64| crate::Spend::default().with_times(gaussian.cost, n).epsilon_at(1e-6) <= 10.0;
    assert!(n > 10 && fits(n) && !fits(n + 1), "{n}");
}

#[test]
fn an_approval_covers_the_share_it_was_asked_at_and_never_its_askers_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&files(&dir), &Rules { approval_above_epsilon: 0.3, ..rules(10.0, 1e-6) }).unwrap();
    let ana = Requester { actor: "ana".into(), role: "analyst".into(), case_id: "C-1".into(), purpose: "research".into() };
    let sam = Requester { actor: "sam".into(), role: "supervisor".into(), case_id: "-".into(), purpose: "-".into() };
    let large = serde_json::json!({"kind": "presence", "q": "large"});
    let price = crate::Price::pair(0.5, 0.0);
    let pending = l.reserve(&ana, &large, &["E".into()], &price).err().unwrap();
    assert!(matches!(pending, ControlError::ApprovalRequired { request: 1, .. }), "{pending}");
    // The same holder written otherwise, or the same uid on the CLI, is the same person (the
    // API's test covers a second token of one holder).
    let twin = Requester { actor: " ANA".into(), ..sam.clone() };
    assert!(matches!(l.decide(&twin, 1, true, "mine"), Err(ControlError::SelfApproval { .. })));
    l.decide(&sam, 1, true, "warrant").unwrap();
    // Spent meanwhile, under the threshold: the approved question would now bring the share
    // past what was approved, so it waits again.
    l.charge(&ana, &serde_json::json!({"kind": "presence", "q": "small"}), &["E".into()], 0.2, 0.0, "d").unwrap();
    let again = l.reserve(&ana, &large, &["E".into()], &price).err().unwrap();
    assert!(matches!(again, ControlError::ApprovalRequired { request: 2, .. }), "{again}");
    let cli = Requester { actor: "cli:uid=1000".into(), role: "analyst".into(), case_id: "C-2".into(), purpose: "research".into() };
    l.reserve(&cli, &large, &["E".into()], &price).err().unwrap();
    let same_uid = Requester { actor: "cli:uid=1000(alice)".into(), ..sam.clone() };
    assert!(matches!(l.decide(&same_uid, 3, true, "mine"), Err(ControlError::SelfApproval { .. })));
}
