//! The six questions, one module each: [`presence`], [`flows`], [`dwell`], [`covisit`],
//! [`series`] and [`reach`]. Each checks its parameters against the store's floors, prices
//! itself as a [`Charge`], runs a bounded plan and releases through the shared path with its own
//! typed row key. None adds noise of its own. This module holds what they share: the
//! parameters every question but presence takes ([`Common`]) and the checks on areas,
//! resolutions and partition counts.

use crowdlens_store::Store;
use crowdlens_types::span::format_span;
use crowdlens_types::Epoch;
use h3o::{CellIndex, Resolution};
use serde::{Deserialize, Serialize};

use crate::area::Area;
use crate::release::{Asked, Budget, Charge, MechanismChoice, Shape};
use crate::window::check_span;
use crate::QueryError;
use crowdlens_control::Rules;

pub mod covisit;
pub mod descriptor;
pub mod dwell;
pub mod flows;
pub mod presence;
pub mod reach;
pub mod series;

pub use covisit::{ask_covisit, preview_covisit, CovisitQuestion};
pub use descriptor::{Descriptor, KeyField, KeyKind, KeySource, Param, ParamKind, Surface, ASKING_PARAMS};
pub use dwell::{ask_dwell, preview_dwell, DwellQuestion};
pub use flows::{ask_flows, preview_flows, FlowsQuestion, NAMED_ZONE_CELL_BUDGET};
pub use presence::{ask_presence, preview_presence, PresenceQuestion};
pub use reach::{ask_reach, preview_reach, ReachQuestion};
pub use series::{ask_series, preview_series, SeriesQuestion};

/// Calls `$then!` with every question's type: the one list of questions, which the dispatch by
/// kind ([`crate::ask::respond_to`]) and [`descriptors`] are built from.
#[macro_export]
macro_rules! every_question {
    ($then:ident) => {
        $then!(
            $crate::questions::PresenceQuestion,
            $crate::questions::FlowsQuestion,
            $crate::questions::DwellQuestion,
            $crate::questions::CovisitQuestion,
            $crate::questions::SeriesQuestion,
            $crate::questions::ReachQuestion
        )
    };
}

/// Every question's descriptor, in the order the CLI, the API and the UI list them.
pub fn descriptors() -> Vec<Descriptor> {
    macro_rules! all {
        ($($ty:ty),*) => { vec![$(<$ty as crate::Question>::descriptor()),*] };
    }
    every_question!(all)
}

/// The descriptor of the question called `kind`.
pub fn descriptor_of(kind: &str) -> Option<Descriptor> {
    descriptors().into_iter().find(|d| d.kind == kind)
}

/// Every question's kind.
pub fn kinds() -> Vec<&'static str> {
    descriptors().iter().map(|d| d.kind).collect()
}

/// Parameters every question shares, recorded flat beside the question's own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Common {
    #[serde(rename = "from", with = "descriptor::instant")]
    pub from_s: i64,
    #[serde(rename = "to", with = "descriptor::instant")]
    pub to_s: i64,
    /// The ε to spend; or give `accuracy`.
    #[serde(default)]
    pub epsilon: Option<f64>,
    /// The interval wanted, ±N per value at 95%: the least ε that meets it is spent.
    #[serde(default)]
    pub accuracy: Option<f64>,
    #[serde(default)]
    pub mechanism: MechanismChoice,
    /// Contribution bound L (partitions, pairs or visits per device); store default if `None`.
    #[serde(default)]
    pub max_partitions: Option<u32>,
}

impl Common {
    pub(crate) fn bound(&self, rules: &Rules) -> Result<u32, QueryError> {
        match self.max_partitions.unwrap_or(rules.default_max_partitions) {
            0 => Err(QueryError::BadBound),
            l => Ok(l),
        }
    }

    /// The window as one bucket, held to the same floors as presence's buckets (shortest
    /// bucket, alignment to the store's time resolution), the rules' longest window and the
    /// newest week the store holds.
    pub(crate) fn window(&self, store: &Store, rules: &Rules) -> Result<(), QueryError> {
        if self.to_s <= self.from_s {
            return Err(QueryError::BadWindow("--to must be after --from".into()));
        }
        let floors = &store.config().resolution;
        let length = self.to_s - self.from_s;
        if length < rules.time_finest_bucket_seconds {
            let floor = format_span(rules.time_finest_bucket_seconds);
            return Err(QueryError::BadWindow(format!(
                "the window is {} long, shorter than this store's shortest time bucket ({floor}); ask over {floor} or longer",
                format_span(length)
            )));
        }
        let grid = floors.time_store_seconds;
        if self.from_s % grid != 0 || self.to_s % grid != 0 {
            return Err(QueryError::BadWindow(format!(
                "--from and --to must fall on the store's time resolution ({}), e.g. on the hour",
                format_span(grid)
            )));
        }
        check_span(store, rules, self.from_s, self.to_s)
    }

    pub(crate) fn epochs(&self) -> Vec<String> {
        Epoch::covering(self.from_s, self.to_s).iter().map(|e| e.to_string()).collect()
    }

    /// Prices `question` (as [`crate::Question::asked`] gives it) over this window at this ε or
    /// accuracy, mechanism and the rules' δ per question.
    pub(crate) fn charge(
        &self,
        store: &Store,
        rules: &Rules,
        question: serde_json::Value,
        shape: Shape,
    ) -> Result<Charge, QueryError> {
        let epochs = self.epochs();
        let (store_generation, sources) = crate::release::store_state(store)?;
        let asked = Asked {
            question,
            store_generation,
            sources,
            epochs,
            budget: Budget::of(self.epsilon, self.accuracy)?,
            mechanism: self.mechanism,
        };
        Charge::new(asked, shape, rules)
    }
}

/// The resolution asked, or `default` held to the floor (a floor raised by a rule change may
/// pass the config's default); an asked resolution finer than the floor is refused.
pub(crate) fn resolution(rules: &Rules, asked: Option<u8>, default: u8) -> Result<u8, QueryError> {
    let floor = rules.h3_finest_question;
    let res = asked.unwrap_or(default.min(floor));
    if res > floor {
        return Err(QueryError::ResolutionTooFine { asked: res, floor });
    }
    Ok(res)
}

pub(crate) fn cells_of(spec: &str, res: u8) -> Result<Vec<CellIndex>, QueryError> {
    let area = Area::parse(spec)?;
    if let Some(fixed) = area.fixed_resolution() {
        if fixed != res {
            return Err(QueryError::BadArea(format!("the cells are at resolution {fixed}; pass --res {fixed}")));
        }
    }
    Ok(area.cells(Resolution::try_from(res).map_err(|e| QueryError::BadArea(e.to_string()))?)?)
}

pub(crate) fn check_partitions(rules: &Rules, partitions: u64) -> Result<(), QueryError> {
    let limit = rules.max_partitions_per_question;
    if partitions > limit {
        return Err(QueryError::TooManyPartitions { partitions, limit });
    }
    Ok(())
}

/// An H3 cell as its answers name it.
pub(crate) fn cell_text(cell: u64) -> String {
    CellIndex::try_from(cell).map(|c| c.to_string()).unwrap_or_else(|_| format!("{cell:x}"))
}

#[cfg(test)]
mod tests;
