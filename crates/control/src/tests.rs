use super::*;

fn who() -> Requester {
    Requester { actor: "cli".into(), role: "admin".into(), case_id: "C-1".into(), purpose: "research".into() }
}

fn ledger(dir: &tempfile::TempDir, total: f64) -> Ledger {
    Ledger::open(&dir.path().join("c.sqlite"), total, 1e-6).unwrap()
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
    assert_eq!(l.audit_len().unwrap(), 11, "the refusal is audited too");
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
    let path = dir.path().join("c.sqlite");
    drop(Ledger::open(&path, 1.0, 0.0).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut l = Ledger::open(&path, 1.0, 0.0).unwrap();
                (0..5)
                    .filter(|_| l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").is_ok())
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 10);
    let l = Ledger::open(&path, 1.0, 0.0).unwrap();
    assert_eq!(l.audit_len().unwrap(), 40);
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
        ("UPDATE audit SET purpose = 'other' WHERE id = 2", 2),
        ("UPDATE audit SET epsilon = 0.0 WHERE id = 1", 1),
        ("DELETE FROM audit WHERE id = 2", 3),
        ("UPDATE audit SET id = -1 WHERE id = 1; UPDATE audit SET id = 1 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = -1;", 1),
        ("DELETE FROM audit WHERE id = 3", 3),
        ("INSERT INTO audit SELECT 4, at, actor, role, case_id, purpose, question, outcome, epsilon, delta, answer_digest, hash, hash FROM audit WHERE id = 3", 4),
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
    assert_eq!(broken_at(&l), 3);
}

#[test]
fn a_lagging_checkpoint_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = three_entries(&dir);
    let saved = std::fs::read(l.checkpoint_path()).unwrap();
    l.charge(&who(), &serde_json::json!({}), &["E".into()], 0.1, 0.0, "d").unwrap();
    // As if the process died between the commit and the checkpoint write.
    std::fs::write(l.checkpoint_path(), saved).unwrap();
    assert_eq!(l.verify_audit().unwrap().unwrap().id, 4);
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
    let (token, info) = l.create_token("alice", Role::Analyst).unwrap();
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
    assert!(l.create_token(" ", Role::Admin).is_err());
}
