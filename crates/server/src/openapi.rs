//! The OpenAPI document served at `/v1/openapi.json`.

pub fn openapi_document() -> serde_json::Value {
    let error = serde_json::json!({"$ref": "#/components/schemas/Error"});
    let errors = |codes: &[&str]| -> serde_json::Value {
        codes
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    serde_json::json!({"description": "error", "content": {"application/json": {"schema": error}}}),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let mut ask_responses = errors(&["400", "401", "403", "404", "409", "413", "429", "504"]);
    ask_responses["200"] = serde_json::json!({"description": "a released answer, or the price with dry_run",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}});
    let mut read_responses = errors(&["401", "403", "429"]);
    read_responses["200"] =
        serde_json::json!({"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}});
    let errors_with_ok = |codes: &[&str]| -> serde_json::Value {
        let mut r = errors(codes);
        r["200"] =
            serde_json::json!({"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}});
        r
    };
    let job_responses = |codes: &[&str], ok: &str| -> serde_json::Value {
        let mut r = errors(codes);
        r[ok] = serde_json::json!({"description": "the job's status",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}});
        r
    };
    let mut retention_responses = errors(&["400", "401", "403", "409", "429"]);
    retention_responses["200"] = serde_json::json!({"description": "the expired epochs, shredded unless dry_run; no row or segment counts",
        "content": {"application/json": {"schema": {"type": "object",
            "required": ["retention_weeks", "cutoff", "dry_run", "epochs"],
            "properties": {
                "retention_weeks": {"type": "integer"}, "cutoff": {"type": "string", "format": "date-time"},
                "dry_run": {"type": "boolean"},
                "epochs": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                    "required": ["epoch", "key", "resumed"],
                    "properties": {"epoch": {"type": "string"}, "key": {"type": "boolean"}, "resumed": {"type": "boolean"}}}}}}}}});
    let kinds = crowdlens_query::questions::kinds();
    let ask_schemas = ask_schemas();
    let ask_refs: Vec<serde_json::Value> =
        ask_schemas.keys().map(|name| serde_json::json!({"$ref": format!("#/components/schemas/{name}")})).collect();
    let mut document = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "crowdlens", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Differentially private answers about places, times and flows. Every answer is charged to a per-epoch budget and audited."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"],
                          "properties": {"code": {"type": "string", "description": "stable; a refused question's is the code its audit entry records"},
                                         "message": {"type": "string"},
                                         "field": {"type": "string", "description": "the question parameter the error is about, when it names one"}}},
                "Answer": {"type": "object", "properties": {
                    "question": {"type": "string"},
                    "asked": {"type": "object", "description": "the whole question: its kind and every parameter, defaults filled in"},
                    "tiled": {"type": "object", "properties": {"res": {"type": "integer"}, "cells": {"type": "integer"}}},
                    "epsilon": {"type": "number"}, "delta": {"type": "number"},
                    "epochs": {"type": "array", "items": {"type": "string"}},
                    "rows": {"type": "array", "items": {"type": "object"}}}},
                "Job": {"type": "object", "required": ["id", "question", "dry_run", "status", "stage", "progress", "submitted"],
                    "properties": {
                        "id": {"type": "string", "description": "random; only the token that submitted the job sees it"},
                        "question": {"type": "string", "enum": kinds},
                        "dry_run": {"type": "boolean"},
                        "status": {"type": "string", "enum": ["running", "done", "failed", "cancelled"]},
                        "stage": {"type": "string", "enum": ["queued", "checking", "reading", "releasing", "finished"]},
                        "progress": {"type": "number", "minimum": 0, "maximum": 1, "description": "an estimate for a progress bar"},
                        "submitted": {"type": "string", "format": "date-time"},
                        "finished": {"type": "string", "format": "date-time", "nullable": true},
                        "error": {"type": "object", "nullable": true, "description": "a failed job's error, as /v1/ask would have returned it, with its HTTP status"},
                        "answer": {"type": "integer", "nullable": true, "description": "the kept answer a finished job gave (/v1/answers/{id})"}}}
            }
        },
        "paths": {
            "/v1/health": {"get": {"summary": "liveness, the API's major version (api_version; clients refuse majors they do not know) and crowdlens' version; no token", "responses": {"200": {"description": "ok"}}}},
            "/v1/openapi.json": {"get": {"summary": "this document; no token", "responses": {"200": {"description": "ok"}}}},
            "/v1/token": {"get": {"summary": "the calling token's name and role", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/budget": {"get": {"summary": "the budget rules and ε/δ spent and remaining per epoch (any role); spend per case and purpose (by_case) for every case to auditors and admins, and to an analyst only for the questions of their own token (by_case_scope: all or token)", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/store": {"get": {"summary": "the store's public settings and rules, its first and last day, and where its map opens (any role)", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/cells": {"post": {"summary": "outlines of H3 cells as [[lon, lat], ...] (any role); reads no data: either the cells named, or the grid of every cell at res whose centre lies in a bbox: area",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "cells": {"type": "array", "maxItems": 5000, "items": {"type": "string"}},
                        "grid": {"type": "string", "description": "bbox:minlon,minlat,maxlon,maxlat"},
                        "res": {"type": "integer", "minimum": 0, "maximum": 15}}}}}},
                "responses": read_responses}},
            "/v1/places": {"get": {"summary": "place names from the vendored gazetteer (GeoNames cities of at least 1,000 inhabitants; any role; reads no store): a search by name (q), best match first, each with a box about it that can serve as an area, or the largest places in a map's box (bbox)",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "q", "in": "query", "required": false, "schema": {"type": "string", "maxLength": 200}},
                    {"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"}, "description": "minlon,minlat,maxlon,maxlat"},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 200}}],
                "responses": errors_with_ok(&["400", "401", "429"])}},
            "/v1/answers": {"get": {"summary": "kept answers, newest first: an analyst's own, or all for an auditor",
                "security": [{"bearer": []}],
                "parameters": [{"name": "case", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": read_responses}},
            "/v1/answers/{id}": {"get": {"summary": "re-read a kept answer without a charge; its digest is checked against the audit entry",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "adjust", "in": "query", "required": false, "schema": {"type": "boolean"},
                     "description": "add post-processed values (non-negative, totals consistent with their parts) beside the raw ones, labelled; free"}],
                "responses": errors_with_ok(&["401", "403", "404", "409", "429"])}},
            "/v1/answers/{id}/export": {"get": {"summary": "a kept answer as a file that carries its question: CSV (lines starting with # hold the question), JSON, GeoJSON (cell polygons and flow lines with each value and its interval; named zones have no geometry here), or GeoParquet 1.1 (the same geometries as WKB, the question in the file's metadata)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["csv", "json", "geojson", "geoparquet"], "default": "csv"}},
                    {"name": "adjust", "in": "query", "required": false, "schema": {"type": "boolean"},
                     "description": "add the post-processed values beside the raw ones, as /v1/answers/{id}?adjust=true does"}],
                "responses": errors_with_ok(&["400", "401", "403", "404", "409", "429"])}},
            "/v1/tokens": {
                "get": {"summary": "list tokens, never their secrets (admin)", "security": [{"bearer": []}], "responses": read_responses},
                "post": {"summary": "create a token (admin, audited); the secret is in this response only",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "additionalProperties": false, "required": ["name", "role"],
                        "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["analyst", "auditor", "admin", "supervisor"]},
                            "expires": {"type": "string", "description": "when it stops working: an RFC 3339 time or a span from now (30d, 12h)"},
                            "kinds": {"type": "array", "items": {"type": "string"}, "description": "question kinds it may ask; any when absent"},
                            "purposes": {"type": "array", "items": {"type": "string"}, "description": "purposes it may ask for; any the rules allow when absent"},
                            "cases": {"type": "array", "items": {"type": "string"}, "description": "cases it may ask for; any when absent"},
                            "epsilon_cap_per_epoch": {"type": "number", "exclusiveMinimum": 0, "description": "largest ε its questions may spend in one epoch, composed"}}}}}},
                    "responses": errors_with_ok(&["400", "401", "403", "429"])}},
            "/v1/report": {"get": {"summary": "the transparency report (auditor): JSON, or the self-contained HTML page with format=html; built from the ledger, audit chain, manifest and rules, with no figure that depends on the data's rows (exact ingest accounting is operator-only, never served)",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "from", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}},
                    {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "signed", "html"]},
                     "description": "signed: the report signed with the store's Ed25519 key, carrying the audit chain's length and head (a crowdlens-signed/1 envelope), to publish as a witness"}],
                "responses": errors_with_ok(&["400", "401", "403", "429"])}},
            "/v1/answers/{id}/receipt": {"get": {"summary": "the store's signed receipt for a kept answer (a crowdlens-signed/1 envelope: Ed25519 over its payload, which holds the answer's digest, the whole question, the charge, the audit entries with the chain's length and head at release, the store's generation and a commitment to its sources, the method and the interval); check it offline with crowdlens verify",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": errors_with_ok(&["401", "403", "404", "409", "429"])}},
            "/v1/key": {"get": {"summary": "the store's Ed25519 public key (hex and PEM), which receipts and signed reports are checked with (any role); take it from the operator too, since a key served beside the answers proves nothing alone",
                "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/approvals": {"get": {"summary": "approval requests: questions charged above the rule approval_above_epsilon, which wait for a supervisor who did not ask them; an analyst sees their own, a supervisor everyone's",
                "security": [{"bearer": []}],
                "parameters": [{"name": "pending", "in": "query", "required": false, "schema": {"type": "boolean"}, "description": "only requests still waiting"}],
                "responses": read_responses}},
            "/v1/approvals/{id}/approve": {"post": {"summary": "approve a pending request (supervisor, never the asker; audited with both actors): its asker may then ask exactly that question once",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
                "responses": errors_with_ok(&["400", "401", "403", "404", "409", "429"])}},
            "/v1/approvals/{id}/decline": {"post": {"summary": "decline a pending request (supervisor, never the asker; audited with both actors)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                    "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
                "responses": errors_with_ok(&["400", "401", "403", "404", "409", "429"])}},
            "/v1/tokens/{id}/revoke": {"post": {"summary": "revoke a token at once (admin, audited)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": errors_with_ok(&["401", "403", "404", "429"])}},
            "/v1/retention/apply": {"post": {
                "summary": "shred epochs older than the store's retention (admin); {\"dry_run\": true} only lists them",
                "security": [{"bearer": []}],
                "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object",
                    "additionalProperties": false, "properties": {"dry_run": {"type": "boolean"}}}}}},
                "responses": retention_responses}},
            "/v1/audit": {"get": {"summary": "the audit log and whether it verifies (auditor)", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/questions": {"get": {"summary": "every question's descriptor: its parameters (types, defaults, help), its answer's key fields and units, and the fields every question is asked with (any role); the UI builds its forms from it", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/jobs": {
                "post": {"summary": "ask a question as a job (analyst), answered at once with the job's status (202): the body of /v1/ask/{question} with the question's kind as question; at most 4 running per token",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "required": ["question"], "additionalProperties": true,
                        "description": "question, and the fields of that question's body (AskPresence, AskFlows, …)",
                        "properties": {"question": {"type": "string", "enum": kinds}}}}}},
                    "responses": job_responses(&["400", "401", "403", "404", "413", "429"], "202")},
                "get": {"summary": "this token's jobs, newest first (analyst); finished jobs are kept for an hour", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/jobs/{id}": {"get": {"summary": "a job's status: its stage and progress, and how it ended (analyst; only the token that submitted it)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "wait", "in": "query", "required": false, "schema": {"type": "number", "minimum": 0, "maximum": 30},
                     "description": "seconds to wait for the job to move on (stage, progress or end) before answering"}],
                "responses": job_responses(&["400", "401", "403", "404", "429"], "200")}},
            "/v1/jobs/{id}/result": {"get": {"summary": "a finished job's reply, exactly as /v1/ask gives it, or its error with the same status and code; job_running or job_cancelled (409) otherwise",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": ask_responses.clone()}},
            "/v1/jobs/{id}/cancel": {"post": {"summary": "cancel a running job: a charged question's charge stands and is audited as abandoned after charge; job_finished (409) if it had ended",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": job_responses(&["401", "403", "404", "409", "429"], "200")}},
            "/v1/ask/{question}": {"post": {
                "summary": "ask a question (analyst): case, purpose, dry_run and the question's parameters, as GET /v1/questions lists them (AskPresence, AskFlows, …)",
                "security": [{"bearer": []}],
                "parameters": [{"name": "question", "in": "path", "required": true,
                    "schema": {"type": "string", "enum": kinds}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": ask_refs}}}},
                "responses": ask_responses}}
        }
    });
    document["components"]["schemas"].as_object_mut().expect("schemas").extend(ask_schemas);
    document
}

/// The name of the schema of a question's body, such as `AskCoVisit`.
pub(crate) fn ask_schema_name(kind: &str) -> String {
    let words = kind.split('-').map(|w| w[..1].to_uppercase() + &w[1..]);
    format!("Ask{}", words.collect::<String>())
}

/// Each question's body, from its descriptor: who asks, and its parameters on the API.
fn ask_schemas() -> serde_json::Map<String, serde_json::Value> {
    use crowdlens_query::questions::{descriptors, Surface, ASKING_PARAMS};
    descriptors()
        .iter()
        .map(|d| {
            let params = ASKING_PARAMS.iter().chain(d.params_for(Surface::Api));
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            for p in params {
                let mut schema = p.kind.schema();
                schema["description"] = p.help.into();
                if let Some(default) = p.default {
                    schema["default"] = default.into();
                }
                if p.required {
                    required.push(p.name);
                }
                properties.insert(p.name.into(), schema);
            }
            let schema = serde_json::json!({"type": "object", "additionalProperties": false, "description": d.summary,
                "required": required, "properties": properties});
            (ask_schema_name(d.kind), schema)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document against the router: every `/v1` route is documented with its method and
    /// nothing else is, and each body and query string documents exactly the fields its
    /// handler accepts.
    #[test]
    fn the_document_matches_the_routes_and_the_bodies_the_handlers_take() {
        let doc = openapi_document();
        let paths = doc["paths"].as_object().unwrap();
        let mut routed: Vec<(String, String)> = crate::ROUTES
            .iter()
            .filter(|(_, path)| path.starts_with("/v1"))
            .map(|(method, path)| (method.to_ascii_lowercase(), path.to_string()))
            .collect();
        routed.sort();
        let mut documented: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
            .collect();
        documented.sort();
        assert_eq!(documented, routed, "documented (method, path) against the router's");

        let schema_of = |value: &serde_json::Value| -> serde_json::Value {
            match value["$ref"].as_str() {
                Some(r) => doc.pointer(&r.trim_start_matches('#').to_string()).unwrap().clone(),
                None => value.clone(),
            }
        };
        for (method, path, place, accepted) in crate::api::accepted_fields() {
            assert!(!accepted.is_empty(), "{method} {path}: no fields read off its type");
            let op = &paths[path][method.to_ascii_lowercase()];
            let mut names: Vec<String> = match place {
                "body" => {
                    let schema = schema_of(&op["requestBody"]["content"]["application/json"]["schema"]);
                    assert_eq!(schema["additionalProperties"], false, "{method} {path}: unknown fields are refused");
                    schema["properties"].as_object().unwrap().keys().cloned().collect()
                }
                _ => op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect(),
            };
            names.sort();
            assert_eq!(names, accepted, "{method} {path}: the {place} the document gives against the handler's");
        }

        // Each question's body: exactly the fields the handler's reading (the descriptor's
        // check) takes, probed with every name any question or surface knows, and a stranger.
        use crowdlens_query::questions::{descriptors, Surface, ASKING_PARAMS};
        let every_name: std::collections::BTreeSet<&str> = descriptors()
            .iter()
            .flat_map(|d| d.params.iter().map(|p| p.name).collect::<Vec<_>>())
            .chain(["zz_probe", "zones_file", "from_s"])
            .collect();
        let ask = &paths["/v1/ask/{question}"]["post"];
        let kinds: Vec<&str> = ask["parameters"][0]["schema"]["enum"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(kinds, crowdlens_query::questions::kinds());
        let refs = ask["requestBody"]["content"]["application/json"]["schema"]["oneOf"].as_array().unwrap();
        assert_eq!(refs.len(), kinds.len());
        for d in descriptors() {
            let schema = &doc["components"]["schemas"][ask_schema_name(d.kind)];
            assert_eq!(schema["additionalProperties"], false);
            let mut documented: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(|k| k.as_str()).collect();
            documented.sort();
            let mut taken: Vec<&str> = ASKING_PARAMS
                .iter()
                .map(|p| p.name)
                .chain(every_name.iter().copied().filter(|name| d.takes(name, Surface::Api)))
                .collect();
            taken.sort();
            assert_eq!(documented, taken, "{}: the body the document gives against what the handler reads", d.kind);
            assert!(!d.takes("zones", Surface::Api), "no question reads a file named over the network");
        }
    }
}
