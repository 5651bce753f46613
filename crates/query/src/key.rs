//! An answer row's key: which partition its value counts.
//!
//! A key is a few named text fields, at most [`MAX_KEY_FIELDS`], whose names each question's
//! [`Descriptor`](crate::questions::Descriptor) lists under `keys`. A row is serialised once, at
//! the edge (the ledger's kept copy, the API, `--json`), with its key's fields flat beside
//! `value`, `ci_low` and `ci_high`. Fields are given in alphabetical order, which is the order
//! the JSON has always had (rows used to be JSON maps, which sort their keys), so answers keep
//! their shape and their audited digests stay comparable.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// The most fields one key may have.
pub const MAX_KEY_FIELDS: usize = 3;

/// The key of one answer row: fields in alphabetical order, without a copy of shared text.
#[derive(Debug, Clone, PartialEq)]
pub struct RowKey {
    fields: [Option<(&'static str, Text)>; MAX_KEY_FIELDS],
}

impl RowKey {
    /// A key of these fields, given in alphabetical order of their names.
    pub(crate) fn new<const N: usize>(given: [(&'static str, Text); N]) -> RowKey {
        const { assert!(N <= MAX_KEY_FIELDS) };
        debug_assert!(given.windows(2).all(|w| w[0].0 < w[1].0), "key fields in alphabetical order");
        let mut fields = [None, None, None];
        for (slot, field) in fields.iter_mut().zip(given) {
            *slot = Some(field);
        }
        RowKey { fields }
    }

    /// The key's fields as `(name, text)`, in the order the JSON has them.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.fields.iter().flatten().map(|(name, text)| (*name, &**text))
    }

    /// The field called `name`, if this key has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields().find(|(field, _)| *field == name).map(|(_, text)| text)
    }
}

impl Serialize for RowKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, text) in self.fields() {
            map.serialize_entry(name, text)?;
        }
        map.end()
    }
}

/// Text shared by many rows (a cell's name, a bucket's start) without a copy per row, or a
/// label fixed in the code (a histogram bin) without an allocation at all.
#[derive(Debug, Clone)]
pub struct Text(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Shared(Arc<str>),
    Fixed(&'static str),
}

impl Text {
    /// A label the code itself holds.
    pub const fn fixed(text: &'static str) -> Text {
        Text(Repr::Fixed(text))
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            Repr::Shared(text) => text,
            Repr::Fixed(text) => text,
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        **self == **other
    }
}
impl Eq for Text {}
impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}
impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Repr::Shared(text.into()))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(Repr::Shared(text.into()))
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
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
                RowKey::new([("bucket_start", "2026-11-02T00:00:00Z".into()), ("cell", "882a100d25fffff".into())]),
                r#"{"bucket_start":"2026-11-02T00:00:00Z","cell":"882a100d25fffff","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::new([("destination", "Kings".into()), ("origin", "Queens".into())]),
                r#"{"destination":"Kings","origin":"Queens","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (RowKey::new([("dwell", Text::fixed("<10m"))]), r#"{"dwell":"<10m","value":3,"ci_low":-1.0,"ci_high":7.0}"#),
            (
                RowKey::new([("measure", Text::fixed("devices_in_both"))]),
                r#"{"measure":"devices_in_both","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::new([("lag", Text::fixed("1-6h")), ("measure", Text::fixed("lag"))]),
                r#"{"lag":"1-6h","measure":"lag","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::new([("bucket_start", "2026-11-02T00:00:00Z".into()), ("period", Text::fixed("baseline"))]),
                r#"{"bucket_start":"2026-11-02T00:00:00Z","period":"baseline","value":3,"ci_low":-1.0,"ci_high":7.0}"#,
            ),
            (
                RowKey::new([("category", "IAB1 Arts & Entertainment".into()), ("zone", "872a100d2ffffff".into())]),
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
            let map = key.fields().map(|(name, text)| (name.to_string(), text.into())).collect();
            let before = serde_json::to_string(&MapRow { key: map, value: 3, ci_low: -1.0, ci_high: 7.0 }).unwrap();
            assert_eq!(typed, before);
        }
        assert_eq!(Text::fixed("lag"), Text::from("lag"));
    }
}
