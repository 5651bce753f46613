//! `serve`: the HTTP API and web UI (over HTTPS with --tls-cert/--tls-key), optionally asking a
//! cluster.

use anyhow::{Context, Result};
use crowdlens_store::Store;
use crowdlens_types::parse_span;

use super::ask::engine_for;

pub(super) fn serve(options: super::ServeArgs) -> Result<()> {
    let super::ServeArgs { store, engine, engine_trust, listen, max_body, rate_limit, question_timeout, job_timeout, basemap, tls_cert, tls_key } = options;
    let basemap = basemap.map(|path| crowdlens_server::Basemap::open(&path)).transpose().map_err(|e| anyhow::anyhow!("--basemap {e}"))?;
    let question_timeout = std::time::Duration::from_secs(
        parse_span(&question_timeout).map_err(|e| anyhow::anyhow!("--question-timeout: {e}"))? as u64,
    );
    let job_timeout = std::time::Duration::from_secs(
        parse_span(&job_timeout).map_err(|e| anyhow::anyhow!("--job-timeout: {e}"))? as u64,
    );
    // Both or neither, as clap requires; read before the store, so that a bad file fails first.
    let tls = match (&tls_cert, &tls_key) {
        (Some(cert), Some(key)) => {
            Some(crowdlens_server::TlsConfig::load(cert, key).map_err(|e| anyhow::anyhow!("{e}"))?)
        }
        _ => None,
    };
    let opened = Store::open(&store)?;
    let engine = engine_for(engine.as_deref(), &engine_trust, question_timeout, &opened)?;
    // A store whose ledger is missing or rolled back is not served.
    drop(super::open_ledger(&opened)?);
    let limits = crowdlens_server::Limits {
        max_body_bytes: max_body,
        requests_per_minute: rate_limit,
        question_timeout,
        job_timeout,
    };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).try_init();
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
        let local = listener.local_addr()?;
        eprintln!(
            "crowdlens on {}://{local}/ (web UI at /, API under /v1; store {})",
            if tls.is_some() { "https" } else { "http" },
            store.display()
        );
        if tls.is_none() && !local.ip().to_canonical().is_loopback() {
            eprintln!(
                "warning: serving plain HTTP on {local}, which is not loopback: bearer tokens will cross the \
                 network in the clear; give --tls-cert and --tls-key to serve HTTPS"
            );
        }
        let mut state = crowdlens_server::ServerState::new(store.clone(), limits);
        if let Some(engine) = engine {
            eprintln!("questions run on the cluster at {}", engine.name());
            state = state.with_engine(engine);
        }
        if let Some(basemap) = basemap {
            eprintln!("base map: {} tiles, zoom {} to {}", basemap.info()["kind"].as_str().unwrap_or("?"), basemap.info()["minzoom"], basemap.info()["maxzoom"]);
            state = state.with_basemap(basemap);
        }
        // Retention applies itself when the server starts (after it says where it listens, so
        // that line stays the first) and daily while it runs.
        tokio::spawn(async move {
            let day = std::time::Duration::from_secs(86_400);
            loop {
                let store = opened.root().to_path_buf();
                let shredded =
                    tokio::task::spawn_blocking(move || super::budget::apply_retention_now(&Store::open(&store)?))
                        .await;
                match shredded {
                    // Said either way, so that a log shows each pass was made.
                    Ok(Ok(epochs)) if epochs.is_empty() => eprintln!("retention: nothing has expired"),
                    Ok(Ok(epochs)) => super::budget::report_retention(&epochs),
                    Ok(Err(e)) => eprintln!("retention: {e:#}"),
                    Err(e) => eprintln!("retention: {e}"),
                }
                tokio::time::sleep(day).await;
            }
        });
        match tls {
            Some(tls) => crowdlens_server::serve_tls(listener, state, tls).await?,
            None => crowdlens_server::serve(listener, state).await?,
        }
        anyhow::Ok(())
    })
}
