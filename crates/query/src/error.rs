use thiserror::Error;

/// Why a question was not answered. Every variant's message says how to fix the question.
#[derive(Debug, Error)]
pub enum QueryError {
    /// A parameter missing, of the wrong type or not the question's: `name` is its API field.
    #[error("{name}: {problem}")]
    BadParameter { name: String, problem: String },
    #[error("no question {0:?}: ask one of {1}")]
    UnknownQuestion(String, String),
    #[error("invalid area: {0}")]
    BadArea(String),
    #[error("invalid time window: {0}")]
    BadWindow(String),
    #[error("resolution {asked} is finer than this store allows (finest: {floor}); use --res {floor} or coarser")]
    ResolutionTooFine { asked: u8, floor: u8 },
    #[error("bucket {asked} is shorter than this store allows (shortest: {floor}); use --bucket {floor} or longer")]
    BucketTooFine { asked: String, floor: String },
    #[error("the question has {partitions} partitions (cells × buckets), more than the limit of {limit}; use a coarser --res, a longer --bucket or a smaller area/window")]
    TooManyPartitions { partitions: u64, limit: u64 },
    #[error("a question needs a case id (--case)")]
    MissingCase,
    #[error("case id {0:?}: write it as the case file names it, 1 to 128 characters with no space at either end and no control or invisible character, so that every question of a case is counted under one id")]
    BadCase(String),
    #[error("purpose {given:?} is not allowed by this store; allowed purposes: {allowed}")]
    BadPurpose { given: String, allowed: String },
    #[error("reach needs the ad/app content category, which only OpenRTB bidstream ingest provides; this store holds ping feeds only")]
    NoCategories,
    #[error("--max-partitions must be at least 1")]
    BadBound,
    #[error("--epsilon {asked} is above this store's cap of {cap} per question; ask with --epsilon {cap} or less")]
    EpsilonAboveCap { asked: f64, cap: f64 },
    #[error(
        "--epsilon {asked} is below this store's floor of {floor} per question; ask with --epsilon {floor} or more"
    )]
    EpsilonBelowFloor { asked: f64, floor: f64 },
    #[error("±{asked} per value needs ε {needs:.3} per question, above this store's cap of {cap}; the finest this question can be answered to is ±{finest}: ask with accuracy {finest} or looser, or a coarser question")]
    AccuracyBeyondCap { asked: f64, needs: f64, cap: f64, finest: f64 },
    #[error("the window is {days} days long, more than this store's limit of {limit} days per question; split it into shorter questions")]
    WindowTooLong { days: f64, limit: f64 },
    #[error("{0}")]
    WindowOutsideData(String),
    #[error(transparent)]
    Dp(#[from] crowdlens_dp::DpError),
    #[error(transparent)]
    Control(#[from] crowdlens_control::ControlError),
    #[error(transparent)]
    Store(#[from] crowdlens_store::StoreError),
    /// An engine failure in crowdlens' own words (explained, a deadline, a bad schema).
    #[error("query engine: {0}")]
    Engine(String),
    /// An engine failure in the engine's words, which may quote figures of the data (the
    /// bytes a plan held when it ran out of memory): shown to the operator, never audited.
    #[error("query engine: {0}")]
    EngineFailed(String),
    /// An error about a parameter other than the one its kind is usually about (area B, the
    /// baseline's window, the zones' resolution): `field` is the API field.
    #[error("{error}")]
    About { field: &'static str, error: Box<QueryError> },
}

impl QueryError {
    /// The stable code this error is audited and counted under, from
    /// [`crowdlens_control::outcome::REFUSAL_CODES`].
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::BadParameter { .. } => "bad_parameter",
            QueryError::UnknownQuestion(..) => "unknown_question",
            QueryError::BadArea(_) => "bad_area",
            QueryError::BadWindow(_) => "bad_window",
            QueryError::ResolutionTooFine { .. } => "resolution_too_fine",
            QueryError::BucketTooFine { .. } => "bucket_too_fine",
            QueryError::TooManyPartitions { .. } => "too_many_partitions",
            QueryError::MissingCase => "missing_case",
            QueryError::BadCase(_) => "bad_case",
            QueryError::BadPurpose { .. } => "purpose_not_allowed",
            QueryError::NoCategories => "no_categories",
            QueryError::BadBound => "bad_bound",
            QueryError::EpsilonAboveCap { .. } => "epsilon_above_cap",
            QueryError::EpsilonBelowFloor { .. } => "epsilon_below_floor",
            QueryError::AccuracyBeyondCap { .. } => "accuracy_beyond_cap",
            QueryError::WindowTooLong { .. } => "window_too_long",
            QueryError::WindowOutsideData(_) => "window_outside_data",
            QueryError::Dp(_) => "bad_privacy_parameters",
            QueryError::Control(e) => e.refusal_code(),
            QueryError::Store(_) => "store_error",
            QueryError::Engine(_) => "engine_error",
            QueryError::EngineFailed(_) => "engine_failed",
            QueryError::About { error, .. } => error.code(),
        }
    }

    /// The same error, about the parameter `field` (its API field).
    pub fn about(self, field: &'static str) -> QueryError {
        match self {
            QueryError::About { error, .. } => QueryError::About { field, error },
            error => QueryError::About { field, error: Box::new(error) },
        }
    }

    /// The error itself, without the parameter it is about.
    pub fn kind(&self) -> &QueryError {
        match self {
            QueryError::About { error, .. } => error.kind(),
            other => other,
        }
    }

    /// The API field of the parameter this error is about, where it is about one: so that a
    /// form shows it under that field, by name rather than by reading the message.
    pub fn field(&self) -> Option<&str> {
        use crowdlens_control::ControlError as C;
        Some(match self {
            QueryError::About { field, .. } => *field,
            QueryError::BadParameter { name, .. } => name.as_str(),
            QueryError::BadArea(_) | QueryError::TooManyPartitions { .. } | QueryError::NoCategories => "area",
            QueryError::BadWindow(_) | QueryError::WindowTooLong { .. } | QueryError::WindowOutsideData(_) => "from",
            QueryError::ResolutionTooFine { .. } => "res",
            QueryError::BucketTooFine { .. } => "bucket",
            QueryError::BadBound => "max_partitions",
            QueryError::AccuracyBeyondCap { .. } => "accuracy",
            QueryError::EpsilonAboveCap { .. }
            | QueryError::EpsilonBelowFloor { .. }
            | QueryError::Dp(_)
            | QueryError::Control(C::EpsilonAboveCap { .. } | C::EpsilonBelowFloor { .. })
            | QueryError::Control(C::BudgetExhausted { .. } | C::DeltaExhausted { .. }) => "epsilon",
            QueryError::MissingCase | QueryError::BadCase(_) => "case",
            QueryError::BadPurpose { .. } => "purpose",
            _ => return None,
        })
    }

    /// What the audit chain says of a question this error refused, or failed after its
    /// charge. An engine's or store's own message can hold figures of the data (the bytes a plan
    /// held when it ran out of memory, a file's size): the chain, which auditors read, gets only
    /// its class.
    pub fn audited_reason(&self) -> String {
        match self {
            QueryError::EngineFailed(_) => "query engine error (the operator's log has the detail)".into(),
            QueryError::Store(_) => "store error (the operator's log has the detail)".into(),
            QueryError::About { error, .. } => error.audited_reason(),
            other => other.to_string(),
        }
    }
}

impl From<datafusion::error::DataFusionError> for QueryError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        crate::engine::engine_error(e.to_string())
    }
}

impl From<crowdlens_area::AreaError> for QueryError {
    fn from(e: crowdlens_area::AreaError) -> Self {
        QueryError::BadArea(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crowdlens_control::outcome::{class_of, REFUSAL_CODES};

    /// One error of every kind a question can be refused with: each has a code of the table,
    /// no two kinds share one, and each lands in the class that names it. The two that words
    /// used to misfile ("cells × buckets" read as a floor, a bad bound as partitions) among them.
    /// Each refusal of a parameter names it, so a form shows it under that field; an error
    /// about another parameter keeps its code and words and names that one.
    #[test]
    fn refusals_name_the_field_they_concern() {
        assert_eq!(QueryError::BadArea("x".into()).field(), Some("area"));
        assert_eq!(QueryError::ResolutionTooFine { asked: 12, floor: 10 }.field(), Some("res"));
        assert_eq!(QueryError::MissingCase.field(), Some("case"));
        assert_eq!(QueryError::Engine("x".into()).field(), None);
        let b = QueryError::BadArea("bbox: needs four numbers".into()).about("area_b");
        assert_eq!((b.field(), b.code(), b.to_string()), (Some("area_b"), "bad_area", "invalid area: bbox: needs four numbers".into()));
        assert!(matches!(b.kind(), QueryError::BadArea(_)));
        assert_eq!(b.about("zones_res").field(), Some("zones_res"), "the newest field wins, never nested");
    }

    #[test]
    fn every_refusal_has_its_own_code_and_class() {
        let errors = [
            QueryError::BadParameter { name: "bucket".into(), problem: "x".into() },
            QueryError::UnknownQuestion("x".into(), "presence".into()),
            QueryError::BadArea("x".into()),
            QueryError::BadWindow("x".into()),
            QueryError::ResolutionTooFine { asked: 12, floor: 10 },
            QueryError::BucketTooFine { asked: "1m".into(), floor: "15m".into() },
            QueryError::TooManyPartitions { partitions: 10, limit: 5 },
            QueryError::MissingCase,
            QueryError::BadCase("C-1 ".into()),
            QueryError::BadPurpose { given: "x".into(), allowed: "research".into() },
            QueryError::NoCategories,
            QueryError::BadBound,
            QueryError::EpsilonAboveCap { asked: 5.0, cap: 1.0 },
            QueryError::EpsilonBelowFloor { asked: 1e-9, floor: 0.01 },
            QueryError::AccuracyBeyondCap { asked: 1.0, needs: 12.0, cap: 2.0, finest: 6.0 },
            QueryError::WindowTooLong { days: 99.0, limit: 31.0 },
            QueryError::WindowOutsideData("x".into()),
            QueryError::Dp(crowdlens_dp::DpError::BadEpsilon(-1.0)),
            QueryError::Control(crowdlens_control::ControlError::BudgetExhausted {
                epoch: "2026-W45".into(),
                needed: 1.0,
                remaining: 0.0,
                total: 10.0,
            }),
            QueryError::Control(crowdlens_control::ControlError::DeltaExhausted {
                epoch: "2026-W45".into(),
                needed: 1e-6,
                remaining: 0.0,
            }),
            QueryError::Engine("x".into()),
            QueryError::EngineFailed("x".into()),
        ];
        let mut codes: Vec<&str> = errors.iter().map(QueryError::code).collect();
        for code in &codes {
            assert!(REFUSAL_CODES.iter().any(|(c, _)| c == code), "{code} is not in the table");
            assert_ne!(class_of(code), "other", "{code}");
        }
        codes.sort();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "two kinds of refusal share a code");
        assert_eq!(class_of(QueryError::TooManyPartitions { partitions: 10, limit: 5 }.code()), "too many partitions");
        assert_eq!(class_of(QueryError::BadBound.code()), "bad privacy parameters");
        // The engine's and store's own words never reach the chain, refused or failed.
        let oom = QueryError::EngineFailed("Resources exhausted: 123456789 bytes for 4242 rows".into());
        assert!(!oom.audited_reason().contains("4242"), "{}", oom.audited_reason());
    }
}
