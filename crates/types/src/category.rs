//! Ad/app content categories as stored: one `u32` per bidstream row, the taxonomy (OpenRTB
//! `cattax`, AdCOM list "Category Taxonomies") in the top byte and the category in the rest.
//! The bundle or domain that carried it is never stored.

/// AdCOM `cattax` 1: IAB Content Category Taxonomy 1.0 (`IAB9-2`), the OpenRTB 2.5 default.
pub const IAB_CONTENT_1_0: u16 = 1;

const CATEGORY_BITS: u32 = 24;

/// Encodes `code` under taxonomy `cattax`. Taxonomy 1.0 codes are `IAB<tier1>[-<tier2>]`; the
/// later taxonomies use numeric ids. Anything else is `None`: the record is kept, uncategorised.
pub fn encode(cattax: u16, code: &str) -> Option<u32> {
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
        code.parse::<u32>().ok().filter(|id| *id < 1 << CATEGORY_BITS)?
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
        _ => format!("cattax{cattax}:{id}"),
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
        for (cattax, code) in [(1, "483"), (1, "IAB"), (1, "IAB1-x"), (7, "IAB1"), (0, "1"), (300, "1"), (7, "v9i3On")]
        {
            assert_eq!(encode(cattax, code), None, "{cattax} {code}");
        }
        assert_ne!(encode(1, "IAB1-2"), encode(1, "IAB2-1"));
    }
}
