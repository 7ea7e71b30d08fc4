//! The client's translations (`web/locales/*.json`), for the pages and texts the server renders
//! itself (report, archive, meeting kit, e-mails). One set of strings for client and server, so a
//! wording changed for the page changes in the printed report too.
//!
//! Why a module of its own, below `http/`: the report renderer and the kit are not HTTP
//! concerns, and they must not import the static-file server to get a dictionary.

use std::collections::HashMap;

const DA: &str = include_str!("../../../web/locales/da.json");
const EN: &str = include_str!("../../../web/locales/en.json");

/// The plain strings of one language ("en"; anything else is Danish, the default). Plural
/// entries are objects in the JSON; the server's pages use plain strings only.
pub fn strings(lang: &str) -> HashMap<String, String> {
    let text = if lang == "en" { EN } else { DA };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).unwrap_or_default();
    map.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_parse_and_share_a_key() {
        let da = strings("da");
        let en = strings("en");
        assert!(da.len() > 50, "{}", da.len());
        assert!(en.len() > 50, "{}", en.len());
        assert_ne!(da.get("app.loading"), en.get("app.loading"));
    }
}
