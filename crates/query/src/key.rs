//! An answer row's key: which partition its value counts, typed per question.
//!
//! A row is serialised once, at the edge (the ledger's kept copy, the API, `--json`), with its
//! key's fields flat beside `value`, `ci_low` and `ci_high`. Each question's key type lives with
//! its question; fields are declared in alphabetical order, which is the order the JSON has
//! always had (rows used to be JSON maps, which sort their keys), so answers keep their shape
//! and their audited digests stay comparable.

use serde::{Serialize, Serializer};
use std::sync::Arc;

use crate::questions::{CovisitKey, DwellKey, FlowKey, PresenceKey, ReachKey, SeriesKey};

/// The key of one answer row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RowKey {
    Presence(PresenceKey),
    Flow(FlowKey),
    Dwell(DwellKey),
    Covisit(CovisitKey),
    Series(SeriesKey),
    Reach(ReachKey),
}

impl RowKey {
    /// The key's fields as `(name, text)`, in the order the JSON has them.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            RowKey::Presence(k) => vec![("bucket_start", &*k.bucket_start), ("cell", &*k.cell)],
            RowKey::Flow(k) => vec![("destination", &*k.destination), ("origin", &*k.origin)],
            RowKey::Dwell(k) => vec![("dwell", k.dwell)],
            RowKey::Covisit(k) => match k.lag {
                Some(lag) => vec![("lag", lag), ("measure", k.measure)],
                None => vec![("measure", k.measure)],
            },
            RowKey::Series(k) => vec![("bucket_start", &*k.bucket_start), ("period", k.period)],
            RowKey::Reach(k) => vec![("category", &*k.category), ("zone", &*k.zone)],
        }
    }

    /// The field called `name`, if this key has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields().into_iter().find(|(field, _)| *field == name).map(|(_, text)| text)
    }
}

/// Text shared by many rows (a cell's name, a bucket's start) without a copy per row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(text.into())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(text.into())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AnswerRow;

    /// Rows keep the JSON they had as maps: key fields in alphabetical order, then the value
    /// and its interval.
    #[test]
    fn rows_serialise_as_they_did_when_keys_were_maps() {
        let row = |key| AnswerRow { key, value: 3, ci_low: -1.0, ci_high: 7.0 };
        let cases = [
            (
                RowKey::Presence(PresenceKey {
                    bucket_start: "2026-11-02T00:00:00Z".into(),
                    cell: "882a100d25fffff".into(),
                }),
                r#"{"bucket_start":"2026-11-02T00:00:00Z","cell":"882a100d25fffff","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::Flow(FlowKey { destination: "Kings".into(), origin: "Queens".into() }),
                r#"{"destination":"Kings","origin":"Queens","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (RowKey::Dwell(DwellKey { dwell: "<10m" }), r#"{"dwell":"<10m","value":3,"ci_low":-1.0,"ci_high":7.0}"#),
            (
                RowKey::Covisit(CovisitKey { lag: None, measure: "devices_in_both" }),
                r#"{"measure":"devices_in_both","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::Covisit(CovisitKey { lag: Some("1-6h"), measure: "lag" }),
                r#"{"lag":"1-6h","measure":"lag","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::Series(SeriesKey { bucket_start: "2026-11-02T00:00:00Z".into(), period: "baseline" }),
                r#"{"bucket_start":"2026-11-02T00:00:00Z","period":"baseline","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::Reach(ReachKey {
                    category: "IAB1 Arts & Entertainment".into(),
                    zone: "872a100d2ffffff".into(),
                }),
                r#"{"category":"IAB1 Arts & Entertainment","zone":"872a100d2ffffff","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
        ];
        /// The row as it was built before keys were typed.
        #[derive(Serialize)]
        struct MapRow {
            #[serde(flatten)]
            key: serde_json::Map<String, serde_json::Value>,
            value: i64,
            ci_low: f64,
            ci_high: f64,
        }
        for (key, json) in cases {
            let typed = serde_json::to_string(&row(key.clone())).unwrap();
            assert_eq!(typed, json);
            let map = key.fields().into_iter().map(|(name, text)| (name.to_string(), text.into())).collect();
            let before = serde_json::to_string(&MapRow { key: map, value: 3, ci_low: -1.0, ci_high: 7.0 }).unwrap();
            assert_eq!(typed, before);
        }
    }
}
