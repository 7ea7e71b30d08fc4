//! The OpenAPI document (`/api/openapi.json`) as a third party meets it.
//!
//! Why this exists: the document is how other programs learn the HTTP API, so a client
//! generated from it must work against the server without hand edits. Each test can fail on
//! its own:
//! - `openapi-spec-validator` (PyPI) accepts the document a real server serves;
//! - rules a validator does not check, read against docs/protocol.md's route tables: unique
//!   operationIds, every parameter where the server reads it, every error status the docs list
//!   for a route, errors as `application/problem+json` with the Problem schema, optional bodies
//!   not required, a security scheme on every route that answers 401;
//! - `openapi-python-client` (PyPI) generates a client without a warning, and
//!   `tests/openapi/meeting.py` plays one small meeting with it against this server and checks
//!   that the schemas' limits are the server's (see that file).
//!
//! The Python tools come from the venv that `.ci/run` makes from `.ci/openapi-requirements.txt`;
//! `BORGERMODE_OPENAPI_PYTHON` names its interpreter (default `python3`, which then needs them).
#![allow(clippy::print_stdout)] // the meeting script's summary line, for the test's log

use crate::common::routes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::common::app::{spawn_app, TestApp, ADMIN_TOKEN};
use serde_json::Value;

fn python() -> String {
    std::env::var("BORGERMODE_OPENAPI_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The tools' directory first on PATH (the generator runs helpers from the venv's bin).
fn tool(args: &[&str]) -> Command {
    let python = python();
    let mut cmd = Command::new(&python);
    cmd.args(args);
    if let Some(bin) = Path::new(&python).parent().filter(|p| p.is_dir()) {
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", bin.display()));
    }
    cmd
}

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi")
}

async fn served_document(app: &TestApp) -> Value {
    let resp = app
        .http
        .get(app.url(&routes::openapi_json()))
        .send()
        .await
        .expect("GET the OpenAPI document");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("the document is JSON")
}

fn write_document(doc: &Value, dir: &Path) -> PathBuf {
    let path = dir.join("openapi.json");
    std::fs::write(&path, serde_json::to_vec_pretty(doc).expect("serialize")).expect("write");
    path
}

/// Run a tool to its end (at most 5 minutes), without blocking the runtime the server runs on.
async fn run(cmd: &mut Command, what: &str) -> String {
    let out = tokio::time::timeout(Duration::from_secs(300), cmd.kill_on_drop(true).output())
        .await
        .unwrap_or_else(|_| panic!("{what}: still running after 5 minutes"))
        .unwrap_or_else(|e| panic!("{what}: cannot start {} ({e}); see .ci/run", python()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

#[tokio::test]
async fn document_passes_openapi_spec_validator() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_document(&doc, dir.path());
    let out = run(
        tool(&[
            "-c",
            "import json, sys\n\
             from openapi_spec_validator import validate\n\
             validate(json.load(open(sys.argv[1])))\n\
             print('valid')",
        ])
        .arg(&path),
        "openapi-spec-validator",
    )
    .await;
    assert!(out.contains("valid"), "{out}");
    app.shutdown().await;
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `/api/meetings/{id}/posts/{post}` -> `/api/meetings/{}/posts/{}`: docs and document may name
/// the parameters differently.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// A route of docs/protocol.md's tables (3.1 and 3.8).
#[derive(Debug)]
struct DocRoute {
    method: String,
    path: String,
    body: String,
    errors: BTreeSet<String>,
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

fn documented_routes() -> Vec<DocRoute> {
    let md = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md"),
    )
    .expect("docs/protocol.md");
    let mut routes = Vec::new();
    for line in md.lines() {
        let line = line.replace("\\|", "/");
        let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
        if cells.len() != 6 {
            continue;
        }
        let methods: Vec<String> = backticked(cells[0])
            .into_iter()
            .filter(|m| METHODS.contains(&m.to_lowercase().as_str()))
            .collect();
        let paths = backticked(cells[1]);
        let Some(first) = paths.first().filter(|p| p.starts_with('/')) else {
            continue;
        };
        if methods.is_empty() {
            continue;
        }
        let first = first.split('?').next().unwrap_or(first).to_string();
        let mut all = vec![first.clone()];
        // "`/api/meetings/{id}/report.csv` / `report.html`": a sibling of the first path.
        for sibling in paths.iter().skip(1).filter(|p| !p.starts_with('/')) {
            let parent = first.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            all.push(format!("{parent}/{sibling}"));
        }
        let errors: BTreeSet<String> = cells[5]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| n.len() == 3 && (n.starts_with('4') || n.starts_with('5')))
            .map(String::from)
            .collect();
        for m in &methods {
            for p in &all {
                routes.push(DocRoute {
                    method: m.to_lowercase(),
                    path: p.clone(),
                    body: cells[3].to_string(),
                    errors: errors.clone(),
                });
            }
        }
    }
    routes
}

#[tokio::test]
async fn document_agrees_with_the_protocol_reference() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    app.shutdown().await;
    let mut faults: Vec<String> = Vec::new();
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut operations: BTreeMap<(String, String), Value> = BTreeMap::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let template: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .map(String::from)
            .collect();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let name = format!("{} {path}", method.to_uppercase());
            operations.insert((method.to_string(), shape(path)), op.clone());
            match op["operationId"].as_str() {
                Some(id) => ids.entry(id.to_string()).or_default().push(name.clone()),
                None => faults.push(format!("{name}: no operationId")),
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path: BTreeSet<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str().map(String::from))
                .collect();
            if in_path != template {
                faults.push(format!(
                    "{name}: path parameters {in_path:?}, the path has {template:?}"
                ));
            }
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            for (status, resp) in &responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if *status == "503" && path == "/readyz" {
                    continue; // Readiness, not a problem: the body says what is down.
                }
                let content = resp["content"].as_object().cloned().unwrap_or_default();
                let keys: Vec<&String> = content.keys().collect();
                let problem = content
                    .get("application/problem+json")
                    .and_then(|c| c["schema"]["$ref"].as_str())
                    == Some("#/components/schemas/Problem");
                if keys.len() != 1 || !problem {
                    faults.push(format!(
                        "{name} {status}: declared as {keys:?}, not application/problem+json with Problem"
                    ));
                }
            }
            // Sign-ins answer 401 for the credentials in their body, not for a missing scheme.
            let sign_in = method == "post"
                && (*path == routes::admin_session() || *path == routes::account_session());
            let can_401 = responses.contains_key("401") && !sign_in;
            if can_401 && op["security"].as_array().is_none_or(|s| s.is_empty()) {
                faults.push(format!("{name}: answers 401 but names no security scheme"));
            }
        }
    }
    for (id, users) in &ids {
        if users.len() > 1 {
            faults.push(format!("operationId {id} is used by {users:?}"));
        }
    }
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for op in operations.values() {
        for req in op["security"].as_array().cloned().unwrap_or_default() {
            for scheme in req
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if !schemes.contains_key(&scheme) {
                    faults.push(format!("security scheme {scheme} is not defined"));
                }
            }
        }
    }
    let routes = documented_routes();
    assert!(routes.len() > 80, "read the route tables: {}", routes.len());
    for r in &routes {
        let name = format!("{} {}", r.method.to_uppercase(), r.path);
        if r.path == routes::openapi_json() || r.path == routes::api_docs() {
            continue; // The document does not describe itself.
        }
        let Some(op) = operations.get(&(r.method.clone(), shape(&r.path))) else {
            faults.push(format!("{name}: in docs/protocol.md, not in the document"));
            continue;
        };
        let declared: BTreeSet<String> = op["responses"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let missing: Vec<&String> = r.errors.difference(&declared).collect();
        if !missing.is_empty() {
            faults.push(format!(
                "{name}: docs list {missing:?}, the document does not"
            ));
        }
        let optional = r.body.starts_with("optional") || r.body.contains("or none");
        if optional && op["requestBody"]["required"] == Value::Bool(true) {
            faults.push(format!(
                "{name}: the body is optional, the document requires it"
            ));
        }
    }
    // The participant session: the routes only participants use name it.
    for (method, path) in [
        ("post", routes::posts("{}")),
        ("get", routes::me("{}")),
        ("post", routes::answer("{}", "{}")),
    ] {
        let op = &operations[&(method.to_string(), path.clone())];
        let names: BTreeSet<String> = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_object())
            .flat_map(|o| o.keys().cloned())
            .collect();
        for scheme in ["participant_session", "participant_cookie"] {
            if !names.contains(scheme) {
                faults.push(format!("{method} {path}: no {scheme} security"));
            }
        }
    }
    assert!(
        faults.is_empty(),
        "{} faults in the OpenAPI document:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

#[tokio::test]
async fn a_generated_client_runs_a_meeting() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_document(&doc, dir.path());
    let client_dir = dir.path().join("client");
    // openapi-python-client 0.29.1 writes a module that does not import (`Unset` undefined)
    // for a body with several binary media types: it gets the logo upload as image/png only.
    // The server reads the type from the bytes, so the client still uploads any of the three.
    let mut for_generator = doc.clone();
    let logo = &mut for_generator["paths"][routes::organization_logo("{id}")]["put"]["requestBody"]
        ["content"];
    let png = logo["image/png"].take();
    assert!(
        png.is_object(),
        "the logo upload declares image/png: {logo}"
    );
    *logo = serde_json::json!({ "image/png": png });
    let gen_dir = dir.path().join("for-generator");
    std::fs::create_dir_all(&gen_dir).expect("mkdir");
    let gen_path = write_document(&for_generator, &gen_dir);
    let out = run(
        tool(&["-m", "openapi_python_client", "generate", "--path"])
            .arg(&gen_path)
            .arg("--output-path")
            .arg(&client_dir)
            .arg("--config")
            .arg(tests_dir().join("generator.yaml")),
        "openapi-python-client generate",
    )
    .await;
    // The generator leaves out what it cannot handle and says so: a client with holes.
    assert!(
        !out.to_lowercase().contains("warning"),
        "the generator warned:\n{out}"
    );
    let out = run(
        tool(&[tests_dir().join("meeting.py").to_str().expect("utf-8 path")])
            .arg(&path)
            .env("PYTHONPATH", &client_dir)
            .env("BORGERMODE_BASE", &app.base)
            .env("BORGERMODE_ADMIN_TOKEN", ADMIN_TOKEN),
        "tests/openapi/meeting.py with the generated client",
    )
    .await;
    println!("{out}");
    assert!(out.contains(": ok;"), "{out}");
    app.shutdown().await;
}
