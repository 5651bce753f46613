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
    let mut retention_responses = errors(&["400", "401", "403", "409", "429"]);
    retention_responses["200"] = serde_json::json!({"description": "the expired epochs, shredded unless dry_run",
        "content": {"application/json": {"schema": {"type": "object"}}}});
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
            "/v1/token": {"get": {"summary": "the calling token's name and role", "security": [{"bearer": []}], "responses": read_responses}},
            "/v1/budget": {"get": {"summary": "the budget rules, and ε/δ spent and remaining per epoch (auditor)", "security": [{"bearer": []}], "responses": read_responses}},
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
