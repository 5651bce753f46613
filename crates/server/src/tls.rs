//! HTTPS: `serve --tls-cert FILE --tls-key FILE`. A PEM certificate chain and its private key
//! become a rustls server configuration (on ring, ALPN `h2` and `http/1.1`), and [`serve_tls`]
//! serves the same router as [`serve`](crate::serve) over TLS, one handshake per connection.
//! A handshake that fails or stalls ends its own connection only, never the server.

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::crypto::ring;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::{router, ServerState};

/// Longest a client may take to finish its TLS handshake, so that a silent one cannot hold a
/// task (and a socket) for ever.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A certificate chain and its key, checked to match, as a rustls server configuration.
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig").field("alpn", &self.server.alpn_protocols).finish_non_exhaustive()
    }
}

/// Why a certificate or key could not be used; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

impl TlsConfig {
    /// Reads a PEM certificate chain (the server's own certificate first) and a PEM private key
    /// (PKCS#8, PKCS#1 RSA or SEC1 EC), and checks that the key is the certificate's.
    pub fn load(cert_file: &Path, key_file: &Path) -> Result<TlsConfig, TlsError> {
        let certs = read_certificates(cert_file)?;
        let key = read_key(key_file)?;
        let provider = Arc::new(ring::default_provider());
        let signing_key = provider
            .key_provider
            .load_private_key(key.clone_key())
            .map_err(|e| TlsError(format!("key file {}: not a usable private key: {e}", key_file.display())))?;
        match CertifiedKey::new(certs.clone(), signing_key).keys_match() {
            // A key that cannot say its public key is left to the handshake, as rustls does.
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(_)) => {
                return Err(TlsError(format!(
                    "key file {} does not match the certificate in {}: the key's public key is not the certificate's",
                    key_file.display(),
                    cert_file.display()
                )))
            }
            Err(e) => {
                return Err(TlsError(format!(
                    "certificate file {}: not a usable certificate: {e}",
                    cert_file.display()
                )))
            }
        }
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| TlsError(format!("key file {} with {}: {e}", key_file.display(), cert_file.display())))?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsConfig { server: Arc::new(server) })
    }

    /// The rustls configuration, for a caller that serves it some other way.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.server.clone()
    }
}

fn read(what: &str, file: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(file).map_err(|e| TlsError(format!("{what} file {}: cannot read it: {e}", file.display())))
}

fn read_certificates(file: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read("certificate", file)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(format!("certificate file {}: not valid PEM: {e}", file.display())))?;
    if certs.is_empty() {
        return Err(TlsError(format!(
            "certificate file {}: no certificate in it (expected a PEM \"BEGIN CERTIFICATE\" block)",
            file.display()
        )));
    }
    Ok(certs)
}

fn read_key(file: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read("key", file)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError(format!(
            "key file {}: no private key in it (expected a PEM \"BEGIN PRIVATE KEY\", \"BEGIN RSA PRIVATE KEY\" \
             or \"BEGIN EC PRIVATE KEY\" block)",
            file.display()
        )),
        e => TlsError(format!("key file {}: not valid PEM: {e}", file.display())),
    })
}

/// Serves the router over TLS until the process ends: each connection's handshake on a task of
/// its own (at most [`HANDSHAKE_TIMEOUT`]), then HTTP/1.1 or HTTP/2 as the client chose, with the
/// client's address as `ConnectInfo` (the per-address rate limit reads it), as [`serve`](crate::serve).
pub async fn serve_tls(
    mut listener: tokio::net::TcpListener,
    state: ServerState,
    tls: TlsConfig,
) -> std::io::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server);
    let mut make: IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr> =
        router(state).into_make_service_with_connect_info::<SocketAddr>();
    loop {
        // axum's accept: errors such as too many open files are waited out, never returned.
        let (tcp, peer) = axum::serve::Listener::accept(&mut listener).await;
        let service = match tower_service::Service::call(&mut make, peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, "TLS handshake failed: {e}");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out after {}s", HANDSHAKE_TIMEOUT.as_secs());
                    return;
                }
            };
            let builder = Builder::new(TokioExecutor::new());
            if let Err(e) =
                builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service)).await
            {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
}
