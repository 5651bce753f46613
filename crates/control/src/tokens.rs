//! API tokens. A token is `cl_<id>_<secret>` with 192 random bits of secret; only an argon2
//! hash of the secret is stored, so the database alone never yields a usable token. The id
//! lets a check hash once instead of trying every stored token.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::TryRngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::ControlError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Asks questions.
    Analyst,
    /// Reads budget, audit and reports.
    Auditor,
    /// Ingests, manages tokens and configuration.
    Admin,
    /// Approves or declines questions over the store's approval threshold, asked by others.
    Supervisor,
}

impl std::str::FromStr for Role {
    type Err = ControlError;
    fn from_str(s: &str) -> Result<Role, ControlError> {
        match s {
            "analyst" => Ok(Role::Analyst),
            "auditor" => Ok(Role::Auditor),
            "admin" => Ok(Role::Admin),
            "supervisor" => Ok(Role::Supervisor),
            other => {
                Err(ControlError::BadToken(format!("unknown role {other:?}: use analyst, auditor, admin or supervisor")))
            }
        }
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
        }
    }
}

/// What a token may ask: each list, when given, is every value allowed; `None` allows any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purposes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<String>>,
}

impl Scope {
    /// What a question of `kind` for `case` and `purpose` falls outside of, if anything.
    pub fn refusal(&self, kind: &str, purpose: &str, case: &str) -> Option<String> {
        let outside = |allowed: &Option<Vec<String>>, value: &str, what: &str| {
            let allowed = allowed.as_ref()?;
            (!allowed.iter().any(|a| a == value))
                .then(|| format!("this token may ask {what} {} only, not {value:?}", allowed.join(", ")))
        };
        outside(&self.kinds, kind, "questions of kind")
            .or_else(|| outside(&self.purposes, purpose, "for purpose"))
            .or_else(|| outside(&self.cases, case, "for case"))
    }

    pub fn is_unlimited(&self) -> bool {
        self.kinds.is_none() && self.purposes.is_none() && self.cases.is_none()
    }
}

/// A new token's holder, role, expiry, scope and cap.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// RFC 3339; the token is refused from then on.
    pub expires_at: Option<String>,
    pub scope: Scope,
    /// Largest ε the token's questions may spend in one epoch, composed.
    pub epsilon_cap_per_epoch: Option<f64>,
}

impl NewToken {
    pub fn new(name: &str, role: Role) -> NewToken {
        NewToken { name: name.into(), role, expires_at: None, scope: Scope::default(), epsilon_cap_per_epoch: None }
    }
}

/// A token's public facts (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub expires_at: Option<String>,
    pub scope: Scope,
    pub epsilon_cap_per_epoch: Option<f64>,
}

impl TokenInfo {
    /// The actor its questions and entries are recorded under.
    pub fn actor(&self) -> String {
        format!("{TOKEN_ACTOR}{}:{}", self.id, self.name)
    }

    /// What its creation records in the audit chain: everything but its secret.
    pub fn as_created(&self) -> serde_json::Value {
        serde_json::json!({
            "token_created": self.id,
            "name": self.name,
            "role": self.role.as_str(),
            "expires_at": self.expires_at,
            "scope": self.scope,
            "epsilon_cap_per_epoch": self.epsilon_cap_per_epoch,
        })
    }

    /// Whether it has expired at `now`.
    pub fn expired(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| t.with_timezone(&chrono::Utc) <= now)
    }
}

/// An expiry as given (`2027-01-01T00:00:00Z` or a span such as `30d`), as RFC 3339.
pub fn expiry_of(text: &str) -> Result<String, String> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let seconds = crowdlens_types::parse_span(text)
        .map_err(|e| format!("expires {text:?}: give an RFC 3339 time or a span such as 30d ({e})"))?;
    let at = chrono::Utc::now() + chrono::Duration::seconds(seconds);
    Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// How a token's actor begins: `token:ID:NAME`.
const TOKEN_ACTOR: &str = "token:";

/// The token an actor names, if it is a token's.
pub fn token_id_of_actor(actor: &str) -> Option<i64> {
    actor.strip_prefix(TOKEN_ACTOR)?.split_once(':')?.0.parse().ok()
}

pub(crate) fn create_table(conn: &Connection) -> Result<(), ControlError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );",
    )?;
    // Tokens made before expiry, scopes and caps: none of them, as they were.
    for (column, kind) in [("expires_at", "TEXT"), ("scope", "TEXT NOT NULL DEFAULT '{}'"), ("epsilon_cap", "REAL")] {
        crate::add_column_if_missing(conn, "tokens", column, kind)?;
    }
    Ok(())
}

/// Creates a token and returns it in full; this is the only time the secret exists outside the
/// caller's hands.
pub(crate) fn create(conn: &Connection, new: &NewToken) -> Result<(String, TokenInfo), ControlError> {
    let NewToken { name, role, expires_at, scope, epsilon_cap_per_epoch } = new;
    let (name, role) = (name.as_str(), *role);
    if name.trim().is_empty() {
        return Err(ControlError::BadToken("a token needs a --name".into()));
    }
    if let Some(at) = expires_at {
        let parsed = chrono::DateTime::parse_from_rfc3339(at)
            .map_err(|_| ControlError::BadToken(format!("--expires {at:?}: give an RFC 3339 time or a span such as 30d")))?;
        if parsed.with_timezone(&chrono::Utc) <= chrono::Utc::now() {
            return Err(ControlError::BadToken(format!("--expires {at}: that time has passed")));
        }
    }
    if let Some(cap) = epsilon_cap_per_epoch {
        if !(cap.is_finite() && *cap > 0.0) {
            return Err(ControlError::BadToken(format!("--epsilon-cap {cap}: must be a positive number")));
        }
    }
    for list in [&scope.kinds, &scope.purposes, &scope.cases].into_iter().flatten() {
        if list.is_empty() || list.iter().any(|v| v.trim().is_empty()) {
            return Err(ControlError::BadToken("a scope names one or more values, none empty".into()));
        }
    }
    let mut secret = [0u8; 24];
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut secret)
        .and_then(|_| rand::rngs::OsRng.try_fill_bytes(&mut salt))
        .map_err(|e| ControlError::BadToken(format!("no OS randomness: {e}")))?;
    let secret = hex::encode(secret);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ControlError::BadToken(e.to_string()))?;
    let hash = Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| ControlError::BadToken(e.to_string()))?
        .to_string();
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let scope_json = serde_json::to_string(scope).expect("a scope serialises");
    conn.execute(
        "INSERT INTO tokens (name, role, secret_hash, created_at, expires_at, scope, epsilon_cap)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![name, role.as_str(), hash, created_at, expires_at, scope_json, epsilon_cap_per_epoch],
    )?;
    let id = conn.last_insert_rowid();
    let info = TokenInfo {
        id,
        name: name.into(),
        role,
        created_at,
        revoked_at: None,
        expires_at: expires_at.clone(),
        scope: scope.clone(),
        epsilon_cap_per_epoch: *epsilon_cap_per_epoch,
    };
    Ok((format!("cl_{id}_{secret}"), info))
}

const COLUMNS: &str = "id, name, role, created_at, revoked_at, expires_at, scope, epsilon_cap";

fn info_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String, Option<String>, Option<String>, String, Option<f64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

fn info_from(
    (id, name, role, created_at, revoked_at, expires_at, scope, cap): (i64, String, String, String, Option<String>, Option<String>, String, Option<f64>),
) -> Result<TokenInfo, ControlError> {
    Ok(TokenInfo {
        id,
        name,
        role: role.parse()?,
        created_at,
        revoked_at,
        expires_at,
        scope: serde_json::from_str(&scope).map_err(|e| ControlError::BadToken(format!("token {id}'s scope: {e}")))?,
        epsilon_cap_per_epoch: cap,
    })
}

/// A token's facts by id, revoked or not.
pub(crate) fn by_id(conn: &Connection, id: i64) -> Result<Option<TokenInfo>, ControlError> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM tokens WHERE id = ?1"), [id], info_of)
        .optional()?
        .map(info_from)
        .transpose()
}

/// Why a live question of this token may no longer be charged: revoked or expired.
pub(crate) fn no_longer_valid(info: &TokenInfo) -> Option<&'static str> {
    if info.revoked_at.is_some() {
        Some("this token was revoked")
    } else if info.expired(chrono::Utc::now()) {
        Some("this token has expired")
    } else {
        None
    }
}

/// The token's facts if it is well-formed, known, matches its hash, is not revoked and has not
/// expired.
pub(crate) fn check(conn: &Connection, token: &str) -> Result<Option<TokenInfo>, ControlError> {
    let Some((id, secret)) = token.strip_prefix("cl_").and_then(|rest| rest.split_once('_')) else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let hash: Option<String> =
        conn.query_row("SELECT secret_hash FROM tokens WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let Some(hash) = hash else { return Ok(None) };
    let Ok(parsed) = PasswordHash::new(&hash) else { return Ok(None) };
    if Argon2::default().verify_password(secret.as_bytes(), &parsed).is_err() {
        return Ok(None);
    }
    // Read again after the hash's tens of milliseconds: a revocation meanwhile counts.
    let Some(info) = by_id(conn, id)? else { return Ok(None) };
    Ok(no_longer_valid(&info).is_none().then_some(info))
}

/// Checks a token against the database at `db` without opening a ledger: authentication comes
/// before anything else a request does. Read-only; the argon2 verification takes tens of
/// milliseconds of CPU, so async callers run this on a blocking thread.
pub fn check_at(db: &std::path::Path, token: &str) -> Result<Option<TokenInfo>, ControlError> {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    check(&conn, token)
}

pub(crate) fn revoke(conn: &Connection, id: i64) -> Result<bool, ControlError> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(conn.execute("UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL", params![now, id])? == 1)
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<TokenInfo>, ControlError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM tokens ORDER BY id"))?;
    let rows = stmt.query_map([], info_of)?;
    rows.map(|row| info_from(row?)).collect()
}
