//! The web UI as a person uses it: a real headless Chromium (Debian's `chromium`, driven
//! through `chromedriver` by fantoccini) against `crowdlens serve` on loopback. Screenshots of
//! every page type are saved under the target directory (`ui-screenshots/`).

use crate::support::*;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's browser and driver, and GDAL, installed with apt-get when missing (CI runs as root).
fn ensure_chromium() {
    ensure_debian(&[CHROMIUM, CHROMEDRIVER, OGRINFO], &["chromium", "chromium-driver", "gdal-bin"]);
}

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}


/// `crowdlens serve` on an ephemeral port; returns it with its base URL.
fn serve(store: &Path) -> (Killed, String) {
    serve_with(store, &[])
}

fn serve_with(store: &Path, extra: &[&str]) -> (Killed, String) {
    let mut child = bin()
        .args(["serve", "--store", s(store), "--listen", "127.0.0.1:0", "--rate-limit", "10000"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn crowdlens serve");
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    log.read_line(&mut first).unwrap();
    // Keep reading the server's log, so that its writes never meet a closed pipe.
    std::thread::spawn(move || {
        let mut line = String::new();
        while log.read_line(&mut line).is_ok_and(|n| n > 0) {
            eprint!("serve: {line}");
            line.clear();
        }
    });
    let base = first.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| {
        panic!("serve did not say where it listens: {first:?}");
    });
    (Killed(child), format!("http://{}", base.trim_end_matches('/')))
}

fn chromedriver() -> (Killed, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Killed(child), url)
}

fn token(store: &Path, name: &str, role: &str) -> String {
    let r = run(&["token", "create", "--store", s(store), "--name", name, "--role", role]);
    r.ok().stdout.trim().lines().last().unwrap().to_string()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// The JSON API, called directly, for comparison with what the page shows: GET, or POST with
/// a body.
fn api(base: &str, token: &str, path: &str, body: Option<&serde_json::Value>) -> serde_json::Value {
    let url = format!("{base}{path}");
    let auth = format!("Bearer {token}");
    let mut response = match body {
        None => agent().get(&url).header("Authorization", &auth).call().unwrap(),
        Some(b) => agent()
            .post(&url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string().as_bytes())
            .unwrap(),
    };
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

struct Page {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Page {
    async fn goto(&self, hash: &str) {
        self.client.goto(&format!("{}/{hash}", self.base)).await.unwrap();
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(60)).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                // Leave what the page showed, for whoever reads the failure.
                let _ = self.screenshot("failure").await;
                let shown = self.client.execute("return document.getElementById('view').innerText", vec![]).await;
                panic!("{css} never appeared ({e}); the page said: {shown:?}")
            }
        }
    }

    /// Waits until the script returns something truthy; returns it.
    async fn wait_until(&self, script: &str) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let v = self.client.execute(script, vec![]).await.unwrap();
            if !(v.is_null() || v == false || v == 0 || v == "") {
                return v;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "page never satisfied: {script}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    async fn fill(&self, field: &str, value: &str) {
        self.fill_plain(&format!("#f-{field}"), value).await;
    }

    async fn fill_plain(&self, css: &str, value: &str) {
        let e = self.wait_for(css).await;
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap();
    }

    async fn screenshot(&self, name: &str) {
        // Let the last frame paint.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    async fn sign_in(&self, token: &str) {
        self.goto("#/signin").await;
        let _ = self.client.execute("sessionStorage.clear()", vec![]).await;
        self.client.refresh().await.unwrap();
        let input = self.wait_for("#token").await;
        input.send_keys(token).await.unwrap();
        self.click("#signin").await;
        self.wait_until("return !document.getElementById('nav').hidden").await;
    }

    async fn hexes(&self) -> u64 {
        self.wait_until("return document.querySelectorAll('#map path.hex').length").await.as_u64().unwrap()
    }

    /// Picks a question, fills its fields, prices it, asks it; returns the answer's audit id.
    async fn ask(&self, question: &str, fields: &[(&str, &str)]) -> i64 {
        self.goto("#/ask").await;
        let select = self.wait_for("#f-question").await;
        select.select_by_value(question).await.unwrap();
        self.wait_for(&format!("#ask-form[data-question='{question}'] #f-case")).await;
        for (field, value) in fields {
            self.fill(field, value).await;
        }
        // The form prices a changed question by itself once typing pauses; "Ask and spend" is
        // never enabled without a price on screen.
        let unpriced = "const a = document.getElementById('ask'); return !a.disabled && !document.getElementById('price-ci')";
        assert_eq!(self.client.execute(unpriced, vec![]).await.unwrap(), false, "nothing may be spent before pricing");
        self.click("#price-button").await;
        self.wait_for("#price-ci").await;
        assert!(self.wait_for("#ask").await.is_enabled().await.unwrap());
        self.click("#ask").await;
        let url = self.wait_until("return location.hash.startsWith('#/answer/') && location.hash").await;
        self.wait_for("#answer-meta").await;
        url.as_str().unwrap().trim_start_matches("#/answer/").parse().unwrap()
    }
}

/// The first number in `text` after `marker`.
fn number_after(text: &str, marker: &str) -> f64 {
    let rest = &text[text.find(marker).unwrap_or_else(|| panic!("{marker:?} not in {text:?}")) + marker.len()..];
    let n: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || ".-,".contains(*c)).collect();
    n.replace(',', "").parse().unwrap_or_else(|_| panic!("no number after {marker:?} in {text:?}"))
}

#[test]
fn analyst_auditor_and_admin_use_the_web_ui() {
    ensure_chromium();
    let dir = tempfile::tempdir().unwrap();
    let city = synth(dir.path(), 1500, 3);
    let st = init_store(dir.path());
    // The operator declares the region the feeds cover (the synthetic Twin Cities).
    let config = st.join("crowdlens.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("# coverage = "), "{text}");
    let text = text.lines().map(|l| if l.starts_with("# coverage = ") { "coverage = [-93.40, 44.85, -92.98, 45.10]" } else { l }).collect::<Vec<_>>().join("\n");
    std::fs::write(&config, text + "\n").unwrap();
    let sensitive = city.join("sensitive.geojson");
    run(&["ingest", "pings", s(&city.join("pings.csv")), "--store", s(&st), "--sensitive", s(&sensitive)]).ok();
    run(&["ingest", "openrtb", s(&city.join("bids.jsonl.gz")), "--store", s(&st), "--sensitive", s(&sensitive)]).ok();
    let analyst = token(&st, "ana", "analyst");
    let auditor = token(&st, "aud", "auditor");
    let admin = token(&st, "adm", "admin");
    let (_server, base) = serve(&st);
    let (_driver, driver_url) = chromedriver();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,1000", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }))
        .unwrap();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver_url)
            .await
            .expect("chromedriver session");
        let page = Page { client, base: base.clone(), shots: shots.clone() };
        let spent = |epoch: &str| -> f64 {
            let b = api(&base, &auditor, "/v1/budget", None);
            b["epochs"].as_array().unwrap().iter().find(|e| e["epoch"] == epoch).map_or(0.0, |e| e["epsilon_spent"].as_f64().unwrap())
        };
        let audit_len = || api(&base, &auditor, "/v1/audit", None)["entries"].as_array().unwrap().len();

        // Sign in as an analyst; the page shows the sign-in form first.
        page.goto("").await;
        page.wait_for("#token").await;
        page.screenshot("signin").await;
        page.sign_in(&analyst).await;
        assert!(page.text("#who").await.contains("analyst"));

        // A presence question at the airport between 2 and 4 a.m., in one bucket, from the map.
        let presence = [
            ("case", "UI-1"),
            ("from", "2026-11-03T02:00:00Z"),
            ("to", "2026-11-03T04:00:00Z"),
            ("bucket", "2h"),
            ("area", "bbox:-93.30,44.86,-93.18,44.92"),
            // Asked by ε (the form's default is by accuracy): ε 0.5 at L = 4 is Laplace's.
            ("epsilon", "0.5"),
        ];
        let id = page.ask("presence", &presence).await;
        let answer = api(&base, &analyst, &format!("/v1/answers/{id}"), None);
        let rows = answer["rows"].as_array().unwrap();
        assert!(rows.len() > 10, "{answer}");
        let drawn = page.hexes().await;
        assert_eq!(drawn, rows.len() as u64, "one hexagon per released row");
        assert!(page.text("#answer-meta").await.contains(&format!("#{id}")));
        let epoch = answer["epochs"][0].as_str().unwrap().to_string();
        assert!((spent(&epoch) - 0.5).abs() < 1e-9);

        // Hovering a cell shows its value and interval, as the JSON API has them.
        let hex = page.client.find(Locator::Css("#map path.hex")).await.unwrap();
        let cell = hex.attr("data-cell").await.unwrap().unwrap();
        page.client
            .perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: hex,
                duration: None,
                x: 0.0,
                y: 0.0,
            }))
            .await
            .unwrap();
        let tip = page.wait_until("const t = document.getElementById('tooltip'); return !t.hidden && t.textContent").await;
        let tip = tip.as_str().unwrap();
        let row = rows.iter().find(|r| r["cell"] == cell.as_str()).unwrap();
        assert!(tip.starts_with(&cell), "{tip}");
        assert_eq!(number_after(tip, ": "), row["value"].as_f64().unwrap(), "{tip} vs {row}");
        assert!((number_after(tip, "interval ") - row["ci_low"].as_f64().unwrap()).abs() <= 0.051, "{tip} vs {row}");
        assert!((number_after(tip, " to ") - row["ci_high"].as_f64().unwrap()).abs() <= 0.051, "{tip} vs {row}");
        page.screenshot("presence").await;

        // Exports carry the question: the buttons fetch the server's export (CSV under `#`
        // lines with it, key columns first; GeoJSON with each cell's closed polygon, longitude
        // first, and the value with its interval, the question in its `crowdlens` member).
        let csv = page.client.execute(&format!("return exportText({id}, 'csv')"), vec![]).await.unwrap();
        let csv = csv.as_str().unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().starts_with(&format!("# crowdlens answer #{id} (presence)")), "{csv}");
        assert!(lines.next().unwrap().starts_with("# asked: {"), "{csv}");
        lines.next();
        assert_eq!(lines.next().unwrap(), "bucket_start,cell,value,ci_low,ci_high");
        assert_eq!(lines.count(), rows.len());
        let geo = page.client.execute(&format!("return exportText({id}, 'geojson').then(JSON.parse)"), vec![]).await.unwrap();
        assert_eq!(geo["type"], "FeatureCollection");
        assert_eq!(geo["crowdlens"]["asked"], answer["asked"]);
        let features = geo["features"].as_array().unwrap();
        assert_eq!(features.len(), rows.len());
        for (f, row) in features.iter().zip(rows) {
            // A float 41.0 may come back as 41: numbers are compared as numbers.
            for (k, v) in row.as_object().unwrap() {
                let got = &f["properties"][k];
                assert!(got == v || got.as_f64().is_some_and(|g| Some(g) == v.as_f64()), "{k}: {got} vs {v}");
            }
            let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
            assert!(f["geometry"]["type"] == "Polygon" && ring.len() >= 7 && ring.first() == ring.last(), "{f}");
            let (lon, lat) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
            assert!((-93.4..-93.1).contains(&lon) && (44.8..45.0).contains(&lat), "{f}");
        }
        assert!(page.wait_for("#download-geojson").await.is_enabled().await.unwrap());
        // GDAL reads it as polygons, one feature per row, with the value and its interval.
        let geo_file = page.shots.join("presence.geojson");
        std::fs::write(&geo_file, geo.to_string()).unwrap();
        let info = std::process::Command::new(OGRINFO).args(["-ro", "-al", "-so"]).arg(&geo_file).output().expect("ogrinfo (Debian's gdal-bin)");
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("Geometry: Polygon") && info.contains(&format!("Feature Count: {}", rows.len())), "{info}");
        for field in ["bucket_start: DateTime", "cell: String", "value: Integer", "ci_low: ", "ci_high: "] {
            assert!(info.contains(field), "{field} not in {info}");
        }

        // Intervals are stated right: hatched where the 95% interval spans 0, and only there,
        // on the map and on charts, for values whose interval lies below, across and above 0.
        let cases = serde_json::json!([
            {"label": "below", "value": -56, "lo": -80, "hi": -32},
            {"label": "spans", "value": 5, "lo": -12, "hi": 30},
            {"label": "above", "value": 22, "lo": 4, "hi": 40},
        ]);
        let judged = page
            .client
            .execute(
                "return arguments[0].map((c) => includesZero({ value: c.value, ci_low: c.lo, ci_high: c.hi }))",
                vec![cases.clone()],
            )
            .await
            .unwrap();
        assert_eq!(judged, serde_json::json!([false, true, false]));
        let bars = page
            .client
            .execute(
                "return [...barChart(arguments[0]).querySelectorAll('rect')].filter((r) => r.getAttribute('height') === '18').map((r) => r.getAttribute('fill'))",
                vec![cases],
            )
            .await
            .unwrap();
        assert_eq!(bars, serde_json::json!(["#2f6db0", "url(#hatch-chart)", "#2f6db0"]));
        let fills: Vec<(String, String)> = serde_json::from_value(
            page.client
                .execute("return [...document.querySelectorAll('#map path.hex')].map((p) => [p.dataset.cell, p.getAttribute('fill')])", vec![])
                .await
                .unwrap(),
        )
        .unwrap();
        let legend: Vec<String> = serde_json::from_value(
            page.client
                .execute("return [...document.querySelectorAll('#legend .legend-class')].map((e) => e.dataset.colour)", vec![])
                .await
                .unwrap(),
        )
        .unwrap();
        for (cell, fill) in &fills {
            let row = rows.iter().find(|r| r["cell"] == cell.as_str()).unwrap();
            let spans = row["ci_low"].as_f64().unwrap() <= 0.0 && row["ci_high"].as_f64().unwrap() >= 0.0;
            assert_eq!(fill == "url(#hatch)", spans, "{cell}: {fill} for {row}");
            assert!(spans || legend.contains(fill), "{cell}'s colour {fill} is not in the legend {legend:?}");
        }
        // The legend's classes are the scale's: round breaks, and below-0 values in their own
        // colours rather than in the lowest positive class.
        let classes = page
            .client
            .execute(
                "const c = colourClasses(-56, 300); return [c.map(classLabel), classOf(c, -56).colour === classOf(c, 10).colour]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(classes[1], false, "{classes}");
        assert!(classes[0].as_array().unwrap().iter().any(|l| l == "0 to 50"), "{classes}");

        // The budget page shows the spend.
        page.goto("#/budget").await;
        let spent_cell = page.text(&format!("tr[data-epoch='{epoch}'] .epsilon-spent")).await;
        assert_eq!(spent_cell, "0.5");
        assert!(page.text("#budget-cases").await.contains("UI-1"));
        page.screenshot("budget").await;

        // The audit page is the auditor's: an analyst is told so.
        page.goto("#/audit").await;
        let refusal = page.text("#forbidden").await;
        assert!(refusal.contains("auditor") && refusal.contains("analyst"), "{refusal}");
        page.screenshot("forbidden").await;

        // Where you are: a place search sets the area to a box about the place, the map shows
        // place names, and the pointer's county is named.
        page.goto("#/ask").await;
        page.fill_plain("#place-search", "downtown minneapolis").await;
        page.click("#place-find").await;
        let first = page.text("#place-result-0").await;
        assert!(first.starts_with("Minneapolis, MN, US"), "{first}");
        page.click("#place-result-0").await;
        page.wait_for("#place-chosen").await;
        let area = page.client.execute("return document.getElementById('f-area').value", vec![]).await.unwrap();
        let b: Vec<f64> = area.as_str().unwrap().trim_start_matches("bbox:").split(',').map(|v| v.parse().unwrap()).collect();
        assert!(b[0] < -93.26 && -93.26 < b[2] && b[1] < 44.98 && 44.98 < b[3], "{area}");
        page.wait_for("#area-outline").await;
        page.wait_for("text.place-label[data-place='Minneapolis']").await;
        let county = page
            .client
            .execute(
                "const svg = document.getElementById('map'); const r = svg.getBoundingClientRect();
                 svg.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true }));
                 return document.getElementById('map-where').textContent",
                vec![],
            )
            .await
            .unwrap();
        assert!(county.as_str().unwrap().contains("County: Hennepin, Minnesota"), "{county}");
        page.wait_until("return document.getElementById('price-ci')").await;
        page.screenshot("place-search").await;
        page.fill_plain("#place-search", "qqqzzzx").await;
        page.click("#place-find").await;
        assert!(page.text("#place-none").await.contains("No place called"));
        // An area where the store's feeds do not reach (New York) is flagged before pricing;
        // one inside the declared region is not.
        page.fill("area", "bbox:-74.02,40.70,-73.95,40.78").await;
        let warning = page.text("#warn-area").await;
        assert!(warning.contains("outside the region this store's feeds cover"), "{warning}");
        page.fill("area", "bbox:-93.30,44.95,-93.24,44.99").await;
        page.wait_until("return document.getElementById('warn-area').textContent === ''").await;

        // A bad area shows the API's own words beside the area field, and charges nothing.
        let before = (spent(&epoch), audit_len());
        page.goto("#/ask").await;
        page.fill("area", "bbox:1,2,3").await;
        page.click("#price-button").await;
        let shown = page.wait_until("return document.getElementById('err-area').textContent").await;
        let from_api = api(
            &base,
            &analyst,
            "/v1/ask/presence",
            Some(&serde_json::json!({"case": "UI-1", "purpose": "fraud-investigation", "from": "2026-11-03T02:00:00Z",
                "to": "2026-11-03T04:00:00Z", "epsilon": 0.5, "bucket": "2h", "res": 8, "max_partitions": 4,
                "area": "bbox:1,2,3", "dry_run": true, "mechanism": "laplace"})),
        );
        // The API's words, with parameters named as the form labels them.
        let in_form_terms = page
            .client
            .execute(
                "return inFormTerms(arguments[0], [...session.questions.asking, ...descriptorOf('presence').params])",
                vec![from_api["message"].clone()],
            )
            .await
            .unwrap();
        assert_eq!(shown, in_form_terms);
        assert!(!shown.as_str().unwrap().contains('`') && !shown.as_str().unwrap().contains("--"), "{shown}");
        assert!(!page.wait_for("#ask").await.is_enabled().await.unwrap());
        assert_eq!(spent(&epoch), before.0, "a refused price charges nothing");
        page.screenshot("bad-area").await;

        // Re-opening a kept answer spends nothing and writes nothing.
        let before = (spent(&epoch), audit_len());
        page.goto("#/answers").await;
        page.click(&format!("a[href='#/answer/{id}']")).await;
        assert_eq!(page.hexes().await, rows.len() as u64);
        assert!(page.text("#answer-meta").await.contains("matches the audit entry"));
        assert_eq!((spent(&epoch), audit_len()), before, "re-viewing is free");

        // Hourly buckets play through in order, each labelled in UTC and in local time.
        let hourly: Vec<(&str, &str)> =
            presence.iter().map(|&(k, v)| if k == "bucket" { (k, "1h") } else { (k, v) }).collect();
        page.ask("presence", &hourly).await;
        assert_eq!(page.text("#group-label").await, page.client.execute("return withLocalTime('2026-11-03T02:00:00Z')", vec![]).await.unwrap());
        assert!(page.text("#group-label").await.contains("local"));
        page.click("#play-buckets").await;
        page.wait_until("return document.getElementById('bucket-slider').value === '1'").await;
        page.wait_until("return document.getElementById('play-buckets').textContent === 'Play'").await;
        assert!(page.text("#group-label").await.starts_with("2026-11-03T03:00:00Z"));

        // The other five questions, asked from the browser.
        let common = [("case", "UI-1"), ("from", "2026-11-02T00:00:00Z"), ("to", "2026-11-05T00:00:00Z")];
        let downtown = "bbox:-93.285,44.968,-93.245,44.988";
        let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
            common.iter().chain(extra).copied().collect()
        };
        page.ask("flows", &with(&[("area", "bbox:-93.30,44.955,-93.20,44.99")])).await;
        // Zones are named by the nearest place, beside their ids.
        let ranked = page.text("#flows-ranked").await;
        assert!(ranked.contains("(near Minneapolis)"), "{ranked}");
        page.wait_until("return document.querySelectorAll('#map path.flow').length").await;
        page.screenshot("flows").await;
        page.ask("dwell", &with(&[("area", downtown)])).await;
        page.wait_for("#dwell-chart").await;
        page.screenshot("dwell").await;
        // Switching question keeps what the two share: dwell's case, window and area carry
        // over to co-visit, and drawing can fill either of co-visit's two areas.
        page.goto("#/ask").await;
        page.wait_for("#f-question").await.select_by_value("co-visit").await.unwrap();
        page.wait_for("#ask-form[data-question='co-visit'] #f-area_b").await;
        let carried = page
            .client
            .execute("return ['case', 'from', 'to', 'area'].map((n) => document.getElementById('f-' + n).value)", vec![])
            .await
            .unwrap();
        assert_eq!(carried, serde_json::json!(["UI-1", "2026-11-02T00:00:00Z", "2026-11-05T00:00:00Z", downtown]));
        assert_eq!(page.client.execute("return document.getElementById('draw-into-area').checked", vec![]).await.unwrap(), true);
        page.click("#f-area_b").await;
        assert_eq!(page.client.execute("return document.getElementById('draw-into-area_b').checked", vec![]).await.unwrap(), true);
        // A mistake in area B is shown under area B (the API names the field), not under A.
        page.fill("area_b", "bbox:-93.245,44.965").await;
        page.click("#price-button").await;
        let under_b = page.wait_until("return document.getElementById('err-area_b').textContent").await;
        assert!(under_b.as_str().unwrap().contains("bbox"), "{under_b}");
        assert_eq!(page.client.execute("return document.getElementById('err-area').textContent", vec![]).await.unwrap(), "");
        // A changed field is priced again without a click.
        page.fill("area_b", "bbox:-93.245,44.965,-93.210,44.985").await;
        // Both areas are outlined on the map, each in its own colour.
        page.wait_for("#area-outline").await;
        page.wait_for("#area-b-outline").await;
        page.wait_for("#price-ci").await;
        page.wait_until("return !document.getElementById('ask').disabled").await;
        page.screenshot("co-visit-form").await;
        page.ask("co-visit", &with(&[("area", downtown), ("area_b", "bbox:-93.245,44.965,-93.210,44.985")])).await;
        page.wait_for("#covisit-chart").await;
        page.screenshot("co-visit").await;
        page.ask(
            "series",
            &[
                ("case", "UI-1"),
                ("from", "2026-11-04T00:00:00Z"),
                ("to", "2026-11-05T00:00:00Z"),
                ("area", downtown),
                ("baseline_from", "2026-11-02T00:00:00Z"),
                ("baseline_to", "2026-11-04T00:00:00Z"),
            ],
        )
        .await;
        page.wait_for("#series-chart").await;
        page.screenshot("series").await;
        let reach = page.ask("reach", &with(&[("area", "bbox:-93.40,44.85,-92.98,45.10"), ("epsilon", "1")])).await;
        let reach_rows = api(&base, &analyst, &format!("/v1/answers/{reach}"), None)["rows"].as_array().unwrap().clone();
        if let Some(first) = reach_rows.first() {
            // One category is drawn at a time: the first, in sorted order.
            let mut categories: Vec<&str> = reach_rows.iter().map(|r| r["category"].as_str().unwrap()).collect();
            categories.sort();
            let shown = reach_rows.iter().filter(|r| r["category"] == categories[0]).count();
            assert_eq!(page.hexes().await, shown as u64, "{first}");
            // Categories are named by their taxonomy, the code beside the name.
            let named = reach_rows.iter().find(|r| r["category"] == categories[0]).unwrap();
            if let Some(name) = named["category_name"].as_str() {
                assert_eq!(page.text("#group-label").await, format!("{name} ({})", categories[0]));
            }
        } else {
            // Thresholded keys may all stay hidden; the page says so rather than drawing nothing.
            assert!(page.text("#empty-answer").await.contains("No rows were released"));
        }
        page.screenshot("reach").await;
        page.goto("#/answers").await;
        page.wait_for("a.open-answer").await;
        assert_eq!(page.client.find_all(Locator::Css("a.open-answer")).await.unwrap().len(), 7, "seven kept answers (presence twice)");
        page.screenshot("answers").await;

        // Two answers of the same shape compare key by key, with the combined interval: the
        // first presence question asked again for another case.
        let again = api(
            &base,
            &analyst,
            "/v1/ask/presence",
            Some(&serde_json::json!({"case": "UI-2", "purpose": "fraud-investigation", "from": "2026-11-03T02:00:00Z",
                "to": "2026-11-03T04:00:00Z", "bucket": "2h", "area": "bbox:-93.30,44.86,-93.18,44.92", "epsilon": 0.5})),
        );
        let second = again["audit_id"].as_i64().unwrap();
        // The page already shows #/answers: load it again to list the new answer.
        page.client.refresh().await.unwrap();
        page.click(&format!("input.compare-pick[data-id='{id}']")).await;
        assert!(!page.wait_for("#compare").await.is_enabled().await.unwrap(), "one ticked is not two");
        page.click(&format!("input.compare-pick[data-id='{second}']")).await;
        page.click("#compare").await;
        page.wait_until("return document.querySelectorAll('#map path.hex').length").await;
        let note = page.text("#compare-note").await;
        assert!(note.contains(&format!("{} keys compared", rows.len())), "{note}");
        let first_rows = api(&base, &analyst, &format!("/v1/answers/{id}"), None)["rows"].as_array().unwrap().clone();
        let second_rows = again["rows"].as_array().unwrap().clone();
        let diff = page
            .client
            .execute("return compareAnswers({question: 'presence', rows: arguments[0]}, {question: 'presence', rows: arguments[1]}).rows", vec![serde_json::json!(first_rows), serde_json::json!(second_rows)])
            .await
            .unwrap();
        let (ra, rb, d) = (&first_rows[0], second_rows.iter().find(|r| r["cell"] == first_rows[0]["cell"]).unwrap(), &diff[0]);
        let half = |r: &serde_json::Value| (r["ci_high"].as_f64().unwrap() - r["ci_low"].as_f64().unwrap()) / 2.0;
        assert_eq!(d["value"].as_f64().unwrap(), rb["value"].as_f64().unwrap() - ra["value"].as_f64().unwrap(), "{d}");
        let combined = (half(ra).powi(2) + half(rb).powi(2)).sqrt();
        assert!((d["ci_high"].as_f64().unwrap() - d["value"].as_f64().unwrap() - combined).abs() < 1e-9, "{d}");
        assert!(page.text("#compare-table").await.contains("value_a"));
        page.screenshot("compare").await;
        // Answers to different questions are refused with what to do instead.
        page.goto(&format!("#/compare/{id},{reach}")).await;
        let refused = page.text("#view .message.error").await;
        assert!(refused.contains("only answers to the same question can be compared"), "{refused}");

        // A long, city-wide question runs as a job: the page shows its progress bar, stage and
        // a Cancel button while it runs. A cancel that lands before the answer is recorded
        // leaves the charge standing, audited as abandoned after it; one that comes too late
        // finds the answer, which opens.
        page.goto("#/ask").await;
        page.wait_for("#ask-form[data-question='presence'] #f-case").await;
        for (field, value) in with(&[("case", "UI-JOB"), ("area", "bbox:-93.40,44.85,-92.98,45.10"), ("bucket", "1h"), ("res", "9"), ("epsilon", "0.5")]) {
            page.fill(field, value).await;
        }
        page.click("#price-button").await;
        page.wait_for("#price-ci").await;
        page.click("#ask").await;
        let bar = page.wait_for("#ask-progress").await;
        assert_eq!(bar.attr("max").await.unwrap().as_deref(), Some("1"));
        let stage = page.text("#ask-stage").await;
        assert!(["Queued", "Checking", "Charged", "Adding noise"].iter().any(|s| stage.starts_with(s)), "{stage}");
        page.screenshot("job-progress").await;
        page.click("#ask-cancel").await;
        let ended = page
            .wait_until("return (document.getElementById('ask-cancelled') && 'cancelled') || (location.hash.startsWith('#/answer/') && 'answered')")
            .await;
        let entries = api(&base, &auditor, "/v1/audit", None)["entries"].as_array().unwrap().clone();
        let job_entries: Vec<&str> = entries.iter().filter(|e| e["case_id"] == "UI-JOB").map(|e| e["outcome"].as_str().unwrap()).collect();
        match ended.as_str() {
            Some("cancelled") => {
                assert!(page.text("#ask-cancelled").await.contains("abandoned after charge"));
                assert!(job_entries.last().is_some_and(|o| o.starts_with("abandoned after charge")), "{job_entries:?}");
                assert!(page.wait_for("#ask").await.is_enabled().await.unwrap(), "the question may be asked again");
                page.screenshot("job-cancelled").await;
            }
            _ => assert_eq!(job_entries.last().map(|o| o.split(' ').next()), Some(Some("answered")), "{job_entries:?}"),
        }

        // An auditor sees the entries and the verified chain.
        page.click("#signout").await;
        page.sign_in(&auditor).await;
        page.goto("#/audit").await;
        assert!(page.text("#audit-status").await.starts_with("Chain verified"));
        let listed = page.client.find_all(Locator::Css("#audit-entries tr")).await.unwrap().len() - 1;
        assert_eq!(listed, audit_len());
        page.screenshot("audit").await;

        // An admin manages tokens.
        page.click("#signout").await;
        page.sign_in(&admin).await;
        page.goto("#/tokens").await;
        page.fill_plain("#new-token-name", "field office").await;
        page.click("#create-token").await;
        let created = page.text("#token-created .secret").await;
        assert!(created.starts_with("cl_"), "{created}");
        assert_eq!(api(&base, &created, "/v1/token", None)["name"], "field office");
        page.screenshot("tokens").await;

        // A second person's approval: over the threshold, an analyst's question waits; a
        // supervisor approves it on the Approvals page, and the analyst's same question is then
        // answered once.
        run(&["budget", "set", "--store", s(&st), "--rule", "approval_above_epsilon=0.8", "--reason", "two-person rule"]).ok();
        let supervisor = token(&st, "sup", "supervisor");
        let large = serde_json::json!({"area": "bbox:-93.30,44.95,-93.24,44.99", "from": "2026-11-02", "to": "2026-11-03",
            "bucket": "1d", "epsilon": 0.9, "case": "UI-APPROVAL", "purpose": "research"});
        let pending = api(&base, &analyst, "/v1/ask/presence", Some(&large));
        assert_eq!(pending["code"], "approval_required", "{pending}");
        let request = pending["approval"].as_i64().unwrap();
        page.click("#signout").await;
        page.sign_in(&supervisor).await;
        page.wait_until("return location.hash === '#/approvals'").await;
        let row = format!("#approvals tr[data-request='{request}']");
        assert!(page.text(&row).await.contains("UI-APPROVAL"));
        page.fill_plain(&format!("{row} .approval-reason"), "warrant on file").await;
        page.screenshot("approvals").await;
        page.click(&format!("{row} button.approve")).await;
        let said = page.text("#approval-message .message.ok").await;
        assert!(said.contains(&format!("Request #{request} approved")), "{said}");
        assert_eq!(page.text(&format!("{row} .status")).await, "approved");
        let answered = api(&base, &analyst, "/v1/ask/presence", Some(&large));
        assert!(answered["audit_id"].is_i64() && answered["receipt"]["signature"].is_string(), "{answered}");
        let audit = api(&base, &auditor, "/v1/audit", None);
        let decision = audit["entries"].as_array().unwrap().iter().find(|e| e["outcome"].as_str().unwrap().starts_with(&format!("approved request #{request}"))).cloned().unwrap();
        assert!(decision["outcome"].as_str().unwrap().contains(":sam") || decision["outcome"].as_str().unwrap().contains(":sup"), "{decision}");
        assert_eq!(decision["role"], "supervisor");

        // The operator's base map: vector tiles built by GDAL from the vendored county
        // outlines, served from MBTiles and drawn by MapLibre under the answers.
        let tiles = dir.path().join("twin-cities.mbtiles");
        let counties = crate_dir().join("../server/ui/vendor/us-atlas-counties-10m.json");
        let built = Command::new("/usr/bin/ogr2ogr")
            .args(["-f", "MBTILES", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:3857", "-clipsrc", "-93.6", "44.7", "-92.8", "45.3"])
            .args(["-dsco", "MINZOOM=5", "-dsco", "MAXZOOM=12"])
            .arg(&tiles)
            .arg(&counties)
            .args(["counties", "states"])
            .output()
            .expect("ogr2ogr (Debian's gdal-bin)");
        assert!(built.status.success(), "ogr2ogr: {}", String::from_utf8_lossy(&built.stderr));
        let (_mapped, mapped_base) = serve_with(&st, &["--basemap", s(&tiles)]);
        let info = api(&mapped_base, &analyst, "/ui/basemap/info.json", None);
        assert_eq!((info["kind"].as_str(), info["vector_layers"][0]["id"].as_str()), (Some("vector"), Some("counties")), "{info}");
        let mapped = Page { client: page.client.clone(), base: mapped_base.clone(), shots: shots.clone() };
        mapped.sign_in(&analyst).await;
        mapped.goto("#/answer/{id}".replace("{id}", &id.to_string()).as_str()).await;
        mapped.wait_for(".map-wrap[data-basemap='drawn']").await;
        assert!(mapped.hexes().await > 0, "the answer is drawn over the base map");
        let features = mapped
            .wait_until("return Number(document.querySelector('.map-wrap').getAttribute('data-basemap-features'))")
            .await;
        assert!(features.as_u64().unwrap() > 0, "the tiles' counties are drawn: {features}");
        // Zoomed out, the base map's county and state lines show around the answer.
        mapped.click(".map-tools button[title='zoom out']").await;
        mapped.wait_until("return document.querySelector('.map-wrap').getAttribute('data-basemap') === 'drawn'").await;
        mapped.screenshot("basemap").await;
        let credit = mapped.text(".map-credit").await;
        assert!(credit.starts_with("Base map: "), "{credit}");
        // A PMTiles archive (the official Python library's conversion of such a file) serves
        // the same way.
        let archive = crate_dir().join("../server/tests/fixtures/twin-cities.pmtiles");
        let (_pm, pm_base) = serve_with(&st, &["--basemap", s(&archive)]);
        assert_eq!(api(&pm_base, &analyst, "/ui/basemap/info.json", None)["vector_layers"][1]["id"], "states");
        let tile = agent().get(&format!("{pm_base}/ui/basemap/11/493/735")).call().unwrap();
        assert_eq!((tile.status().as_u16(), tile.headers().get("content-type").and_then(|v| v.to_str().ok())), (200, Some("application/x-protobuf")));
        assert_eq!(agent().get(&format!("{pm_base}/ui/basemap/11/0/0")).call().unwrap().status().as_u16(), 204);
        // Without --basemap there is none, and the outlines stay.
        assert_eq!(api(&base, &analyst, "/ui/basemap/info.json", None)["code"], "not_found");

        // Both reports render in the browser as single files, their charts drawn.
        let transparency = dir.path().join("transparency.html");
        run(&["report", "transparency", "--store", s(&st), "--out", s(&transparency)]).ok();
        let risk = dir.path().join("risk.html");
        run(&["risk", s(&city.join("pings.csv")), "--out", s(&risk), "--devices", "500"]).ok();
        for (file, chart, name) in
            [(&transparency, "budget-chart", "report-transparency"), (&risk, "unicity-chart", "report-risk")]
        {
            page.client.goto(&format!("file://{}", file.display())).await.unwrap();
            let size = page
                .wait_until(&format!(
                    "const r = document.getElementById('{chart}').getBoundingClientRect(); return r.width > 300 && r.height > 100 && [r.width, r.height]"
                ))
                .await;
            assert!(size.is_array(), "{name}: {size}");
            page.screenshot(name).await;
        }
        page.client.close().await.unwrap();
    });
}
