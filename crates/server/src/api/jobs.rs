//! Questions as jobs: `POST /v1/jobs` starts a question on a task of its own and returns at
//! once; the job's status says its stage and progress (`crowdlens_query::progress`), its
//! result is the reply `/v1/ask` would have given, and a cancel drops the question, whose
//! reservation audits it as abandoned after charge if it was charged. A long question so never
//! holds an HTTP request open.
//!
//! Jobs live in the server's memory, each visible only to the token that submitted it. A
//! server that stops loses its jobs, not their answers: an answered job's answer is kept in
//! the ledger (`/v1/answers`), and a charged one is in the audit chain however it ended.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use crowdlens_control::tokens::TokenInfo;
use crowdlens_query::progress::{Progress, Stage};
use crowdlens_query::Reply;
use rand::TryRngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::auth::{Analysts, Caller};
use super::questions::Asked;
use super::{ApiError, ServerState};

/// Jobs one token may have running at once, and all tokens together.
pub(crate) const RUNNING_PER_TOKEN: usize = 4;
const RUNNING_IN_ALL: usize = 16;
/// The most bytes of finished jobs' replies kept, all tokens together: the oldest go first. A
/// reply larger than this alone is not kept as a result; its answer is (`/v1/answers/{id}`).
const KEPT_REPLY_BYTES: usize = 256 << 20;
/// Finished jobs kept per token (the oldest go first), and for how long.
const FINISHED_PER_TOKEN: usize = 64;
const FINISHED_KEPT_FOR: Duration = Duration::from_secs(3600);
/// The longest a status request may wait for a change.
const LONGEST_WAIT: Duration = Duration::from_secs(30);
const WAIT_TICK: Duration = Duration::from_millis(100);

/// Every job the server holds, by id.
#[derive(Default)]
pub(crate) struct Jobs {
    by_id: Mutex<HashMap<String, Arc<Job>>>,
}

struct Job {
    id: String,
    owner: i64,
    question: String,
    dry_run: bool,
    submitted: DateTime<Utc>,
    progress: Arc<Progress>,
    state: Mutex<JobState>,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
}

struct JobState {
    outcome: Outcome,
    finished: Option<(DateTime<Utc>, Instant)>,
}

enum Outcome {
    Running,
    /// The reply as `/v1/ask` gives it, serialised (`None` once it was too large to keep), and
    /// the kept answer it gave.
    Done { reply: Option<Bytes>, answer: Option<i64> },
    Failed(ApiError),
    Cancelled,
}

impl Outcome {
    fn name(&self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Done { .. } => "done",
            Outcome::Failed(_) => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// A job's status as the API gives it.
#[derive(Debug, Serialize, PartialEq)]
pub(super) struct Status {
    id: String,
    question: String,
    dry_run: bool,
    /// `running`, `done`, `failed` or `cancelled`.
    status: &'static str,
    stage: Stage,
    /// From 0 to 1, an estimate for a progress bar.
    progress: f64,
    submitted: String,
    finished: Option<String>,
    /// A finished job's error, as `/v1/ask` would have returned it.
    error: Option<Value>,
    /// The kept answer a finished job gave (`/v1/answers/{id}`).
    answer: Option<i64>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn error_json(e: &ApiError) -> Value {
    let mut body = serde_json::json!({"code": e.code, "message": e.message, "status": e.status.as_u16()});
    if let Some(field) = &e.field {
        body["field"] = field.clone().into();
    }
    body
}

impl Job {
    fn status(&self) -> Status {
        let state = self.state.lock().expect("job state");
        let answer = match &state.outcome {
            Outcome::Done { answer, .. } => *answer,
            _ => None,
        };
        let running = matches!(state.outcome, Outcome::Running);
        Status {
            id: self.id.clone(),
            question: self.question.clone(),
            dry_run: self.dry_run,
            status: state.outcome.name(),
            stage: if running { self.progress.stage() } else { Stage::Finished },
            progress: if running { self.progress.fraction() } else { 1.0 },
            submitted: rfc3339(self.submitted),
            finished: state.finished.map(|(at, _)| rfc3339(at)),
            error: match &state.outcome {
                Outcome::Failed(e) => Some(error_json(e)),
                _ => None,
            },
            answer,
        }
    }

    fn is_running(&self) -> bool {
        matches!(self.state.lock().expect("job state").outcome, Outcome::Running)
    }

    /// Records how the question ended, unless it already has (a cancel got there first).
    fn finish(&self, outcome: Outcome) {
        let mut state = self.state.lock().expect("job state");
        if matches!(state.outcome, Outcome::Running) {
            state.outcome = outcome;
            state.finished = Some((Utc::now(), Instant::now()));
        }
    }
}

/// A finished question's outcome: its reply serialised once, and the kept answer it names.
fn done(reply: &Reply) -> Result<Outcome, ApiError> {
    let answer = match reply {
        Reply::Answer(a) => Some(a.audit_id),
        Reply::Reused(kept) => kept["reused"]["answer"].as_i64(),
        Reply::Price(_) => None,
    };
    let bytes = serde_json::to_vec(reply).map_err(|e| ApiError::internal(format!("the job's reply: {e}")))?;
    let reply = (bytes.len() <= KEPT_REPLY_BYTES).then(|| Bytes::from(bytes));
    Ok(Outcome::Done { reply, answer })
}

/// Marks its job cancelled if the job's task is dropped before it finished: a cancel aborts
/// the task, and this runs after the question's own future (and its reservation, which audits
/// the abandonment) has been dropped.
struct CancelledUnlessFinished(Arc<Job>);

impl Drop for CancelledUnlessFinished {
    fn drop(&mut self) {
        self.0.finish(Outcome::Cancelled);
    }
}

impl Jobs {
    /// Drops every running job of a token: what its revocation does at once. Returns how many.
    pub(super) fn cancel_all_of(&self, owner: i64) -> usize {
        let jobs = self.by_id.lock().expect("jobs");
        let mut cancelled = 0;
        for job in jobs.values().filter(|j| j.owner == owner && j.is_running()) {
            if let Some(abort) = job.abort.lock().expect("job abort").as_ref() {
                abort.abort();
                cancelled += 1;
            }
        }
        cancelled
    }

    fn get(&self, owner: i64, id: &str) -> Result<Arc<Job>, ApiError> {
        let mut jobs = self.by_id.lock().expect("jobs");
        Jobs::prune(&mut jobs);
        match jobs.get(id) {
            Some(job) if job.owner == owner => Ok(Arc::clone(job)),
            // Another token's job is no more visible than one that never was.
            _ => Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no job {id} of this token"))),
        }
    }

    /// Forgets finished jobs past their keeping time, and a token's oldest finished ones over
    /// its count.
    fn prune(jobs: &mut HashMap<String, Arc<Job>>) {
        jobs.retain(|_, job| {
            job.state.lock().expect("job state").finished.is_none_or(|(_, at)| at.elapsed() < FINISHED_KEPT_FOR)
        });
        let mut finished: HashMap<i64, Vec<(Instant, String)>> = HashMap::new();
        for job in jobs.values() {
            if let Some((_, at)) = job.state.lock().expect("job state").finished {
                finished.entry(job.owner).or_default().push((at, job.id.clone()));
            }
        }
        for (_, mut list) in finished {
            list.sort();
            let over = list.len().saturating_sub(FINISHED_PER_TOKEN);
            for (_, id) in list.into_iter().take(over) {
                jobs.remove(&id);
            }
        }
        // Replies kept, oldest first, until they fit.
        let mut kept: Vec<(Instant, String, usize)> = jobs
            .values()
            .filter_map(|job| {
                let state = job.state.lock().expect("job state");
                match (&state.outcome, state.finished) {
                    (Outcome::Done { reply: Some(r), .. }, Some((_, at))) => Some((at, job.id.clone(), r.len())),
                    _ => None,
                }
            })
            .collect();
        kept.sort();
        let mut total: usize = kept.iter().map(|(_, _, n)| n).sum();
        for (_, id, n) in kept {
            if total <= KEPT_REPLY_BYTES {
                break;
            }
            jobs.remove(&id);
            total -= n;
        }
    }
}

fn new_job_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| ApiError::internal(format!("job id: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `POST /v1/jobs`: the body is `/v1/ask`'s with the question's kind as `question`.
pub(super) async fn submit(
    State(state): State<ServerState>,
    caller: Caller<Analysts>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut fields: Map<String, Value> = match serde_json::from_slice(&body)? {
        Value::Object(fields) => fields,
        other => return Err(ApiError::bad(format!("the body must be a JSON object, not {other}"))),
    };
    let kind = match fields.remove("question") {
        Some(Value::String(kind)) => kind,
        Some(other) => return Err(ApiError::bad(format!("question: give a question's name, not {other}")).on_field("question")),
        None => {
            return Err(ApiError::bad(format!(
                "missing field `question`: name the question to ask ({})",
                crowdlens_query::questions::kinds().join(", ")
            ))
            .on_field("question"))
        }
    };
    let asked = Asked::from_fields(kind, fields)?;
    let who: TokenInfo = caller.token;
    let deadline = state.limits.job_timeout;
    let mut jobs = state.jobs.by_id.lock().expect("jobs");
    Jobs::prune(&mut jobs);
    let running = jobs.values().filter(|j| j.owner == who.id && j.is_running()).count();
    if running >= RUNNING_PER_TOKEN {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_jobs",
            format!("this token has {running} jobs running, the most it may; wait for one to finish or cancel one"),
        ));
    }
    if jobs.values().filter(|j| j.is_running()).count() >= RUNNING_IN_ALL {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_jobs",
            format!("the server is running {RUNNING_IN_ALL} jobs, the most it runs at once; try again shortly"),
        ));
    }
    let job = Arc::new(Job {
        id: new_job_id()?,
        owner: who.id,
        question: asked.kind.clone(),
        dry_run: asked.dry_run,
        submitted: Utc::now(),
        progress: Progress::new(),
        state: Mutex::new(JobState { outcome: Outcome::Running, finished: None }),
        abort: Mutex::new(None),
    });
    // The status as submitted, before the task can move it on: how far a question got in the
    // moment after it was submitted is the server's timing, not an answer.
    let accepted = job.status();
    // Made before the task is spawned, so that a task dropped before its first poll still
    // ends its job.
    let guard = CancelledUnlessFinished(Arc::clone(&job));
    let task = {
        let job = Arc::clone(&job);
        let state = state.clone();
        async move {
            let progress = Arc::clone(&job.progress);
            let result = crowdlens_query::progress::watched(progress, asked.run(state, who, deadline)).await;
            job.finish(match result.and_then(|reply: Reply| done(&reply)) {
                Ok(outcome) => outcome,
                Err(e) => Outcome::Failed(e),
            });
            drop(guard);
        }
    };
    // Spawned and given its abort handle before anyone can see it, so that a cancel always
    // reaches it.
    let handle = tokio::spawn(task);
    *job.abort.lock().expect("job abort") = Some(handle.abort_handle());
    jobs.insert(job.id.clone(), Arc::clone(&job));
    drop(jobs);
    tracing::info!(token_id = job.owner, job = %job.id, question = %job.question, "job submitted");
    Ok((StatusCode::ACCEPTED, Json(accepted)).into_response())
}

/// `GET /v1/jobs`: this token's jobs, newest first.
pub(super) async fn list(State(state): State<ServerState>, caller: Caller<Analysts>) -> Json<Value> {
    let mut mine: Vec<Arc<Job>> = {
        let mut jobs = state.jobs.by_id.lock().expect("jobs");
        Jobs::prune(&mut jobs);
        jobs.values().filter(|j| j.owner == caller.token.id).cloned().collect()
    };
    mine.sort_by(|a, b| b.submitted.cmp(&a.submitted).then_with(|| a.id.cmp(&b.id)));
    Json(serde_json::json!({ "jobs": mine.iter().map(|j| j.status()).collect::<Vec<_>>() }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusQuery {
    /// Seconds to wait for the job to move on (its stage, its progress, or its end) before
    /// answering; at most 30. Without it the status is answered at once.
    #[serde(default)]
    wait: Option<f64>,
}

/// `GET /v1/jobs/{id}`: the job's status; with `wait`, once it has changed.
pub(super) async fn status(
    State(state): State<ServerState>,
    caller: Caller<Analysts>,
    Path(id): Path<String>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<Status>, ApiError> {
    let job = state.jobs.get(caller.token.id, &id)?;
    let wait = match q.wait {
        None => Duration::ZERO,
        Some(s) if s.is_finite() && s >= 0.0 => Duration::from_secs_f64(s.min(LONGEST_WAIT.as_secs_f64())),
        Some(s) => return Err(ApiError::bad(format!("wait: give seconds from 0 to 30, not {s}")).on_field("wait")),
    };
    let before = job.status();
    let until = Instant::now() + wait;
    while job.is_running() && Instant::now() < until {
        tokio::time::sleep(WAIT_TICK).await;
        let now = job.status();
        if now != before {
            return Ok(Json(now));
        }
    }
    Ok(Json(job.status()))
}

/// `GET /v1/jobs/{id}/result`: a finished job's reply, exactly as `/v1/ask` gives it, or its
/// error with the same status and code.
pub(super) async fn result(
    State(state): State<ServerState>,
    caller: Caller<Analysts>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = state.jobs.get(caller.token.id, &id)?;
    let state = job.state.lock().expect("job state");
    match &state.outcome {
        Outcome::Done { reply: Some(reply), .. } => {
            Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], reply.clone()).into_response())
        }
        Outcome::Done { reply: None, answer } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "result_not_kept",
            match answer {
                Some(a) => format!("job {id}'s reply was too large to keep as a job's result; read its answer at /v1/answers/{a}"),
                None => format!("job {id}'s reply was too large to keep as a job's result"),
            },
        )),
        Outcome::Failed(e) => Err(ApiError { status: e.status, code: e.code, message: e.message.clone(), field: e.field.clone(), approval: e.approval }),
        Outcome::Running => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_running",
            format!("job {id} has not finished: see GET /v1/jobs/{id} for its progress"),
        )),
        Outcome::Cancelled => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_cancelled",
            format!("job {id} was cancelled; if it was charged, the charge stands and the audit log says so"),
        )),
    }
}

/// `POST /v1/jobs/{id}/cancel`: drops the question. If it was charged, the charge stands and
/// its audit entry says it was abandoned after charge; if not, nothing was spent.
pub(super) async fn cancel(
    State(state): State<ServerState>,
    caller: Caller<Analysts>,
    Path(id): Path<String>,
) -> Result<Json<Status>, ApiError> {
    let job = state.jobs.get(caller.token.id, &id)?;
    if !job.is_running() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_finished",
            format!("job {id} has already finished ({}); there is nothing to cancel", job.status().status),
        ));
    }
    if let Some(abort) = job.abort.lock().expect("job abort").as_ref() {
        abort.abort();
    }
    // The task is dropped on the runtime; wait (briefly) until its reservation has audited the
    // abandonment and the job says so, so that the reply is the job's true state.
    let until = Instant::now() + Duration::from_secs(5);
    while job.is_running() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tracing::info!(token_id = job.owner, job = %job.id, "job cancelled");
    Ok(Json(job.status()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(owner: i64, id: &str) -> Arc<Job> {
        Arc::new(Job {
            id: id.into(),
            owner,
            question: "presence".into(),
            dry_run: false,
            submitted: Utc::now(),
            progress: Progress::new(),
            state: Mutex::new(JobState { outcome: Outcome::Running, finished: None }),
            abort: Mutex::new(None),
        })
    }

    #[test]
    fn a_finished_job_keeps_its_first_outcome_and_says_finished() {
        let j = job(1, "a");
        assert_eq!((j.status().status, j.status().stage), ("running", Stage::Queued));
        j.finish(Outcome::Done { reply: Some(Bytes::from_static(b"{}")), answer: Some(7) });
        j.finish(Outcome::Cancelled);
        let s = j.status();
        assert_eq!((s.status, s.stage, s.progress, s.answer), ("done", Stage::Finished, 1.0, Some(7)));
        assert!(s.finished.is_some());
    }

    #[test]
    fn another_tokens_job_is_not_found_and_old_finished_jobs_are_forgotten() {
        let jobs = Jobs::default();
        {
            let mut map = jobs.by_id.lock().unwrap();
            for i in 0..FINISHED_PER_TOKEN + 3 {
                let j = job(1, &format!("f{i:03}"));
                j.finish(Outcome::Cancelled);
                map.insert(j.id.clone(), j);
            }
            map.insert("r".into(), job(1, "r"));
            Jobs::prune(&mut map);
            assert_eq!(map.len(), FINISHED_PER_TOKEN + 1);
            assert!(!map.contains_key("f000") && map.contains_key("r"));
        }
        assert!(jobs.get(1, "r").is_ok());
        assert_eq!(jobs.get(2, "r").err().map(|e| e.code), Some("not_found"));
    }
}
