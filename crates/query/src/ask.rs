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
    ($ty:ty, $preview:ident, $ask:ident) => {
        impl Question for $ty {
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

question!(PresenceQuestion, preview_presence, ask_presence);
question!(FlowsQuestion, preview_flows, ask_flows);
question!(DwellQuestion, preview_dwell, ask_dwell);
question!(CovisitQuestion, preview_covisit, ask_covisit);
question!(SeriesQuestion, preview_series, ask_series);
question!(ReachQuestion, preview_reach, ask_reach);

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
        Ok(Reply::Price(q.preview(store, ledger.rules())?))
    } else {
        Ok(Reply::Answer(q.ask(store, ledger, asker).await?))
    }
}
