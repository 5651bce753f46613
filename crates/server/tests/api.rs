//! The HTTP API over real loopback connections: authorization matrix, concurrent spending,
//! bad requests, limits and the OpenAPI document.

use crowdlens_control::tokens::Role;
use crowdlens_server::{Limits, ServerState};
use crowdlens_store::{Config, SourceCounts, SourceFile, Store};
use crowdlens_types::{Pseudonym, StoredPing};
use std::time::Duration;

struct Server {
    base: String,
    _dir: tempfile::TempDir,
    tokens: std::collections::HashMap<&'static str, String>,
    revoked: String,
}

fn start(epsilon_per_epoch: f64, limits: Limits) -> Server {
    start_on(epsilon_per_epoch, limits, None)
}

fn start_on(
    epsilon_per_epoch: f64,
    limits: Limits,
    engine: Option<std::sync::Arc<dyn crowdlens_query::engine::Engine>>,
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("st");
    let mut config = Config::default();
    config.privacy.epsilon_per_epoch = epsilon_per_epoch;
    let store = Store::init(&root, &config).unwrap();
    crowdlens_query::create_ledger(&store).unwrap();
    let mut run = store.begin_ingest().unwrap();
    for d in 0..50u64 {
        run.push(StoredPing {
            pseudonym: Pseudonym(d),
            cell: 0x8a27526881b7fff,
            time_s: 1_793_577_600 + d as i64 * 60,
            category: None,
        })
        .unwrap();
    }
    run.commit(
        SourceFile { digest: "x".into(), path: "x".into(), bytes: 0 },
        "pings",
        SourceCounts { read: 50, stored: 50, ..Default::default() },
    )
    .unwrap();
    let ledger = crowdlens_query::open_ledger(&store).unwrap();
    let mut tokens = std::collections::HashMap::new();
    for (name, role) in [("analyst", Role::Analyst), ("auditor", Role::Auditor), ("admin", Role::Admin)] {
        tokens.insert(name, ledger.create_token(&crowdlens_control::tokens::NewToken::new(name, role)).unwrap().0);
    }
    let (revoked, info) = ledger.create_token(&crowdlens_control::tokens::NewToken::new("gone", Role::Analyst)).unwrap();
    ledger.revoke_token(info.id).unwrap();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", std_listener.local_addr().unwrap());
    let mut state = ServerState::new(root, limits);
    if let Some(engine) = engine {
        state = state.with_engine(engine);
    }
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            crowdlens_server::serve(listener, state).await.unwrap();
        });
    });
    Server { base, _dir: dir, tokens, revoked }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// (status, JSON body, or the body as a string when it is not JSON)
fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, serde_json::Value) {
    let a = agent();
    let mut resp = match (method, body) {
        ("GET", _) => {
            let mut r = a.get(url);
            if let Some(t) = token {
                r = r.header("Authorization", &format!("Bearer {t}"));
            }
            r.call().unwrap()
        }
        (_, b) => {
            let mut r = a.post(url).header("Content-Type", "application/json");
            if let Some(t) = token {
                r = r.header("Authorization", &format!("Bearer {t}"));
            }
            r.send(b.unwrap_or("")).unwrap()
        }
    };
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    // A page that is not JSON comes back as a string.
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

const ASK: &str = r#"{"area":"bbox:-93.30,44.95,-93.24,44.99","from":"2026-11-02","to":"2026-11-03","bucket":"1d","epsilon":0.1,"case":"C-1","purpose":"research"}"#;

#[test]
fn authorization_matrix() {
    let s = start(100.0, Limits::default());
    let endpoints: [(&str, &str, Option<&str>); 12] = [
        ("GET", "/v1/token", None),
        ("GET", "/v1/budget", None),
        ("GET", "/v1/audit", None),
        ("POST", "/v1/ask/presence", Some(ASK)),
        ("GET", "/v1/health", None),
        ("POST", "/v1/retention/apply", Some(r#"{"dry_run":true}"#)),
        ("GET", "/v1/store", None),
        ("POST", "/v1/cells", Some(r#"{"cells":["8a27526881b7fff"]}"#)),
        ("GET", "/v1/answers", None),
        ("GET", "/v1/tokens", None),
        ("GET", "/", None),
        ("GET", "/v1/report", None),
    ];
    // Expected status per credential: none, bad, revoked, analyst, auditor, admin.
    let expected: [[u16; 6]; 12] = [
        [401, 401, 401, 200, 200, 200],
        [401, 401, 401, 200, 200, 200],
        [401, 401, 401, 403, 200, 403],
        [401, 401, 401, 200, 403, 403],
        [200, 200, 200, 200, 200, 200],
        [401, 401, 401, 403, 403, 200],
        [401, 401, 401, 200, 200, 200],
        [401, 401, 401, 200, 200, 200],
        [401, 401, 401, 200, 200, 403],
        [401, 401, 401, 403, 403, 200],
        // The page itself holds nothing: it asks for a token before it calls the API.
        [200, 200, 200, 200, 200, 200],
        [401, 401, 401, 403, 200, 403],
    ];
    let creds: [Option<String>; 6] = [
        None,
        Some("cl_1_0000".into()),
        Some(s.revoked.clone()),
        Some(s.tokens["analyst"].clone()),
        Some(s.tokens["auditor"].clone()),
        Some(s.tokens["admin"].clone()),
    ];
    for (i, (method, path, body)) in endpoints.iter().enumerate() {
        for (j, cred) in creds.iter().enumerate() {
            let (status, json) = call(method, &format!("{}{path}", s.base), cred.as_deref(), *body);
            assert_eq!(status, expected[i][j], "{method} {path} with credential #{j}: {json}");
            if status >= 400 {
                assert!(json["code"].is_string() && json["message"].is_string(), "{json}");
            }
            if *path == "/" {
                assert!(json.as_str().is_some_and(|page| page.contains("/ui/app.js")), "{json}");
            }
        }
    }
}

#[test]
fn concurrent_spenders_get_exactly_the_budget() {
    // ε = 1.0 per epoch and 0.1 per question: exactly 10 of 32 may succeed.
    let s = start(1.0, Limits::default());
    let token = s.tokens["analyst"].clone();
    let url = format!("{}/v1/ask/presence", s.base);
    // 32 different questions (the same one again would be given its kept answer, free).
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let (url, token) = (url.clone(), token.clone());
            let body = ASK.replace("44.99", &format!("44.99{i:02}"));
            std::thread::spawn(move || call("POST", &url, Some(&token), Some(&body)).0)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|&&c| c == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&c| c == 409).count(), 22, "{statuses:?}");
    let (_, budget) = call("GET", &format!("{}/v1/budget", s.base), Some(&s.tokens["auditor"]), None);
    let w45 = budget["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    assert!((w45["epsilon_spent"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(w45["questions"], 10);
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&s.tokens["auditor"]), None);
    assert_eq!(audit["intact"], true);
    let entries = audit["entries"].as_array().unwrap();
    // The rules and the signing key recorded at creation; a charge and an answer per answered
    // question; a refusal per refused one.
    assert_eq!(entries.len(), 2 + 2 * 10 + 22, "every question, answered or refused, is audited");
    assert_eq!(entries.iter().filter(|e| e["outcome"] == "answered").count(), 10);
}

#[test]
fn bad_requests_are_4xx_and_charge_nothing() {
    let s = start(100.0, Limits { max_body_bytes: 4096, ..Limits::default() });
    let t = s.tokens["analyst"].clone();
    let url = format!("{}/v1/ask/presence", s.base);
    let huge = format!(r#"{{"area":"{}"}}"#, "x".repeat(10_000));
    let cells = format!("cells:{}", ["8a27526881b7fff"; 2].join(","));
    let million = ASK.replace("bbox:-93.30,44.95,-93.24,44.99", "bbox:-180,-85,180,85").replace("\"1d\"", "\"15m\"");
    let cases: Vec<(String, u16)> = vec![
        ("{not json".into(), 400),
        (ASK.replace("bbox:-93.30,44.95,-93.24,44.99", r#"{\"type\":\"Point\",\"coordinates\":[1,2]}"#), 400),
        (ASK.replace("\"case\"", "\"colour\":1,\"case\""), 400),
        (huge, 413),
        (ASK.replace("0.1", "\"lots\""), 400),
        (ASK.replace("0.1", "-1"), 400),
        (ASK.replace("0.1", "NaN"), 400),
        (ASK.replace("0.1", "\"NaN\""), 400),
        (ASK.replace("0.1", "0"), 400),
        (ASK.replace("\"to\":\"2026-11-03\"", "\"to\":\"2026-11-01\""), 400),
        (million, 400),
        (ASK.replace("\"research\"", "\"curiosity\""), 403),
        (ASK.replace("bbox:-93.30,44.95,-93.24,44.99", "geojson:/etc/passwd"), 400),
        (
            ASK.replace("bbox:-93.30,44.95,-93.24,44.99", &cells)
                .replace("\"bucket\":\"1d\",", "\"bucket\":\"1d\",\"res\":10,"),
            400,
        ),
    ];
    for (body, want) in cases {
        let (status, json) = call("POST", &url, Some(&t), Some(&body));
        assert_eq!(status, want, "{}: {json}", &body[..body.len().min(80)]);
        if want != 413 {
            assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
        }
    }
    // An unknown question is a 404; a bad parameter's error names its field.
    let (status, err) = call("POST", &format!("{}/v1/ask/where-does-alice-sleep", s.base), Some(&t), Some(ASK));
    assert_eq!((status, err["code"].as_str()), (404, Some("unknown_question")), "{err}");
    let (status, err) = call("POST", &url, Some(&t), Some(&ASK.replace("\"1d\"", "\"1 fortnight\"")));
    assert_eq!((status, err["code"].as_str(), err["field"].as_str()), (400, Some("bad_parameter"), Some("bucket")), "{err}");
    // The questions' descriptors, as the UI reads them: all six, and no file parameter.
    let (status, listed) = call("GET", &format!("{}/v1/questions", s.base), Some(&t), None);
    assert_eq!(status, 200);
    let kinds: Vec<&str> = listed["questions"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["presence", "flows", "dwell", "co-visit", "series", "reach"]);
    let params = |d: &serde_json::Value| -> Vec<String> {
        d["params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
    };
    assert!(listed["questions"].as_array().unwrap().iter().all(|d| !params(d).contains(&"zones".to_string())));
    assert!(!params(&listed["questions"][3]).contains(&"max_partitions".to_string()), "co-visit's bound is fixed");
    let (_, budget) = call("GET", &format!("{}/v1/budget", s.base), Some(&s.tokens["auditor"]), None);
    assert!(budget["epochs"].as_array().unwrap().iter().all(|e| e["epsilon_spent"] == 0.0), "{budget}");
}

#[test]
fn kept_answers_reopen_for_free_and_only_for_their_analyst() {
    let s = start(100.0, Limits::default());
    let analyst = s.tokens["analyst"].clone();
    let auditor = s.tokens["auditor"].clone();
    // A pasted GeoJSON polygon is an inline area, as good as the bbox it traces.
    let square = r#"{\"type\":\"Polygon\",\"coordinates\":[[[-93.30,44.95],[-93.24,44.95],[-93.24,44.99],[-93.30,44.99],[-93.30,44.95]]]}"#;
    let (status, answer) = call(
        "POST",
        &format!("{}/v1/ask/presence", s.base),
        Some(&analyst),
        Some(&ASK.replace("bbox:-93.30,44.95,-93.24,44.99", square)),
    );
    assert_eq!(status, 200, "{answer}");
    let id = answer["audit_id"].as_i64().unwrap();
    let budget = || call("GET", &format!("{}/v1/budget", s.base), Some(&auditor), None).1;
    let audit_len =
        || call("GET", &format!("{}/v1/audit", s.base), Some(&auditor), None).1["entries"].as_array().unwrap().len();

    // The same question again is given the same answer, free, and audited as a re-use.
    let spent = budget();
    let ask_again = ASK.replace("bbox:-93.30,44.95,-93.24,44.99", square);
    let (status, again) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(&analyst), Some(&ask_again));
    assert_eq!(status, 200, "{again}");
    assert_eq!((again["reused"]["answer"].as_i64(), again["reused"]["charged"].as_bool()), (Some(id), Some(false)), "{again}");
    assert_eq!(again["rows"], answer["rows"]);
    assert_eq!(budget()["epochs"], spent["epochs"], "a re-ask charges nothing");
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&auditor), None);
    let last = audit["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["outcome"], format!("re-used answer #{id} (no charge)"), "{last}");
    let before = (budget(), audit_len());

    let (status, list) = call("GET", &format!("{}/v1/answers?case=C-1", s.base), Some(&analyst), None);
    assert_eq!(status, 200);
    assert_eq!(list["answers"][0]["audit_id"], id, "{list}");
    assert_eq!(list["answers"][0]["asked"], answer["asked"], "the list says what each answer answers");
    let (status, kept) = call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&analyst), None);
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["rows"], answer["rows"]);
    // The answer, fresh and kept, carries its whole question: the area as asked and as tiled,
    // the window, the bucket and the resolution, with defaults filled in.
    let asked = &answer["asked"];
    assert_eq!(asked["kind"], "presence");
    assert_eq!(asked["area"].as_str().unwrap(), square.replace("\\\"", "\""), "{asked}");
    assert_eq!((asked["from"].as_str(), asked["to"].as_str()), (Some("2026-11-02T00:00:00Z"), Some("2026-11-03T00:00:00Z")));
    // As asked (the default, auto); the answer says which noise was chosen.
    assert_eq!((asked["bucket"].as_str(), asked["mechanism"].as_str()), (Some("1d"), Some("auto")));
    assert!(["laplace", "gaussian"].contains(&answer["mechanism"].as_str().unwrap_or("")), "{answer}");
    assert!(answer["tiled"]["res"].as_u64().is_some() && answer["tiled"]["cells"].as_u64() > Some(0), "{answer}");
    assert_eq!(kept["asked"], answer["asked"]);
    assert_eq!(kept["tiled"], answer["tiled"]);
    assert_eq!(
        (kept["epsilon"].clone(), kept["epochs"].clone(), kept["charged_in"].clone()),
        (answer["epsilon"].clone(), answer["epochs"].clone(), answer["charged_in"].clone())
    );
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&auditor), None);
    let entry = audit["entries"].as_array().unwrap().iter().find(|e| e["id"] == id.to_string()).unwrap().clone();
    assert_eq!(kept["kept"]["digest"], entry["answer_digest"]);
    assert_eq!((budget(), audit_len()), before, "re-reading charges and writes nothing");
    assert_eq!(call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&auditor), None).0, 200);

    // Another analyst's answer is not theirs to read, and is reported absent.
    let (_, created) = call(
        "POST",
        &format!("{}/v1/tokens", s.base),
        Some(&s.tokens["admin"]),
        Some(r#"{"name":"other","role":"analyst"}"#),
    );
    let other = created["token"].as_str().unwrap().to_string();
    assert_eq!(call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&other), None).0, 404);
    assert_eq!(call("GET", &format!("{}/v1/answers", s.base), Some(&other), None).1["answers"], serde_json::json!([]));
    assert_eq!(call("GET", &format!("{}/v1/answers/999999", s.base), Some(&analyst), None).0, 404);
    let revoked = created["info"]["id"].as_i64().unwrap();
    assert_eq!(call("POST", &format!("{}/v1/tokens/{revoked}/revoke", s.base), Some(&s.tokens["admin"]), None).0, 200);
    assert_eq!(call("GET", &format!("{}/v1/token", s.base), Some(&other), None).0, 401);
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&auditor), None);
    let outcomes: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.contains(&"token created") && outcomes.contains(&"token revoked"), "{outcomes:?}");

    // An answer edited in the database is refused, not shown.
    let db = rusqlite::Connection::open(s._dir.path().join("st").join(crowdlens_store::CONTROL_DB)).unwrap();
    db.execute(
        "UPDATE kept_answers SET rows_json = replace(rows_json, '\"value\":', '\"value\":1') WHERE audit_id = ?1",
        [id],
    )
    .unwrap();
    let (status, err) = call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&analyst), None);
    assert_eq!((status, err["code"].as_str()), (409, Some("answer_altered")), "{err}");
}

#[test]
fn a_kept_answer_exports_as_csv_json_and_geojson_carrying_its_question() {
    let s = start(100.0, Limits::default());
    let analyst = s.tokens["analyst"].clone();
    let (status, answer) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(&analyst), Some(ASK));
    assert_eq!(status, 200, "{answer}");
    let id = answer["audit_id"].as_i64().unwrap();
    let rows = answer["rows"].as_array().unwrap();
    let export = |query: &str| call("GET", &format!("{}/v1/answers/{id}/export{query}", s.base), Some(&analyst), None);

    // CSV by default: the question in `#` lines, then the key and the measures, row for row.
    let (status, csv) = export("");
    assert_eq!(status, 200);
    let csv = csv.as_str().unwrap().to_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with(&format!("# crowdlens answer #{id} (presence), case C-1, purpose research")), "{csv}");
    assert!(lines[1].starts_with("# asked: ") && lines[1].contains("bbox:-93.30,44.95,-93.24,44.99"), "{csv}");
    assert_eq!(lines[3], "bucket_start,cell,value,ci_low,ci_high");
    assert_eq!(lines.len(), 4 + rows.len());
    let first = &rows[0];
    assert_eq!(
        lines[4],
        format!("{},{},{},{},{}", first["bucket_start"].as_str().unwrap(), first["cell"].as_str().unwrap(), first["value"], first["ci_low"], first["ci_high"])
    );

    // JSON is the answer itself.
    let (status, json) = export("?format=json");
    assert_eq!(status, 200);
    assert_eq!((json["rows"].clone(), json["asked"].clone()), (answer["rows"].clone(), answer["asked"].clone()));

    // GeoJSON: a polygon per cell, with its value and interval, and the question beside them.
    let (status, gj) = export("?format=geojson");
    assert_eq!(status, 200);
    let features = gj["features"].as_array().unwrap();
    assert_eq!(features.len(), rows.len());
    assert_eq!(gj["crowdlens"]["asked"], answer["asked"]);
    assert_eq!(features[0]["geometry"]["type"], "Polygon");
    assert_eq!(features[0]["properties"]["ci_high"], first["ci_high"]);

    // Adjusted values ride along when asked for; a bad format is refused naming the field.
    let (_, adjusted) = export("?adjust=true");
    assert!(adjusted.as_str().unwrap().lines().nth(4).unwrap().contains("adjusted"), "{adjusted}");
    let (status, err) = export("?format=shapefile");
    assert_eq!((status, err["code"].as_str(), err["field"].as_str()), (400, Some("bad_parameter"), Some("format")), "{err}");
    assert_eq!(err["message"], "no export format \"shapefile\": use csv, json, geojson or geoparquet");
    // GeoParquet: a Parquet file, named and typed as one.
    let mut reply = agent()
        .get(&format!("{}/v1/answers/{id}/export?format=geoparquet", s.base))
        .header("Authorization", &format!("Bearer {analyst}"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let header = |name: &str| reply.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "application/vnd.apache.parquet");
    assert!(header("content-disposition").ends_with(&format!("crowdlens-answer-{id}.parquet\"")), "{}", header("content-disposition"));
    let bytes = reply.body_mut().read_to_vec().unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"), "{} bytes", bytes.len());
    // Another analyst's answer is absent here too.
    let (_, created) = call("POST", &format!("{}/v1/tokens", s.base), Some(&s.tokens["admin"]), Some(r#"{"name":"other","role":"analyst"}"#));
    let other = created["token"].as_str().unwrap().to_string();
    assert_eq!(call("GET", &format!("{}/v1/answers/{id}/export", s.base), Some(&other), None).0, 404);
}

#[test]
fn a_kept_answers_metadata_is_covered_by_its_digest() {
    let s = start(100.0, Limits::default());
    let analyst = s.tokens["analyst"].clone();
    let (status, answer) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(&analyst), Some(ASK));
    assert_eq!(status, 200, "{answer}");
    let id = answer["audit_id"].as_i64().unwrap();
    let (_, kept) = call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&analyst), None);
    assert_eq!(kept["kept"]["digest_covers"], "answer", "{kept}");
    // Only the metadata is edited: ε 0.001 and an innocent case. The rows are untouched.
    let db = rusqlite::Connection::open(s._dir.path().join("st").join(crowdlens_store::CONTROL_DB)).unwrap();
    db.execute(
        "UPDATE kept_answers SET meta_json = replace(replace(meta_json, '\"epsilon\":0.1', '\"epsilon\":0.001'), '\"C-1\"', '\"C-innocent\"') WHERE audit_id = ?1",
        [id],
    )
    .unwrap();
    let meta: String =
        db.query_row("SELECT meta_json FROM kept_answers WHERE audit_id = ?1", [id], |r| r.get(0)).unwrap();
    assert!(meta.contains("C-innocent") && meta.contains("0.001"), "{meta}");
    let (status, err) = call("GET", &format!("{}/v1/answers/{id}", s.base), Some(&analyst), None);
    assert_eq!((status, err["code"].as_str()), (409, Some("answer_altered")), "{err}");
}

#[test]
fn budget_by_case_is_the_auditors_and_an_analyst_sees_only_their_own() {
    let s = start(100.0, Limits::default());
    let admin = s.tokens["admin"].clone();
    let (_, created) =
        call("POST", &format!("{}/v1/tokens", s.base), Some(&admin), Some(r#"{"name":"bob","role":"analyst"}"#));
    let bob = created["token"].as_str().unwrap().to_string();
    let alice = s.tokens["analyst"].clone();
    let url = format!("{}/v1/ask/presence", s.base);
    // Two questions (the same one twice would be given its kept answer again, free).
    assert_eq!(call("POST", &url, Some(&alice), Some(ASK)).0, 200);
    assert_eq!(call("POST", &url, Some(&alice), Some(&ASK.replace("\"1d\"", "\"12h\""))).0, 200);
    let secret = ASK.replace("\"C-1\"", "\"C-secret-raid\"").replace("\"research\"", "\"oversight\"");
    assert_eq!(call("POST", &url, Some(&bob), Some(&secret)).0, 200);

    let budget = |token: &str| call("GET", &format!("{}/v1/budget", s.base), Some(token), None).1;
    let cases = |b: &serde_json::Value| -> Vec<String> {
        b["by_case"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().to_string()).collect()
    };
    for token in [&s.tokens["auditor"], &admin] {
        let b = budget(token);
        assert_eq!(
            (cases(&b), &b["by_case_scope"]),
            (vec!["C-1".to_string(), "C-secret-raid".into()], &"all".into()),
            "{b}"
        );
    }
    // Alice sees every epoch's totals, and her own cases only.
    let a = budget(&alice);
    assert_eq!(a["by_case_scope"], "token");
    assert_eq!(cases(&a), ["C-1"], "{a}");
    assert_eq!(a["by_case"][0]["questions"], 2);
    assert!((a["by_case"][0]["epsilon_spent"].as_f64().unwrap() - 0.2).abs() < 1e-9, "{a}");
    let text = a.to_string();
    assert!(!text.contains("C-secret-raid"), "another analyst's case: {text}");
    let w45 = a["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap();
    assert!((w45["epsilon_spent"].as_f64().unwrap() - 0.3).abs() < 1e-9, "totals include every case: {w45}");
    assert_eq!(w45["questions"], 3);
    let b = budget(&bob);
    assert_eq!(cases(&b), ["C-secret-raid"], "{b}");
}

#[test]
fn retention_and_the_report_carry_no_counts_of_the_data() {
    let s = start(100.0, Limits::default());
    let root = s._dir.path().join("st");
    // An old week, long past the retention, with rows and a key.
    let store = Store::open(&root).unwrap();
    let mut keyring = store.keyring();
    let monday_2020 = 1_578_268_800; // 2020-01-06, week 2020-W02
    let epoch = crowdlens_types::Epoch::of_unix_seconds(monday_2020).unwrap();
    keyring.key_for(epoch).unwrap();
    let mut run = store.begin_ingest().unwrap();
    for d in 0..36u64 {
        let ping = StoredPing {
            pseudonym: Pseudonym(d),
            cell: 0x8a27526881b7fff,
            time_s: monday_2020 + d as i64 * 60,
            category: None,
        };
        run.push(ping).unwrap();
    }
    run.commit(
        SourceFile { digest: "old".into(), path: "/srv/feeds/vendor-2020.csv".into(), bytes: 0 },
        "pings",
        SourceCounts {
            read: 40,
            stored: 36,
            quarantined: 1,
            dropped: [("sensitive_place:reproductive_health".to_string(), 3)].into(),
        },
    )
    .unwrap();
    let admin = s.tokens["admin"].clone();
    let url = format!("{}/v1/retention/apply", s.base);
    for body in [r#"{"dry_run":true}"#, "{}"] {
        let (status, r) = call("POST", &url, Some(&admin), Some(body));
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["epochs"], serde_json::json!([{"epoch": "2020-W02", "key": true, "resumed": false}]), "{r}");
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["cutoff", "dry_run", "epochs", "retention_weeks"], "{r}");
    }
    let auditor = s.tokens["auditor"].clone();
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&auditor), None);
    let shredding: Vec<&serde_json::Value> =
        audit["entries"].as_array().unwrap().iter().filter(|e| e["purpose"] == "retention").collect();
    assert_eq!(shredding.len(), 2, "{audit}");
    for e in shredding {
        let q = e["question"].as_str().unwrap();
        assert!(!q.contains("rows") && !q.contains("segments") && !q.contains("36"), "{e}");
    }

    let (status, report) = call("GET", &format!("{}/v1/report", s.base), Some(&auditor), None);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ingest"]["sources"], 2, "{report}");
    assert_eq!(report["retention"]["shredded"][0]["epoch"], "2020-W02", "{report}");
    let (_, page) = call("GET", &format!("{}/v1/report?format=html", s.base), Some(&auditor), None);
    for text in [report.to_string(), page.as_str().unwrap().to_string()] {
        for leak in ["vendor-2020", "/srv/feeds", "sensitive_place", "\"read\"", "\"stored\"", ">36<"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        assert!(text.contains("operator-only"));
    }
}

#[test]
fn cell_outlines() {
    // A body large enough for more cells than one request may outline.
    let s = start(100.0, Limits { max_body_bytes: 1 << 20, ..Limits::default() });
    let t = s.tokens["analyst"].clone();
    let (status, out) = call(
        "POST",
        &format!("{}/v1/cells", s.base),
        Some(&t),
        Some(r#"{"cells":["8a27526881b7fff","882830829bfffff"]}"#),
    );
    assert_eq!(status, 200, "{out}");
    let ring = out["boundaries"]["8a27526881b7fff"].as_array().unwrap();
    assert_eq!(ring.len(), 6, "a hexagon has six corners");
    let [lon, lat] = [ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap()];
    assert!((-94.0..-92.0).contains(&lon) && (44.0..46.0).contains(&lat), "{lon},{lat}");
    let (status, err) = call("POST", &format!("{}/v1/cells", s.base), Some(&t), Some(r#"{"cells":["zzz"]}"#));
    assert_eq!((status, err["code"].as_str()), (400, Some("bad_request")), "{err}");
    assert!(err["message"].as_str().unwrap().contains("zzz"));
    let many = serde_json::json!({"cells": vec!["8a27526881b7fff"; 5001]}).to_string();
    assert_eq!(call("POST", &format!("{}/v1/cells", s.base), Some(&t), Some(&many)).0, 400);
    // The grid of a box, for the map; never a file.
    let (status, grid) = call(
        "POST",
        &format!("{}/v1/cells", s.base),
        Some(&t),
        Some(r#"{"grid":"bbox:-93.30,44.95,-93.24,44.99","res":8}"#),
    );
    assert_eq!(status, 200, "{grid}");
    assert!((20..=40).contains(&grid["boundaries"].as_object().unwrap().len()), "{grid}");
    for body in [
        r#"{"grid":"geojson:/etc/passwd","res":8}"#,
        r#"{"grid":"bbox:-120,25,-70,50","res":9}"#,
        r#"{"grid":"bbox:-93.3,44.9,-93.2,45","res":16}"#,
        "{}",
    ] {
        assert_eq!(call("POST", &format!("{}/v1/cells", s.base), Some(&t), Some(body)).0, 400, "{body}");
    }
}

#[test]
fn rate_limit_and_openapi() {
    let s = start(100.0, Limits { requests_per_minute: 3, ..Limits::default() });
    let t = s.tokens["auditor"].clone();
    let statuses: Vec<u16> = (0..5).map(|_| call("GET", &format!("{}/v1/token", s.base), Some(&t), None).0).collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    // Guessing tokens is limited per client address, before any hash is computed.
    let s = start(100.0, Limits { requests_per_minute: 3, ..Limits::default() });
    let guesses: Vec<u16> =
        (0..5).map(|i| call("GET", &format!("{}/v1/token", s.base), Some(&format!("cl_1_{i:048}")), None).0).collect();
    assert_eq!(guesses, [401, 401, 401, 429, 429]);
    let (status, doc) = call("GET", &format!("{}/v1/openapi.json", s.base), None, None);
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/v1/health",
        "/v1/token",
        "/v1/budget",
        "/v1/audit",
        "/v1/ask/{question}",
        "/v1/retention/apply",
        "/v1/store",
        "/v1/cells",
        "/v1/answers",
        "/v1/answers/{id}",
        "/v1/tokens",
        "/v1/tokens/{id}/revoke",
        "/v1/report",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
    }
    assert_eq!(doc, crowdlens_server::openapi_document());
}

/// Runs plans in this process, after holding each for a minute: a question on it is charged
/// and then reads for long enough to be cancelled.
struct HeldEngine;

impl crowdlens_query::engine::Engine for HeldEngine {
    fn session(
        &self,
        config: datafusion::prelude::SessionConfig,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<datafusion::prelude::SessionContext, crowdlens_query::QueryError>>
                + Send
                + '_,
        >,
    > {
        Box::pin(async move { Ok(datafusion::prelude::SessionContext::new_with_config(config)) })
    }
    fn name(&self) -> String {
        "held".into()
    }
    fn is_remote(&self) -> bool {
        false
    }
    fn collect(
        &self,
        frame: datafusion::prelude::DataFrame,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Vec<datafusion::arrow::record_batch::RecordBatch>, crowdlens_query::QueryError>,
                > + Send
                + '_,
        >,
    > {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(frame.collect().await?)
        })
    }
}

/// A job's body: `/v1/ask`'s, with the question named.
fn job_body(ask: &str, question: &str) -> String {
    let mut body: serde_json::Value = serde_json::from_str(ask).unwrap();
    body["question"] = question.into();
    body.to_string()
}

/// Polls a job (long polls of up to 5 s) until it has finished.
fn finished(s: &Server, token: &str, id: &str) -> serde_json::Value {
    for _ in 0..60 {
        let (code, status) = call("GET", &format!("{}/v1/jobs/{id}?wait=5", s.base), Some(token), None);
        assert_eq!(code, 200, "{status}");
        if status["status"] != "running" {
            return status;
        }
    }
    panic!("job {id} did not finish within 5 minutes");
}

#[test]
fn a_job_gives_what_ask_gives_and_only_to_its_token() {
    let s = start(100.0, Limits::default());
    let analyst = s.tokens["analyst"].as_str();
    let (_, other) = call(
        "POST",
        &format!("{}/v1/tokens", s.base),
        Some(&s.tokens["admin"]),
        Some(r#"{"name":"second","role":"analyst"}"#),
    );
    let other = other["token"].as_str().expect("a second analyst's token").to_string();

    // A dry run as a job gives the price, as /v1/ask does, and charges nothing.
    let (code, priced) =
        call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(&ASK.replace(r#""case""#, r#""dry_run":true,"case""#), "presence")));
    assert_eq!(code, 202, "{priced}");
    assert_eq!(priced["dry_run"], true);
    let priced = finished(&s, analyst, priced["id"].as_str().unwrap());
    assert_eq!((priced["status"].as_str(), priced["answer"].as_i64()), (Some("done"), None), "{priced}");
    let (_, price) = call("GET", &format!("{}/v1/jobs/{}/result", s.base, priced["id"].as_str().unwrap()), Some(analyst), None);
    let (_, asked_price) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(analyst), Some(&ASK.replace(r#""case""#, r#""dry_run":true,"case""#)));
    assert_eq!(price, asked_price, "a dry run as a job prices as /v1/ask does");

    let (code, submitted) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(ASK, "presence")));
    assert_eq!(code, 202, "{submitted}");
    let id = submitted["id"].as_str().unwrap().to_string();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "a random id: {id}");
    assert_eq!((submitted["question"].as_str(), submitted["dry_run"].as_bool()), (Some("presence"), Some(false)));
    let done = finished(&s, analyst, &id);
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!((done["stage"].as_str(), done["progress"].as_f64()), (Some("finished"), Some(1.0)));
    assert!(done["finished"].is_string() && done["error"].is_null(), "{done}");

    let (code, result) = call("GET", &format!("{}/v1/jobs/{id}/result", s.base), Some(analyst), None);
    assert_eq!(code, 200, "{result}");
    assert_eq!(done["answer"], result["audit_id"], "the status names the kept answer");
    assert!(!result["rows"].as_array().unwrap().is_empty(), "{result}");
    // The same question on /v1/ask is given that answer again, free: the same rows.
    let (code, asked) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(analyst), Some(ASK));
    assert_eq!(code, 200, "{asked}");
    assert_eq!(asked["reused"]["answer"], result["audit_id"], "{asked}");
    assert_eq!(asked["rows"], result["rows"]);
    let (_, kept) = call("GET", &format!("{}/v1/answers/{}", s.base, result["audit_id"]), Some(analyst), None);
    assert_eq!(kept["rows"], result["rows"], "the job's answer is kept as any other");

    let (_, mine) = call("GET", &format!("{}/v1/jobs", s.base), Some(analyst), None);
    let listed: Vec<&str> = mine["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [id.as_str(), priced["id"].as_str().unwrap()], "newest first");
    let (_, theirs) = call("GET", &format!("{}/v1/jobs", s.base), Some(&other), None);
    assert_eq!(theirs["jobs"], serde_json::json!([]));

    // Another token's job is not found, whatever is asked of it; a finished one is not cancelled.
    for (method, path) in [("GET", format!("/v1/jobs/{id}")), ("GET", format!("/v1/jobs/{id}/result")), ("POST", format!("/v1/jobs/{id}/cancel"))] {
        let (code, e) = call(method, &format!("{}{path}", s.base), Some(&other), None);
        assert_eq!((code, e["code"].as_str()), (404, Some("not_found")), "{path}: {e}");
    }
    let (code, e) = call("POST", &format!("{}/v1/jobs/{id}/cancel", s.base), Some(analyst), None);
    assert_eq!((code, e["code"].as_str()), (409, Some("job_finished")), "{e}");
    let (code, e) = call("GET", &format!("{}/v1/jobs/ffff", s.base), Some(analyst), None);
    assert_eq!((code, e["code"].as_str()), (404, Some("not_found")), "{e}");

    // Roles: jobs are an analyst's, as asking is.
    for who in ["auditor", "admin"] {
        let (code, e) = call("POST", &format!("{}/v1/jobs", s.base), Some(&s.tokens[who]), Some(&job_body(ASK, "presence")));
        assert_eq!(code, 403, "{who}: {e}");
        let (code, _) = call("GET", &format!("{}/v1/jobs", s.base), Some(&s.tokens[who]), None);
        assert_eq!(code, 403, "{who}");
    }
    let (code, _) = call("POST", &format!("{}/v1/jobs", s.base), None, Some(&job_body(ASK, "presence")));
    assert_eq!(code, 401);

    // Bad submissions are refused at once, with the field named; a bad parameter fails the job
    // with the error /v1/ask gives.
    let (code, e) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(ASK));
    assert_eq!((code, e["code"].as_str(), e["field"].as_str()), (400, Some("bad_request"), Some("question")), "{e}");
    let (code, e) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(&ASK.replace(r#""case":"C-1","#, ""), "presence")));
    assert_eq!((code, e["field"].as_str()), (400, Some("case")), "{e}");
    let (code, e) = call("GET", &format!("{}/v1/jobs/{id}?wait=-1", s.base), Some(analyst), None);
    assert_eq!((code, e["field"].as_str()), (400, Some("wait")), "{e}");
    let bad = ASK.replace(r#""epsilon":0.1"#, r#""epsilon":-3"#);
    let (_, direct) = call("POST", &format!("{}/v1/ask/presence", s.base), Some(analyst), Some(&bad));
    let (code, failing) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(&bad, "presence")));
    assert_eq!(code, 202, "{failing}");
    let failed = finished(&s, analyst, failing["id"].as_str().unwrap());
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], direct["code"], "{failed} against {direct}");
    let (code, e) = call("GET", &format!("{}/v1/jobs/{}/result", s.base, failing["id"].as_str().unwrap()), Some(analyst), None);
    assert_eq!((code, &e), (failed["error"]["status"].as_u64().unwrap() as u16, &direct), "the result is the error /v1/ask gives");
}

#[test]
fn a_cancelled_job_is_audited_as_abandoned_after_charge_and_a_token_runs_at_most_four() {
    let s = start_on(100.0, Limits::default(), Some(std::sync::Arc::new(HeldEngine)));
    let analyst = s.tokens["analyst"].as_str();
    let (code, submitted) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(ASK, "presence")));
    assert_eq!(code, 202, "{submitted}");
    let id = submitted["id"].as_str().unwrap().to_string();
    // Long polls until the question is charged and reading (which the engine holds).
    let mut status = submitted.clone();
    for _ in 0..30 {
        if status["stage"] == "reading" {
            break;
        }
        status = call("GET", &format!("{}/v1/jobs/{id}?wait=2", s.base), Some(analyst), None).1;
    }
    assert_eq!((status["status"].as_str(), status["stage"].as_str()), (Some("running"), Some("reading")), "{status}");
    let progress = status["progress"].as_f64().unwrap();
    assert!(progress > 0.0 && progress < 1.0, "{status}");
    let (code, e) = call("GET", &format!("{}/v1/jobs/{id}/result", s.base), Some(analyst), None);
    assert_eq!((code, e["code"].as_str()), (409, Some("job_running")), "{e}");

    // Four run at once; a fifth is refused until one ends.
    let mut others = Vec::new();
    for i in 0..3 {
        let body = job_body(&ASK.replace("44.99", &format!("44.99{i}")), "presence");
        let (code, j) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&body));
        assert_eq!(code, 202, "{j}");
        others.push(j["id"].as_str().unwrap().to_string());
    }
    let (code, e) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(ASK, "presence")));
    assert_eq!((code, e["code"].as_str()), (429, Some("too_many_jobs")), "{e}");

    let (code, cancelled) = call("POST", &format!("{}/v1/jobs/{id}/cancel", s.base), Some(analyst), None);
    assert_eq!(code, 200, "{cancelled}");
    assert_eq!((cancelled["status"].as_str(), cancelled["stage"].as_str()), (Some("cancelled"), Some("finished")), "{cancelled}");
    let (code, e) = call("GET", &format!("{}/v1/jobs/{id}/result", s.base), Some(analyst), None);
    assert_eq!((code, e["code"].as_str()), (409, Some("job_cancelled")), "{e}");
    let (code, e) = call("POST", &format!("{}/v1/jobs/{id}/cancel", s.base), Some(analyst), None);
    assert_eq!((code, e["code"].as_str()), (409, Some("job_finished")), "{e}");

    // Its charge stands, and the audit log says it was abandoned after it.
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&s.tokens["auditor"]), None);
    assert_eq!(audit["intact"], true);
    let entries = audit["entries"].as_array().unwrap();
    let abandoned: Vec<&serde_json::Value> =
        entries.iter().filter(|e| e["outcome"].as_str().unwrap_or("").starts_with("abandoned after charge")).collect();
    assert_eq!(abandoned.len(), 1, "{entries:?}");
    assert!(!entries.iter().any(|e| e["outcome"] == "answered"), "{entries:?}");
    let (_, budget) = call("GET", &format!("{}/v1/budget", s.base), Some(&s.tokens["auditor"]), None);
    let w45 = budget["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == "2026-W45").unwrap().clone();
    assert!(w45["epsilon_spent"].as_f64().unwrap() >= 0.1 - 1e-9, "{w45}");

    // With one ended, a fourth may start again.
    let (code, j) = call("POST", &format!("{}/v1/jobs", s.base), Some(analyst), Some(&job_body(ASK, "presence")));
    assert_eq!(code, 202, "{j}");
    others.push(j["id"].as_str().unwrap().to_string());
    for other in others {
        let (code, c) = call("POST", &format!("{}/v1/jobs/{other}/cancel", s.base), Some(analyst), None);
        assert_eq!((code, c["status"].as_str()), (200, Some("cancelled")), "{c}");
    }
}

/// A presence question at `epsilon` for `case` and `purpose`.
fn ask_at(epsilon: f64, case: &str, purpose: &str) -> String {
    serde_json::json!({
        "area": "bbox:-93.30,44.95,-93.24,44.99", "from": "2026-11-02", "to": "2026-11-03", "bucket": "1d",
        "epsilon": epsilon, "case": case, "purpose": purpose,
    })
    .to_string()
}

fn new_token(s: &Server, body: serde_json::Value) -> String {
    let (status, made) = call("POST", &format!("{}/v1/tokens", s.base), Some(&s.tokens["admin"]), Some(&body.to_string()));
    assert_eq!(status, 200, "{made}");
    made["token"].as_str().unwrap().to_string()
}

/// Changes a rule of the served store in its ledger, as `crowdlens budget set` does.
fn set_rule(s: &Server, name: &str, value: f64) {
    let store = Store::open(&s._dir.path().join("st")).unwrap();
    let mut ledger = crowdlens_query::open_ledger(&store).unwrap();
    let who = crowdlens_control::Requester { actor: "test".into(), role: "admin".into(), case_id: "-".into(), purpose: "-".into() };
    ledger.set_rule(&who, name, &serde_json::json!(value), "a test's rule").unwrap();
}

fn audit_outcomes(s: &Server) -> Vec<String> {
    let (_, audit) = call("GET", &format!("{}/v1/audit", s.base), Some(&s.tokens["auditor"]), None);
    audit["entries"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap().to_string()).collect()
}

#[test]
fn tokens_expire_keep_to_their_scope_and_cap_and_are_revoked_at_once() {
    let s = start(100.0, Limits::default());
    let ask = format!("{}/v1/ask/presence", s.base);
    let scoped = new_token(
        &s,
        serde_json::json!({"name": "scoped", "role": "analyst", "kinds": ["presence"], "purposes": ["research"],
                           "cases": ["C-1"], "epsilon_cap_per_epoch": 0.25}),
    );
    let (_, info) = call("GET", &format!("{}/v1/token", s.base), Some(&scoped), None);
    assert_eq!(info["scope"]["kinds"], serde_json::json!(["presence"]), "{info}");
    assert_eq!(info["epsilon_cap_per_epoch"], 0.25);
    // Within its scope and cap: answered, twice.
    for epsilon in [0.1, 0.12] {
        let (status, answer) = call("POST", &ask, Some(&scoped), Some(&ask_at(epsilon, "C-1", "research")));
        assert_eq!(status, 200, "{answer}");
    }
    // Past its cap for the week: refused, free, with the code.
    let (status, refused) = call("POST", &ask, Some(&scoped), Some(&ask_at(0.11, "C-1", "research")));
    assert_eq!((status, refused["code"].as_str()), (409, Some("token_cap_exhausted")), "{refused}");
    // Outside its scope: another case, another purpose.
    for body in [ask_at(0.01, "C-2", "research"), ask_at(0.01, "C-1", "oversight")] {
        let (status, refused) = call("POST", &ask, Some(&scoped), Some(&body));
        assert_eq!((status, refused["code"].as_str()), (403, Some("out_of_scope")), "{refused}");
    }
    // A bad scope or expiry is refused when the token is made.
    for body in [
        serde_json::json!({"name": "x", "role": "analyst", "expires": "yesterday"}),
        serde_json::json!({"name": "x", "role": "analyst", "epsilon_cap_per_epoch": -1.0}),
        serde_json::json!({"name": "x", "role": "analyst", "kinds": []}),
    ] {
        let (status, e) = call("POST", &format!("{}/v1/tokens", s.base), Some(&s.tokens["admin"]), Some(&body.to_string()));
        assert_eq!(status, 400, "{body}: {e}");
    }
    // An expiring token works until it expires, then not at all.
    let brief = new_token(&s, serde_json::json!({"name": "brief", "role": "analyst", "expires": "2s"}));
    assert_eq!(call("GET", &format!("{}/v1/token", s.base), Some(&brief), None).0, 200);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(call("GET", &format!("{}/v1/token", s.base), Some(&brief), None).0, 401);
    assert_eq!(call("POST", &ask, Some(&brief), Some(&ask_at(0.1, "C-9", "research"))).0, 401);
    // Revoked: refused at the next request.
    let (_, tokens) = call("GET", &format!("{}/v1/tokens", s.base), Some(&s.tokens["admin"]), None);
    let id = tokens["tokens"].as_array().unwrap().iter().find(|t| t["name"] == "scoped").unwrap()["id"].as_i64().unwrap();
    let (status, revoked) =
        call("POST", &format!("{}/v1/tokens/{id}/revoke", s.base), Some(&s.tokens["admin"]), Some(""));
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(call("POST", &ask, Some(&scoped), Some(&ask_at(0.01, "C-1", "research"))).0, 401);
    let outcomes = audit_outcomes(&s);
    for code in ["token_cap_exhausted", "out_of_scope"] {
        assert!(outcomes.iter().any(|o| o.starts_with(&format!("refused [{code}]"))), "{code} not audited: {outcomes:?}");
    }
    assert!(outcomes.iter().any(|o| o == "token revoked"));
}

#[test]
fn a_per_case_cap_holds_across_tokens() {
    let s = start(100.0, Limits::default());
    set_rule(&s, "max_epsilon_per_case_per_epoch", 0.3);
    let second = new_token(&s, serde_json::json!({"name": "second analyst", "role": "analyst"}));
    let ask = format!("{}/v1/ask/presence", s.base);
    assert_eq!(call("POST", &ask, Some(&s.tokens["analyst"]), Some(&ask_at(0.2, "C-7", "research"))).0, 200);
    let (status, refused) = call("POST", &ask, Some(&second), Some(&ask_at(0.2, "C-7", "research")));
    assert_eq!((status, refused["code"].as_str()), (409, Some("case_cap_exhausted")), "{refused}");
    // Another case still has its own share.
    assert_eq!(call("POST", &ask, Some(&second), Some(&ask_at(0.2, "C-8", "research"))).0, 200);
}

#[test]
fn a_supervisor_approves_an_analysts_large_question_once_and_receipts_are_served() {
    let s = start(100.0, Limits::default());
    set_rule(&s, "approval_above_epsilon", 0.3);
    let supervisor = new_token(&s, serde_json::json!({"name": "sam", "role": "supervisor"}));
    let analyst = &s.tokens["analyst"];
    let ask = format!("{}/v1/ask/presence", s.base);
    let large = ask_at(0.5, "C-1", "research");
    let (status, pending) = call("POST", &ask, Some(analyst), Some(&large));
    assert_eq!((status, pending["code"].as_str()), (403, Some("approval_required")), "{pending}");
    let request = pending["approval"].as_i64().unwrap();
    // Asked again before a decision: the same request, still nothing charged.
    let (_, again) = call("POST", &ask, Some(analyst), Some(&large));
    assert_eq!(again["approval"], request);
    let (_, budget) = call("GET", &format!("{}/v1/budget", s.base), Some(analyst), None);
    assert!(budget.to_string().contains("\"questions\":0") || !budget.to_string().contains("\"questions\":1"), "{budget}");
    let (status, listed) = call("GET", &format!("{}/v1/approvals?pending=true", s.base), Some(analyst), None);
    assert_eq!(status, 200);
    assert_eq!(listed["approvals"][0]["id"], request);
    // Only a supervisor decides; a decision needs a reason.
    let approve = format!("{}/v1/approvals/{request}/approve", s.base);
    assert_eq!(call("POST", &approve, Some(analyst), Some(r#"{"reason":"mine"}"#)).0, 403);
    assert_eq!(call("POST", &approve, Some(&supervisor), Some(r#"{"reason":" "}"#)).0, 409);
    let (status, decided) = call("POST", &approve, Some(&supervisor), Some(r#"{"reason":"warrant 2026-17"}"#));
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["request"]["status"], "approved");
    let (status, twice) = call("POST", &approve, Some(&supervisor), Some(r#"{"reason":"again"}"#));
    assert_eq!((status, twice["code"].as_str()), (409, Some("approval_conflict")), "{twice}");
    let missing = call("POST", &format!("{}/v1/approvals/999/approve", s.base), Some(&supervisor), Some(r#"{"reason":"x"}"#));
    assert_eq!(missing.0, 404, "{}", missing.1);
    // Approved: the same question is answered once, with its receipt.
    let (status, answer) = call("POST", &ask, Some(analyst), Some(&large));
    assert_eq!(status, 200, "{answer}");
    let id = answer["audit_id"].as_i64().unwrap();
    let (status, receipt) = call("GET", &format!("{}/v1/answers/{id}/receipt", s.base), Some(analyst), None);
    assert_eq!(status, 200);
    assert_eq!(receipt, answer["receipt"]);
    let (_, key) = call("GET", &format!("{}/v1/key", s.base), Some(analyst), None);
    assert_eq!(key["public_key"], receipt["public_key"]);
    let public = crowdlens_control::signed::read_public_key(key["pem"].as_str().unwrap()).unwrap();
    let envelope: crowdlens_control::signed::Envelope = serde_json::from_value(receipt).unwrap();
    let payload = envelope.verify(&public, Some("receipt")).unwrap();
    crowdlens_control::signed::check_answer(&payload, &answer).unwrap();
    // The approval paid for that one charge: a larger one waits again.
    let (_, next) = call("POST", &ask, Some(analyst), Some(&ask_at(0.6, "C-1", "research")));
    assert_eq!(next["code"], "approval_required", "{next}");
    assert_ne!(next["approval"], request);
    // The threshold holds the asker's share of the week, not one question: small questions add
    // up to it.
    let second = new_token(&s, serde_json::json!({"name": "bo", "role": "analyst"}));
    assert_eq!(call("POST", &ask, Some(&second), Some(&ask_at(0.2, "C-2", "research"))).0, 200);
    let (_, split) = call("POST", &ask, Some(&second), Some(&ask_at(0.15, "C-2", "research")));
    assert_eq!(split["code"], "approval_required", "{split}");
    // Another token of the same holder is the same person.
    let twin = new_token(&s, serde_json::json!({"name": "Bo", "role": "supervisor"}));
    let split_request = split["approval"].as_i64().unwrap();
    let (status, own) = call(
        "POST",
        &format!("{}/v1/approvals/{split_request}/approve", s.base),
        Some(&twin),
        Some(r#"{"reason":"mine, twice"}"#),
    );
    assert_eq!((status, own["code"].as_str()), (403, Some("self_approval")), "{own}");
    let outcomes = audit_outcomes(&s);
    let decision = outcomes.iter().find(|o| o.starts_with(&format!("approved request #{request}"))).expect("audited");
    assert!(decision.contains("asked by token:") && decision.contains("approved by token:") && decision.contains(":sam"), "{decision}");
    // The signed report for publication.
    let (status, report) = call("GET", &format!("{}/v1/report?format=signed", s.base), Some(&s.tokens["auditor"]), None);
    assert_eq!(status, 200);
    let report: crowdlens_control::signed::Envelope = serde_json::from_value(report).unwrap();
    let payload = report.verify(&public, Some("transparency_report")).unwrap();
    assert_eq!(payload["witness"]["chain_length"].as_u64().unwrap() as usize, outcomes.len());
}
