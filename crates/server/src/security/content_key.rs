//! Keyed content hashes. Every piece of personal text in the log (names, posts, report
//! reasons, written answers) is represented in its event, and so in the audit chain and the
//! exports, by a hash that stays after the text is erased. A plain SHA-256 would let anyone
//! holding an export or the `events` table confirm a guess ("was it Anna Jensen?") by hashing
//! a list of likely names. So the hash is HMAC-SHA256 under a per-installation secret
//! (`--content-hash-key`, or generated once and kept in the database's `settings` table):
//! without the key, an erased text cannot be confirmed.
//!
//! The audit chain links events over these stored hashes, never over the text, so
//! `borgermode audit verify` needs no key. Events stored before this change keep their plain
//! hashes (rewriting them would break their links).

use borgermode_domain::EventKind;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::{Store, StoreError};

/// The `settings` row holding a generated key.
const KEY_SETTING: &str = "content_hash_key";

/// HMAC-SHA256 of `text` under `key`, hex.
pub fn keyed_hash(key: &str, text: &str) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Replace the plain hashes `decide` computed with keyed ones, before the events are stored.
pub fn key_contents(key: &str, kinds: &mut [EventKind]) {
    for kind in kinds {
        for content in kind.contents_mut() {
            if let Some(text) = &content.text {
                content.hash = keyed_hash(key, text);
            }
        }
    }
}

/// The installation's key: the configured one, else the one in the store, else a new one
/// (stored, so every instance and every restart uses the same).
pub async fn load_or_create(
    store: &dyn Store,
    configured: Option<&str>,
) -> Result<String, StoreError> {
    if let Some(key) = configured {
        return Ok(key.to_string());
    }
    if let Some(key) = store.setting(KEY_SETTING).await? {
        return Ok(key);
    }
    let key = format!(
        "{}{}",
        crate::security::auth::new_secret(),
        crate::security::auth::new_secret()
    );
    store.put_setting(KEY_SETTING, &key).await?;
    // Two instances starting at once may both have written: read back the one that stayed.
    Ok(store.setting(KEY_SETTING).await?.unwrap_or(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_differ_by_key_and_from_the_plain_hash() {
        use sha2::Digest;
        let plain = hex::encode(Sha256::digest(b"Anna Jensen"));
        let a = keyed_hash("key-a", "Anna Jensen");
        assert_eq!(a.len(), 64);
        assert_ne!(a, plain);
        assert_ne!(a, keyed_hash("key-b", "Anna Jensen"));
        assert_eq!(a, keyed_hash("key-a", "Anna Jensen"));
        // RFC 4231 test case 2.
        assert_eq!(
            keyed_hash("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
