//! The privacy rules of a store: budgets, per-question caps and floors, the default bound L,
//! the allowed purposes and retention. They are written to the ledger when the store is
//! created and read from it on every open, so editing a file can change none of them; a change
//! goes through [`crate::Ledger::set_rule`] and leaves an audit entry with the old value, the new
//! one and the reason.

use serde::Serialize;
use serde_json::Value;

use crate::ControlError;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    /// Total ε each epoch may spend across all questions.
    pub epsilon_per_epoch: f64,
    /// Total δ each epoch may spend.
    pub delta_per_epoch: f64,
    /// Largest ε one question may spend.
    pub max_epsilon_per_question: f64,
    /// Smallest ε one question may spend: without a floor, ε = 1e-16 costs nothing against any
    /// budget, and every such question still reads data (its running time, memory and success
    /// become a side channel with no limit).
    pub min_epsilon_per_question: f64,
    /// δ one question spends (gaussian noise, thresholded keys).
    pub delta_per_question: f64,
    /// Longest window a question may cover, in days.
    pub max_window_days: f64,
    /// Epochs that ended more than this many weeks ago are shredded.
    pub retention_weeks: u32,
    /// Finest H3 resolution a question may ask for.
    pub h3_finest_question: u8,
    /// Shortest time bucket (and window) a question may ask for, in seconds.
    pub time_finest_bucket_seconds: i64,
    /// Contribution bound L a question uses when it names none.
    pub default_max_partitions: u32,
    /// Largest number of released partitions in one question.
    pub max_partitions_per_question: u64,
    /// Purposes a question may name.
    pub purposes: Vec<String>,
    /// Largest ε one case may spend in one epoch, all its questions composed as the epoch's are:
    /// no single investigation takes the whole week.
    pub max_epsilon_per_case_per_epoch: f64,
    /// A question that would bring its asker's or its case's spend in an epoch (composed) above
    /// this ε waits, pending, until a supervisor other than its asker approves it. At the
    /// epoch's budget or above it never applies.
    pub approval_above_epsilon: f64,
}

/// How rule values are written: numbers, whole numbers, or a list of names.
#[derive(Clone, Copy)]
enum Shape {
    Positive,
    Probability,
    Whole { min: u64, max: u64 },
    Names,
}

const DAYS_IN_TEN_YEARS: u64 = 3653;

impl Rules {
    pub const NAMES: [&'static str; 14] = [
        "epsilon_per_epoch",
        "delta_per_epoch",
        "max_epsilon_per_question",
        "min_epsilon_per_question",
        "delta_per_question",
        "max_window_days",
        "retention_weeks",
        "h3_finest_question",
        "time_finest_bucket_seconds",
        "default_max_partitions",
        "max_partitions_per_question",
        "purposes",
        "max_epsilon_per_case_per_epoch",
        "approval_above_epsilon",
    ];

    /// A new store's floor for ε per question.
    pub const DEFAULT_MIN_EPSILON_PER_QUESTION: f64 = 0.01;
    /// The lowest floor a store may set.
    pub const LOWEST_MIN_EPSILON: f64 = 1e-4;

    fn shape(name: &str) -> Option<Shape> {
        Some(match name {
            "epsilon_per_epoch"
            | "max_epsilon_per_question"
            | "min_epsilon_per_question"
            | "max_epsilon_per_case_per_epoch"
            | "approval_above_epsilon" => Shape::Positive,
            "delta_per_epoch" | "delta_per_question" => Shape::Probability,
            "max_window_days" => Shape::Whole { min: 1, max: DAYS_IN_TEN_YEARS },
            "retention_weeks" => Shape::Whole { min: 1, max: 5200 },
            "h3_finest_question" => Shape::Whole { min: 0, max: 15 },
            "time_finest_bucket_seconds" => Shape::Whole { min: 1, max: 86_400 * 7 },
            "default_max_partitions" => Shape::Whole { min: 1, max: 1_000_000 },
            "max_partitions_per_question" => Shape::Whole { min: 1, max: 1_000_000_000 },
            "purposes" => Shape::Names,
            _ => return None,
        })
    }

    fn unknown(name: &str) -> ControlError {
        ControlError::BadRule(format!("no rule {name:?}; rules are {}", Rules::NAMES.join(", ")))
    }

    /// One rule's value, as the ledger and the audit chain write it.
    pub fn get(&self, name: &str) -> Option<Value> {
        Some(match name {
            "epsilon_per_epoch" => self.epsilon_per_epoch.into(),
            "delta_per_epoch" => self.delta_per_epoch.into(),
            "max_epsilon_per_question" => self.max_epsilon_per_question.into(),
            "min_epsilon_per_question" => self.min_epsilon_per_question.into(),
            "delta_per_question" => self.delta_per_question.into(),
            "max_window_days" => self.max_window_days.into(),
            "retention_weeks" => self.retention_weeks.into(),
            "h3_finest_question" => self.h3_finest_question.into(),
            "time_finest_bucket_seconds" => self.time_finest_bucket_seconds.into(),
            "default_max_partitions" => self.default_max_partitions.into(),
            "max_partitions_per_question" => self.max_partitions_per_question.into(),
            "purposes" => self.purposes.clone().into(),
            "max_epsilon_per_case_per_epoch" => self.max_epsilon_per_case_per_epoch.into(),
            "approval_above_epsilon" => self.approval_above_epsilon.into(),
            _ => return None,
        })
    }

    /// Reads a value as `budget set --rule NAME=VALUE` gives it: a number, or for `purposes` a
    /// comma-separated list.
    pub fn parse_value(name: &str, text: &str) -> Result<Value, ControlError> {
        match Rules::shape(name).ok_or_else(|| Rules::unknown(name))? {
            Shape::Names => Ok(text.split(',').map(|p| Value::from(p.trim())).collect()),
            _ => {
                let x: f64 = text.trim().parse().map_err(|_| {
                    ControlError::BadRule(format!("{name} = {text:?}: not a number (write e.g. {name}=5)"))
                })?;
                Ok(x.into())
            }
        }
    }

    /// Sets one rule, checking its range; [`Rules::validate`] checks the rules together.
    pub fn set(&mut self, name: &str, value: &Value) -> Result<(), ControlError> {
        let bad = |why: &str| ControlError::BadRule(format!("{name} = {value}: {why}"));
        let shape = Rules::shape(name).ok_or_else(|| Rules::unknown(name))?;
        let number = value.as_f64();
        match shape {
            Shape::Positive => {
                let x = number.filter(|x| x.is_finite() && *x > 0.0).ok_or_else(|| bad("must be a positive number"))?;
                match name {
                    "epsilon_per_epoch" => self.epsilon_per_epoch = x,
                    "max_epsilon_per_question" => self.max_epsilon_per_question = x,
                    "max_epsilon_per_case_per_epoch" => self.max_epsilon_per_case_per_epoch = x,
                    "approval_above_epsilon" => self.approval_above_epsilon = x,
                    _ => self.min_epsilon_per_question = x,
                }
            }
            Shape::Probability => {
                let x = number.filter(|x| (0.0..1.0).contains(x)).ok_or_else(|| bad("must be in [0, 1)"))?;
                match name {
                    "delta_per_epoch" => self.delta_per_epoch = x,
                    _ => self.delta_per_question = x,
                }
            }
            Shape::Whole { min, max } => {
                let x = number
                    .filter(|x| x.fract() == 0.0 && *x >= min as f64 && *x <= max as f64)
                    .ok_or_else(|| bad(&format!("must be a whole number from {min} to {max}")))?;
                match name {
                    "max_window_days" => self.max_window_days = x,
                    "retention_weeks" => self.retention_weeks = x as u32,
                    "h3_finest_question" => self.h3_finest_question = x as u8,
                    "time_finest_bucket_seconds" => self.time_finest_bucket_seconds = x as i64,
                    "default_max_partitions" => self.default_max_partitions = x as u32,
                    _ => self.max_partitions_per_question = x as u64,
                }
            }
            Shape::Names => {
                let names: Option<Vec<String>> = value
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(|s| s.trim().to_string())).collect());
                let names = names
                    .filter(|n| !n.is_empty() && n.len() == value.as_array().map_or(0, Vec::len))
                    .ok_or_else(|| bad("must be a non-empty list of purpose names"))?;
                if names.iter().any(|n| n.is_empty() || n.len() > 64 || n.chars().any(char::is_control)) {
                    return Err(bad("each purpose is a name of 1 to 64 printable characters"));
                }
                let mut unique = names.clone();
                unique.sort();
                unique.dedup();
                if unique.len() != names.len() {
                    return Err(bad("a purpose is named twice"));
                }
                self.purposes = names;
            }
        }
        Ok(())
    }

    /// Whether `approval_above_epsilon` can ever hold a question back: no share of an epoch
    /// passes the epoch's budget, so at or above it the rule is off.
    pub fn approval_applies(&self) -> bool {
        self.approval_above_epsilon < self.epsilon_per_epoch
    }

    /// Checks every rule's range and the rules that bound each other.
    pub fn validate(&self) -> Result<(), ControlError> {
        let mut copy = self.clone();
        for name in Rules::NAMES {
            copy.set(name, &self.get(name).expect("a known name"))?;
        }
        if self.min_epsilon_per_question > self.max_epsilon_per_question {
            return Err(ControlError::BadRule(format!(
                "min_epsilon_per_question ({}) must not exceed max_epsilon_per_question ({})",
                self.min_epsilon_per_question, self.max_epsilon_per_question
            )));
        }
        // Far above the ledger's float slack (10⁻¹² of the epoch's total), so that an exhausted
        // epoch refuses every question at the floor.
        let lowest = Rules::LOWEST_MIN_EPSILON.max(self.epsilon_per_epoch * 1e-9);
        if self.min_epsilon_per_question < lowest {
            return Err(ControlError::BadRule(format!(
                "min_epsilon_per_question ({}) must be at least {lowest} (and a billionth of epsilon_per_epoch): a smaller ε costs nothing yet reads the data",
                self.min_epsilon_per_question
            )));
        }
        if self.min_epsilon_per_question > self.epsilon_per_epoch {
            return Err(ControlError::BadRule(format!(
                "min_epsilon_per_question ({}) must not exceed epsilon_per_epoch ({})",
                self.min_epsilon_per_question, self.epsilon_per_epoch
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Rules {
        Rules {
            epsilon_per_epoch: 10.0,
            delta_per_epoch: 1e-5,
            max_epsilon_per_question: 1.0,
            min_epsilon_per_question: 0.01,
            delta_per_question: 1e-7,
            max_window_days: 92.0,
            retention_weeks: 26,
            h3_finest_question: 9,
            time_finest_bucket_seconds: 900,
            default_max_partitions: 4,
            max_partitions_per_question: 1_000_000,
            purposes: vec!["research".into(), "oversight".into()],
            max_epsilon_per_case_per_epoch: 10.0,
            approval_above_epsilon: 10.0,
        }
    }

    #[test]
    fn every_rule_round_trips_through_its_value() {
        let rules = sample();
        rules.validate().unwrap();
        let mut copy = sample();
        copy.purposes = vec!["x".into()];
        copy.retention_weeks = 1;
        for name in Rules::NAMES {
            copy.set(name, &rules.get(name).unwrap()).unwrap();
        }
        assert_eq!(copy, rules);
    }

    #[test]
    fn values_out_of_range_are_refused_with_the_rule_named() {
        let mut r = sample();
        for (name, text) in [
            ("min_epsilon_per_question", "0"),
            ("retention_weeks", "0"),
            ("retention_weeks", "2.5"),
            ("h3_finest_question", "16"),
            ("default_max_partitions", "0"),
            ("delta_per_epoch", "1"),
            ("epsilon_per_epoch", "NaN"),
        ] {
            let v = Rules::parse_value(name, text).unwrap();
            let err = r.set(name, &v).unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
        assert!(Rules::parse_value("retention_weeks", "soon").is_err());
        assert!(Rules::parse_value("no_such_rule", "1").unwrap_err().to_string().contains("rules are"));
        for bad in ["", "a,,b", "a,a"] {
            let v = Rules::parse_value("purposes", bad).unwrap();
            assert!(r.set("purposes", &v).is_err(), "{bad:?}");
        }
        r.set("purposes", &Rules::parse_value("purposes", " research , audit ").unwrap()).unwrap();
        assert_eq!(r.purposes, vec!["research", "audit"]);
    }

    #[test]
    fn the_floor_on_epsilon_cannot_pass_the_cap() {
        let mut r = sample();
        r.min_epsilon_per_question = 2.0;
        assert!(r.validate().unwrap_err().to_string().contains("max_epsilon_per_question"));
    }

    #[test]
    fn the_floor_on_epsilon_cannot_sink_to_the_slack() {
        let mut r = sample();
        r.min_epsilon_per_question = 1e-300;
        assert!(r.validate().unwrap_err().to_string().contains("at least"));
        r.min_epsilon_per_question = 1e-4;
        r.validate().unwrap();
        r.epsilon_per_epoch = 1e9;
        r.max_epsilon_per_question = 10.0;
        assert!(r.validate().is_err(), "a floor must stay above a billionth of the epoch's total");
    }
}
