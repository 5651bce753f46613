//! `token`, `answers` and `audit`: API tokens, kept answers and the audit chain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use crowdlens_store::Store;

use super::{open_ledger, AnswersCommand, AuditCommand, TokenCommand};

pub(super) fn token(command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { store, role, name, expires, kinds, purposes, cases, epsilon_cap } => {
            let store = Store::open(&store)?;
            let mut ledger = open_ledger(&store)?;
            let new = crowdlens_control::tokens::NewToken {
                name,
                role: role.parse()?,
                expires_at: expires.as_deref().map(crowdlens_control::tokens::expiry_of).transpose().map_err(anyhow::Error::msg)?,
                scope: crowdlens_control::tokens::Scope { kinds, purposes, cases },
                epsilon_cap_per_epoch: epsilon_cap,
            };
            let (token, info) = ledger.create_token(&new)?;
            let who = crowdlens_control::Requester {
                actor: super::local_actor(),
                role: "admin".into(),
                case_id: "-".into(),
                purpose: "token-management".into(),
            };
            ledger.record_event(&who, &info.as_created(), "token created")?;
            let mut limits = Vec::new();
            if let Some(at) = &info.expires_at {
                limits.push(format!("expires {at}"));
            }
            if !info.scope.is_unlimited() {
                limits.push(format!("scope {}", serde_json::to_string(&info.scope)?));
            }
            if let Some(cap) = info.epsilon_cap_per_epoch {
                limits.push(format!("ε cap {cap} per epoch"));
            }
            let limits = if limits.is_empty() { String::new() } else { format!(" ({})", limits.join("; ")) };
            println!("created {} token #{} for {}{limits}; it is shown only now:", info.role.as_str(), info.id, info.name);
            println!("{token}");
            Ok(())
        }
        TokenCommand::List { store, json } => {
            let store = Store::open(&store)?;
            let tokens = open_ledger(&store)?.list_tokens()?;
            if json {
                println!("{}", serde_json::to_string(&tokens)?);
            } else {
                println!("{:>4}  {:<20} {:<8} {:<21} revoked", "id", "name", "role", "created");
                for t in tokens {
                    println!(
                        "{:>4}  {:<20} {:<8} {:<21} {}",
                        t.id,
                        t.name,
                        t.role.as_str(),
                        t.created_at,
                        t.revoked_at.unwrap_or_else(|| "-".into())
                    );
                }
            }
            Ok(())
        }
        TokenCommand::Revoke { store, id } => {
            let store = Store::open(&store)?;
            if !open_ledger(&store)?.revoke_token(id)? {
                bail!("no live token #{id}; see `crowdlens token list --store {}`", store.root().display());
            }
            println!("revoked token #{id}");
            Ok(())
        }
    }
}

pub(super) fn answers(command: AnswersCommand) -> Result<()> {
    match command {
        AnswersCommand::List { store, case, json } => {
            let store = Store::open(&store)?;
            let answers = open_ledger(&store)?.kept_answers(None, case.as_deref())?;
            if json {
                println!("{}", serde_json::to_string(&answers)?);
            } else if answers.is_empty() {
                println!("no kept answers{}", case.map(|c| format!(" for case {c}")).unwrap_or_default());
            } else {
                println!(
                    "{:>7}  {:<10} {:<14} {:<20} {:>8} {:>7}  released at",
                    "answer", "question", "case", "purpose", "ε", "rows"
                );
                for a in answers {
                    println!(
                        "{:>7}  {:<10} {:<14} {:<20} {:>8} {:>7}  {}",
                        format!("#{}", a.audit_id),
                        a.question,
                        a.case_id,
                        a.purpose,
                        a.epsilon,
                        a.rows,
                        a.at
                    );
                }
            }
            Ok(())
        }
        AnswersCommand::Receipt { store, id, out } => {
            let answer = kept_answer(&store, id, false)?;
            let Some(receipt) = answer.get("receipt") else {
                bail!("answer #{id} was released before receipts were signed, so it has none");
            };
            let text = serde_json::to_string_pretty(receipt)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, format!("{text}\n")).with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("wrote the receipt of answer #{id} to {}", path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
        AnswersCommand::Show { store, id, adjust } => {
            println!("{}", kept_answer(&store, id, adjust)?);
            Ok(())
        }
        AnswersCommand::Export { store, id, format, out, adjust, zones } => {
            let answer = kept_answer(&store, id, adjust)?;
            // Named zones' polygons matter to GeoJSON only; the zones file is the asker's own.
            let zones_file = zones.or_else(|| answer["asked"]["zones"].as_str().map(PathBuf::from).filter(|p| p.is_file()));
            let named = match &zones_file {
                Some(path) if format.has_geometry() => named_zone_geometries(path)?,
                _ => HashMap::new(),
            };
            if out.is_none() && format.is_binary() {
                bail!(
                    "{format} is a binary file: give --out FILE.{} to write it (only csv, json and geojson print)",
                    format.extension()
                );
            }
            let bytes = crowdlens_report::export(&answer, format, &named)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("wrote answer #{id} as {format} to {}", path.display());
                }
                None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
            }
            Ok(())
        }
    }
}

/// `audit verify --receipts DIR`: every signed document in DIR against the ledger.
fn check_receipts(store: &Store, dir: &Path) -> Result<()> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("--receipts {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut documents = Vec::new();
    for path in &paths {
        documents.push(super::evidence::read_envelope(path)?);
    }
    if documents.is_empty() {
        bail!("--receipts {}: no *.json receipts or signed reports in it", dir.display());
    }
    let checks = crowdlens_query::check_witnesses(store, &documents)?;
    let mut failed = 0;
    for ((path, check), document) in paths.iter().zip(&checks).zip(&documents) {
        // A receipt whose chain holds: the sources it committed to, against the store's now.
        let sources = match (&check.problem, document.kind.as_str()) {
            (None, crowdlens_control::signed::RECEIPT) => {
                match crowdlens_query::check_sources(store, &document.payload()?) {
                    Ok(None) => "; its sources are the store's".to_string(),
                    Ok(Some(note)) => format!("; {note}"),
                    Err(e) => {
                        failed += 1;
                        println!("FAILED  {}: {e}", path.display());
                        continue;
                    }
                }
            }
            _ => String::new(),
        };
        match &check.problem {
            None => println!("ok      {} ({} saw {} entries{sources})", path.display(), check.kind, check.chain_length),
            Some(problem) => {
                failed += 1;
                println!("FAILED  {}: {problem}", path.display());
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} receipts and reports are not held by this ledger: it was rolled back, reset or replaced", checks.len());
    }
    println!("every receipt and report ({}) is held by this ledger", checks.len());
    Ok(())
}

/// Kept answer `id` as JSON, its digest checked, with post-processed values when `adjust`.
fn kept_answer(store: &Path, id: i64, adjust: bool) -> Result<serde_json::Value> {
    let store = Store::open(store)?;
    let Some(kept) = open_ledger(&store)?.kept_answer(id)? else {
        bail!("no kept answer #{id}; see `crowdlens answers list --store {}`", store.root().display());
    };
    let mut answer = kept.to_json()?;
    if adjust {
        crowdlens_query::adjust::adjust(&mut answer);
    }
    Ok(answer)
}

/// Each named zone's polygon, by its `name` property, from the zones file of a flows question.
fn named_zone_geometries(path: &Path) -> Result<HashMap<String, geojson::Geometry>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading zones {}", path.display()))?;
    let fc: geojson::FeatureCollection =
        text.parse().with_context(|| format!("{}: zones must be a GeoJSON FeatureCollection", path.display()))?;
    Ok(fc
        .features
        .into_iter()
        .filter_map(|f| Some((f.property("name")?.as_str()?.to_string(), f.geometry?)))
        .collect())
}

pub(super) fn audit(command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify { store, receipts } => {
            // Read-only: verify never creates, migrates or rewrites anything.
            let store = Store::open(&store)?;
            match crowdlens_query::verify_ledger(&store)? {
                Some(head) => {
                    println!("audit log intact: {} entries", head.id);
                    println!("head hash: {}", head.hash);
                    println!("keep this hash outside the store; a later verify must reach it");
                }
                None => println!("audit log intact: no entries yet"),
            }
            if let Some(dir) = receipts {
                check_receipts(&store, &dir)?;
            }
            Ok(())
        }
        AuditCommand::Export { store, out } => {
            use std::io::Write;
            let store = Store::open(&store)?;
            let ledger = open_ledger(&store)?;
            let entries = ledger.audit_entries()?;
            let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            let mut w = std::io::BufWriter::new(file);
            for e in &entries {
                writeln!(w, "{}", serde_json::to_string(e)?)?;
            }
            w.flush()?;
            println!("wrote {} audit entries to {}", entries.len(), out.display());
            Ok(())
        }
    }
}
