//! HTTPS (`serve_tls`) over real loopback connections, with a self-signed certificate for
//! `localhost` that the client trusts as its only root; and the errors of loading a
//! certificate and key.

use crowdlens_control::tokens::{NewToken, Role};
use crowdlens_server::{Limits, ServerState, TlsConfig};
use crowdlens_store::{Config, Store};
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A self-signed certificate for localhost and 127.0.0.1, written as PEM files.
struct Credentials {
    cert: PathBuf,
    key: PathBuf,
    der: CertificateDer<'static>,
}

fn credentials(dir: &Path, name: &str) -> Credentials {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    Credentials { cert, key, der: made.cert.der().clone() }
}

struct Server {
    addr: SocketAddr,
    token: String,
    credentials: Credentials,
    _dir: tempfile::TempDir,
}

/// An empty store with its ledger and one analyst token, served over TLS on an ephemeral port.
fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("st");
    let store = Store::init(&root, &Config::default()).unwrap();
    crowdlens_query::create_ledger(&store).unwrap();
    let ledger = crowdlens_query::open_ledger(&store).unwrap();
    let token = ledger.create_token(&NewToken::new("alice", Role::Analyst)).unwrap().0;
    let credentials = credentials(dir.path(), "server");
    let tls = TlsConfig::load(&credentials.cert, &credentials.key).unwrap();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    let state = ServerState::new(root, Limits::default());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            crowdlens_server::serve_tls(listener, state, tls).await.unwrap();
        });
    });
    Server { addr, token, credentials, _dir: dir }
}

fn client(root: &CertificateDer<'static>, alpn: &[&[u8]]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// Everything the peer sends until it closes (a TLS peer that closes without close_notify, or a
/// reset, ends the read too: what arrived is kept).
fn read_all(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(raw),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if !raw.is_empty() && e.kind() != std::io::ErrorKind::InvalidData => return Ok(raw),
            Err(e) => return Err(e),
        }
    }
}

/// One HTTP/1.1 GET over TLS: (status, JSON body).
fn https_get(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    path: &str,
    token: Option<&str>,
) -> std::io::Result<(u16, serde_json::Value)> {
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(60)))?;
    let connection = rustls::ClientConnection::new(config, ServerName::try_from("localhost").unwrap())
        .map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(tls, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\r\n")?;
    tls.flush()?;
    let raw = String::from_utf8(read_all(&mut tls)?).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP response: {raw:?}"));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{head}"));
    Ok((status, serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))))
}

#[test]
fn health_and_budget_over_https() {
    let s = start();
    let trusting = client(&s.credentials.der, &[b"http/1.1"]);
    let (status, health) = https_get(s.addr, trusting.clone(), "/v1/health", None).unwrap();
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["api_version"], crowdlens_server::API_VERSION);

    // The bearer token, now inside TLS, authenticates as it does over HTTP; the client's address
    // reaches the per-address rate limit (a server without it answers 500).
    let (status, budget) = https_get(s.addr, trusting.clone(), "/v1/budget", Some(&s.token)).unwrap();
    assert_eq!(status, 200, "{budget}");
    assert_eq!(budget["by_case_scope"], "token");
    assert!(budget["by_case"].is_array() && budget["rules"].is_object(), "{budget}");
    let (status, refused) = https_get(s.addr, trusting, "/v1/budget", None).unwrap();
    assert_eq!(status, 401, "{refused}");
    assert!(refused["code"].is_string(), "{refused}");
}

#[test]
fn the_server_offers_http2_and_http1() {
    let s = start();
    for (offered, chosen) in [(&[&b"h2"[..], b"http/1.1"][..], &b"h2"[..]), (&[&b"http/1.1"[..]][..], b"http/1.1")] {
        let mut connection = rustls::ClientConnection::new(
            client(&s.credentials.der, offered),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut tcp = TcpStream::connect(s.addr).unwrap();
        while connection.is_handshaking() {
            connection.complete_io(&mut tcp).unwrap();
        }
        assert_eq!(connection.alpn_protocol(), Some(chosen));
    }
}

#[test]
fn plain_http_to_the_tls_port_gets_no_http_response() {
    let s = start();
    let mut tcp = TcpStream::connect(s.addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    tcp.write_all(b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    // At most a TLS alert, then the connection is closed (or reset).
    let answer = read_all(&mut tcp).unwrap_or_default();
    assert!(!answer.starts_with(b"HTTP/"), "{}", String::from_utf8_lossy(&answer));
    // The failed handshake ended that connection only.
    let (status, _) = https_get(s.addr, client(&s.credentials.der, &[]), "/v1/health", None).unwrap();
    assert_eq!(status, 200);
}

#[test]
fn a_client_that_does_not_trust_the_certificate_fails_the_handshake() {
    let s = start();
    let dir = tempfile::tempdir().unwrap();
    let stranger = credentials(dir.path(), "other");
    let e = https_get(s.addr, client(&stranger.der, &[]), "/v1/health", None).unwrap_err();
    assert!(e.to_string().contains("invalid peer certificate"), "{e}");
    // Nor does a name the certificate does not hold pass.
    let tcp = TcpStream::connect(s.addr).unwrap();
    let connection = rustls::ClientConnection::new(
        client(&s.credentials.der, &[]),
        ServerName::try_from("crowdlens.example").unwrap(),
    )
    .unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let e = tls
        .write_all(b"GET / HTTP/1.1\r\n\r\n")
        .and_then(|_| tls.flush())
        .and_then(|_| read_all(&mut tls))
        .unwrap_err();
    assert!(e.to_string().contains("invalid peer certificate"), "{e}");
    let (status, _) = https_get(s.addr, client(&s.credentials.der, &[]), "/v1/health", None).unwrap();
    assert_eq!(status, 200, "the server still serves");
}

#[test]
fn a_silent_client_neither_blocks_others_nor_holds_its_connection() {
    let s = start();
    let mut silent = TcpStream::connect(s.addr).unwrap();
    let began = Instant::now();
    let (status, _) = https_get(s.addr, client(&s.credentials.der, &[]), "/v1/health", None).unwrap();
    assert_eq!(status, 200, "served while another connection has not begun its handshake");
    silent.set_read_timeout(Some(crowdlens_server::HANDSHAKE_TIMEOUT + Duration::from_secs(20))).unwrap();
    // The server gives up on the handshake and closes the connection.
    let read = silent.read(&mut [0u8; 64]);
    let waited = began.elapsed();
    let closed = matches!(read, Ok(0)) || matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset);
    assert!(closed, "the silent connection was still open after {waited:?}: {read:?}");
    assert!(waited + Duration::from_secs(1) >= crowdlens_server::HANDSHAKE_TIMEOUT, "closed after only {waited:?}");
}

fn load_error(cert: &Path, key: &Path) -> String {
    TlsConfig::load(cert, key).unwrap_err().to_string()
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = credentials(dir.path(), "good");
    let missing = dir.path().join("nowhere.crt");
    let e = load_error(&missing, &good.key);
    assert!(e.contains("certificate file") && e.contains("nowhere.crt") && e.contains("cannot read"), "{e}");
    let missing = dir.path().join("nowhere.key");
    let e = load_error(&good.cert, &missing);
    assert!(e.contains("key file") && e.contains("nowhere.key") && e.contains("cannot read"), "{e}");
    assert!(TlsConfig::load(&good.cert, &good.key).is_ok());
}

#[test]
fn a_file_without_a_certificate_or_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = credentials(dir.path(), "good");
    // A key where the certificate should be, and the other way round.
    let e = load_error(&good.key, &good.key);
    assert!(e.contains("good.key") && e.contains("no certificate in it"), "{e}");
    let e = load_error(&good.cert, &good.cert);
    assert!(e.contains("good.crt") && e.contains("no private key in it"), "{e}");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not PEM at all\n").unwrap();
    let e = load_error(&empty, &good.key);
    assert!(e.contains("empty.pem") && e.contains("no certificate in it"), "{e}");
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one = credentials(dir.path(), "one");
    let two = credentials(dir.path(), "two");
    let e = load_error(&one.cert, &two.key);
    assert!(e.contains("two.key") && e.contains("one.crt") && e.contains("does not match the certificate"), "{e}");
}
