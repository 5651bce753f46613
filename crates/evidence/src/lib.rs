//! Signed evidence: the store's Ed25519 key (ed25519-dalek), the envelope every signed document
//! travels in (answer receipts, transparency reports), and the canonical JSON an answer's digest
//! is taken over.
//!
//! # Envelope
//! `{"format": "crowdlens-signed/1", "kind": KIND, "payload": PAYLOAD, "public_key": HEX,
//! "signature": HEX}`, where `PAYLOAD` is a JSON document carried as a string, so that its bytes
//! are exactly what was signed, and the signature is Ed25519 over
//! `"crowdlens-signed/1\n" ‖ KIND ‖ "\n" ‖ PAYLOAD` (UTF-8). Anyone holding the store's public
//! key checks it with any Ed25519 library: nothing about it needs crowdlens.
//!
//! # Canonical JSON
//! An answer's digest is the hex SHA-256 of its fields ([`ANSWER_FIELDS`]) written as Python's
//! `json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes them:
//! keys sorted, no spaces, integers as integers and floats as Python's `repr`. A verifier in
//! another language reproduces it from the answer it was given, whichever surface gave it.

use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a signed document or a signing key failed on.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("signature check failed: {0}")]
    BadSignature(String),
    #[error("{0}")]
    Io(String),
}

pub const FORMAT: &str = "crowdlens-signed/1";
/// The kind of an answer's receipt.
pub const RECEIPT: &str = "receipt";
/// The kind of a signed transparency report.
pub const TRANSPARENCY_REPORT: &str = "transparency_report";

/// The fields of an answer its receipt's digest covers: what every surface that gives the
/// answer (`ask --json`, `answers show --json`, `POST /v1/ask`, a job's result, a kept answer)
/// writes alike. Anything else beside them (`kept`, `receipt`, `reused`) is not the release.
pub const ANSWER_FIELDS: [&str; 15] = [
    "question",
    "asked",
    "tiled",
    "epsilon",
    "delta",
    "epochs",
    "mechanism",
    "max_partitions",
    "confidence",
    "case",
    "purpose",
    "audit_id",
    "charged_in",
    "rows",
    "derived",
];

/// What the surfaces that give an answer write beside it, unsigned: its audit id (which the
/// receipt names), the receipt itself, a kept answer's `kept` and a re-used one's `reused`.
pub const BESIDE_THE_ANSWER: [&str; 4] = ["audit_id", "receipt", "kept", "reused"];

/// A signed document as it is handed out and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub kind: String,
    pub payload: String,
    pub public_key: String,
    pub signature: String,
}

impl Envelope {
    /// The bytes the signature covers.
    fn message(kind: &str, payload: &str) -> Vec<u8> {
        format!("{FORMAT}\n{kind}\n{payload}").into_bytes()
    }

    /// The payload, parsed.
    pub fn payload(&self) -> Result<Value, EvidenceError> {
        serde_json::from_str(&self.payload).map_err(|e| EvidenceError::BadSignature(format!("its payload is not JSON: {e}")))
    }

    /// Checks the signature against `key` (never against the key the envelope names, which
    /// whoever forged it would have chosen) and that the envelope is of `kind` when given.
    pub fn verify(&self, key: &VerifyingKey, kind: Option<&str>) -> Result<Value, EvidenceError> {
        if self.format != FORMAT {
            return Err(EvidenceError::BadSignature(format!("format {:?} is not {FORMAT}", self.format)));
        }
        if let Some(kind) = kind {
            if self.kind != kind {
                return Err(EvidenceError::BadSignature(format!("it is a {}, not a {kind}", self.kind)));
            }
        }
        if !self.public_key.eq_ignore_ascii_case(&hex::encode(key.as_bytes())) {
            return Err(EvidenceError::BadSignature(
                "it names another public key than the one given: it was signed by another store's key, or its key was \
                 replaced"
                    .into(),
            ));
        }
        let bytes = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| EvidenceError::BadSignature("its signature is not 64 bytes of hex".into()))?;
        key.verify(&Envelope::message(&self.kind, &self.payload), &Signature::from_bytes(&bytes)).map_err(|_| {
            EvidenceError::BadSignature(
                "the signature does not match: the document was altered after it was signed, or another key signed it"
                    .into(),
            )
        })?;
        self.payload()
    }
}

/// The store's signing key.
pub struct StoreKey {
    key: SigningKey,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreKey(public {})", self.public_hex())
    }
}

impl StoreKey {
    /// Creates a new key at `path` (owner-only, never overwritten), from the OS's randomness.
    pub fn create(path: &Path) -> Result<StoreKey, EvidenceError> {
        use rand::TryRngCore;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.try_fill_bytes(&mut seed).map_err(|e| EvidenceError::Io(format!("no OS randomness: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let io = |e: std::io::Error| EvidenceError::Io(format!("{}: {e}", path.display()));
        let mut file = options.open(path).map_err(io)?;
        std::io::Write::write_all(&mut file, hex::encode(seed).as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(StoreKey { key: SigningKey::from_bytes(&seed) })
    }

    /// The key of a 32-byte seed (tests and fuzzing; a store's key comes from [`StoreKey::create`]).
    pub fn from_seed(seed: &[u8; 32]) -> StoreKey {
        StoreKey { key: SigningKey::from_bytes(seed) }
    }

    /// Reads the key at `path`, or `None` if there is no file.
    pub fn load(path: &Path) -> Result<Option<StoreKey>, EvidenceError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EvidenceError::Io(format!("{}: {e}", path.display()))),
        };
        let seed = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| EvidenceError::Io(format!("{}: not a signing key (64 hex digits)", path.display())))?;
        Ok(Some(StoreKey { key: SigningKey::from_bytes(&seed) }))
    }

    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.public().as_bytes())
    }

    /// Signs `payload` as a document of `kind`.
    pub fn sign(&self, kind: &str, payload: &Value) -> Envelope {
        let payload = payload.to_string();
        let signature = self.key.sign(&Envelope::message(kind, &payload));
        Envelope {
            format: FORMAT.into(),
            kind: kind.into(),
            payload,
            public_key: self.public_hex(),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// A commitment to the digests of the sources an answer was computed from: HMAC-SHA256 under
    /// a key derived from the signing key, over the sorted digests, one per line. A source's
    /// digest is a function of its rows, so the digests themselves are not handed to askers; the
    /// operator, who holds the key, can show a court which sources a receipt names
    /// ([`StoreKey::commit_sources`] again, `audit verify --receipts`).
    pub fn commit_sources(&self, digests: &[String]) -> String {
        use hmac::{Hmac, Mac};
        let mut sorted: Vec<&str> = digests.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let key = Sha256::new().chain_update(b"crowdlens sources commitment v1\n").chain_update(self.key.to_bytes()).finalize();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(sorted.join("\n").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The public key as PEM (SubjectPublicKeyInfo), what `key export-public` writes: OpenSSL,
/// Python's `cryptography` and every Ed25519 library read it.
pub fn public_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).expect("an Ed25519 key encodes")
}

/// The public key as 64 hex digits, as an envelope names it.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Reads a public key as `key export-public` writes it (PEM), or as 64 hex digits.
pub fn read_public_key(text: &str) -> Result<VerifyingKey, EvidenceError> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return VerifyingKey::from_public_key_pem(text)
            .map_err(|e| EvidenceError::BadSignature(format!("not an Ed25519 public key in PEM: {e}")));
    }
    let bytes = hex::decode(text)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| EvidenceError::BadSignature("a public key is PEM (from `crowdlens key export-public`) or 64 hex digits".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| EvidenceError::BadSignature(format!("not an Ed25519 public key: {e}")))
}

/// The digest a receipt records for an answer: see the module's "Canonical JSON".
pub fn answer_digest(answer: &Value) -> String {
    let mut fields = serde_json::Map::new();
    for name in ANSWER_FIELDS {
        if let Some(v) = answer.get(name) {
            fields.insert(name.into(), v.clone());
        }
    }
    hex::encode(Sha256::digest(canonical_json(&Value::Object(fields)).as_bytes()))
}

/// Checks that `answer` is the answer a receipt's `payload` was signed for: its digest (of
/// [`ANSWER_FIELDS`] but its audit id) and its audit id.
pub fn check_answer(payload: &Value, answer: &Value) -> Result<(), EvidenceError> {
    // Anything beside the signed fields would be read as part of the answer without being
    // signed: refused, but for what the surfaces add about it.
    let signed_fields: Vec<&str> = payload["digest_of"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if let Some(extra) = answer.as_object().and_then(|o| {
        o.keys().find(|k| !signed_fields.contains(&k.as_str()) && !BESIDE_THE_ANSWER.contains(&k.as_str()))
    }) {
        return Err(EvidenceError::BadSignature(format!(
            "the answer holds a field the receipt does not sign ({extra:?}): it was added after release"
        )));
    }
    let mut released = answer.clone();
    if let Some(fields) = released.as_object_mut() {
        fields.remove("audit_id");
    }
    let digest = answer_digest(&released);
    let signed = payload["answer_digest"].as_str().unwrap_or_default();
    if digest != signed {
        return Err(EvidenceError::BadSignature(format!(
            "the answer's digest is {digest}, but the receipt was signed for {signed}: the answer was altered, or it is another answer"
        )));
    }
    let named = payload["audit"]["answered"]["id"].as_i64();
    if answer.get("audit_id").and_then(Value::as_i64) != named {
        return Err(EvidenceError::BadSignature(format!(
            "the answer names audit entry {}, but the receipt names {}",
            answer.get("audit_id").map_or("none".into(), Value::to_string),
            named.map_or("none".into(), |n| n.to_string())
        )));
    }
    Ok(())
}

/// JSON as Python's `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(&v.to_string()),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) if !n.is_f64() => out.push_str(&i.to_string()),
            (_, Some(u), _) if !n.is_f64() => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&python_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(&fields[key], out);
            }
            out.push('}');
        }
    }
}

/// A finite float as Python's `repr` writes it: the shortest digits that read back as the same
/// float, in positional notation for exponents -4 to 15 (with `.0` when whole), else as
/// `d.ddde±XX`.
fn python_float(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // Rust's `{:e}` writes the shortest round-trip digits: `-1.2345e-7`.
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{body}")
    } else {
        let tail = if digits.len() > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        let esign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{}{tail}e{esign}{:02}", &digits[..1], exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        // Each pair is (value, Python's repr of it).
        for (x, py) in [
            (0.5, "0.5"),
            (1.0, "1.0"),
            (-3.0, "-3.0"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (123456789012345.0, "123456789012345.0"),
            (1e16, "1e+16"),
            (1.2345e17, "1.2345e+17"),
            (12.345678901234567, "12.345678901234567"),
            (-0.0, "-0.0"),
            (0.95, "0.95"),
            (2.220446049250313e-16, "2.220446049250313e-16"),
            (1e22, "1e+22"),
        ] {
            assert_eq!(python_float(x), py, "{x:?}");
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_keeps_integers() {
        let v: Value = serde_json::from_str(r#"{"b":[1,2.0,{"z":null,"a":"é\n"}],"a":-7}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":-7,"b":[1,2.0,{"a":"é\n","z":null}]}"#);
    }

    #[test]
    fn a_signed_document_verifies_and_any_change_fails() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::create(&dir.path().join("signing.key")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("signing.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(StoreKey::create(&dir.path().join("signing.key")).is_err(), "a key is never overwritten");
        let loaded = StoreKey::load(&dir.path().join("signing.key")).unwrap().unwrap();
        assert_eq!(loaded.public_hex(), key.public_hex());
        let envelope = key.sign(RECEIPT, &serde_json::json!({"epsilon": 0.5}));
        let public = read_public_key(&public_pem(&key.public())).unwrap();
        assert_eq!(envelope.verify(&public, Some(RECEIPT)).unwrap()["epsilon"], 0.5);
        let mut tampered = envelope.clone();
        tampered.payload = tampered.payload.replace("0.5", "0.1");
        assert!(matches!(tampered.verify(&public, None), Err(EvidenceError::BadSignature(m)) if m.contains("does not match")));
        assert!(envelope.verify(&public, Some(TRANSPARENCY_REPORT)).is_err());
        let other = StoreKey::create(&dir.path().join("other.key")).unwrap();
        assert!(envelope.verify(&other.public(), None).is_err());
        // The envelope naming the other key does not help a forger: the given key decides.
        let mut renamed = envelope.clone();
        renamed.public_key = other.public_hex();
        assert!(renamed.verify(&other.public(), None).is_err());
        assert_ne!(key.commit_sources(&["b".into(), "a".into()]), other.commit_sources(&["a".into(), "b".into()]));
        assert_eq!(key.commit_sources(&["b".into(), "a".into()]), key.commit_sources(&["a".into(), "b".into()]));
    }
}
