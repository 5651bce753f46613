//! `crowdlens serve --tls-cert FILE --tls-key FILE`: the real binary serving HTTPS with a
//! self-signed certificate for localhost, fetched by a client whose only root is that
//! certificate; and the flags' errors.

use crate::support::*;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A self-signed certificate for localhost and 127.0.0.1 as PEM files: (cert, key, DER).
fn self_signed(dir: &Path) -> (PathBuf, PathBuf, CertificateDer<'static>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key, made.cert.der().clone())
}

/// One HTTP/1.1 GET over TLS trusting only `root`: (status, JSON body).
fn https_get(port: u16, root: &CertificateDer<'static>, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connection =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap()).unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(tls, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}\r\n").unwrap();
    tls.flush().unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // A peer that closes without close_notify: what arrived is the reply.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => break,
            Err(e) => panic!("reading the reply to {path}: {e}"),
        }
    }
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP reply: {raw:?}"));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{head}"));
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")))
}

#[test]
fn serve_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let token = run(&["token", "create", "--store", s(&st), "--role", "analyst", "--name", "alice"])
        .ok()
        .stdout
        .trim()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let (cert, key, der) = self_signed(dir.path());
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = bin()
        .args(["serve", "--store", s(&st), "--listen", &listen, "--tls-cert", s(&cert), "--tls-key", s(&key)])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn crowdlens serve");
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let server = Killed(child);
    let mut first = String::new();
    log.read_line(&mut first).unwrap();
    // Keep reading the server's log, so that its writes never meet a closed pipe.
    let rest = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut line = String::new();
        while log.read_line(&mut line).is_ok_and(|n| n > 0) {
            eprint!("serve: {line}");
            seen.push_str(&line);
            line.clear();
        }
        seen
    });
    assert!(first.starts_with(&format!("crowdlens on https://{listen}/ ")), "the banner says https: {first:?}");

    let (status, health) = https_get(port, &der, "/v1/health", None);
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    let (status, budget) = https_get(port, &der, "/v1/budget", Some(&token));
    assert_eq!(status, 200, "{budget}");
    assert_eq!(budget["by_case_scope"], "token");
    drop(server);
    let log = rest.join().unwrap();
    assert!(!log.contains("in the clear"), "no plain-HTTP warning when serving TLS on loopback: {log}");
}

#[test]
fn tls_cert_needs_tls_key() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let (cert, key, _) = self_signed(dir.path());
    for (given, named) in [("--tls-cert", &cert), ("--tls-key", &key)] {
        let r = run(&["serve", "--store", s(&st), "--listen", "127.0.0.1:0", given, s(named)]);
        assert_ne!(r.status, 0, "{given} alone was accepted: {}", r.stderr);
        let other = if given == "--tls-cert" { "--tls-key" } else { "--tls-cert" };
        assert!(
            r.stderr.contains("the following required arguments were not provided") && r.stderr.contains(other),
            "{given} alone: {}",
            r.stderr
        );
    }
}

#[test]
fn a_missing_certificate_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let (_, key, _) = self_signed(dir.path());
    let missing = dir.path().join("nowhere.crt");
    let r =
        run(&["serve", "--store", s(&st), "--listen", "127.0.0.1:0", "--tls-cert", s(&missing), "--tls-key", s(&key)]);
    let e = r.clean_error();
    assert!(e.contains(s(&missing)) && e.contains("cannot read it"), "{e}");
    // A key that is not the certificate's is refused before anything is served.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (cert, _, _) = self_signed(&other);
    let r = run(&["serve", "--store", s(&st), "--listen", "127.0.0.1:0", "--tls-cert", s(&cert), "--tls-key", s(&key)]);
    assert!(r.clean_error().contains("does not match the certificate"), "{}", r.stderr);
}

#[test]
fn plain_http_off_loopback_warns() {
    let dir = tempfile::tempdir().unwrap();
    let st = init_store(dir.path());
    let mut child = bin()
        .args(["serve", "--store", s(&st), "--listen", "0.0.0.0:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn crowdlens serve");
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let _server = Killed(child);
    let (mut first, mut second) = (String::new(), String::new());
    log.read_line(&mut first).unwrap();
    log.read_line(&mut second).unwrap();
    assert!(first.starts_with("crowdlens on http://0.0.0.0:"), "the address stays the first line: {first:?}");
    assert!(
        second.starts_with("warning: ") && second.contains("in the clear") && second.contains("--tls-cert"),
        "{second:?}"
    );
}
