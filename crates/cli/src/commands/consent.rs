//! `consent explain`: what a consent string says, and whether the store's policy admits it.

use anyhow::Result;
use crowdlens_store::Store;
use std::path::Path;

pub(super) fn consent_explain(string: &str, store: Option<&Path>, json: bool) -> Result<()> {
    let policy = match store {
        Some(path) => crowdlens_consent::ConsentPolicy {
            required_tcf_purposes: Store::open(path)?.config().policy.tcf_required_purposes.clone(),
        },
        None => crowdlens_consent::ConsentPolicy::default(),
    };
    let e = crowdlens_consent::explain::explain(string, &policy);
    if json {
        println!("{}", serde_json::to_string(&e)?);
        return Ok(());
    }
    crate::output::print_explanation(&e, &policy);
    Ok(())
}
