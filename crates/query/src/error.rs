use thiserror::Error;

/// Why a question was not answered. Every variant's message says how to fix the question.
#[derive(Debug, Error)]
pub enum QueryError {
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
}

impl QueryError {
    /// What the audit chain says of a question that failed after its charge. An engine's or
    /// store's own message can hold figures of the data (the bytes a plan held when it ran out of
    /// memory, a file's size): the chain, which auditors read, gets only its class.
    pub fn after_charge_reason(&self) -> String {
        match self {
            QueryError::EngineFailed(_) => "query engine error (the operator's log has the detail)".into(),
            QueryError::Store(_) => "store error (the operator's log has the detail)".into(),
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
