//! One entry point for every surface: a [`Question`] is either priced (dry run) or asked, and
//! the CLI and the HTTP API both go through [`respond`].

use crowdlens_control::{Ledger, Rules};
use crowdlens_store::Store;
use serde::Serialize;
use std::future::Future;

use crate::presence::{ask_presence, preview_presence, PresenceQuestion};
use crate::questions::*;
use crate::{Answer, Asker, Charge, QueryError};

/// A question crowdlens can price and answer.
pub trait Question: Serialize + Sync {
    /// The question's name, as the API path and the audit log give it.
    const KIND: &'static str;

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
}

macro_rules! question {
    ($ty:ty, $kind:literal, $preview:ident, $ask:ident) => {
        impl Question for $ty {
            const KIND: &'static str = $kind;
            fn preview(&self, store: &Store, rules: &Rules) -> Result<Charge, QueryError> {
                $preview(store, rules, self)
            }
            fn ask(
                &self,
                store: &Store,
                ledger: &mut Ledger,
                asker: &Asker,
            ) -> impl Future<Output = Result<Answer, QueryError>> + Send {
                $ask(store, ledger, asker, self)
            }
        }
    };
}

question!(PresenceQuestion, "presence", preview_presence, ask_presence);
question!(FlowsQuestion, "flows", preview_flows, ask_flows);
question!(DwellQuestion, "dwell", preview_dwell, ask_dwell);
question!(CovisitQuestion, "co-visit", preview_covisit, ask_covisit);
question!(SeriesQuestion, "series", preview_series, ask_series);
question!(ReachQuestion, "reach", preview_reach, ask_reach);

/// The price of a dry run, or a released answer.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Price(Charge),
    Answer(Answer),
}

/// Prices `q` when `dry_run`, otherwise asks it.
pub async fn respond<Q: Question>(
    q: &Q,
    store: &Store,
    ledger: &mut Ledger,
    asker: &Asker,
    dry_run: bool,
) -> Result<Reply, QueryError> {
    if dry_run {
        // Every check the ask runs before its charge, and the ledger's own (cap, floor,
        // budget), without charging: a dry run approves exactly what the ask would not refuse.
        let rules = ledger.rules().clone();
        let priced = asker.check(&rules).and_then(|()| q.preview(store, &rules)).and_then(|charge| {
            ledger.check_charge(&charge.epochs, charge.epsilon, charge.delta)?;
            Ok(charge)
        });
        let outcome = match &priced {
            Ok(_) => "priced (dry run)".to_string(),
            Err(e) => crowdlens_control::outcome::dry_run_refused(e.code(), &e.audited_reason()),
        };
        // A dry run reads no data and spends nothing; it is audited so that oversight can see
        // what was considered as well as what was asked.
        ledger.record_event(&asker.requester(), &crate::release::audited_question(Q::KIND, q), &outcome)?;
        Ok(Reply::Price(priced?))
    } else {
        Ok(Reply::Answer(q.ask(store, ledger, asker).await?))
    }
}
