//! The bit-level encodings the IAB strings share: base64url text as a big-endian bit stream,
//! fixed-width integers, and Fibonacci-coded integers (GPP headers).
//!
//! Written here, not taken from `iab_gpp`, because that crate expands vendor ranges id by id and
//! adds Fibonacci values without overflow checks: a crafted 15 kB TC string took it 17 s and
//! 530 MB (found by the `tc_string` fuzz target). Every read here is bounded by the input length.

/// A cursor over the bits of a base64url string.
pub(crate) struct BitReader {
    sextets: Vec<u8>,
    /// Bits available: 6 per sextet, or fewer for a reader built from bits.
    len: usize,
    position: usize,
}

/// Why a read failed; the callers turn it into a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BitError {
    /// A character outside base64url (`A-Z a-z 0-9 - _`). Standard base64's `+`, `/` and `=`
    /// padding are refused, as both official IAB libraries refuse them.
    BadCharacter,
    /// The string ended before the field did.
    EndOfString,
    /// A Fibonacci-coded value too large for its field.
    Overflow,
}

impl BitError {
    /// What went wrong, in words that never quote the input.
    pub(crate) fn describe(self) -> String {
        match self {
            BitError::BadCharacter => "a character is not base64url",
            BitError::EndOfString => "the string ends early (truncated?)",
            BitError::Overflow => "a number is too large",
        }
        .to_string()
    }
}

impl BitReader {
    pub(crate) fn new(text: &str) -> Result<BitReader, BitError> {
        let sextets = text
            .bytes()
            .map(|c| match c {
                b'A'..=b'Z' => Ok(c - b'A'),
                b'a'..=b'z' => Ok(c - b'a' + 26),
                b'0'..=b'9' => Ok(c - b'0' + 52),
                b'-' => Ok(62),
                b'_' => Ok(63),
                _ => Err(BitError::BadCharacter),
            })
            .collect::<Result<Vec<u8>, _>>()?;
        Ok(BitReader { len: sextets.len() * 6, sextets, position: 0 })
    }

    /// A reader over exactly these bits.
    pub(crate) fn from_bits(bits: Vec<bool>) -> BitReader {
        let sextets = bits
            .chunks(6)
            .map(|chunk| chunk.iter().enumerate().fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << (5 - i))))
            .collect();
        BitReader { sextets, len: bits.len(), position: 0 }
    }

    /// Every bit, in order.
    pub(crate) fn into_bits(self) -> Vec<bool> {
        (0..self.len).map(|i| (self.sextets[i / 6] >> (5 - i % 6)) & 1 == 1).collect()
    }

    pub(crate) fn bit(&mut self) -> Result<bool, BitError> {
        if self.position >= self.len {
            return Err(BitError::EndOfString);
        }
        let sextet = *self.sextets.get(self.position / 6).ok_or(BitError::EndOfString)?;
        let bit = (sextet >> (5 - self.position % 6)) & 1 == 1;
        self.position += 1;
        Ok(bit)
    }

    /// An unsigned big-endian integer of `width` ≤ 64 bits.
    pub(crate) fn uint(&mut self, width: u32) -> Result<u64, BitError> {
        debug_assert!(width <= 64);
        let mut v = 0u64;
        for _ in 0..width {
            v = (v << 1) | self.bit()? as u64;
        }
        Ok(v)
    }

    /// The 1-based ids of the set bits of a `width`-bit field.
    pub(crate) fn bitfield(&mut self, width: u32) -> Result<Vec<u16>, BitError> {
        let mut ids = Vec::new();
        for id in 1..=width {
            if self.bit()? {
                ids.push(id as u16);
            }
        }
        Ok(ids)
    }

    /// Two letters coded 6 bits each from `A` = 0.
    pub(crate) fn letters(&mut self) -> Result<String, BitError> {
        let a = self.uint(6)? as u8;
        let b = self.uint(6)? as u8;
        Ok([(b'A' + a) as char, (b'A' + b) as char].iter().collect())
    }

    /// A Fibonacci-coded integer (Zeckendorf: bits weigh 1, 2, 3, 5, …; `11` ends it).
    pub(crate) fn fibonacci(&mut self) -> Result<u64, BitError> {
        let (mut weight, mut next) = (1u64, 2u64);
        let mut total = 0u64;
        let mut last = false;
        loop {
            let bit = self.bit()?;
            if bit && last {
                return Ok(total);
            }
            if bit {
                total = total.checked_add(weight).ok_or(BitError::Overflow)?;
            }
            last = bit;
            (weight, next) = (next, weight.checked_add(next).ok_or(BitError::Overflow)?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_across_sextets() {
        // "CP" = 000010 001111
        let mut r = BitReader::new("CP").unwrap();
        assert_eq!(r.uint(6), Ok(2));
        assert_eq!(r.uint(3), Ok(1));
        assert_eq!(r.bitfield(3), Ok(vec![1, 2, 3]));
        assert_eq!(r.bit(), Err(BitError::EndOfString));
        assert!(BitReader::new("a!").is_err());
        for not_url_safe in ["a+", "a/", "aa=="] {
            assert_eq!(BitReader::new(not_url_safe).err(), Some(BitError::BadCharacter), "{not_url_safe}");
        }
        let bits = BitReader::new("CP").unwrap().into_bits();
        assert_eq!(bits.len(), 12);
        let mut r = BitReader::from_bits(bits[..8].to_vec());
        assert_eq!(r.uint(8), Ok(0b0000_1000));
        assert_eq!(r.bit(), Err(BitError::EndOfString));
    }

    #[test]
    fn fibonacci_values() {
        // 1 = "11", 2 = "011", 3 = "0011", 4 = "1011", 7 = "01011" (2 + 5).
        for (bits, want) in [("11", 1), ("011", 2), ("0011", 3), ("1011", 4), ("01011", 7)] {
            let padded = format!("{bits:0<6}");
            let sextet = u8::from_str_radix(&padded, 2).unwrap();
            let text = ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                .chars()
                .nth(sextet as usize)
                .unwrap()]
            .iter()
            .collect::<String>();
            assert_eq!(BitReader::new(&text).unwrap().fibonacci(), Ok(want), "{bits}");
        }
        // A long run without the terminating 11 overflows or ends; it never wraps.
        let long = "q".repeat(40); // 101010…
        assert!(BitReader::new(&long).unwrap().fibonacci().is_err());
    }
}
