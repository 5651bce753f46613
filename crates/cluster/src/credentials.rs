//! Who may speak to a cluster node: mutual TLS with the cluster's own certificate authority.
//!
//! Every node and every coordinator holds a bundle: the authority's certificate (`ca.pem`), a
//! certificate it signed (`node.pem`) and that certificate's key (`node.key`). Every server asks
//! for the peer's certificate and drops the connection, before any request is read, unless it
//! chains to the authority; every client checks the server's certificate the same way. So a
//! local user or a network peer without a bundle cannot submit a plan, fetch a shuffle
//! partition or pose as an executor, and what crosses the network (plans with their salts,
//! shuffle partitions with pseudonyms' pings) is encrypted.
//!
//! Mutual TLS rather than a shared secret: a secret in a header would cross the network in the
//! clear beside the shuffle data it guards, and Ballista's clients (executor to scheduler,
//! executor to executor, coordinator to both) all take an endpoint hook where TLS is set, while
//! none takes a hook to add a header.
//!
//! Nodes are addressed by IP or by any host name, so certificates are not matched to the
//! address dialled: every certificate names [`SERVER_NAME`], and a peer is trusted because the
//! cluster's authority signed it.

use crate::ClusterError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity, ServerTlsConfig};

/// The name every node certificate carries, and every client expects.
pub const SERVER_NAME: &str = "crowdlens-cluster";

/// The files of a bundle, in its directory.
pub const CA_FILE: &str = "ca.pem";
pub const CERT_FILE: &str = "node.pem";
pub const KEY_FILE: &str = "node.key";

/// How a node or coordinator talks to the others.
#[derive(Clone)]
pub enum Transport {
    /// Mutual TLS with the bundle's certificates.
    MutualTls(Arc<Credentials>),
    /// Plain gRPC, for a test cluster whose every node is on loopback. Any local user can reach
    /// such a cluster; it exists for tests and demos on a single-user machine.
    InsecureLoopback,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::MutualTls(c) => write!(f, "MutualTls({})", c.dir.display()),
            Transport::InsecureLoopback => write!(f, "InsecureLoopback"),
        }
    }
}

impl Transport {
    /// The transport for a node that listens on `binds` and dials `dials`: its bundle, or plain
    /// gRPC when `insecure_loopback` is given and every address is a loopback one.
    pub fn for_node(
        credentials: Option<&Path>,
        insecure_loopback: bool,
        addresses: &[std::net::IpAddr],
    ) -> Result<Transport, ClusterError> {
        match (credentials, insecure_loopback) {
            (Some(_), true) => Err(ClusterError::Credentials(
                "give either --credentials or --insecure-loopback, not both".into(),
            )),
            (Some(dir), false) => Ok(Transport::MutualTls(Arc::new(Credentials::load(dir)?))),
            (None, true) => match addresses.iter().find(|ip| !ip.is_loopback()) {
                Some(ip) => Err(ClusterError::Credentials(format!(
                    "--insecure-loopback is for a test cluster on loopback only, and {ip} is not a loopback address: \
                     give the node its bundle with --credentials DIR (make one with `crowdlens cluster credentials`)"
                ))),
                None => Ok(Transport::InsecureLoopback),
            },
            (None, false) => Err(ClusterError::Credentials(
                "a cluster node needs the cluster's credentials: give --credentials DIR, a bundle made by \
                 `crowdlens cluster credentials` (ca.pem, node.pem, node.key); for a test cluster on loopback only, \
                 --insecure-loopback starts it without"
                    .into(),
            )),
        }
    }

    /// Who may call what on a node of this transport.
    pub(crate) fn policy(&self) -> crate::roles::Policy {
        crate::roles::Policy { enforce: matches!(self, Transport::MutualTls(_)) }
    }

    /// What servers of this transport are given: TLS that demands a client certificate.
    pub(crate) fn server_tls(&self) -> Option<ServerTlsConfig> {
        match self {
            Transport::MutualTls(c) => Some(c.server_tls()),
            Transport::InsecureLoopback => None,
        }
    }

    /// The hook Ballista's clients call on every endpoint they make: TLS with the bundle.
    pub(crate) fn endpoint_hook(&self) -> Option<ballista_core::extension::EndpointOverrideFn> {
        match self {
            Transport::MutualTls(c) => {
                let c = Arc::clone(c);
                Some(Arc::new(move |endpoint: Endpoint| c.secure(&endpoint).map_err(Into::into)))
            }
            Transport::InsecureLoopback => None,
        }
    }

    /// An endpoint of this transport to `authority` (HOST:PORT).
    pub(crate) fn endpoint(&self, authority: &str) -> Result<Endpoint, ClusterError> {
        let plain = Endpoint::from_shared(format!("http://{authority}"))
            .map_err(|e| ClusterError::BadAddress(format!("{authority}: {e}")))?;
        match self {
            Transport::MutualTls(c) => c.secure(&plain),
            Transport::InsecureLoopback => Ok(plain),
        }
    }
}

/// A node's bundle: the cluster authority and the node's own certificate and key.
pub struct Credentials {
    dir: PathBuf,
    ca: String,
    cert: String,
    key: String,
}

impl Credentials {
    /// Reads a bundle and checks that its parts make working TLS configurations, so a broken
    /// bundle stops a node at start rather than at its first connection.
    pub fn load(dir: &Path) -> Result<Credentials, ClusterError> {
        let read = |name: &str| -> Result<String, ClusterError> {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| {
                ClusterError::Credentials(format!(
                    "{}: {e}; a bundle is a directory holding {CA_FILE}, {CERT_FILE} and {KEY_FILE}, as \
                     `crowdlens cluster credentials` writes it",
                    path.display()
                ))
            })
        };
        let ca = read(CA_FILE)?;
        let cert = read(CERT_FILE)?;
        let key = read(KEY_FILE)?;
        bundle_is_owner_only(dir)?;
        for (name, text, tag) in [(CA_FILE, &ca, "CERTIFICATE"), (CERT_FILE, &cert, "CERTIFICATE"), (KEY_FILE, &key, "PRIVATE KEY")] {
            if !text.contains("-----BEGIN ") || !text.contains(tag) {
                return Err(ClusterError::Credentials(format!(
                    "{}: not a PEM {}",
                    dir.join(name).display(),
                    tag.to_ascii_lowercase()
                )));
            }
        }
        let credentials = Credentials { dir: dir.to_path_buf(), ca, cert, key };
        let broken = |side: &str, e: &dyn std::fmt::Display| {
            ClusterError::Credentials(format!("the bundle in {} does not make a TLS {side}: {e}", dir.display()))
        };
        tonic::transport::Server::builder().tls_config(credentials.server_tls()).map_err(|e| broken("server", &e))?;
        Endpoint::from_static("https://crowdlens-cluster:1")
            .tls_config(credentials.client_tls())
            .map_err(|e| broken("client", &e))?;
        Ok(credentials)
    }

    fn server_tls(&self) -> ServerTlsConfig {
        ServerTlsConfig::new()
            .identity(Identity::from_pem(&self.cert, &self.key))
            .client_ca_root(Certificate::from_pem(&self.ca))
    }

    fn client_tls(&self) -> ClientTlsConfig {
        ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&self.ca))
            .identity(Identity::from_pem(&self.cert, &self.key))
            .domain_name(SERVER_NAME)
    }

    /// `endpoint`'s address over TLS. Ballista dials `http://` URLs; tonic speaks TLS only to
    /// `https://` ones, so the endpoint is made again, with the settings Ballista gives its own.
    fn secure(&self, endpoint: &Endpoint) -> Result<Endpoint, ClusterError> {
        let authority = endpoint
            .uri()
            .authority()
            .ok_or_else(|| ClusterError::BadAddress(endpoint.uri().to_string()))?
            .to_string();
        let config = ballista_core::utils::GrpcClientConfig::default();
        let secure = ballista_core::utils::create_grpc_client_endpoint(format!("https://{authority}"), Some(&config))
            .map_err(|e| ClusterError::BadAddress(format!("{authority}: {e}")))?;
        secure
            .tls_config(self.client_tls())
            .map_err(|e| ClusterError::Credentials(format!("TLS to {authority}: {e}")))
    }
}

/// A key another local user can read is a key every local user holds; a bundle another user
/// can write is one they can swap their own authority into.
fn bundle_is_owner_only(dir: &Path) -> Result<(), ClusterError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let me = crate::executor::current_uid();
        for (path, forbidden, what) in [
            (dir.to_path_buf(), 0o022, "written by"),
            (dir.join(CA_FILE), 0o022, "written by"),
            (dir.join(CERT_FILE), 0o022, "written by"),
            (dir.join(KEY_FILE), 0o077, "read by"),
        ] {
            let meta = std::fs::metadata(&path)
                .map_err(|e| ClusterError::Credentials(format!("{}: {e}", path.display())))?;
            let mode = meta.permissions().mode();
            if mode & forbidden != 0 {
                let fix = if forbidden == 0o077 { "chmod 600" } else { "chmod go-w" };
                return Err(ClusterError::Credentials(format!(
                    "{} can be {what} other users (mode {:o}): a bundle must be its owner's alone; run {fix} on it",
                    path.display(),
                    mode & 0o777
                )));
            }
            if meta.uid() != me && meta.uid() != 0 {
                return Err(ClusterError::Credentials(format!(
                    "{} belongs to another user (uid {}): a node uses only a bundle it or root owns",
                    path.display(),
                    meta.uid()
                )));
            }
        }
    }
    Ok(())
}

/// What `crowdlens cluster credentials` wrote.
#[derive(Debug)]
pub struct Issued {
    /// Each bundle's name and directory, the coordinator's first.
    pub bundles: Vec<(String, PathBuf)>,
}

/// The bundle every coordinator (the process that runs `ask --engine` or `serve`) uses.
pub const COORDINATOR: &str = "coordinator";

/// Makes a new certificate authority and one bundle per name under `out`, plus the
/// coordinator's. A node named `scheduler…` gets the scheduler's role, any other an executor's
/// ([`crate::roles`]). The authority's key is used here and never written: to add a node later,
/// issue a new set and give every node its new bundle.
pub fn issue(out: &Path, nodes: &[String]) -> Result<Issued, ClusterError> {
    let failed = |e: rcgen::Error| ClusterError::Credentials(format!("cannot make a certificate: {e}"));
    let io = |path: &Path, e: std::io::Error| ClusterError::Credentials(format!("{}: {e}", path.display()));
    let mut names = vec![COORDINATOR.to_string()];
    for node in nodes {
        let valid = !node.is_empty()
            && node.len() <= 64
            && node.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && !node.starts_with('.');
        if !valid {
            return Err(ClusterError::Credentials(format!(
                "{node:?} is not a node name: use letters, digits, '-', '_' and '.', such as executor-1"
            )));
        }
        if names.contains(node) {
            return Err(ClusterError::Credentials(format!("the node name {node:?} is given twice")));
        }
        names.push(node.clone());
    }
    if out.exists() && std::fs::read_dir(out).map_err(|e| io(out, e))?.next().is_some() {
        return Err(ClusterError::Credentials(format!(
            "{} is not empty: credentials are written to a new directory, so that no old bundle is mixed in",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    // The bundles hold keys: the directory is owner-only until each is handed to its node.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700)).map_err(|e| io(out, e))?;
    }

    let (not_before, not_after) = validity();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "crowdlens cluster authority");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_key = rcgen::KeyPair::generate().map_err(failed)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(failed)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    write_file(&out.join(CA_FILE), &ca_cert.pem(), 0o644)?;

    let mut bundles = Vec::new();
    for name in names {
        let role = crate::roles::Role::of_bundle(&name);
        let mut params = rcgen::CertificateParams::new(vec![SERVER_NAME.to_string(), role.dns_name().to_string()])
            .map_err(failed)?;
        params.distinguished_name.push(rcgen::DnType::CommonName, name.clone());
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages =
            vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        let key = rcgen::KeyPair::generate().map_err(failed)?;
        let cert = params.signed_by(&key, &issuer).map_err(failed)?;
        let dir = out.join(&name);
        std::fs::create_dir(&dir).map_err(|e| io(&dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| io(&dir, e))?;
        }
        write_file(&dir.join(CA_FILE), &ca_cert.pem(), 0o644)?;
        write_file(&dir.join(CERT_FILE), &cert.pem(), 0o644)?;
        write_file(&dir.join(KEY_FILE), &key.serialize_pem(), 0o600)?;
        bundles.push((name, dir));
    }
    Ok(Issued { bundles })
}

/// Copies the bundle in `from` to a new owner-only directory `to` (where a coordinator keeps
/// its own), the key owner-only as `issue` wrote it.
pub fn install(from: &Path, to: &Path) -> Result<(), ClusterError> {
    let io = |path: &Path, e: std::io::Error| ClusterError::Credentials(format!("{}: {e}", path.display()));
    std::fs::create_dir(to).map_err(|e| io(to, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).map_err(|e| io(to, e))?;
    }
    for (name, mode) in [(CA_FILE, 0o644), (CERT_FILE, 0o644), (KEY_FILE, 0o600)] {
        let text = std::fs::read_to_string(from.join(name)).map_err(|e| io(&from.join(name), e))?;
        write_file(&to.join(name), &text, mode)?;
    }
    Ok(())
}

/// Certificates are good from yesterday (clocks differ) for two years.
fn validity() -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    (at(now - 86_400), at(now + 2 * 365 * 86_400))
}

fn write_file(path: &Path, text: &str, mode: u32) -> Result<(), ClusterError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let _ = mode;
    let mut file = options.open(path).map_err(|e| ClusterError::Credentials(format!("{}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| ClusterError::Credentials(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_bundles_load_and_broken_ones_are_named() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("creds");
        let issued = issue(&out, &["scheduler".into(), "executor-1".into()]).unwrap();
        let names: Vec<&str> = issued.bundles.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["coordinator", "scheduler", "executor-1"]);
        for (_, dir) in &issued.bundles {
            Credentials::load(dir).unwrap();
        }
        let installed = root.path().join("store-cluster");
        install(&issued.bundles[0].1, &installed).unwrap();
        Credentials::load(&installed).unwrap();
        assert!(install(&issued.bundles[0].1, &installed).is_err(), "an existing bundle is not overwritten");
        let again = issue(&out, &[]).unwrap_err().to_string();
        assert!(again.contains("is not empty"), "{again}");
        assert!(issue(&root.path().join("x"), &["../up".into()]).unwrap_err().to_string().contains("not a node name"));
        assert!(issue(&root.path().join("y"), &["coordinator".into()]).unwrap_err().to_string().contains("twice"));

        let bundle = &issued.bundles[1].1;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = bundle.join(KEY_FILE);
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
            let open = Credentials::load(bundle).err().unwrap().to_string();
            assert!(open.contains("chmod 600"), "{open}");
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(bundle.join(CERT_FILE), "not a certificate").unwrap();
        let broken = Credentials::load(bundle).err().unwrap().to_string();
        assert!(broken.contains("node.pem") && broken.contains("not a PEM"), "{broken}");
        let missing = Credentials::load(&root.path().join("nowhere")).err().unwrap().to_string();
        assert!(missing.contains("ca.pem") && missing.contains("crowdlens cluster credentials"), "{missing}");
    }

    #[test]
    fn a_node_without_credentials_refuses_unless_it_is_a_loopback_test_cluster() {
        let lo: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let wide: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        let none = Transport::for_node(None, false, &[lo]).unwrap_err().to_string();
        assert!(none.contains("--credentials DIR") && none.contains("--insecure-loopback"), "{none}");
        assert!(matches!(Transport::for_node(None, true, &[lo, lo]), Ok(Transport::InsecureLoopback)));
        let exposed = Transport::for_node(None, true, &[lo, wide]).unwrap_err().to_string();
        assert!(exposed.contains("0.0.0.0 is not a loopback address"), "{exposed}");
        let both = Transport::for_node(Some(Path::new("/x")), true, &[lo]).unwrap_err().to_string();
        assert!(both.contains("not both"), "{both}");
    }
}
