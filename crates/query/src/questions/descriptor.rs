//! A question as data: its name, parameters, keys and units, which every surface derives from.
//!
//! The CLI builds each `ask` subcommand's flags from [`Descriptor::params`], the API reads a
//! body against them ([`parse`]), the OpenAPI document and `GET /v1/questions` list them, the UI
//! builds its forms from that list, and `docs/questions/` is written from [`Descriptor::page`].
//! A question's module holds its descriptor beside its checks, price and plan, so that adding a
//! question is one module.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::QueryError;

/// What a question asks, takes and answers.
#[derive(Debug, Clone, Serialize)]
pub struct Descriptor {
    /// The name the CLI subcommand, the API path and the audit log give it.
    pub kind: &'static str,
    /// One line: what it counts.
    pub summary: &'static str,
    /// What it answers and how, for its help text and docs page.
    pub about: &'static str,
    /// Its parameters, its own first and then those every question takes.
    pub params: Vec<Param>,
    /// The fields of each answer row's key, in the order rows have them.
    pub keys: Vec<KeyField>,
    /// What every released value counts.
    pub unit: &'static str,
    /// What the contribution bound L caps per device.
    pub bound: &'static str,
    /// Whether the keys are fixed by the question (all released) or found in the data
    /// (released above a noisy threshold only).
    pub key_source: KeySource,
}

/// Where an answer's keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Fixed by the question: every key is released, zeros included.
    Question,
    /// Found in the data: a key is released only above a noisy threshold, which costs δ.
    Data,
    /// Fixed by the question, except in one form of it that finds them in the data.
    QuestionOrData,
}

/// One parameter of a question.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Param {
    /// Its name in an API body and in the audit record; the CLI flag is `--name` with `-` for `_`.
    pub name: &'static str,
    /// What a form labels it.
    pub label: &'static str,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    /// Must be given: it has no default.
    pub required: bool,
    /// The value taken when it is not given, as a user would write it; when absent and not
    /// required, `help` says what the store decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'static str>,
    pub help: &'static str,
    /// Only the CLI takes it: it names a file on the asker's machine, which a server must not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cli_only: bool,
}

impl Param {
    /// A parameter that must be given.
    pub const fn required(name: &'static str, label: &'static str, kind: ParamKind, help: &'static str) -> Param {
        Param { name, label, kind, required: true, default: None, help, cli_only: false }
    }

    /// A parameter that may be left out.
    pub const fn optional(name: &'static str, label: &'static str, kind: ParamKind, help: &'static str) -> Param {
        Param { name, label, kind, required: false, default: None, help, cli_only: false }
    }

    /// Left out, it takes `default` (as a user would write it).
    pub const fn or(mut self, default: &'static str) -> Param {
        self.default = Some(default);
        self.required = false;
        self
    }

    /// Only the CLI takes it.
    pub const fn cli_only(mut self) -> Param {
        self.cli_only = true;
        self
    }

    /// The CLI's flag for it.
    pub fn flag(&self) -> String {
        format!("--{}", self.name.replace('_', "-"))
    }
}

/// A parameter's type: how it is written, checked and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// `bbox:minlon,minlat,maxlon,maxlat`, `cells:HEX,…` or a GeoJSON object (`geojson:FILE` on the CLI).
    Area,
    /// An instant: RFC 3339 such as 2026-11-02T00:00:00Z, or a date (midnight UTC).
    Instant,
    /// A length of time such as 15m, 1h or 1d.
    Span,
    /// An H3 resolution, 0 to 15.
    Resolution,
    /// The ε a question spends, a number above 0.
    Epsilon,
    /// The interval a question needs, ±N per value at 95%: a number of at least 1.
    Accuracy,
    /// `auto`, `laplace` or `gaussian`.
    Mechanism,
    /// A whole number of at least 1.
    Count,
    /// One H3 cell index, such as 872a1008fffffff.
    Cell,
    /// A path to a GeoJSON file on the asker's machine.
    File,
    /// Free text, such as a case id.
    Text,
    /// True or false; a CLI flag without a value.
    Flag,
}

impl ParamKind {
    /// The JSON Schema of a value of this kind, as the OpenAPI document gives it.
    pub fn schema(self) -> Value {
        match self {
            ParamKind::Area | ParamKind::File | ParamKind::Text => serde_json::json!({"type": "string"}),
            ParamKind::Flag => serde_json::json!({"type": "boolean"}),
            ParamKind::Instant => serde_json::json!({"type": "string", "format": "date-time"}),
            ParamKind::Span => serde_json::json!({"type": "string", "pattern": "^[0-9]+(s|m|min|h|d)$"}),
            ParamKind::Resolution => serde_json::json!({"type": "integer", "minimum": 0, "maximum": 15}),
            ParamKind::Epsilon => serde_json::json!({"type": "number", "exclusiveMinimum": 0}),
            ParamKind::Accuracy => serde_json::json!({"type": "number", "minimum": 1}),
            ParamKind::Mechanism => serde_json::json!({"type": "string", "enum": ["auto", "laplace", "gaussian"]}),
            ParamKind::Count => serde_json::json!({"type": "integer", "minimum": 1}),
            ParamKind::Cell => serde_json::json!({"type": "string", "pattern": "^[0-9a-f]{15}$"}),
        }
    }

    /// How a value is written, for help text.
    pub fn value_name(self) -> &'static str {
        match self {
            ParamKind::Area => "AREA",
            ParamKind::Instant => "TIME",
            ParamKind::Span => "SPAN",
            ParamKind::Resolution => "RES",
            ParamKind::Epsilon => "EPSILON",
            ParamKind::Accuracy => "N",
            ParamKind::Mechanism => "MECHANISM",
            ParamKind::Count => "N",
            ParamKind::Cell => "CELL",
            ParamKind::File => "FILE",
            ParamKind::Text => "TEXT",
            ParamKind::Flag => "",
        }
    }

    /// A value written as text (a CLI flag, a form field) as the JSON it is read from.
    pub fn from_text(self, name: &str, text: &str) -> Result<Value, QueryError> {
        let number = |what: &str| QueryError::BadParameter { name: name.into(), problem: format!("{text:?} is not {what}") };
        Ok(match self {
            ParamKind::Resolution | ParamKind::Count => {
                Value::from(text.trim().parse::<u64>().map_err(|_| number("a whole number"))?)
            }
            ParamKind::Epsilon | ParamKind::Accuracy => {
                Value::from(text.trim().parse::<f64>().map_err(|_| number("a number"))?)
            }
            ParamKind::Flag => Value::from(text.trim().parse::<bool>().map_err(|_| number("true or false"))?),
            _ => Value::from(text),
        })
    }

    /// A value of this kind, checked, in the form the question's fields are read from.
    fn check(self, name: &str, value: &Value) -> Result<Value, QueryError> {
        let bad = |problem: String| QueryError::BadParameter { name: name.into(), problem };
        let text = || value.as_str().ok_or_else(|| bad(format!("give a string, not {value}")));
        Ok(match self {
            ParamKind::Area | ParamKind::File | ParamKind::Cell | ParamKind::Text => Value::from(text()?),
            ParamKind::Flag => Value::from(value.as_bool().ok_or_else(|| bad(format!("give true or false, not {value}")))?),
            // Text only, as a person writes it: parsing keeps the instant within years 0 to 9999,
            // where every window has weeks to charge and every bucket a printable start.
            ParamKind::Instant => {
                Value::from(crate::window::parse_instant(text()?).map_err(|e| bad(instant_problem(e)))?)
            }
            ParamKind::Span => match value {
                Value::Number(n) if n.as_i64().is_some_and(|s| s > 0) => value.clone(),
                _ => Value::from(crowdlens_types::parse_span(text()?).map_err(|e| bad(e.to_string()))?),
            },
            ParamKind::Resolution => match value.as_u64() {
                Some(res) if res <= 15 => value.clone(),
                _ => return Err(bad(format!("{value} is not an H3 resolution: give a whole number from 0 to 15"))),
            },
            ParamKind::Count => match value.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => value.clone(),
                _ => return Err(bad(format!("{value} is not a whole number of at least 1"))),
            },
            ParamKind::Epsilon | ParamKind::Accuracy => match value.as_f64() {
                Some(e) if e.is_finite() => value.clone(),
                _ => return Err(bad(format!("{value} is not a number"))),
            },
            ParamKind::Mechanism => {
                let text = text()?;
                text.parse::<crate::release::MechanismChoice>().map_err(bad)?;
                Value::from(text)
            }
        })
    }
}

fn instant_problem(e: QueryError) -> String {
    match e {
        QueryError::BadWindow(problem) => problem,
        other => other.to_string(),
    }
}

/// One field of an answer row's key.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyField {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: KeyKind,
    pub help: &'static str,
    /// Absent from some rows (co-visit's total has no lag).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

impl KeyField {
    pub const fn new(name: &'static str, kind: KeyKind, help: &'static str) -> KeyField {
        KeyField { name, kind, help, optional: false }
    }
}

/// What a key field holds, so that a client can type its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// An H3 cell index.
    Cell,
    /// A zone: an H3 cell index, or a named zone's name.
    Zone,
    /// An instant, RFC 3339 in UTC.
    Timestamp,
    /// One of a fixed set of labels (a histogram bin, a measure, a period).
    Label,
    /// A category name found in the data.
    Category,
}

/// The parameters every question takes, after its own.
pub(crate) const COMMON_PARAMS: [Param; 6] = [
    Param::required("from", "From (UTC)", ParamKind::Instant, "Window start (RFC 3339 or YYYY-MM-DD, UTC)."),
    Param::required("to", "To (UTC, exclusive)", ParamKind::Instant, "Window end, exclusive."),
    Param::optional(
        "accuracy",
        "Accuracy (± per value, 95%)",
        ParamKind::Accuracy,
        "The interval each value needs, ±N at 95%: the least ε that meets it is spent. Give this or epsilon.",
    ),
    Param::optional(
        "epsilon",
        "ε for this question",
        ParamKind::Epsilon,
        "Privacy loss this question spends in every epoch (week) it touches. Give this or accuracy.",
    ),
    Param::optional(
        "mechanism",
        "Mechanism",
        ParamKind::Mechanism,
        "auto (whichever costs less for the accuracy asked), laplace (pure ε) or gaussian (zCDP).",
    )
    .or("auto"),
    Param::optional(
        "max_partitions",
        "Contribution bound L",
        ParamKind::Count,
        "Contribution bound L per device (partitions, pairs or visits); default: the store's.",
    ),
];

/// Who asks and how: read beside a question's parameters by every surface, never part of the
/// question itself.
pub const ASKING_PARAMS: [Param; 3] = [
    Param::required("case", "Case", ParamKind::Text, "Case id this question belongs to."),
    Param::required("purpose", "Purpose", ParamKind::Text, "Purpose, from the store's list of allowed purposes."),
    Param::optional(
        "dry_run",
        "Dry run",
        ParamKind::Flag,
        "Price the question and show its interval width; run and charge nothing.",
    ),
];

/// Where a question's parameters come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The asker's own machine: area and zone files may be read.
    Cli,
    /// A network client: only inline areas, and no file parameters.
    Api,
}

impl Descriptor {
    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether a question asked on `surface` may name `name` among its parameters.
    pub fn takes(&self, name: &str, surface: Surface) -> bool {
        self.params_for(surface).any(|p| p.name == name)
    }

    /// The parameters `surface` takes.
    pub fn params_for(&self, surface: Surface) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(move |p| surface == Surface::Cli || !p.cli_only)
    }

    /// The fields of a question asked on `surface`, checked against the parameters, with
    /// defaults filled in: what the question's type is read from. The error names the field.
    pub fn check(&self, given: &Map<String, Value>, surface: Surface) -> Result<Map<String, Value>, QueryError> {
        let bad = |name: &str, problem: String| QueryError::BadParameter { name: name.into(), problem };
        let accepted = || self.params_for(surface).map(|p| p.name).collect::<Vec<_>>().join(", ");
        for name in given.keys().filter(|name| !self.takes(name, surface)) {
            return Err(match self.param(name) {
                Some(p) => bad(
                    name,
                    format!(
                        "{} reads a file on the asker's machine, which only the CLI may do; over the API, give the zones as an area (or top_from)",
                        p.flag()
                    ),
                ),
                None => bad(name, format!("{} takes no {name:?}; it takes {}", self.kind, accepted())),
            });
        }
        let mut checked = Map::new();
        for p in self.params_for(surface) {
            let value = match (given.get(p.name), p.default) {
                (Some(Value::Null) | None, Some(default)) => p.kind.from_text(p.name, default)?,
                (Some(Value::Null) | None, None) if p.required => {
                    return Err(bad(p.name, format!("missing; {}", p.help.trim_end_matches('.'))))
                }
                (Some(Value::Null) | None, None) => continue,
                (Some(value), _) => value.clone(),
            };
            let value = p.kind.check(p.name, &value)?;
            if p.kind == ParamKind::Area && surface == Surface::Api {
                let spec = value.as_str().unwrap_or_default().trim_start();
                if !(spec.starts_with("bbox:") || spec.starts_with("cells:") || spec.starts_with('{')) {
                    return Err(QueryError::BadArea(format!(
                        "{}: the API takes inline areas only: bbox:minlon,minlat,maxlon,maxlat, cells:HEX,... or a GeoJSON object",
                        p.name
                    )));
                }
            }
            checked.insert(p.name.into(), value);
        }
        Ok(checked)
    }

    /// The question's page in `docs/questions/`, written from this descriptor.
    pub fn page(&self) -> String {
        let mut page = format!("# {}\n\n{}\n\n{}\n\n", self.kind, self.summary, self.about);
        page += &format!(
            "```sh\ncrowdlens ask {} --store STORE --case CASE --purpose PURPOSE {}\n```\n\n",
            self.kind,
            self.params
                .iter()
                .filter(|p| p.required)
                .map(|p| format!("{} {}", p.flag(), p.kind.value_name()))
                .collect::<Vec<_>>()
                .join(" ")
        );
        page += &format!("Over HTTP: `POST /v1/ask/{}` with the parameters as a JSON body.\n\n", self.kind);
        page += "## Parameters\n\n| flag | API field | type | default | |\n|---|---|---|---|---|\n";
        for p in &self.params {
            let default = match (p.default, p.required) {
                (Some(d), _) => format!("`{d}`"),
                (None, true) => "required".into(),
                (None, false) => "optional".into(),
            };
            let api = if p.cli_only { "(CLI only)".to_string() } else { format!("`{}`", p.name) };
            let kind = serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            page += &format!("| `{}` | {api} | {kind} | {default} | {} |\n", p.flag(), p.help);
        }
        page += "\nEvery question also takes `--case`, `--purpose` and `--dry-run` (`case`, `purpose` and `dry_run` in a body), \
                 and the flags in [the ask command's page](../ask.md).\n\n";
        page += &format!("## Answer\n\nEach row is a number of {}, with its 95% interval (`value`, `ci_low`, `ci_high`), and its key:\n\n", self.unit);
        page += "| field | type | |\n|---|---|---|\n";
        for k in &self.keys {
            let kind = serde_json::to_value(k.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let optional = if k.optional { " (in some rows only)" } else { "" };
            page += &format!("| `{}` | {kind} | {}{optional} |\n", k.name, k.help);
        }
        page += &format!(
            "\nThe contribution bound L caps the {} each device adds. {}\n",
            self.bound,
            match self.key_source {
                KeySource::Data => "The keys are found in the data, so a key is released only when its noisy count passes a threshold, which costs δ.",
                KeySource::Question => "The keys are fixed by the question, so every key is released, zeros included.",
                KeySource::QuestionOrData => "The keys are fixed by the question (every key is released, zeros included), except where a parameter says they are found in the data: such a key is released only when its noisy count passes a threshold, which costs δ.",
            }
        );
        page += "\n<!-- Written from the question's descriptor (crates/query/src/questions/); edit it, not this page, and \
                 rewrite the pages with CROWDLENS_WRITE_DOCS=1 cargo test --release --workspace question_pages. -->\n";
        page
    }
}

/// Reads instants as their seconds (or RFC 3339 text) and writes them as RFC 3339, so that a
/// question's record says when it asked about.
pub(crate) mod instant {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seconds: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        match chrono::DateTime::from_timestamp(*seconds, 0) {
            Some(t) => serializer.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            None => serializer.serialize_i64(*seconds),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Seconds(i64),
            Text(String),
        }
        match Given::deserialize(deserializer)? {
            Given::Seconds(s) => Ok(s),
            Given::Text(t) => crate::window::parse_instant(&t).map_err(serde::de::Error::custom),
        }
    }
}

/// Reads spans as seconds (or text such as 1h) and writes them as text.
pub(crate) mod span {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seconds: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&crowdlens_types::span::format_span(*seconds))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Seconds(i64),
            Text(String),
        }
        match Given::deserialize(deserializer)? {
            Given::Seconds(s) => Ok(s),
            Given::Text(t) => crowdlens_types::parse_span(&t).map_err(serde::de::Error::custom),
        }
    }
}

/// A question of type `Q` from the fields asked on `surface`.
pub fn parse<Q: crate::Question>(given: &Map<String, Value>, surface: Surface) -> Result<Q, QueryError> {
    let checked = Q::descriptor().check(given, surface)?;
    serde_json::from_value(Value::Object(checked)).map_err(|e| QueryError::BadParameter {
        name: Q::KIND.into(),
        problem: format!("the parameters do not make a question: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::{descriptors, CovisitQuestion, FlowsQuestion, PresenceQuestion, SeriesQuestion};
    use crate::Question;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn bad_parameter(e: QueryError) -> (String, String) {
        match e {
            QueryError::BadParameter { name, problem } => (name, problem),
            other => panic!("not a parameter error: {other}"),
        }
    }

    /// A question read through its descriptor records exactly its descriptor's parameters,
    /// under the same names, and reads back from that record to the same question.
    #[test]
    fn every_question_records_exactly_its_parameters() {
        let given = json!({"area": "bbox:-93.3,44.9,-93.2,45.0", "area_b": "bbox:-93.2,44.9,-93.1,45.0",
            "from": "2026-11-03", "to": "2026-11-04T00:00:00Z", "epsilon": 0.5,
            "baseline_from": "2026-11-01", "baseline_to": "2026-11-02"});
        macro_rules! check {
            ($($ty:ty),*) => {$(
                let d = <$ty>::descriptor();
                assert_eq!(d.kind, <$ty>::KIND);
                let mut asked = fields(given.clone());
                asked.retain(|name, _| d.takes(name, Surface::Cli));
                let q: $ty = parse(&asked, Surface::Cli).unwrap();
                let recorded = q.asked();
                let mut names: Vec<&str> = recorded.as_object().unwrap().keys().map(|k| k.as_str()).filter(|k| *k != "kind").collect();
                names.sort();
                let mut params: Vec<&str> = d.params.iter().map(|p| p.name).collect();
                // Co-visit's bound is fixed: its record keeps the shared field, always empty.
                if d.kind == "co-visit" {
                    params.push("max_partitions");
                }
                params.sort();
                assert_eq!(names, params, "{}", d.kind);
                assert_eq!(recorded["kind"], d.kind);
                assert_eq!(recorded["from"], "2026-11-03T00:00:00Z", "instants are recorded as RFC 3339");
                let mut again = fields(recorded.clone());
                again.remove("kind");
                again.retain(|_, v| !v.is_null());
                let back: $ty = parse(&again, Surface::Cli).unwrap();
                assert_eq!(back.asked(), recorded, "{}", d.kind);
            )*};
        }
        crate::every_question!(check);
        assert_eq!(descriptors().len(), 6);
    }

    #[test]
    fn defaults_are_filled_and_spans_recorded_as_written() {
        let q: PresenceQuestion = parse(
            &fields(json!({"area": "cells:882a100d25fffff", "from": "2026-11-03", "to": "2026-11-04", "epsilon": 1})),
            Surface::Api,
        )
        .unwrap();
        assert_eq!((q.bucket_s, q.mechanism, q.res, q.max_partitions), (3600, crate::release::MechanismChoice::Auto, None, None));
        assert_eq!(q.asked()["bucket"], "1h");
        let q: SeriesQuestion = parse(
            &fields(json!({"area": "cells:882a100d25fffff", "from": "2026-11-03", "to": "2026-11-04", "epsilon": 1,
                "baseline_from": "2026-11-01", "baseline_to": "2026-11-02", "bucket": 21600})),
            Surface::Api,
        )
        .unwrap();
        assert_eq!(q.asked()["bucket"], "6h");
    }

    /// Every way a body can be wrong is refused before the question exists, naming the field.
    #[test]
    fn bad_parameters_are_refused_by_name() {
        let base = json!({"area": "bbox:-93.3,44.9,-93.2,45.0", "from": "2026-11-03", "to": "2026-11-04", "epsilon": 0.5});
        let with = |extra: Value| {
            let mut f = fields(base.clone());
            f.extend(fields(extra));
            f
        };
        let refused = |f: Map<String, Value>| bad_parameter(parse::<PresenceQuestion>(&f, Surface::Api).unwrap_err());
        let (name, problem) = refused(with(json!({"zz": 1})));
        assert_eq!(name, "zz");
        assert!(problem.contains("presence takes no \"zz\"") && problem.contains("bucket"), "{problem}");
        let mut missing = fields(base.clone());
        missing.remove("to");
        assert_eq!(refused(missing).0, "to");
        assert_eq!(refused(with(json!({"from": "tomorrow"}))).0, "from");
        // A raw number is no instant: it could name a time before any week the ledger charges.
        assert_eq!(refused(with(json!({"from": -9_000_000_000_000_i64}))).0, "from");
        assert_eq!(refused(with(json!({"epsilon": "lots"}))).0, "epsilon");
        assert_eq!(refused(with(json!({"res": 16}))).0, "res");
        assert_eq!(refused(with(json!({"res": -1}))).0, "res");
        assert_eq!(refused(with(json!({"max_partitions": 0}))).0, "max_partitions");
        assert_eq!(refused(with(json!({"bucket": "1 fortnight"}))).0, "bucket");
        assert_eq!(refused(with(json!({"mechanism": "uniform"}))).0, "mechanism");
        assert_eq!(refused(with(json!({"area": 7}))).0, "area");
        // A file named over the network, as an area or as zones, is never opened.
        let e = parse::<PresenceQuestion>(&with(json!({"area": "geojson:/etc/passwd"})), Surface::Api).unwrap_err();
        assert_eq!(e.code(), "bad_area");
        let flows = fields(json!({"zones": "/etc/passwd", "from": "2026-11-03", "to": "2026-11-04", "epsilon": 0.5}));
        let (name, problem) = bad_parameter(parse::<FlowsQuestion>(&flows, Surface::Api).unwrap_err());
        assert_eq!(name, "zones");
        assert!(problem.contains("only the CLI"), "{problem}");
        assert!(parse::<FlowsQuestion>(&flows, Surface::Cli).is_ok());
        // Co-visit's bound is fixed, so it is not asked for.
        let covisit = fields(json!({"area": "cells:882a100d25fffff", "area_b": "cells:882a100d27fffff",
            "from": "2026-11-03", "to": "2026-11-04", "epsilon": 0.5, "max_partitions": 4}));
        assert_eq!(bad_parameter(parse::<CovisitQuestion>(&covisit, Surface::Cli).unwrap_err()).0, "max_partitions");
    }

    /// The question pages in `docs/questions/` are what the descriptors say. With
    /// `CROWDLENS_WRITE_DOCS=1` the test writes them instead.
    #[test]
    fn question_pages_are_written_from_the_descriptors() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/questions");
        let write = std::env::var_os("CROWDLENS_WRITE_DOCS").is_some();
        if write {
            std::fs::create_dir_all(&dir).unwrap();
        }
        for d in descriptors() {
            let path = dir.join(format!("{}.md", d.kind));
            if write {
                std::fs::write(&path, d.page()).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(committed == d.page(), "{} is not what its descriptor says; rewrite it with CROWDLENS_WRITE_DOCS=1", path.display());
        }
    }
}
