//! `key export-public`, `verify` and `approve`: the store's signing key, checking signed
//! receipts and reports offline, and a second person's approval of large questions.

use std::path::Path;

use anyhow::{bail, Context, Result};
use crowdlens_control::signed::{self, Envelope};
use crowdlens_control::Requester;
use crowdlens_store::Store;

use super::{local_actor, open_ledger};

pub(super) fn export_public_key(store: &Path, out: Option<&Path>) -> Result<()> {
    let store = Store::open(store)?;
    let key = open_ledger(&store)?.public_key()?;
    let pem = signed::public_pem(&key);
    match out {
        Some(path) => {
            std::fs::write(path, &pem).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote the public key of {} to {} (ed25519 {})", store.root().display(), path.display(), signed::public_hex(&key));
        }
        None => print!("{pem}"),
    }
    Ok(())
}

/// A signed document from a file: an envelope, or an answer that carries its receipt.
pub(super) fn read_envelope(path: &Path) -> Result<Envelope> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let envelope = if value.get("payload").is_some() { value } else { value["receipt"].clone() };
    serde_json::from_value(envelope).with_context(|| {
        format!("{}: not a signed receipt or report (crowdlens-signed/1: format, kind, payload, public_key, signature)", path.display())
    })
}

pub(super) fn verify(receipt: &Path, answer: Option<&Path>, public_key: &Path) -> Result<()> {
    let key_text = std::fs::read_to_string(public_key).with_context(|| format!("reading {}", public_key.display()))?;
    let key = signed::read_public_key(&key_text).with_context(|| format!("--public-key {}", public_key.display()))?;
    let envelope = read_envelope(receipt)?;
    let payload = envelope.verify(&key, None).with_context(|| format!("{} does not verify", receipt.display()))?;
    println!("signature valid: {} signed by ed25519 {}", envelope.kind, envelope.public_key);
    let audit = if payload.get("witness").is_some() { &payload["witness"] } else { &payload["audit"] };
    if envelope.kind == signed::RECEIPT {
        let charged = &payload["charged"];
        println!(
            "{} question for case {} ({}), charged ε {} δ {} ρ {} in {}",
            payload["question"].as_str().unwrap_or("?"),
            payload["case"].as_str().unwrap_or("?"),
            payload["purpose"].as_str().unwrap_or("?"),
            charged["epsilon"],
            charged["delta"],
            charged["rho"],
            charged["epochs"],
        );
        println!(
            "answered in audit entry #{} (charged in #{}), released {}",
            audit["answered"]["id"], audit["charged"]["id"], payload["released_at"].as_str().unwrap_or("?")
        );
    }
    println!("audit chain at signing: {} entries, head {}", audit["chain_length"], audit["head"].as_str().unwrap_or("?"));
    match answer {
        Some(path) => {
            if envelope.kind != signed::RECEIPT {
                bail!("{} is a {}, not a receipt: it names no answer to check {} against", receipt.display(), envelope.kind, path.display());
            }
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let answer: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
            signed::check_answer(&payload, &answer).with_context(|| format!("{} is not the answer signed", path.display()))?;
            println!("answer matches: {} is the answer this receipt was signed for", path.display());
        }
        None if envelope.kind == signed::RECEIPT => {
            println!("(give the answer's file too, to check it is the one signed)")
        }
        None => {}
    }
    println!("to show the ledger has not been rolled back since: crowdlens audit verify --store STORE --receipts DIR");
    Ok(())
}

pub(super) fn approve(
    store: &Path,
    id: Option<i64>,
    role: Option<&str>,
    reason: Option<&str>,
    approve: bool,
    pending: bool,
    json: bool,
) -> Result<()> {
    let store = Store::open(store)?;
    let mut ledger = open_ledger(&store)?;
    if pending {
        let requests = ledger.approval_requests(None, true)?;
        if json {
            println!("{}", serde_json::to_string(&requests)?);
        } else if requests.is_empty() {
            println!("no requests waiting for approval");
        } else {
            println!("{:>7}  {:<32} {:<10} {:<14} {:<20} {:>8}", "request", "asked by", "question", "case", "purpose", "ε");
            for r in requests {
                println!(
                    "{:>7}  {:<32} {:<10} {:<14} {:<20} {:>8.4}",
                    format!("#{}", r.id),
                    r.actor,
                    r.question["kind"].as_str().unwrap_or("?"),
                    r.case_id,
                    r.purpose,
                    r.epsilon
                );
            }
        }
        return Ok(());
    }
    let (Some(id), Some(role), Some(reason)) = (id, role, reason) else {
        bail!("give the request's number, --role supervisor and --reason");
    };
    if role != "supervisor" {
        bail!("--role {role}: only a supervisor approves or declines; state --role supervisor");
    }
    let who = Requester { actor: local_actor(), role: role.into(), case_id: "-".into(), purpose: "-".into() };
    let entry = ledger.decide(&who, id, approve, reason)?;
    let verb = if approve { "approved" } else { "declined" };
    if json {
        println!("{}", serde_json::json!({ "audit_id": entry, "request": ledger.approval_request(id)? }));
    } else {
        println!("{verb} request #{id} as {} (audit entry #{entry})", who.actor);
        if approve {
            println!("its asker may now ask exactly the same question again; the approval pays for that one charge");
        }
    }
    Ok(())
}
