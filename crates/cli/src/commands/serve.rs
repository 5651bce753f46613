//! `serve`: the HTTP API and web UI, optionally asking a cluster.

use anyhow::{Context, Result};
use crowdlens_store::Store;
use crowdlens_types::parse_span;

use super::ask::engine_for;

pub(super) fn serve(options: super::ServeArgs) -> Result<()> {
    let super::ServeArgs { store, engine, engine_trust, listen, max_body, rate_limit, question_timeout, job_timeout, basemap } = options;
    let basemap = basemap.map(|path| crowdlens_server::Basemap::open(&path)).transpose().map_err(|e| anyhow::anyhow!("--basemap {e}"))?;
    let question_timeout = std::time::Duration::from_secs(
        parse_span(&question_timeout).map_err(|e| anyhow::anyhow!("--question-timeout: {e}"))? as u64,
    );
    let job_timeout = std::time::Duration::from_secs(
        parse_span(&job_timeout).map_err(|e| anyhow::anyhow!("--job-timeout: {e}"))? as u64,
    );
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
        eprintln!(
            "crowdlens on http://{}/ (web UI at /, API under /v1; store {})",
            listener.local_addr()?,
            store.display()
        );
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
        crowdlens_server::serve(listener, state).await?;
        anyhow::Ok(())
    })
}
