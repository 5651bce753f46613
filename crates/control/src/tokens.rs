//! API tokens. A token is `cl_<id>_<secret>` with 192 random bits of secret; only an argon2
//! hash of the secret is stored, so the database alone never yields a usable token. The id
//! lets a check hash once instead of trying every stored token.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::TryRngCore;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

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
}

impl std::str::FromStr for Role {
    type Err = ControlError;
    fn from_str(s: &str) -> Result<Role, ControlError> {
        match s {
            "analyst" => Ok(Role::Analyst),
            "auditor" => Ok(Role::Auditor),
            "admin" => Ok(Role::Admin),
            other => Err(ControlError::BadToken(format!("unknown role {other:?}: use analyst, auditor or admin"))),
        }
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
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
    Ok(())
}

/// Creates a token and returns it in full; this is the only time the secret exists outside the
/// caller's hands.
pub(crate) fn create(conn: &Connection, name: &str, role: Role) -> Result<(String, TokenInfo), ControlError> {
    if name.trim().is_empty() {
        return Err(ControlError::BadToken("a token needs a --name".into()));
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
    conn.execute(
        "INSERT INTO tokens (name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), hash, created_at],
    )?;
    let id = conn.last_insert_rowid();
    Ok((format!("cl_{id}_{secret}"), TokenInfo { id, name: name.into(), role, created_at, revoked_at: None }))
}

/// The token's facts if it is well-formed, known, matches its hash and is not revoked.
pub(crate) fn check(conn: &Connection, token: &str) -> Result<Option<TokenInfo>, ControlError> {
    let Some((id, secret)) = token.strip_prefix("cl_").and_then(|rest| rest.split_once('_')) else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let row: Option<(String, String, String, String, Option<String>)> = conn
        .query_row("SELECT name, role, secret_hash, created_at, revoked_at FROM tokens WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((name, role, hash, created_at, revoked_at)) = row else { return Ok(None) };
    if revoked_at.is_some() {
        return Ok(None);
    }
    let Ok(parsed) = PasswordHash::new(&hash) else { return Ok(None) };
    if Argon2::default().verify_password(secret.as_bytes(), &parsed).is_err() {
        return Ok(None);
    }
    Ok(Some(TokenInfo { id, name, role: role.parse()?, created_at, revoked_at }))
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
    let mut stmt = conn.prepare("SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, role, created_at, revoked_at) = row?;
        out.push(TokenInfo { id, name, role: role.parse()?, created_at, revoked_at });
    }
    Ok(out)
}
