//! Ad/app content categories as stored: one `u32` per bidstream row, the taxonomy (OpenRTB
//! `cattax`, AdCOM list "Category Taxonomies") in the top byte and the category in the rest.
//! The bundle or domain that carried it is never stored.
//!
//! Two taxonomies are vendored with their names and tree (`vendor/iab-taxonomies`, the IAB Tech
//! Lab's published tables): Content 1.0 (`cattax` 1) and Content 3.0 (`cattax` 7). Their
//! categories are public, so an answer keyed by them ([`tier1_categories`]) needs no threshold.

use std::collections::HashMap;
use std::sync::LazyLock;

/// AdCOM `cattax` 1: IAB Content Category Taxonomy 1.0 (`IAB9-2`), the OpenRTB 2.5 default.
pub const IAB_CONTENT_1_0: u16 = 1;

/// AdCOM `cattax` 7: IAB Tech Lab Content Taxonomy 3.0.
pub const IAB_CONTENT_3_0: u16 = 7;

const CATEGORY_BITS: u32 = 24;

/// Ids at or above this stand for a vendored taxonomy's non-numeric ids (3.0 has a few, such as
/// `JLBCU7` for Entertainment), by their row in its table.
const TEXT_ID_BASE: u32 = 1 << 23;

/// Encodes `code` under taxonomy `cattax`. Taxonomy 1.0 codes are `IAB<tier1>[-<tier2>]`; the
/// later taxonomies use numeric ids. Anything else is `None`: the record is kept, uncategorised.
pub fn encode(cattax: u16, code: &str) -> Option<u32> {
    // Only a non-numeric id needs the vendored tables: numeric ones never load them.
    encode_with(cattax, code, &|cattax, code| TAXONOMIES.text_ids.get(&(cattax, code)).copied())
}

/// [`encode`], with non-numeric ids looked up by `text_id`: the tables' own reader passes the
/// ids read so far, so that reading them never waits on itself.
fn encode_with(cattax: u16, code: &str, text_id: &dyn Fn(u16, &str) -> Option<u32>) -> Option<u32> {
    let code = code.trim();
    if cattax == 0 || cattax > 255 {
        return None;
    }
    let id = if cattax == IAB_CONTENT_1_0 {
        let rest = code.strip_prefix("IAB")?;
        let (tier1, tier2) = match rest.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => (rest.parse::<u32>().ok()?, 0),
        };
        if !(1..=999).contains(&tier1) || tier2 > 999 {
            return None;
        }
        tier1 * 1000 + tier2
    } else {
        match code.parse::<u32>() {
            Ok(id) if id < TEXT_ID_BASE => id,
            Ok(_) => return None,
            Err(_) => text_id(cattax, code)?,
        }
    };
    Some(((cattax as u32) << CATEGORY_BITS) | id)
}

/// The stored value as its taxonomy writes it: `IAB9-2`, or `cattax7:483` for later taxonomies.
pub fn describe(value: u32) -> String {
    let cattax = value >> CATEGORY_BITS;
    let id = value & ((1 << CATEGORY_BITS) - 1);
    match (cattax as u16, id % 1000) {
        (IAB_CONTENT_1_0, 0) => format!("IAB{}", id / 1000),
        (IAB_CONTENT_1_0, tier2) => format!("IAB{}-{tier2}", id / 1000),
        _ => match TAXONOMIES.entries.get(&value) {
            Some(entry) if id >= TEXT_ID_BASE => format!("cattax{cattax}:{}", entry.code),
            _ => format!("cattax{cattax}:{id}"),
        },
    }
}

/// The category's name in its vendored taxonomy (`Hobbies & Interests`), if it has one.
pub fn name(value: u32) -> Option<&'static str> {
    TAXONOMIES.entries.get(&value).map(|e| e.name)
}

/// The top-tier category above `value` (itself, if it is one) in its vendored taxonomy.
pub fn tier1_of(value: u32) -> Option<u32> {
    TAXONOMIES.entries.get(&value).map(|e| e.tier1)
}

/// Every vendored taxonomy's top-tier categories, Content 1.0's first, each in its table's
/// order: the public keys of an answer by category.
pub fn tier1_categories() -> &'static [u32] {
    &TAXONOMIES.tier1
}

/// Every vendored category with the top-tier category above it.
pub fn tier1_map() -> impl Iterator<Item = (u32, u32)> {
    TAXONOMIES.entries.iter().map(|(value, e)| (*value, e.tier1))
}

struct Entry {
    /// The id as the taxonomy writes it.
    code: &'static str,
    name: &'static str,
    tier1: u32,
}

struct Taxonomies {
    entries: HashMap<u32, Entry>,
    /// Non-numeric ids, by taxonomy and id.
    text_ids: HashMap<(u16, &'static str), u32>,
    tier1: Vec<u32>,
}

static TAXONOMIES: LazyLock<Taxonomies> = LazyLock::new(|| {
    let mut t = Taxonomies { entries: HashMap::new(), text_ids: HashMap::new(), tier1: Vec::new() };
    read_content_1_0(&mut t, include_str!("../../../vendor/iab-taxonomies/content-1.0.tsv"));
    read_content_3_0(&mut t, include_str!("../../../vendor/iab-taxonomies/content-3.0.tsv"));
    t
});

fn rows(table: &'static str, header_lines: usize) -> impl Iterator<Item = Vec<&'static str>> {
    table.lines().skip(header_lines).map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty()).map(|l| {
        l.split('\t').map(str::trim).collect()
    })
}

/// `IAB Code`, `Tier`, `IAB Category`: `IAB9` is a top tier, `IAB9-2` below it.
fn read_content_1_0(t: &mut Taxonomies, table: &'static str) {
    for row in rows(table, 1) {
        let (Some(&code), Some(&name)) = (row.first(), row.get(2)) else { continue };
        let Some(value) = encode_with(IAB_CONTENT_1_0, code, &|_, _| None) else { continue };
        let tier1 = value - (value & ((1 << CATEGORY_BITS) - 1)) % 1000;
        if tier1 == value {
            t.tier1.push(value);
        }
        t.entries.insert(value, Entry { code, name, tier1 });
    }
}

/// `Unique ID`, `Parent`, `Name`, tiers: a row's top tier is found by its parents.
fn read_content_3_0(t: &mut Taxonomies, table: &'static str) {
    let rows: Vec<Vec<&'static str>> = rows(table, 2).filter(|r| r.len() >= 3 && !r[0].is_empty()).collect();
    for (i, row) in rows.iter().enumerate() {
        if row[0].parse::<u32>().is_err() {
            t.text_ids.insert((IAB_CONTENT_3_0, row[0]), TEXT_ID_BASE + i as u32);
        }
    }
    let parents: HashMap<&str, &str> = rows.iter().map(|r| (r[0], r[1])).collect();
    for row in &rows {
        let mut top = row[0];
        // The tree is at most four deep; the bound keeps a cycle from looping.
        for _ in 0..8 {
            match parents.get(top) {
                Some(parent) if !parent.is_empty() => top = parent,
                _ => break,
            }
        }
        let text_id = |cattax: u16, code: &str| t.text_ids.get(&(cattax, code)).copied();
        let (Some(value), Some(tier1)) =
            (encode_with(IAB_CONTENT_3_0, row[0], &text_id), encode_with(IAB_CONTENT_3_0, top, &text_id))
        else {
            continue;
        };
        if value == tier1 {
            t.tier1.push(value);
        }
        t.entries.insert(value, Entry { code: row[0], name: row[2], tier1 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (cattax, code, text) in
            [(1, "IAB9-2", "IAB9-2"), (1, "IAB19", "IAB19"), (7, "483", "cattax7:483"), (2, " 150 ", "cattax2:150")]
        {
            assert_eq!(describe(encode(cattax, code).unwrap()), text);
        }
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        for (cattax, code) in
            [(1, "483"), (1, "IAB"), (1, "IAB1-x"), (7, "IAB1"), (0, "1"), (300, "1"), (2, "v9i3On"), (7, "9000000")]
        {
            assert_eq!(encode(cattax, code), None, "{cattax} {code}");
        }
        assert_ne!(encode(1, "IAB1-2"), encode(1, "IAB2-1"));
    }

    #[test]
    fn vendored_taxonomies_name_their_categories_and_tiers() {
        // 26 top tiers in Content 1.0, 37 in 3.0 (the published tables).
        let tops = tier1_categories();
        assert_eq!(tops.iter().filter(|v| *v >> CATEGORY_BITS == 1).count(), 26);
        assert_eq!(tops.iter().filter(|v| *v >> CATEGORY_BITS == 7).count(), 37);
        let iab9_2 = encode(1, "IAB9-2").unwrap();
        assert_eq!(name(iab9_2), Some("Arts & Crafts"));
        assert_eq!(tier1_of(iab9_2), encode(1, "IAB9"));
        assert_eq!(name(encode(1, "IAB9").unwrap()), Some("Hobbies & Interests"));
        // 3.0: Movies (324) sits under Entertainment, whose id is not a number.
        let movies = encode(7, "324").unwrap();
        let entertainment = encode(7, "JLBCU7").unwrap();
        assert_eq!(tier1_of(movies), Some(entertainment));
        assert_eq!(name(entertainment), Some("Entertainment"));
        assert_eq!(describe(entertainment), "cattax7:JLBCU7");
        assert!(tops.contains(&entertainment));
        // Four tiers down still finds the top: Angel Investment → Business and Finance.
        assert_eq!(tier1_of(encode(7, "64").unwrap()), encode(7, "52"));
        // Every vendored category's top tier is one of the tops.
        assert!(tier1_map().all(|(_, top)| tops.contains(&top)));
        // A category no vendored table names has no name and no tier.
        assert_eq!(name(encode(2, "150").unwrap()), None);
        assert_eq!(tier1_of(encode(7, "999999").unwrap()), None);
    }
}
