//! One entry point for every surface: a [`Question`] is either priced (dry run) or asked, and
//! the CLI and the HTTP API both go through [`respond`] (or [`respond_to`], which reads the
//! question from its fields by its kind).

use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

use crate::questions::{descriptor, Descriptor, Surface};
use crate::{Answer, Asker, Charge, QueryError};

/// A question crowdlens can price and answer. Each question's module implements it beside its
/// descriptor, checks, price and plan.
pub trait Question: Serialize + DeserializeOwned + Sync {
    /// The question's name, as the API path and the audit log give it.
    const KIND: &'static str;

    /// Its parameters, keys and units, which every surface derives from.
    fn descriptor() -> Descriptor;

    /// What it would cost and how wide its intervals would be under `rules`; runs and charges
    /// nothing. It refuses what asking would refuse before the charge.
    fn preview(&self, store: &Store, rules: &Rules) -> Result<Charge, QueryError>;

    /// Runs it, charges the ledger and releases the noisy answer. Refusals are audited.
    fn ask(
        &self,
        store: &Store,
        ledger: &mut Ledger,
        asker: &Asker,
    ) -> impl Future<Output = Result<Answer, QueryError>> + Send;

    /// The whole question, as its audit entries record it and its answer carries it: its kind
    /// under `kind`, and every parameter by its API name (defaults filled in).
    fn asked(&self) -> serde_json::Value {
        crate::release::audited_question(Self::KIND, self)
    }
}

/// A question's [`Question::preview`] and [`Question::ask`], by its module's own price and ask
/// functions (`preview_presence`, `ask_presence`, …).
macro_rules! runs_by {
    ($preview:ident, $ask:ident) => {
        fn preview(
            &self,
            store: &crowdlens_store::Store,
            rules: &crowdlens_control::Rules,
        ) -> Result<$crate::Charge, $crate::QueryError> {
            $preview(store, rules, self)
        }

        fn ask(
            &self,
            store: &crowdlens_store::Store,
            ledger: &mut crowdlens_control::Ledger,
            asker: &$crate::Asker,
        ) -> impl std::future::Future<Output = Result<$crate::Answer, $crate::QueryError>> + Send {
            $ask(store, ledger, asker, self)
        }
    };
}
pub(crate) use runs_by;

/// The price of a dry run, a released answer, or a kept answer given again.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Price(Charge),
    Answer(Answer),
    /// The kept answer to the same question of the same data, as `answers show` gives it, with
    /// `reused` saying so: it was released already, so giving it again costs nothing.
    Reused(serde_json::Value),
}

/// Prices `q` when `dry_run`, otherwise asks it.
pub async fn respond<Q: Question>(
    q: &Q,
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    dry_run: bool,
) -> Result<Reply, QueryError> {
    if let Some(reply) = reuse(q, store, ledger, asker, dry_run)? {
        return Ok(reply);
    }
    if dry_run {
        // Every check the ask runs before its charge, and the ledger's own (cap, floor,
        // budget), without charging: a dry run approves exactly what the ask would not refuse.
        let rules = ledger.rules().clone();
        let priced = asker.check(&rules).and_then(|()| q.preview(store, &rules)).and_then(|mut charge| {
            ledger.check_charge(&asker.requester(), &q.asked(), &charge.epochs, &charge.price())?;
            charge.questions_left = Some(ledger.questions_left(&charge.epochs, &charge.price())?);
            charge.needs_approval = ledger.needs_approval(&asker.requester(), &charge.epochs, &charge.price())?;
            Ok(charge)
        });
        let outcome = match &priced {
            Ok(_) => "priced (dry run)".to_string(),
            Err(e) => crowdlens_control::outcome::dry_run_refused(e.code(), &e.audited_reason()),
        };
        // A dry run reads no data and spends nothing; it is audited so that oversight can see
        // what was considered as well as what was asked.
        ledger.record_event(&asker.requester(), &q.asked(), &outcome)?;
        Ok(Reply::Price(priced?))
    } else {
        Ok(Reply::Answer(q.ask(store, ledger, asker).await?))
    }
}

/// The same question, asked by the same asker for the same case and purpose of the same store
/// generation, is given its kept
/// answer again, free and audited as a re-use. The asker's own checks (case, purpose) still
/// apply; the rules' caps do not, since nothing new is released.
fn reuse<Q: Question>(
    q: &Q,
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    dry_run: bool,
) -> Result<Option<Reply>, QueryError> {
    let asked = q.asked();
    let generation = store.manifest()?.generation;
    // A refusal of the asker (a purpose since withdrawn) is left to the normal path, which
    // audits it.
    if asker.check(ledger.rules()).is_err() {
        return Ok(None);
    }
    let Some(kept) = ledger.reusable_answer(&asker.requester(), &asked, generation)? else { return Ok(None) };
    let entry = ledger.record_reuse(&asker.requester(), &asked, &kept, dry_run)?;
    let mut answer = kept.to_json().map_err(|e| QueryError::Engine(format!("kept answer: {e}")))?;
    if dry_run {
        // A dry run says what asking would do, and releases nothing itself.
        if let Some(fields) = answer.as_object_mut() {
            fields.remove("rows");
            fields.remove("derived");
        }
    }
    answer["reused"] = serde_json::json!({
        "answer": kept.summary.audit_id,
        "audit_id": entry,
        "dry_run": dry_run,
        "charged": false,
    });
    Ok(Some(Reply::Reused(answer)))
}

/// A question given by its kind and fields (an API body, CLI flags), read through its
/// descriptor and then priced or asked as [`respond`] does.
pub async fn respond_to(
    kind: &str,
    fields: &serde_json::Map<String, serde_json::Value>,
    surface: Surface,
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    dry_run: bool,
) -> Result<Reply, QueryError> {
    macro_rules! by_kind {
        ($($ty:ty),*) => {
            match kind {
                $(<$ty>::KIND => {
                    let q: $ty = descriptor::parse(fields, surface)?;
                    respond(&q, store, ledger, asker, dry_run).await
                })*
                other => Err(QueryError::UnknownQuestion(other.into(), crate::questions::kinds().join(", "))),
            }
        };
    }
    crate::every_question!(by_kind)
}
