//! The Alibaba cluster-trace-v2017 `batch_task` table, replayed as RunTask submissions.
//!
//! This reader owns the mapping from the trace's columns to [`JobSubmission`]s and the
//! assumptions that mapping needs (the machine memory size above all).
//! It does not read the other v2017 tables (`batch_instance`, `server_usage`, ...): only
//! the per-task requests and lifetimes are needed to replay the batch load.
//!
//! # Mapping
//!
//! The columns are `create_timestamp,modify_timestamp,job_id,task_id,instance_num,status,plan_cpu,plan_mem`.
//! Each row is one task: `instance_num` identical instances, which become one submission
//! with `count = instance_num`.
//!
//! - `submit` = `create_timestamp − origin_s` seconds (see [`BeforeOrigin`] for rows created
//!   before the origin).
//! - `cpu` = `plan_cpu` hundredths of a core, so `plan_cpu × 1024 / 100` CPU units, rounded
//!   up to a whole unit (50 → 512 units, 75 → 768).
//! - `memory` = `plan_mem × machine_memory_mib`, rounded up to a whole MiB. `plan_mem` is a
//!   fraction of the largest machine's memory and the trace does not say how big that is:
//!   see [`AlibabaOptions::machine_memory_mib`].
//! - `duration` = `modify_timestamp − create_timestamp` seconds, which for `Terminated`
//!   tasks is the task's lifetime. A lifetime of 0 s (the trace has whole seconds only)
//!   becomes 1 s, so the task still occupies capacity for a moment.
//! - `job_id` and `task_id` are not used. Rows that tie on submit time keep file order.
//!
//! Numbers are converted exactly from their digits (no `f64`), so the result does not
//! depend on float rounding.
//!
//! # Skipped rows
//!
//! Well-formed rows that cannot be replayed are skipped and counted in [`AlibabaSkips`]:
//! rows whose status is not replayed (by default only `Terminated` tasks are, since only
//! they have a true lifetime), rows with an empty or zero `plan_cpu`/`plan_mem` (all
//! `Waiting` rows, and a few others), rows with `modify_timestamp < create_timestamp`, and,
//! with [`BeforeOrigin::TrimToWindow`], rows that ended before the origin.
//! Malformed rows are errors naming file and line.
//!
//! # Memory use: the one reader that does not stream
//!
//! The published table is grouped by job, not sorted by time, so the rows must be sorted
//! before the first submission can be yielded.
//! The reader therefore reads the whole file when it is constructed (line by line, with one
//! reused buffer), keeps one 32-byte record per replayed row, and sorts the records.
//! Memory is proportional to the number of replayed rows, not to the file size: the full
//! table replays 67,003 of its 80,553 rows with the default options, about 2.1 MB of
//! records (up to twice that while the vector grows).
//! All row errors are therefore reported by [`AlibabaReader::new`], before the simulation
//! starts.
//!
//! The header line is optional, because the official archive ships the table without one;
//! if the first line is the header above it is skipped, otherwise it is read as a row.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::parse::{parse_decimal, parse_i64, parse_u64, split_fields, Decimal, Lines};
use super::{JobSubmission, TraceError};
use crate::engine::time::{SimDuration, SimTime};
use crate::units::{CpuUnits, MemoryMib, CPU_UNITS_PER_VCPU};

/// The v2017 field names, as the official schema gives them.
pub const HEADER: &str =
    "create_timestamp,modify_timestamp,job_id,task_id,instance_num,status,plan_cpu,plan_mem";

const FIELDS: usize = 8;

/// Digits after the point accepted in `plan_cpu` and `plan_mem`. The third-party copy has 9
/// in `plan_mem`; other copies have up to 17. More than 18 would be noise, not data.
const MAX_DECIMALS: u32 = 18;

/// A task's state at the end of the trace, from the `status` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlibabaStatus {
    /// Finished; `modify_timestamp` is its end time.
    Terminated,
    /// Never started; it has no resource request.
    Waiting,
    /// Still running at the end of the trace; its lifetime is unknown.
    Running,
    /// Failed; `modify_timestamp` is when it failed.
    Failed,
}

impl AlibabaStatus {
    /// The spelling used in the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            AlibabaStatus::Terminated => "Terminated",
            AlibabaStatus::Waiting => "Waiting",
            AlibabaStatus::Running => "Running",
            AlibabaStatus::Failed => "Failed",
        }
    }

    fn parse(s: &str) -> Option<AlibabaStatus> {
        match s {
            "Terminated" => Some(AlibabaStatus::Terminated),
            "Waiting" => Some(AlibabaStatus::Waiting),
            "Running" => Some(AlibabaStatus::Running),
            "Failed" => Some(AlibabaStatus::Failed),
            _ => None,
        }
    }
}

/// What to do with tasks created before the origin (`create_timestamp < origin_s`).
///
/// With the default origin 0 these are the tasks the trace marks as created before its
/// window (167 rows in the full table, down to −1,078 s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BeforeOrigin {
    /// Submit them at the origin with their full lifetime (`modify − create`).
    /// Simple, and keeps every `Terminated` task, but runs some of them past their real end
    /// and replays tasks that had already finished before the window.
    #[default]
    ClampSubmit,
    /// Submit them at the origin for the part of their life inside the window
    /// (`modify − origin`), and skip those that ended at or before the origin.
    /// This keeps the trace's end times, so the load at the start of the window is right.
    TrimToWindow,
}

/// How to read the Alibaba table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlibabaOptions {
    /// Memory of the largest machine, in MiB, that `plan_mem` is a fraction of.
    ///
    /// Default: 65,536 (64 GiB). This is an assumption, not a fact from the trace: the v2017
    /// release normalises memory and publishes no machine size. 64 GiB is a common size for a
    /// 2017 general-purpose server, and it turns the most common request (`plan_mem` ≈ 0.008)
    /// into about 0.5 GiB, a plausible size for the 0.5-vCPU containers that dominate the
    /// table. Results that depend on memory (Fargate sizes, memory-bound packing) scale with
    /// this value, so state it in any report and vary it to test sensitivity.
    pub machine_memory_mib: u32,
    /// Which statuses to replay. Default: `Terminated` only, the tasks with a true lifetime.
    pub statuses: Vec<AlibabaStatus>,
    /// The trace second that becomes simulated time 0. Default 0, the trace's own start.
    /// A later origin replays a later part of the trace from the scenario's start.
    pub origin_s: i64,
    /// What to do with tasks created before `origin_s`.
    pub before_origin: BeforeOrigin,
    /// Keep one job in `job_sample`: only jobs whose `job_id` is a multiple of it are
    /// replayed. Default 1 (all). Sampling whole jobs keeps the trace's task sizes, burst
    /// shape and run times while scaling its volume down to a small cluster (the full table
    /// needs about 1,300 machines).
    pub job_sample: u32,
}

impl Default for AlibabaOptions {
    fn default() -> Self {
        AlibabaOptions {
            machine_memory_mib: 65_536,
            statuses: vec![AlibabaStatus::Terminated],
            origin_s: 0,
            before_origin: BeforeOrigin::ClampSubmit,
            job_sample: 1,
        }
    }
}

/// How many well-formed rows were not replayed, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlibabaSkips {
    /// The row's status is not in [`AlibabaOptions::statuses`].
    pub status_filtered: u64,
    /// `plan_cpu` or `plan_mem` is empty or zero.
    pub missing_plan: u64,
    /// The job was not in the sample ([`AlibabaOptions::job_sample`]).
    pub sampled_out: u64,
    /// `modify_timestamp` is before `create_timestamp`.
    pub bad_lifetime: u64,
    /// The task ended at or before the origin ([`BeforeOrigin::TrimToWindow`] only).
    pub ended_before_origin: u64,
}

impl AlibabaSkips {
    /// All skipped rows.
    pub fn total(&self) -> u64 {
        self.status_filtered
            + self.missing_plan
            + self.bad_lifetime
            + self.ended_before_origin
            + self.sampled_out
    }
}

impl fmt::Display for AlibabaSkips {
    /// E.g. `13540 with a status not replayed, 10 with no plan_cpu/plan_mem`; empty if none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            (self.status_filtered, "with a status not replayed"),
            (self.sampled_out, "of jobs outside the sample"),
            (self.missing_plan, "with no plan_cpu/plan_mem"),
            (
                self.bad_lifetime,
                "with modify_timestamp before create_timestamp",
            ),
            (self.ended_before_origin, "that ended before the origin"),
        ];
        super::write_counts(f, &parts)
    }
}

/// One replayed row, kept compact because the whole table is held in memory (32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    // Field order is the sort order: submit time, then file order.
    submit_ms: u64,
    line: u32,
    duration_s: u32,
    cpu_units: u32,
    memory_mib: u32,
    count: u32,
}

/// The Alibaba `batch_task` table, sorted by submit time. See the module documentation.
#[derive(Debug)]
pub struct AlibabaReader {
    records: std::vec::IntoIter<Record>,
    skips: AlibabaSkips,
}

impl AlibabaReader {
    /// Opens `path` and reads the whole table (see the module documentation for why).
    pub fn open(path: impl AsRef<Path>, options: &AlibabaOptions) -> Result<Self, TraceError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| TraceError::Open {
            file: path.to_path_buf(),
            error,
        })?;
        AlibabaReader::new(BufReader::new(file), path, options)
    }

    /// Reads the whole table from `reader`; `file` names the source in errors.
    pub fn new(
        reader: impl BufRead,
        file: impl Into<PathBuf>,
        options: &AlibabaOptions,
    ) -> Result<Self, TraceError> {
        let mut lines = Lines::new(reader, file.into());
        if options.machine_memory_mib == 0 {
            return Err(TraceError::Option {
                file: lines.file().to_path_buf(),
                option: "machine_memory_mib",
                expected: "a memory size ≥ 1 MiB",
                found: "0".to_string(),
            });
        }
        let mut records = Vec::new();
        let mut skips = AlibabaSkips::default();
        while lines.advance()? {
            if lines.number() == 1 && lines.text() == HEADER {
                continue;
            }
            if let Some(record) = parse_row(&lines, options, &mut skips)? {
                records.push(record);
            }
        }
        records.sort_unstable();
        Ok(AlibabaReader {
            records: records.into_iter(),
            skips,
        })
    }

    /// The rows that were not replayed, by reason. Final once the reader is constructed.
    pub fn skipped(&self) -> AlibabaSkips {
        self.skips
    }
}

/// Parses one row: `Ok(None)` if it is skipped (and counted).
fn parse_row<R: BufRead>(
    lines: &Lines<R>,
    options: &AlibabaOptions,
    skips: &mut AlibabaSkips,
) -> Result<Option<Record>, TraceError> {
    let mut f = [""; FIELDS];
    let n = split_fields(lines.text(), ',', &mut f);
    if n != FIELDS {
        return Err(lines.field_count_error(FIELDS, n, "comma", ""));
    }
    let [create, modify, job_id, _task_id, instances, status, plan_cpu, plan_mem] = f;

    // Parse every field before deciding to skip, so a corrupted row is an error even when
    // the options would have skipped it.
    let create_s = parse_i64(create).ok_or_else(|| {
        lines.field_error("create_timestamp", "a whole number of seconds", create)
    })?;
    let modify_s = parse_i64(modify).ok_or_else(|| {
        lines.field_error("modify_timestamp", "a whole number of seconds", modify)
    })?;
    let count = parse_u64(instances)
        .and_then(|v| u32::try_from(v).ok())
        .filter(|&v| v > 0)
        .ok_or_else(|| {
            lines.field_error("instance_num", "a whole number of instances ≥ 1", instances)
        })?;
    let status = AlibabaStatus::parse(status).ok_or_else(|| {
        lines.field_error(
            "status",
            "one of Terminated, Waiting, Running, Failed",
            status,
        )
    })?;
    let cpu = parse_plan(plan_cpu).ok_or_else(|| {
        lines.field_error("plan_cpu", "a number of hundredths of a core", plan_cpu)
    })?;
    let mem = parse_plan(plan_mem).ok_or_else(|| {
        lines.field_error("plan_mem", "a fraction of a machine's memory", plan_mem)
    })?;

    let job =
        parse_u64(job_id).ok_or_else(|| lines.field_error("job_id", "a whole number", job_id))?;

    if !options.statuses.contains(&status) {
        skips.status_filtered += 1;
        return Ok(None);
    }
    if job % u64::from(options.job_sample.max(1)) != 0 {
        skips.sampled_out += 1;
        return Ok(None);
    }
    let (Some(cpu), Some(mem)) = (cpu, mem) else {
        skips.missing_plan += 1;
        return Ok(None);
    };
    if modify_s < create_s {
        skips.bad_lifetime += 1;
        return Ok(None);
    }

    // i128 so that no pair of i64 timestamps can overflow the subtraction.
    let origin = i128::from(options.origin_s);
    let (start, lifetime) = (
        i128::from(create_s) - origin,
        i128::from(modify_s - create_s),
    );
    let (start, lifetime) = if start >= 0 {
        (start, lifetime)
    } else {
        match options.before_origin {
            BeforeOrigin::ClampSubmit => (0, lifetime),
            BeforeOrigin::TrimToWindow => {
                let remaining = i128::from(modify_s) - origin;
                if remaining <= 0 {
                    skips.ended_before_origin += 1;
                    return Ok(None);
                }
                (0, remaining)
            }
        }
    };
    let submit_ms = u64::try_from(start)
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .ok_or_else(|| lines.too_large("create_timestamp", create, "milliseconds"))?;
    // Whole-second lifetimes of 0 would be tasks that reserve nothing for no time; 1 s keeps
    // them visible in the replay.
    let duration_s = u32::try_from(lifetime.max(1))
        .ok()
        .ok_or_else(|| lines.too_large("modify_timestamp", modify, "seconds"))?;
    let cpu_units = cpu
        .mul_div_ceil(CPU_UNITS_PER_VCPU, 100)
        .ok_or_else(|| lines.too_large("plan_cpu", plan_cpu, "CPU units"))?;
    let memory_mib = mem
        .mul_div_ceil(options.machine_memory_mib, 1)
        .ok_or_else(|| lines.too_large("plan_mem", plan_mem, "MiB"))?;
    let line = u32::try_from(lines.number())
        .map_err(|_| lines.too_large("create_timestamp", create, "a line number under 2^32"))?;
    Ok(Some(Record {
        submit_ms,
        line,
        duration_s,
        cpu_units,
        memory_mib,
        count,
    }))
}

/// `Some(None)` for an empty or zero plan (skipped, not an error), `None` if malformed.
fn parse_plan(s: &str) -> Option<Option<Decimal>> {
    if s.is_empty() {
        return Some(None);
    }
    let d = parse_decimal(s, MAX_DECIMALS)?;
    Some(if d.is_zero() { None } else { Some(d) })
}

impl Iterator for AlibabaReader {
    type Item = Result<JobSubmission, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.records.next()?;
        Some(Ok(JobSubmission {
            submit: SimTime(r.submit_ms),
            cpu: CpuUnits(r.cpu_units),
            memory: MemoryMib(r.memory_mib),
            gpus: 0,
            duration: SimDuration::from_secs(u64::from(r.duration_s)),
            count: r.count,
            line: u64::from(r.line),
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.records.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &AlibabaOptions) -> Result<AlibabaReader, TraceError> {
        AlibabaReader::new(text.as_bytes(), "batch_task.csv", options)
    }

    fn jobs(r: AlibabaReader) -> Vec<JobSubmission> {
        r.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn record_is_32_bytes() {
        // The module doc promises ~32 bytes per row; keep it honest.
        assert_eq!(std::mem::size_of::<Record>(), 32);
    }

    #[test]
    fn good_rows_convert_with_hand_checked_values() {
        let text = format!(
            "{HEADER}\n\
             6459,6524,3,4,15740,Terminated,50,0.0123\n\
             100,100,3,5,1,Terminated,75,0.5\n"
        );
        let r = read(&text, &AlibabaOptions::default()).unwrap();
        assert_eq!(r.skipped(), AlibabaSkips::default());
        let j = jobs(r);
        // Line 3 is created first (100 s), so it comes first.
        // plan_cpu 75 → 75 × 1024 / 100 = 768 units; plan_mem 0.5 × 65536 = 32768 MiB;
        // lifetime 100 − 100 = 0 s → the 1 s minimum.
        assert_eq!(
            j[0],
            JobSubmission {
                submit: SimTime(100_000),
                cpu: CpuUnits(768),
                memory: MemoryMib(32_768),
                gpus: 0,
                duration: SimDuration(1000),
                count: 1,
                line: 3,
            }
        );
        // plan_cpu 50 → 512 units; plan_mem 0.0123 × 65536 = 806.0928 → 807 MiB;
        // lifetime 6524 − 6459 = 65 s; 15740 instances.
        assert_eq!(
            j[1],
            JobSubmission {
                submit: SimTime(6_459_000),
                cpu: CpuUnits(512),
                memory: MemoryMib(807),
                gpus: 0,
                duration: SimDuration(65_000),
                count: 15_740,
                line: 2,
            }
        );
    }

    #[test]
    fn cpu_rounds_up_to_a_whole_unit_and_memory_scales_with_the_option() {
        // plan_cpu 55 → 55 × 1024 / 100 = 563.2 → 564 units.
        // plan_mem 0.25 × 16384 (16 GiB machine) = 4096 MiB exactly.
        let options = AlibabaOptions {
            machine_memory_mib: 16_384,
            ..AlibabaOptions::default()
        };
        let j = jobs(read("0,10,1,1,2,Terminated,55,0.25\n", &options).unwrap());
        assert_eq!((j[0].cpu, j[0].memory), (CpuUnits(564), MemoryMib(4096)));
    }

    #[test]
    fn unsorted_input_comes_out_sorted_and_skips_are_counted() {
        let text = format!(
            "{HEADER}\n\
             300,310,1,1,1,Terminated,50,0.01\n\
             6036,6046,4,7,393,Waiting,,\n\
             100,90,2,2,1,Terminated,50,0.01\n\
             200,260,2,3,1,Running,100,0.01\n\
             53176,53176,8561,55240,1,Terminated,,\n\
             50,60,3,4,1,Terminated,50,0.01\n\
             300,301,3,5,1,Terminated,50,0.01\n\
             -60,-55,3,6,1,Terminated,50,0.01\n\
             -60,110,3,7,1,Terminated,50,0.01\n"
        );
        let r = read(&text, &AlibabaOptions::default()).unwrap();
        // Waiting (line 3) and Running (line 5) are filtered; line 6 is Terminated with no
        // plan; line 4 has modify 90 < create 100.
        assert_eq!(
            r.skipped(),
            AlibabaSkips {
                status_filtered: 2,
                missing_plan: 1,
                sampled_out: 0,
                bad_lifetime: 1,
                ended_before_origin: 0,
            }
        );
        assert_eq!(
            r.skipped().to_string(),
            "2 with a status not replayed, 1 with no plan_cpu/plan_mem, \
             1 with modify_timestamp before create_timestamp"
        );
        let j = jobs(r);
        let order: Vec<(u64, u64, u64)> = j
            .iter()
            .map(|j| (j.submit.as_secs(), j.duration.as_millis() / 1000, j.line))
            .collect();
        // Rows created before 0 are clamped to 0 with their full lifetime:
        // −55 − (−60) = 5 s and 110 − (−60) = 170 s. The two rows at 300 s keep file order.
        assert_eq!(
            order,
            vec![
                (0, 5, 9),
                (0, 170, 10),
                (50, 10, 7),
                (300, 10, 2),
                (300, 1, 8)
            ]
        );
    }

    #[test]
    fn trim_to_window_keeps_end_times_and_later_origins_shift() {
        let text = "-60,-55,3,6,1,Terminated,50,0.01\n\
                    -60,110,3,7,1,Terminated,50,0.01\n\
                    3600,3700,3,8,1,Terminated,50,0.01\n";
        let options = AlibabaOptions {
            before_origin: BeforeOrigin::TrimToWindow,
            ..AlibabaOptions::default()
        };
        let r = read(text, &options).unwrap();
        assert_eq!(r.skipped().ended_before_origin, 1);
        let j = jobs(r);
        // The task alive across 0 runs 110 − 0 = 110 s from 0.
        assert_eq!(
            (j[0].submit, j[0].duration),
            (SimTime(0), SimDuration(110_000))
        );

        // With the origin at 3600 s the task created at 3600 s submits at 0.
        let options = AlibabaOptions {
            origin_s: 3600,
            before_origin: BeforeOrigin::TrimToWindow,
            ..AlibabaOptions::default()
        };
        let r = read(text, &options).unwrap();
        assert_eq!(r.skipped().ended_before_origin, 2);
        let j = jobs(r);
        assert_eq!(
            (j[0].submit, j[0].duration),
            (SimTime(0), SimDuration(100_000))
        );
    }

    #[test]
    fn status_filter_can_include_failed_tasks() {
        let text = "0,10,1,1,1,Failed,50,0.01\n0,10,1,2,1,Running,50,0.01\n";
        let options = AlibabaOptions {
            statuses: vec![AlibabaStatus::Terminated, AlibabaStatus::Failed],
            ..AlibabaOptions::default()
        };
        let r = read(text, &options).unwrap();
        assert_eq!(r.skipped().status_filtered, 1);
        assert_eq!(jobs(r).len(), 1);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let e = |text: &str| {
            read(text, &AlibabaOptions::default())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            e(&format!("{HEADER}\n0,10,1,1,1,Terminated,abc,0.01\n")),
            "batch_task.csv:2: column `plan_cpu`: expected a number of hundredths of a core, found \"abc\""
        );
        assert_eq!(
            e("0,10,1,1,1,Terminated,50,0.01\n0,1x,1,1,1,Terminated,50,0.01\n"),
            "batch_task.csv:2: column `modify_timestamp`: expected a whole number of seconds, found \"1x\""
        );
        assert_eq!(
            e("0,10,1,1,1,Done,50,0.01\n"),
            "batch_task.csv:1: column `status`: expected one of Terminated, Waiting, Running, Failed, found \"Done\""
        );
        assert_eq!(
            e("0,10,1,1,0,Terminated,50,0.01\n"),
            "batch_task.csv:1: column `instance_num`: expected a whole number of instances ≥ 1, found \"0\""
        );
        // A malformed field is an error even in a row the status filter would skip.
        assert_eq!(
            e("0,10,1,1,1,Waiting,,-0.5\n"),
            "batch_task.csv:1: column `plan_mem`: expected a fraction of a machine's memory, found \"-0.5\""
        );
        assert_eq!(
            e("0,10,1,1,1,Terminated,50\n0,10,1,1,1,Terminated,50,0.01\n"),
            "batch_task.csv:1: expected 8 comma-separated fields, found 7"
        );
        assert_eq!(
            e("0,10,1,1,1,Terminated,50,0.01\n0,10,1,1,1,Termin"),
            "batch_task.csv:2: truncated last line: expected 8 fields, found 6 and no line ending \
             (was the file cut off while being written?)"
        );
        assert_eq!(
            e("0,10,1,1,1,Terminated,50,2000000\n"),
            "batch_task.csv:1: column `plan_mem`: \"2000000\" is too large once converted to MiB"
        );
    }

    #[test]
    fn zero_machine_memory_is_rejected() {
        let options = AlibabaOptions {
            machine_memory_mib: 0,
            ..AlibabaOptions::default()
        };
        assert_eq!(
            read("", &options).unwrap_err().to_string(),
            "batch_task.csv: option `machineMemoryMib`: expected a memory size ≥ 1 MiB, found 0"
        );
    }

    #[test]
    fn shipped_slice_parses_fully() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/traces/alibaba-2017-batch-tasks/batch_task.csv"
        );
        let r = AlibabaReader::open(path, &AlibabaOptions::default()).unwrap();
        // Counted independently with awk over the slice (4,622 data rows):
        //   awk -F, 'NR>1{print $6}' | sort | uniq -c
        //     → 4272 Terminated, 213 Waiting, 97 Running, 40 Failed;
        //   Terminated rows with empty plan_cpu: 0; Terminated with modify < create: 0.
        // So 4272 are replayed and 213 + 97 + 40 = 350 are filtered by status.
        assert_eq!(
            r.skipped(),
            AlibabaSkips {
                status_filtered: 350,
                ..AlibabaSkips::default()
            }
        );
        let j = jobs(r);
        assert_eq!(j.len(), 4272);
        assert!(j.windows(2).all(|w| w[0].submit <= w[1].submit));
        // 167 rows have create_timestamp ≤ 0, all Terminated (awk -F, 'NR>1 && $1<=0'); they
        // are clamped to 0, and they are the only ones that submit at 0.
        assert_eq!(j.iter().filter(|j| j.submit == SimTime(0)).count(), 167);
        // Slice is create_timestamp < 3600, so the last submit is before 1 h.
        assert!(j.last().is_some_and(|j| j.submit < SimTime(3_600_000)));
    }

    /// Issue 10 point 6: a trace re-saved by a Windows tool starts with a byte order mark.
    #[test]
    fn a_leading_byte_order_mark_is_ignored() {
        let text = format!("{HEADER}\n100,100,3,5,1,Terminated,75,0.5\n");
        let options = AlibabaOptions::default();
        let with = jobs(read(&format!("\u{FEFF}{text}"), &options).unwrap());
        assert_eq!(with, jobs(read(&text, &options).unwrap()));
        assert_eq!(with.len(), 1);
    }
}
