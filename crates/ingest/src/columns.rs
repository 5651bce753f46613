//! Vendor feeds name the same fields differently. A [`ColumnMap`] says where each crowdlens
//! field sits in a given header, from explicit `--map` overrides first, then known spellings.
//!
//! The device is detected only under an advertising-id spelling. A column that holds another
//! kind of id (a publisher's user id, a hashed e-mail, GeoLife's `uid`) is never taken as the
//! device on its own: one person seen under it and under an advertising id would be two
//! privacy units. It can still be mapped with `--map device_id=COLUMN`, which declares that
//! the column identifies devices; the units are then of [`IdKind::Other`] unless the operator
//! says the column holds advertising ids.

use crowdlens_store::IdKind;
use std::collections::HashMap;
use std::fmt;

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

    /// Spellings seen in broker feeds (Sovrn/Irys style), GeoLife and common exports. The
    /// device only under an advertising-id name: [`ADVERTISING_ID_COLUMNS`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::DeviceId => ADVERTISING_ID_COLUMNS,
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

/// The names under which a column is taken as the device without `--map`: advertising ids
/// only (`device_id`/`deviceid` are what brokers call the advertising id).
pub const ADVERTISING_ID_COLUMNS: &[&str] = &[
    "mobile_ad_id",
    "maid",
    "ad_id",
    "advertising_id",
    "adid",
    "ifa",
    "idfa",
    "aaid",
    "gaid",
    "device_id",
    "deviceid",
];

/// Names of id columns that are not advertising ids: user ids, hashed e-mails, cookies,
/// per-vendor device ids. Such a column is named when a header has no advertising-id column,
/// and is taken as the device only by an explicit mapping. Any other name ending in `_id` is
/// named too.
const OTHER_ID_COLUMNS: &[&str] = &[
    "uid",
    "user_id",
    "userid",
    "user",
    "id",
    "hashed_email",
    "email_hash",
    "hashed_e_mail",
    "sha256_email",
    "email_sha256",
    "md5_email",
    "email_md5",
    "hem",
    "email",
    "cookie",
    "cookieid",
    "ppid",
    "idfv",
    "personid",
    "customerid",
];

/// Where the device id of one header comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceColumn {
    /// The column's name as the header spells it.
    pub name: String,
    /// Chosen by `--map device_id=COLUMN` rather than detected.
    pub mapped: bool,
    /// The name is one of [`ADVERTISING_ID_COLUMNS`].
    pub advertising_name: bool,
}

impl DeviceColumn {
    /// The kind of id the column holds: `declared` if the operator said (`--id-kind`); else an
    /// advertising id under an advertising-id name (detected or mapped), and any other mapped
    /// column is of kind [`IdKind::Other`].
    pub fn id_kind(&self, declared: Option<IdKind>) -> IdKind {
        declared.unwrap_or(if self.advertising_name { IdKind::AdvertisingId } else { IdKind::Other })
    }
}

/// Why a header cannot be read as a ping feed. Every message says how to fix it and never
/// quotes a cell that does not look like a column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnError {
    /// `--map FIELD=COLUMN` names a column that is not in the header.
    UnknownColumn { field: Field, column: String, header: String },
    /// Required fields that no column is named for.
    Missing { fields: Vec<&'static str>, header: String },
    /// No advertising-id column, but `columns` hold some other kind of id; `also_missing` are
    /// the other required fields not found.
    NotAnAdvertisingId { columns: Vec<String>, also_missing: Vec<&'static str> },
}

impl ColumnError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ColumnError::UnknownColumn { .. } => "unknown_column",
            ColumnError::Missing { .. } => "missing_columns",
            ColumnError::NotAnAdvertisingId { .. } => "not_an_advertising_id",
        }
    }
}

impl fmt::Display for ColumnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnError::UnknownColumn { field, column, header } => {
                write!(f, "--map {}={column} names a column that is not in the header ({header})", field.name())
            }
            ColumnError::Missing { fields, header } => {
                write!(
                    f,
                    "missing required column(s) {}; the header has {header}. Map them with --map FIELD=COLUMN, e.g. --map {}=your_column",
                    fields.join(", "),
                    fields[0]
                )?;
                if fields.contains(&Field::DeviceId.name()) {
                    write!(
                        f,
                        " (the device is detected only under an advertising-id name: {})",
                        ADVERTISING_ID_COLUMNS.join(", ")
                    )?;
                }
                Ok(())
            }
            ColumnError::NotAnAdvertisingId { columns, also_missing } => {
                let quoted: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
                let first = &columns[0];
                write!(
                    f,
                    "no advertising-id column (the device is detected only as {}); the header's id column(s) {} \
                     may hold another kind of id (a user id, a hashed e-mail, a cookie), which is never taken as \
                     the device on its own: one person seen under it and under an advertising id would be two \
                     privacy units. If `{first}` does identify devices, map it explicitly with --map device_id={first}: \
                     that declares that the column identifies devices, and ingest then stores its units as id kind \
                     `other` (add --id-kind advertising-id if it holds advertising ids under another name). A store \
                     holds units of one id kind only",
                    ADVERTISING_ID_COLUMNS.join(", "),
                    quoted.join(", "),
                )?;
                if !also_missing.is_empty() {
                    write!(
                        f,
                        ". Also missing: {}; map with --map FIELD=COLUMN, e.g. --map {}=your_column",
                        also_missing.join(", "),
                        also_missing[0]
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ColumnError {}

/// Column positions for each field in one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Indexed by `Field as usize`: looked up six times a row.
    positions: [Option<usize>; Field::ALL.len()],
    /// The header's width, so rows with another width can be quarantined.
    pub width: usize,
    device: DeviceColumn,
}

impl ColumnMap {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.positions[field as usize]
    }

    /// The column the device id is read from, and how it was chosen.
    pub fn device(&self) -> &DeviceColumn {
        &self.device
    }

    /// Resolves fields against `header`. `overrides` maps a field to a column name chosen by
    /// the user. The device is detected only under an advertising-id name; a header whose only
    /// id columns are of another kind is refused with [`ColumnError::NotAnAdvertisingId`],
    /// which names them and the mapping that would take one. The error says which fields are
    /// missing and how to map them.
    pub fn resolve(header: &[String], overrides: &HashMap<Field, String>) -> Result<ColumnMap, ColumnError> {
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
                            return Err(ColumnError::UnknownColumn {
                                field,
                                column: col.clone(),
                                header: describe_header(header),
                            })
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
        if positions[Field::DeviceId as usize].is_none() {
            let columns = other_id_columns(header, &positions);
            if !columns.is_empty() {
                missing.retain(|f| *f != Field::DeviceId.name());
                return Err(ColumnError::NotAnAdvertisingId { columns, also_missing: missing });
            }
        }
        if !missing.is_empty() {
            return Err(ColumnError::Missing { fields: missing, header: describe_header(header) });
        }
        let at = positions[Field::DeviceId as usize].expect("required");
        let device = DeviceColumn {
            name: header[at].trim().trim_matches('"').trim().to_string(),
            mapped: overrides.contains_key(&Field::DeviceId),
            advertising_name: ADVERTISING_ID_COLUMNS.contains(&normalised[at].as_str()),
        };
        Ok(ColumnMap { positions, width: header.len(), device })
    }
}

fn normalise(s: &str) -> String {
    s.trim().trim_matches('"').to_ascii_lowercase()
}

/// The header's columns, not taken by another field, whose names say they hold an id that is
/// not an advertising id. Only names that look like names are returned, so a data row read as
/// a header is never quoted.
fn other_id_columns(header: &[String], taken: &[Option<usize>]) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(&Some(*i)))
        .map(|(_, h)| h.trim().trim_matches('"').trim())
        .filter(|h| looks_like_name(h))
        .filter(|h| {
            let key = h.to_ascii_lowercase().replace([' ', '-', '.'], "_");
            let squashed = key.replace('_', "");
            OTHER_ID_COLUMNS.contains(&key.as_str())
                || OTHER_ID_COLUMNS.contains(&squashed.as_str())
                || key.ends_with("_id")
                || squashed.ends_with("userid")
        })
        .map(str::to_string)
        .collect()
}

fn looks_like_name(h: &str) -> bool {
    let h = h.trim();
    !h.is_empty()
        && h.len() <= 40
        && h.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '-'))
        && !looks_like_identifier(h)
}

/// Lists header names only when they look like names. A file without a header would otherwise
/// put its first record, device id included, into an error message.
fn describe_header(header: &[String]) -> String {
    let looks_like_names = header.iter().all(|h| looks_like_name(h));
    // A file separated by ';' (or tabs) reads as one column holding the whole header line.
    if let [only] = header {
        for (sep, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")] {
            if only.matches(sep).count() >= 2 {
                return format!(
                    "one column whose first row holds {} {name}: the file looks separated by {name}, and crowdlens \
                     reads comma-separated files; convert it (for example with `tr '{}' ','` if no field holds a comma)",
                    only.matches(sep).count(),
                    if sep == '\t' { "\\t".to_string() } else { sep.to_string() }
                );
            }
        }
    }
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
    fn a_file_separated_by_semicolons_is_told_so() {
        let told = describe_header(&header("device_id;latitude;longitude;timestamp"));
        assert!(told.contains("separated by semicolons") && told.contains("comma-separated"), "{told}");
        let tabs = describe_header(&header("device_id\tlatitude\tlongitude"));
        assert!(tabs.contains("separated by tabs"), "{tabs}");
        assert!(describe_header(&header("device_id,latitude")).starts_with("columns ["));
    }

    fn mapped(pairs: &[(Field, &str)]) -> HashMap<Field, String> {
        pairs.iter().map(|(f, c)| (*f, c.to_string())).collect()
    }

    #[test]
    fn detects_sovrn_and_mapped_geolife() {
        let m = ColumnMap::resolve(
            &header("mobile_ad_id,id_type,timestamp,latitude,longitude,horizontal_accuracy,ip_address,user_agent"),
            &HashMap::new(),
        )
        .unwrap();
        assert_eq!(m.get(Field::Accuracy), Some(5));
        assert_eq!(m.device(), &DeviceColumn { name: "mobile_ad_id".into(), mapped: false, advertising_name: true });
        assert_eq!(m.device().id_kind(None), IdKind::AdvertisingId);
        // GeoLife's uid is a user number, not an advertising id: it takes the explicit mapping.
        let g = ColumnMap::resolve(&header("lat,lng,datetime,uid"), &mapped(&[(Field::DeviceId, "uid")])).unwrap();
        assert_eq!(
            (g.get(Field::Latitude), g.get(Field::Longitude), g.get(Field::Timestamp), g.get(Field::DeviceId)),
            (Some(0), Some(1), Some(2), Some(3))
        );
        assert_eq!(g.get(Field::Accuracy), None);
        assert_eq!(g.device(), &DeviceColumn { name: "uid".into(), mapped: true, advertising_name: false });
        assert_eq!(g.device().id_kind(None), IdKind::Other);
        assert_eq!(g.device().id_kind(Some(IdKind::AdvertisingId)), IdKind::AdvertisingId);
    }

    #[test]
    fn every_advertising_id_spelling_is_detected_and_only_those() {
        for name in ADVERTISING_ID_COLUMNS.iter().copied().chain(["MAID", " \"IDFA\" ", "Device_ID", "AdId"]) {
            let m = ColumnMap::resolve(&header(&format!("{name},timestamp,lat,lon")), &HashMap::new())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(m.get(Field::DeviceId), Some(0), "{name}");
            assert_eq!(m.device().id_kind(None), IdKind::AdvertisingId, "{name}");
            assert!(!m.device().mapped);
        }
        // An advertising-id column wins over another id beside it.
        let m = ColumnMap::resolve(&header("user_id,maid,timestamp,lat,lon"), &HashMap::new()).unwrap();
        assert_eq!(m.get(Field::DeviceId), Some(1));
    }

    #[test]
    fn other_id_columns_are_refused_with_the_mapping_that_takes_them() {
        for name in
            ["uid", "user_id", "userid", "id", "hashed_email", "UserId", "Email Hash", "cookie_id", "publisher_user_id"]
        {
            let e = ColumnMap::resolve(&header(&format!("{name},timestamp,lat,lon")), &HashMap::new()).unwrap_err();
            assert_eq!(
                e,
                ColumnError::NotAnAdvertisingId { columns: vec![name.into()], also_missing: vec![] },
                "{name}"
            );
            let text = e.to_string();
            assert!(text.contains(&format!("--map device_id={name}")), "{text}");
            assert!(text.contains("declares that the column identifies devices"), "{text}");
            assert!(text.contains("two privacy units") && text.contains("--id-kind advertising-id"), "{text}");
            assert_eq!(e.code(), "not_an_advertising_id");
        }
        // Every candidate is named, and other missing fields too.
        let e = ColumnMap::resolve(&header("lat,lng,uid,hashed_email"), &HashMap::new()).unwrap_err();
        assert_eq!(
            e,
            ColumnError::NotAnAdvertisingId {
                columns: vec!["uid".into(), "hashed_email".into()],
                also_missing: vec!["timestamp"]
            }
        );
        assert!(e.to_string().contains("`uid`, `hashed_email`") && e.to_string().contains("--map timestamp="), "{e}");
        // A mapping takes the column, as kind `other`; the store decides whether it fits.
        let m = ColumnMap::resolve(
            &header("hashed_email,timestamp,lat,lon"),
            &mapped(&[(Field::DeviceId, "Hashed_Email")]),
        )
        .unwrap();
        assert_eq!((m.get(Field::DeviceId), m.device().id_kind(None)), (Some(0), IdKind::Other));
        assert_eq!(m.device().name, "hashed_email");
        // Mapping a column whose name is an advertising-id spelling keeps it an advertising id.
        let m =
            ColumnMap::resolve(&header("uid,idfa,timestamp,lat,lon"), &mapped(&[(Field::DeviceId, "idfa")])).unwrap();
        assert_eq!((m.get(Field::DeviceId), m.device().id_kind(None)), (Some(1), IdKind::AdvertisingId));
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
        let e = ColumnMap::resolve(&header("hashed,lat,lon"), &o).unwrap_err();
        assert!(e.to_string().contains("--map timestamp=nope"), "{e}");
        assert_eq!(e.code(), "unknown_column");
    }

    #[test]
    fn missing_column_error_names_the_fix() {
        let e = ColumnMap::resolve(&header("maid,lat,lng"), &HashMap::new()).unwrap_err();
        assert_eq!(e.code(), "missing_columns");
        let e = e.to_string();
        assert!(e.contains("timestamp") && e.contains("--map"), "{e}");
        assert!(e.contains("[maid, lat, lng]"), "{e}");
        // No id column at all: the generic error, which says which names are detected.
        let e = ColumnMap::resolve(&header("when,lat,lng"), &HashMap::new()).unwrap_err().to_string();
        assert!(e.contains("device_id") && e.contains("mobile_ad_id"), "{e}");
    }

    #[test]
    fn never_echoes_data_rows() {
        let e = ColumnMap::resolve(
            &header("6D92078A-8246-4BA4-AE5B-76104861E7DC,IDFA,1700000000000,44.9,-93.2"),
            &HashMap::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("6D92078A"), "{e}");
        assert!(e.contains("header row missing"), "{e}");
        // A data row whose first cell ends like an id column name is still not quoted.
        let e = ColumnMap::resolve(&header("a@b.example_id,1700000000000,44.9,-93.2"), &HashMap::new())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("a@b"), "{e}");
    }
}
