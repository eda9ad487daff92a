//! The ecsim batch CSV format: one RunTask submission per row, sorted by submit time.
//!
//! This reader owns the format's definition (below) and streams it one line at a time.
//! It does not accept other CSV dialects: there is no quoting, no column reordering and no
//! optional column, because a strict format turns every mistake into an error with a line
//! number instead of a silently different workload.
//!
//! # Format
//!
//! ```text
//! # Nightly ETL burst, hand-written for the tutorial.
//! submit_time_s,cpu_units,memory_mib,duration_s,count
//! 0,512,1024,60,1
//! 0.5,1024,2048,300.25,10
//!
//! 3600,256,512,45,4
//! ```
//!
//! - The header is exactly `submit_time_s,cpu_units,memory_mib,duration_s,count` and comes
//!   before the first row.
//! - Each row has exactly those five comma-separated fields, with no spaces and no quotes.
//! - `submit_time_s`: when the tasks are submitted, in seconds from the scenario start.
//!   It is a non-negative decimal with at most 3 digits after the point (milliseconds, the
//!   simulator's resolution). It is converted exactly, from the digits, never through `f64`,
//!   so two rows written with the same time always tie.
//! - `cpu_units`: CPU reserved per task, in ECS CPU units (1024 per vCPU); a whole number ≥ 1.
//! - `memory_mib`: memory reserved per task, in MiB; a whole number ≥ 1.
//! - `duration_s`: how long each task runs once started, in seconds, as `submit_time_s`;
//!   must be at least 0.001 (a task that runs for no time at all has no effect).
//! - `count`: how many identical tasks the row submits (RunTask's `count`); a whole
//!   number ≥ 1. The column is required: write `1` for a single task.
//! - Rows must be sorted by `submit_time_s` (equal times are fine and keep file order).
//!   A row that goes back in time is an error naming both lines.
//! - Blank lines and lines whose first non-blank character is `#` are ignored anywhere,
//!   including before the header.
//! - Line endings may be LF or CRLF; the last line may lack one.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::parse::{parse_decimal, parse_u64, split_fields, Lines};
use super::{JobSubmission, TraceError};
use crate::engine::time::{SimDuration, SimTime};
use crate::units::{CpuUnits, MemoryMib};

/// The required header line.
pub const HEADER: &str = "submit_time_s,cpu_units,memory_mib,duration_s,count";

const FIELDS: usize = 5;

/// Streams an ecsim batch CSV file. See the module documentation for the format.
#[derive(Debug)]
pub struct CsvReader<R = BufReader<File>> {
    lines: Lines<R>,
    /// Submit time and line of the previous row, to check the order.
    previous: Option<(SimTime, u64)>,
    done: bool,
}

impl CsvReader {
    /// Opens `path` and reads its header.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TraceError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| TraceError::Open {
            file: path.to_path_buf(),
            error,
        })?;
        CsvReader::new(BufReader::new(file), path)
    }
}

impl<R: BufRead> CsvReader<R> {
    /// Reads the header from `reader`; `file` names the source in errors.
    pub fn new(reader: R, file: impl Into<PathBuf>) -> Result<Self, TraceError> {
        let mut lines = Lines::new(reader, file.into());
        loop {
            if !lines.advance()? {
                return Err(TraceError::Header {
                    file: lines.file().to_path_buf(),
                    line: lines.number(),
                    expected: HEADER,
                    found: String::new(),
                });
            }
            if is_skippable(lines.text()) {
                continue;
            }
            if lines.text() != HEADER {
                return Err(TraceError::Header {
                    file: lines.file().to_path_buf(),
                    line: lines.number(),
                    expected: HEADER,
                    found: lines.text().to_string(),
                });
            }
            break;
        }
        Ok(CsvReader {
            lines,
            previous: None,
            done: false,
        })
    }

    fn read_next(&mut self) -> Result<Option<JobSubmission>, TraceError> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            if !is_skippable(self.lines.text()) {
                break;
            }
        }
        let lines = &self.lines;
        let mut f = [""; FIELDS];
        let n = split_fields(lines.text(), ',', &mut f);
        if n != FIELDS {
            return Err(lines.field_count_error(FIELDS, n, "comma", ""));
        }
        let submit = parse_ms(f[0])
            .map(SimTime)
            .ok_or_else(|| lines.field_error("submit_time_s", SECONDS, f[0]))?;
        let cpu = parse_positive_u32(f[1]).ok_or_else(|| {
            lines.field_error("cpu_units", "a whole number of CPU units ≥ 1", f[1])
        })?;
        let memory = parse_positive_u32(f[2])
            .ok_or_else(|| lines.field_error("memory_mib", "a whole number of MiB ≥ 1", f[2]))?;
        let duration = parse_ms(f[3])
            .filter(|&ms| ms > 0)
            .map(SimDuration)
            .ok_or_else(|| lines.field_error("duration_s", POSITIVE_SECONDS, f[3]))?;
        let count = parse_positive_u32(f[4])
            .ok_or_else(|| lines.field_error("count", "a whole number of tasks ≥ 1", f[4]))?;
        let line = lines.number();
        if let Some((previous, previous_line)) = self.previous {
            if submit < previous {
                return Err(TraceError::OutOfOrder {
                    file: lines.file().to_path_buf(),
                    line,
                    found: submit,
                    previous,
                    previous_line,
                });
            }
        }
        self.previous = Some((submit, line));
        Ok(Some(JobSubmission {
            submit,
            cpu: CpuUnits(cpu),
            memory: MemoryMib(memory),
            gpus: 0,
            duration,
            count,
            line,
        }))
    }
}

const SECONDS: &str = "seconds ≥ 0 with at most 3 decimal places";
const POSITIVE_SECONDS: &str = "seconds ≥ 0.001 with at most 3 decimal places";

/// Blank and comment lines carry no row.
fn is_skippable(text: &str) -> bool {
    let t = text.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Decimal seconds to whole milliseconds, exactly.
fn parse_ms(s: &str) -> Option<u64> {
    parse_decimal(s, 3)?.shifted_u64(3)
}

fn parse_positive_u32(s: &str) -> Option<u32> {
    parse_u64(s)
        .and_then(|v| u32::try_from(v).ok())
        .filter(|&v| v > 0)
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<JobSubmission, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.read_next().transpose();
        // Stop after the end or the first error: the rest of a broken file is not trusted.
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read(text: &str) -> Result<Vec<JobSubmission>, TraceError> {
        CsvReader::new(text.as_bytes(), "jobs.csv")?.collect()
    }

    fn err(text: &str) -> String {
        match read(text) {
            Ok(jobs) => panic!("expected an error, got {jobs:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn good_rows_with_comments_and_decimal_times() {
        let text = "# made by hand\n\
                    submit_time_s,cpu_units,memory_mib,duration_s,count\r\n\
                    0,512,1024,60,1\n\
                    \n\
                    # a burst\n\
                    0.5,1024,2048,300.25,10\n\
                    0.5,256,512,0.001,3";
        let jobs = read(text).unwrap();
        assert_eq!(jobs.len(), 3);
        assert_eq!(
            jobs[0],
            JobSubmission {
                submit: SimTime(0),
                cpu: CpuUnits(512),
                memory: MemoryMib(1024),
                gpus: 0,
                duration: SimDuration(60_000),
                count: 1,
                line: 3,
            }
        );
        // 0.5 s = 500 ms; 300.25 s = 300 250 ms.
        assert_eq!(jobs[1].submit, SimTime(500));
        assert_eq!(jobs[1].duration, SimDuration(300_250));
        assert_eq!((jobs[1].count, jobs[1].line), (10, 6));
        // Equal submit times are allowed and keep file order.
        assert_eq!(
            (jobs[2].submit, jobs[2].duration, jobs[2].line),
            (SimTime(500), SimDuration(1), 7)
        );
    }

    #[test]
    fn header_is_required_and_exact() {
        assert_eq!(
            err("submit_time_s,cpu_units,memory_mib,duration_s\n1,2,3,4\n"),
            "jobs.csv:1: expected the header `submit_time_s,cpu_units,memory_mib,duration_s,count`, \
             found \"submit_time_s,cpu_units,memory_mib,duration_s\""
        );
        assert_eq!(
            err("# only a comment\n"),
            "jobs.csv:2: expected the header `submit_time_s,cpu_units,memory_mib,duration_s,count`, found \"\""
        );
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let h = "submit_time_s,cpu_units,memory_mib,duration_s,count\n";
        assert_eq!(
            err(&format!("{h}0,abc,1024,60,1\n")),
            "jobs.csv:2: column `cpu_units`: expected a whole number of CPU units ≥ 1, found \"abc\""
        );
        assert_eq!(
            err(&format!("{h}0,512,1024,60,1\n1.2345,512,1024,60,1\n")),
            "jobs.csv:3: column `submit_time_s`: expected seconds ≥ 0 with at most 3 decimal places, found \"1.2345\""
        );
        assert_eq!(
            err(&format!("{h}0,512,1024,0,1\n")),
            "jobs.csv:2: column `duration_s`: expected seconds ≥ 0.001 with at most 3 decimal places, found \"0\""
        );
        assert_eq!(
            err(&format!("{h}0,512,1024,60,0\n")),
            "jobs.csv:2: column `count`: expected a whole number of tasks ≥ 1, found \"0\""
        );
        assert_eq!(
            err(&format!("{h}0,512,1024,60,1,7\n")),
            "jobs.csv:2: expected 5 comma-separated fields, found 6"
        );
        assert_eq!(
            err(&format!("{h}0,512,1024\n5,512,1024,60,1\n")),
            "jobs.csv:2: expected 5 comma-separated fields, found 3"
        );
    }

    #[test]
    fn truncated_last_line_is_reported_as_such() {
        let text = "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,512,1024,60,1\n5,512,10";
        assert_eq!(
            err(text),
            "jobs.csv:3: truncated last line: expected 5 fields, found 3 and no line ending \
             (was the file cut off while being written?)"
        );
    }

    #[test]
    fn out_of_order_rows_are_an_error_naming_both_lines() {
        let text = "submit_time_s,cpu_units,memory_mib,duration_s,count\n\
                    10,512,1024,60,1\n\
                    # comment\n\
                    9.999,512,1024,60,1\n";
        assert_eq!(
            err(text),
            "jobs.csv:4: expected rows sorted by submit time, found 0+00:00:09.999 after \
             0+00:00:10.000 on line 2"
        );
    }

    #[test]
    fn stops_after_the_first_error() {
        let text = "submit_time_s,cpu_units,memory_mib,duration_s,count\nx,1,1,1,1\n0,1,1,1,1\n";
        let mut r = CsvReader::new(text.as_bytes(), "jobs.csv").unwrap();
        assert!(matches!(
            r.next(),
            Some(Err(TraceError::Field { line: 2, .. }))
        ));
        assert!(r.next().is_none());
    }

    #[test]
    fn opens_files_and_reports_missing_ones() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(f, "{HEADER}\n1,1024,2048,2,3\n").unwrap();
        let jobs: Vec<_> = CsvReader::open(f.path())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].submit, SimTime(1000));

        let missing = f.path().with_extension("missing");
        let e = CsvReader::open(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: cannot open: ", missing.display())),
            "{e}"
        );
    }

    #[test]
    fn invalid_utf8_is_a_read_error_with_line() {
        let mut bytes = format!("{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"0,1,1,1,\xff\n");
        let e = CsvReader::new(&bytes[..], "jobs.csv")
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("jobs.csv:2: cannot read: "), "{e}");
    }

    #[test]
    fn the_documented_example_parses() {
        // The example in the module documentation, verbatim.
        let text = "# Nightly ETL burst, hand-written for the tutorial.\n\
                    submit_time_s,cpu_units,memory_mib,duration_s,count\n\
                    0,512,1024,60,1\n\
                    0.5,1024,2048,300.25,10\n\
                    \n\
                    3600,256,512,45,4\n";
        let jobs = read(text).unwrap();
        let tasks: u32 = jobs.iter().map(|j| j.count).sum();
        // 1 + 10 + 4 = 15 tasks in 3 submissions; the last at 3600 s = 3,600,000 ms.
        assert_eq!((jobs.len(), tasks), (3, 15));
        assert_eq!(jobs[2].submit, SimTime(3_600_000));
    }

    proptest::proptest! {
        /// Any sorted list of valid rows, written out, reads back exactly.
        #[test]
        fn written_rows_read_back_exactly(
            mut rows in proptest::collection::vec(
                (0u64..10_000_000, 1u32..100_000, 1u32..1_000_000, 1u64..100_000_000, 1u32..1000),
                0..50,
            )
        ) {
            rows.sort_by_key(|r| r.0);
            let mut text = format!("{HEADER}\n");
            for (submit_ms, cpu, mem, dur_ms, count) in &rows {
                text.push_str(&format!(
                    "{}.{:03},{cpu},{mem},{}.{:03},{count}\n",
                    submit_ms / 1000, submit_ms % 1000, dur_ms / 1000, dur_ms % 1000
                ));
            }
            let jobs = read(&text).unwrap();
            let back: Vec<_> = jobs
                .iter()
                .map(|j| (j.submit.as_millis(), j.cpu.0, j.memory.0, j.duration.as_millis(), j.count))
                .collect();
            proptest::prop_assert_eq!(back, rows);
        }
    }

    /// Issue 10 point 6: Excel saves "CSV UTF-8" with a byte order mark before the header.
    #[test]
    fn a_leading_byte_order_mark_is_ignored() {
        let text = "submit_time_s,cpu_units,memory_mib,duration_s,count\n0,512,1024,60,1\n";
        assert_eq!(
            read(&format!("\u{FEFF}{text}")).unwrap(),
            read(text).unwrap()
        );
        // Only at the very start: elsewhere it is data, and a bad field.
        assert!(err(&format!("{text}\u{FEFF}1,512,1024,60,1\n")).contains(":3:"));
    }
}
