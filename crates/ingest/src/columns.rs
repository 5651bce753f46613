//! Vendor feeds name the same fields differently. A [`ColumnMap`] says where each crowdlens
//! field sits in a given header, from explicit `--map` overrides first, then known spellings.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    DeviceId,
    IdType,
    Timestamp,
    Latitude,
    Longitude,
    Accuracy,
}

impl Field {
    pub const ALL: [Field; 6] =
        [Field::DeviceId, Field::IdType, Field::Timestamp, Field::Latitude, Field::Longitude, Field::Accuracy];

    pub fn name(self) -> &'static str {
        match self {
            Field::DeviceId => "device_id",
            Field::IdType => "id_type",
            Field::Timestamp => "timestamp",
            Field::Latitude => "latitude",
            Field::Longitude => "longitude",
            Field::Accuracy => "accuracy",
        }
    }

    fn required(self) -> bool {
        !matches!(self, Field::IdType | Field::Accuracy)
    }

    /// Spellings seen in broker feeds (Sovrn/Irys style), GeoLife and common exports.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::DeviceId => &[
                "mobile_ad_id",
                "maid",
                "ad_id",
                "advertising_id",
                "device_id",
                "deviceid",
                "ifa",
                "idfa",
                "aaid",
                "gaid",
                "uid",
                "user_id",
                "userid",
                "id",
            ],
            Field::IdType => &["id_type", "idtype", "device_id_type", "maid_type", "ad_id_type"],
            Field::Timestamp => &[
                "timestamp",
                "ts",
                "datetime",
                "date_time",
                "time",
                "event_time",
                "utc_timestamp",
                "location_at",
                "timestamp_ms",
                "epoch",
            ],
            Field::Latitude => &["latitude", "lat", "y"],
            Field::Longitude => &["longitude", "lon", "lng", "long", "x"],
            Field::Accuracy => {
                &["horizontal_accuracy", "accuracy", "hacc", "horizontal_accuracy_m", "accuracy_m", "h_accuracy"]
            }
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Column positions for each field in one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Indexed by `Field as usize`: looked up six times a row.
    positions: [Option<usize>; Field::ALL.len()],
    /// The header's width, so rows with another width can be quarantined.
    pub width: usize,
}

impl ColumnMap {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.positions[field as usize]
    }

    /// Resolves fields against `header`. `overrides` maps a field to a column name chosen by
    /// the user. The error says which fields are missing and how to map them.
    pub fn resolve(header: &[String], overrides: &HashMap<Field, String>) -> Result<ColumnMap, String> {
        let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let mut positions = [None; Field::ALL.len()];
        let mut missing = Vec::new();
        for field in Field::ALL {
            let found = match overrides.get(&field) {
                Some(col) => {
                    let want = normalise(col);
                    match normalised.iter().position(|h| *h == want) {
                        Some(i) => Some(i),
                        None => {
                            return Err(format!(
                                "--map {}={col} names a column that is not in the header ({})",
                                field.name(),
                                describe_header(header)
                            ))
                        }
                    }
                }
                None => field.aliases().iter().find_map(|a| normalised.iter().position(|h| h == a)),
            };
            match found {
                Some(i) => positions[field as usize] = Some(i),
                None if field.required() => missing.push(field.name()),
                None => {}
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "missing required column(s) {}; the header has {}. Map them with --map FIELD=COLUMN, e.g. --map {}=your_column",
                missing.join(", "),
                describe_header(header),
                missing[0]
            ));
        }
        Ok(ColumnMap { positions, width: header.len() })
    }
}

fn normalise(s: &str) -> String {
    s.trim().trim_matches('"').to_ascii_lowercase()
}

/// Lists header names only when they look like names. A file without a header would otherwise
/// put its first record, device id included, into an error message.
fn describe_header(header: &[String]) -> String {
    let looks_like_names = header.iter().all(|h| {
        let h = h.trim();
        !h.is_empty()
            && h.len() <= 40
            && h.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '-'))
            && !looks_like_identifier(h)
    });
    if looks_like_names {
        format!("columns [{}]", header.iter().map(|h| h.trim()).collect::<Vec<_>>().join(", "))
    } else {
        format!(
            "{} column(s) whose first row does not look like column names (is the header row missing, or is this not a CSV file?)",
            header.len()
        )
    }
}

/// Advertising ids are UUIDs; a header cell shaped like one is data, not a name.
fn looks_like_identifier(h: &str) -> bool {
    h.len() >= 32 && h.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &str) -> Vec<String> {
        cols.split(',').map(String::from).collect()
    }

    #[test]
    fn detects_sovrn_and_geolife() {
        let m = ColumnMap::resolve(
            &header("mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy,ip_address,user_agent"),
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(m.get(Field::Accuracy), Some(5));
        let g = ColumnMap::resolve(&header("lat,lng,datetime,uid"), &HashMap::new()).unwrap();
        assert_eq!(
            (g.get(Field::Latitude), g.get(Field::Longitude), g.get(Field::Timestamp), g.get(Field::DeviceId)),
            (Some(0), Some(1), Some(2), Some(3))
        );
        assert_eq!(g.get(Field::Accuracy), None);
    }

    #[test]
    fn overrides_win_and_are_checked() {
        let mut o = HashMap::new();
        o.insert(Field::DeviceId, "hashed".to_string());
        let m = ColumnMap::resolve(&header("hashed,lat,lon,when"), &{
            let mut o = o.clone();
            o.insert(Field::Timestamp, "WHEN".into());
            o
        })
        .unwrap();
        assert_eq!(m.get(Field::DeviceId), Some(0));
        assert_eq!(m.get(Field::Timestamp), Some(3));
        o.insert(Field::Timestamp, "nope".into());
        assert!(ColumnMap::resolve(&header("hashed,lat,lon"), &o).unwrap_err().contains("--map timestamp=nope"));
    }

    #[test]
    fn missing_column_error_names_the_fix() {
        let e = ColumnMap::resolve(&header("lat,lng,uid"), &HashMap::new()).unwrap_err();
        assert!(e.contains("timestamp") && e.contains("--map"), "{e}");
        assert!(e.contains("[lat, lng, uid]"), "{e}");
    }

    #[test]
    fn never_echoes_data_rows() {
        let e = ColumnMap::resolve(
            &header("6D92078A-8246-4BA4-AE5B-76104861E7DC,IDFA,1700000000000,44.9,-93.2"),
            &HashMap::new(),
        )
        .unwrap_err();
        assert!(!e.contains("6D92078A"), "{e}");
        assert!(e.contains("header row missing"), "{e}");
    }
}
