//! `ecsim explain DIR`: read a run folder's `explain.jsonl` and pick the decisions asked for.
//!
//! Owns `Query`, `ExplainError` and `select`. Pure over the text it is given: the binary
//! reads the files and prints.

use std::path::{Path, PathBuf};

use super::{Decision, Record};

/// The file `ecsim run --explain` writes.
pub const EXPLAIN_FILE: &str = "explain.jsonl";

/// What to explain.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// Every decision about a task (strategy, placement, never placed).
    Task(u32),
    /// A service's scaling decisions, or the last one at or before a time (seconds).
    Service {
        /// The service name.
        name: String,
        /// Only the latest decision at or before this time.
        at_s: Option<f64>,
    },
    /// The decision behind events.jsonl line N (1-based).
    Event(u64),
}

/// Why `ecsim explain` could not answer. Every one is the user's to fix (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The folder does not exist.
    #[error("{}: no such run folder", dir.display())]
    NoFolder {
        /// The folder.
        dir: PathBuf,
    },
    /// The folder has no explain.jsonl.
    #[error("{}: no {EXPLAIN_FILE}: this run folder was written without --explain; run `ecsim run FILE --explain --out {}` first", dir.display(), dir.display())]
    NotExplained {
        /// The folder.
        dir: PathBuf,
    },
    /// A file could not be read.
    #[error("{}: {error}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// A line is not a decision record.
    #[error("{}:{line}: not a decision record ({message}); was it written by another version of ecsim?", file.display())]
    BadLine {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// serde's message.
        message: String,
    },
    /// No decision names the task.
    #[error("no decision about task {task} in {}: {known}", file.display())]
    UnknownTask {
        /// The task asked for.
        task: u32,
        /// The file.
        file: PathBuf,
        /// What is there.
        known: String,
    },
    /// No decision names the service.
    #[error("no scaling or placement decision of service {name:?} in {}: {known}", file.display())]
    UnknownService {
        /// The name asked for.
        name: String,
        /// The file.
        file: PathBuf,
        /// What is there.
        known: String,
    },
    /// The event line does not exist.
    #[error("{} has {count} lines; there is no event {event} (events are numbered from line 1)", file.display())]
    UnknownEvent {
        /// The line asked for.
        event: u64,
        /// The file.
        file: PathBuf,
        /// Its line count.
        count: u64,
    },
    /// The event exists but no decision is behind it.
    #[error("event {event} ({message}) has no traced decision: only placements, scaling activities, faults, Managed Instances launches and optimization passes, and AZ rebalancing steps are explained{limit}")]
    EventNotExplained {
        /// The line asked for.
        event: u64,
        /// The event's message.
        message: String,
        /// A note when the trace was cut by its limit.
        limit: String,
    },
    /// `--at` before every decision of the service.
    #[error("service {name:?} has no decision at or before {at}; its first is at {first}")]
    NothingBefore {
        /// The service.
        name: String,
        /// The time asked for.
        at: String,
        /// Its first decision's time.
        first: String,
    },
}

/// Parses `explain.jsonl` text.
///
/// # Errors
/// The first line that is not a record.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Record>, ExplainError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line).map_err(|e| ExplainError::BadLine {
            file: file.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(r);
    }
    Ok(out)
}

fn limit_note(records: &[Record]) -> String {
    match records.last().map(|r| &r.decision) {
        Some(Decision::LimitReached { limit, left_out }) => format!(
            "; the trace of {} stopped at settings.explainLimit = {limit}, so later ones are missing",
            left_out.join(", ")
        ),
        _ => String::new(),
    }
}

/// The records answering `q`. `events` is events.jsonl's text (only read for `Event`).
///
/// # Errors
/// When nothing answers, naming what there is.
pub fn select<'r>(
    dir: &Path,
    records: &'r [Record],
    q: &Query,
    events: Option<&str>,
) -> Result<Vec<&'r Record>, ExplainError> {
    let file = dir.join(EXPLAIN_FILE);
    match q {
        Query::Task(t) => {
            let hits: Vec<&Record> = records.iter().filter(|r| r.task == Some(*t)).collect();
            if hits.is_empty() {
                let ids: std::collections::BTreeSet<u32> =
                    records.iter().filter_map(|r| r.task).collect();
                let known = match (ids.first(), ids.last()) {
                    (Some(a), Some(b)) => format!(
                        "{} tasks are traced, numbered {a} to {b}{}",
                        ids.len(),
                        limit_note(records)
                    ),
                    _ => format!("no task is traced{}", limit_note(records)),
                };
                return Err(ExplainError::UnknownTask {
                    task: *t,
                    file,
                    known,
                });
            }
            Ok(hits)
        }
        Query::Service { name, at_s } => {
            let hits: Vec<&Record> = records
                .iter()
                .filter(|r| r.service.as_deref() == Some(name.as_str()) && r.task.is_none())
                .collect();
            if hits.is_empty() {
                let names: std::collections::BTreeSet<&str> = records
                    .iter()
                    .filter_map(|r| r.service.as_deref())
                    .collect();
                let known = if names.is_empty() {
                    format!("no service decision is traced{}", limit_note(records))
                } else {
                    format!(
                        "services traced: {}{}",
                        names.into_iter().collect::<Vec<_>>().join(", "),
                        limit_note(records)
                    )
                };
                return Err(ExplainError::UnknownService {
                    name: name.clone(),
                    file,
                    known,
                });
            }
            match at_s {
                None => Ok(hits),
                Some(at) => match hits.iter().rev().find(|r| r.time_s <= *at) {
                    Some(r) => Ok(vec![*r]),
                    None => Err(ExplainError::NothingBefore {
                        name: name.clone(),
                        at: super::text::hms(*at),
                        first: super::text::hms(hits[0].time_s),
                    }),
                },
            }
        }
        Query::Event(n) => {
            let events_file = dir.join("events.jsonl");
            let text = events.unwrap_or("");
            let lines: Vec<&str> = text.lines().collect();
            let count = lines.len() as u64;
            if *n == 0 || *n > count {
                return Err(ExplainError::UnknownEvent {
                    event: *n,
                    file: events_file,
                    count,
                });
            }
            let hits: Vec<&Record> = records.iter().filter(|r| r.event == Some(*n)).collect();
            if hits.is_empty() {
                let line = lines[(*n - 1) as usize];
                let message = serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
                    .unwrap_or_else(|| line.to_string());
                return Err(ExplainError::EventNotExplained {
                    event: *n,
                    message,
                    limit: limit_note(records),
                });
            }
            Ok(hits)
        }
    }
}
