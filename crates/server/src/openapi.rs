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
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "crowdlens", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Differentially private answers about places, times and flows. Every answer is charged to a per-epoch budget and audited."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"],
                          "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
                "AskBody": {"type": "object", "additionalProperties": false,
                    "required": ["case", "purpose", "from", "to", "epsilon"],
                    "properties": {
                        "case": {"type": "string"}, "purpose": {"type": "string"},
                        "from": {"type": "string"}, "to": {"type": "string"},
                        "epsilon": {"type": "number", "exclusiveMinimum": 0},
                        "mechanism": {"type": "string", "enum": ["laplace", "gaussian"]},
                        "max_partitions": {"type": "integer", "minimum": 1},
                        "dry_run": {"type": "boolean"},
                        "area": {"type": "string"}, "area_b": {"type": "string"},
                        "bucket": {"type": "string"}, "res": {"type": "integer", "minimum": 0, "maximum": 15},
                        "zones_res": {"type": "integer", "minimum": 0, "maximum": 15},
                        "top_from": {"type": "string"}, "max_gap": {"type": "string"},
                        "baseline_from": {"type": "string"}, "baseline_to": {"type": "string"}
                    }},
                "Answer": {"type": "object", "properties": {
                    "question": {"type": "string"}, "epsilon": {"type": "number"}, "delta": {"type": "number"},
                    "epochs": {"type": "array", "items": {"type": "string"}},
                    "rows": {"type": "array", "items": {"type": "object"}}}}
            }
        },
        "paths": {
            "/v1/health": {"get": {"summary": "liveness; no token", "responses": {"200": {"description": "ok"}}}},
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
            "/v1/answers": {"get": {"summary": "kept answers, newest first: an analyst's own, or all for an auditor",
                "security": [{"bearer": []}],
                "parameters": [{"name": "case", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": read_responses}},
            "/v1/answers/{id}": {"get": {"summary": "re-read a kept answer without a charge; its digest is checked against the audit entry",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": errors_with_ok(&["401", "403", "404", "409", "429"])}},
            "/v1/tokens": {
                "get": {"summary": "list tokens, never their secrets (admin)", "security": [{"bearer": []}], "responses": read_responses},
                "post": {"summary": "create a token (admin, audited); the secret is in this response only",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "additionalProperties": false, "required": ["name", "role"],
                        "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["analyst", "auditor", "admin"]}}}}}},
                    "responses": errors_with_ok(&["400", "401", "403", "429"])}},
            "/v1/report": {"get": {"summary": "the transparency report (auditor): JSON, or the self-contained HTML page with format=html; built from the ledger, audit chain, manifest and rules, with no figure that depends on the data's rows (exact ingest accounting is operator-only, never served)",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "from", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}},
                    {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "html"]}}],
                "responses": errors_with_ok(&["400", "401", "403", "429"])}},
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
            "/v1/ask/{question}": {"post": {
                "summary": "ask a question (analyst); the body mirrors the CLI flags",
                "security": [{"bearer": []}],
                "parameters": [{"name": "question", "in": "path", "required": true,
                    "schema": {"type": "string", "enum": ["presence", "flows", "dwell", "co-visit", "series", "reach"]}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskBody"}}}},
                "responses": ask_responses}}
        }
    })
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
    }
}
