//! The error-code catalogue (`borgermode_domain::Code`) is the whole list of codes the server
//! can answer with: every producer names a variant, so this checks that each variant is
//! documented where clients read (docs/protocol.md's "Error codes" table, the OpenAPI
//! document's `Problem.code` enum) and that those list nothing the server never sends.

use std::collections::BTreeSet;

use borgermode_domain::Code;
use utoipa::OpenApi;

fn catalogue() -> BTreeSet<String> {
    Code::ALL.iter().map(|c| c.as_str().to_string()).collect()
}

/// The first column of the table under "### Error codes" in docs/protocol.md.
fn documented_codes() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ))
    .expect("docs/protocol.md");
    let section = doc
        .split("### Error codes")
        .nth(1)
        .expect("an \"Error codes\" section");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            cell.strip_prefix('`')?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn every_code_is_in_the_protocol_document_and_nothing_else_is() {
    let documented = documented_codes();
    let catalogue = catalogue();
    assert!(documented.len() > 20, "table not found: {documented:?}");
    let missing: Vec<_> = catalogue.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&catalogue).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/protocol.md lacks {missing:?}; it lists codes the server never sends: {unknown:?}"
    );
}

#[test]
fn every_code_is_in_the_openapi_problem_schema() {
    let doc = serde_json::to_value(borgermode_server::http::api::openapi::ApiDoc::openapi())
        .expect("OpenAPI as JSON");
    let codes: BTreeSet<String> = doc["components"]["schemas"]["Problem"]["properties"]["code"]
        ["enum"]
        .as_array()
        .expect("Problem.code has an enum")
        .iter()
        .map(|v| v.as_str().expect("string code").to_string())
        .collect();
    assert_eq!(codes, catalogue());
}

#[test]
fn domain_errors_map_into_the_catalogue() {
    use borgermode_domain::DomainError;
    let samples = [
        DomainError::Forbidden,
        DomainError::NameReserved,
        DomainError::MeetingClosed,
        DomainError::SessionEnded,
        DomainError::validation("title", "too long"),
    ];
    for e in samples {
        assert!(Code::ALL.contains(&e.error_code()), "{e:?}");
        assert_eq!(e.code(), e.error_code().as_str());
    }
}
