//! Numbers and flags as real exchanges send them. OpenRTB says `"lat": 44.97` and `"gdpr": 1`,
//! but logs from several exchanges carry `"lat": "44.97"`, `"gdpr": "1"` or `"gpp_sid": "7,8"`.
//! Each reader here takes the number or its decimal text; anything else is an error, so the
//! request is quarantined rather than read with a field silently missing. A consent flag that
//! cannot be read must never become "does not apply".

use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// A JSON number or a string holding one; `null` and `""` read as absent.
pub fn number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Number,
{
    d.deserialize_any(NumberVisitor(PhantomData))
}

/// The numeric types requests hold.
pub trait Number: FromStr + Sized {
    fn from_f64(v: f64) -> Option<Self>;
    fn from_i128(v: i128) -> Option<Self>;
}

impl Number for f64 {
    fn from_f64(v: f64) -> Option<Self> {
        v.is_finite().then_some(v)
    }
    fn from_i128(v: i128) -> Option<Self> {
        Some(v as f64)
    }
}

macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl Number for $ty {
            fn from_f64(v: f64) -> Option<Self> {
                // 1.0 is 1; 1.5 is not an integer and is refused.
                (v.fract() == 0.0 && v >= <$ty>::MIN as f64 && v <= <$ty>::MAX as f64).then(|| v as $ty)
            }
            fn from_i128(v: i128) -> Option<Self> {
                <$ty>::try_from(v).ok()
            }
        }
    )*};
}
integer!(u8, u16, i64);

struct NumberVisitor<T>(PhantomData<T>);

impl<'de, T: Number> Visitor<'de> for NumberVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_i128(v.into()).map(Some).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i128(v.into()).map(Some).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v).map(Some).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        if let Ok(parsed) = v.parse::<T>() {
            return Ok(Some(parsed));
        }
        // "1.0" for an integer field.
        match v.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom("a string that is not a number")),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// OpenRTB booleans are integers 0/1; exchanges also send JSON booleans and the strings "0",
/// "1", "true" and "false". Anything else is an error, never "false".
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct FlagVisitor;
    impl<'de> Visitor<'de> for FlagVisitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("0, 1, true, false or null")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            match v {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(E::custom("a flag must be 0 or 1")),
            }
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v).map_err(|_| E::custom("a flag must be 0 or 1")).and_then(|v| self.visit_u64(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            match v {
                0.0 => Ok(Some(false)),
                1.0 => Ok(Some(true)),
                _ => Err(E::custom("a flag must be 0 or 1")),
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                "0" => Ok(Some(false)),
                "1" => Ok(Some(true)),
                s if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                s if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                _ => Err(E::custom("a flag must be 0 or 1")),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(FlagVisitor)
}

/// `regs.gpp_sid`: an array of section ids (numbers or numeric strings), or one string of ids
/// separated by commas or underscores, as some exchanges flatten it.
pub fn section_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u16>>, D::Error> {
    struct SidVisitor;
    impl<'de> Visitor<'de> for SidVisitor {
        type Value = Option<Vec<u16>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of GPP section ids, or a string of them")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            #[derive(serde::Deserialize)]
            #[serde(transparent)]
            struct Id(#[serde(deserialize_with = "number")] Option<u16>);
            let mut ids = Vec::new();
            while let Some(Id(id)) = seq.next_element()? {
                ids.push(id.ok_or_else(|| de::Error::custom("an empty section id"))?);
            }
            Ok(Some(ids))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let parts: Vec<&str> = v.split([',', '_', ' ']).filter(|p| !p.is_empty()).collect();
            if parts.is_empty() {
                return Ok(None);
            }
            parts
                .iter()
                .map(|p| p.parse::<u16>().map_err(|_| E::custom("a section id that is not a number")))
                .collect::<Result<Vec<u16>, E>>()
                .map(Some)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            u16::try_from(v).map(|id| Some(vec![id])).map_err(|_| E::custom("section id out of range"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(SidVisitor)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Sample {
        #[serde(default, deserialize_with = "super::number")]
        lat: Option<f64>,
        #[serde(default, deserialize_with = "super::number")]
        kind: Option<u8>,
        #[serde(default, deserialize_with = "super::flag")]
        gdpr: Option<bool>,
        #[serde(default, deserialize_with = "super::section_ids")]
        sid: Option<Vec<u16>>,
    }

    fn read(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_as_text_read_as_numbers() {
        let s = read(r#"{"lat":"44.97","kind":"1","gdpr":"1","sid":"7,8"}"#).unwrap();
        assert_eq!((s.lat, s.kind, s.gdpr, s.sid), (Some(44.97), Some(1), Some(true), Some(vec![7, 8])));
        let s = read(r#"{"lat":44.97,"kind":1.0,"gdpr":true,"sid":["7", 8]}"#).unwrap();
        assert_eq!((s.lat, s.kind, s.gdpr, s.sid), (Some(44.97), Some(1), Some(true), Some(vec![7, 8])));
        let s = read(r#"{"lat":"","kind":null,"gdpr":"","sid":""}"#).unwrap();
        assert_eq!((s.lat, s.kind, s.gdpr, s.sid), (None, None, None, None));
    }

    #[test]
    fn text_that_is_no_number_is_an_error_not_absent() {
        for bad in [
            r#"{"lat":"north"}"#,
            r#"{"kind":"1.5"}"#,
            r#"{"kind":300}"#,
            r#"{"gdpr":"yes"}"#,
            r#"{"gdpr":2}"#,
            r#"{"sid":"7,x"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
