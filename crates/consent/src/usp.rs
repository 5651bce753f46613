//! US Privacy (CCPA) strings: four characters, version `1` then notice, opt-out of sale and
//! LSPA coverage, each `Y`, `N` or `-` (IAB "US Privacy String" specification v1.0).

use serde::Serialize;

use crate::DecodeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Yes,
    No,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UsPrivacy {
    pub version: u8,
    pub explicit_notice: Flag,
    pub opt_out_sale: Flag,
    pub lspa_covered: Flag,
}

impl UsPrivacy {
    pub fn opted_out_of_sale(&self) -> bool {
        self.opt_out_sale == Flag::Yes
    }
}

pub fn decode(s: &str) -> Result<UsPrivacy, DecodeError> {
    let err = |message: &str| DecodeError { kind: "US Privacy", message: message.to_string() };
    let b = s.trim().as_bytes();
    if b.len() != 4 {
        return Err(err("expected exactly 4 characters, such as 1YNN"));
    }
    if b[0] != b'1' {
        return Err(err("only version 1 exists; the first character must be 1"));
    }
    // Lower case is not in the specification but is common in the wild and unambiguous.
    let flag = |c: u8| match c.to_ascii_uppercase() {
        b'Y' => Ok(Flag::Yes),
        b'N' => Ok(Flag::No),
        b'-' => Ok(Flag::NotApplicable),
        _ => Err(err("characters 2 to 4 must each be Y, N or -")),
    };
    Ok(UsPrivacy { version: 1, explicit_notice: flag(b[1])?, opt_out_sale: flag(b[2])?, lspa_covered: flag(b[3])? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specification_examples() {
        // The specification's examples: 1YN- (notice given, no opt-out, LSPA unknown), 1YYY,
        // and 1--- (CCPA does not apply).
        let u = decode("1YN-").unwrap();
        assert_eq!((u.explicit_notice, u.opt_out_sale, u.lspa_covered), (Flag::Yes, Flag::No, Flag::NotApplicable));
        assert!(decode("1YYY").unwrap().opted_out_of_sale());
        assert!(!decode("1---").unwrap().opted_out_of_sale());
        assert!(decode("1yyn").unwrap().opted_out_of_sale());
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "1YN", "1YNNN", "2YNN", "1YXN", "1ŸNN"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
