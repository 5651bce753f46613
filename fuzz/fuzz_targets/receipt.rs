#![no_main]
//! What `crowdlens verify` reads from outside: a signed envelope, a public key and an answer,
//! each any bytes. Nothing may panic, and nothing but the store's own signature may verify.
use crowdlens_evidence::{answer_digest, canonical_json, check_answer, read_public_key, Envelope, StoreKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = read_public_key(text);
    let key = StoreKey::from_seed(&[7; 32]).public();
    if let Ok(envelope) = serde_json::from_str::<Envelope>(text) {
        // A forged envelope never verifies under a key whose secret the input cannot know.
        assert!(envelope.verify(&key, None).is_err());
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let once = canonical_json(&value);
        // Canonical JSON reads back as the same document, and writes the same again.
        let again: serde_json::Value = serde_json::from_str(&once).expect("canonical JSON is JSON");
        assert_eq!(canonical_json(&again), once);
        let _ = answer_digest(&value);
        let _ = check_answer(&value, &value);
    }
});
