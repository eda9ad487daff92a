//! Standard Workload Format (SWF) logs from the Parallel Workloads Archive, replayed as
//! RunTask submissions.
//!
//! This reader owns the mapping from an HPC job (a number of processors for some time) to
//! ECS tasks, and streams the log one line at a time.
//! It does not model the HPC scheduler the log came from: wait times, queues, users and
//! requested run times are ignored, and each job is submitted when the log says it arrived.
//!
//! # Format
//!
//! Lines starting with `;` are header comments (skipped, wherever they appear), as are
//! blank lines. Every other line is one job of exactly 18 whitespace-separated fields, of
//! which this reader uses:
//!
//! | # | field | use |
//! |---|---|---|
//! | 2 | submit time, s from the log start | `submit` |
//! | 4 | run time, s | `duration` |
//! | 5 | allocated processors | the job's size |
//! | 8 | requested processors | the job's size when field 5 is `-1` |
//!
//! The other fields are counted but not parsed. Fields 2, 4, 5 and 8 must be whole numbers
//! (`-1` means unknown, as SWF defines).
//! Jobs must be sorted by submit time, as the SWF definition requires; a job that goes back
//! in time is an error naming both lines.
//!
//! # Mapping
//!
//! A job of `p` processors becomes `ceil(p / processors_per_task)` identical tasks of
//! `min(p, processors_per_task)` processors each, submitted together (one submission with
//! that `count`). When `p` is not a multiple of `processors_per_task` the last task is
//! rounded up to a full task, so the job reserves slightly more than it used.
//! Each processor is [`SwfOptions::cpu_units_per_processor`] CPU units and
//! [`SwfOptions::memory_mib_per_processor`] MiB; the latter is an assumption, since SWF
//! logs such as NASA iPSC/860 record no memory.
//!
//! Jobs with a run time ≤ 0 or no known processor count are skipped and counted in
//! [`SwfSkips`] (a job with both problems counts as having no run time).

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::parse::{parse_i64, split_whitespace, Lines};
use super::{JobSubmission, TraceError};
use crate::engine::time::{SimDuration, SimTime};
use crate::units::{CpuUnits, MemoryMib};

const FIELDS: usize = 18;

/// How to turn SWF jobs into tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwfOptions {
    /// CPU units per processor. Default 1024: one processor is one vCPU.
    pub cpu_units_per_processor: u32,
    /// Memory per processor, in MiB. Default 2048 (2 GiB per vCPU, the ratio of AWS's
    /// general-purpose instance families). An assumption: the logs have no usable memory
    /// column, so state it in any report that depends on memory.
    pub memory_mib_per_processor: u32,
    /// The most processors one task gets. Default 1: a job of `p` processors becomes `p`
    /// one-processor tasks, the finest packing. Larger values keep a job's processes
    /// together in fewer, bigger tasks.
    pub processors_per_task: u32,
}

impl Default for SwfOptions {
    fn default() -> Self {
        SwfOptions {
            cpu_units_per_processor: 1024,
            memory_mib_per_processor: 2048,
            processors_per_task: 1,
        }
    }
}

/// How many jobs were not replayed, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SwfSkips {
    /// Run time (field 4) is 0 or unknown.
    pub no_run_time: u64,
    /// Neither allocated (field 5) nor requested (field 8) processors are known and positive.
    pub no_processors: u64,
}

impl SwfSkips {
    /// All skipped jobs.
    pub fn total(&self) -> u64 {
        self.no_run_time + self.no_processors
    }
}

impl fmt::Display for SwfSkips {
    /// E.g. `173 with no run time`; empty if nothing was skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.no_run_time, self.no_processors) {
            (0, 0) => Ok(()),
            (r, 0) => write!(f, "{r} with no run time"),
            (0, p) => write!(f, "{p} with no processor count"),
            (r, p) => write!(f, "{r} with no run time, {p} with no processor count"),
        }
    }
}

/// Streams an SWF log. See the module documentation.
#[derive(Debug)]
pub struct SwfReader<R = BufReader<File>> {
    lines: Lines<R>,
    options: SwfOptions,
    skips: SwfSkips,
    /// Submit time and line of the previous job, to check the order.
    previous: Option<(SimTime, u64)>,
    done: bool,
}

impl SwfReader {
    /// Opens `path` for streaming.
    pub fn open(path: impl AsRef<Path>, options: SwfOptions) -> Result<Self, TraceError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| TraceError::Open {
            file: path.to_path_buf(),
            error,
        })?;
        SwfReader::new(BufReader::new(file), path, options)
    }
}

impl<R: BufRead> SwfReader<R> {
    /// Streams jobs from `reader`; `file` names the source in errors.
    /// Fails only if an option is zero.
    pub fn new(
        reader: R,
        file: impl Into<PathBuf>,
        options: SwfOptions,
    ) -> Result<Self, TraceError> {
        let file = file.into();
        let checks = [
            ("cpu_units_per_processor", options.cpu_units_per_processor),
            ("memory_mib_per_processor", options.memory_mib_per_processor),
            ("processors_per_task", options.processors_per_task),
        ];
        for (option, value) in checks {
            if value == 0 {
                return Err(TraceError::Option {
                    file,
                    option,
                    expected: "a whole number ≥ 1",
                    found: "0".to_string(),
                });
            }
        }
        Ok(SwfReader {
            lines: Lines::new(reader, file),
            options,
            skips: SwfSkips::default(),
            previous: None,
            done: false,
        })
    }

    /// The jobs skipped so far, by reason.
    pub fn skipped(&self) -> SwfSkips {
        self.skips
    }

    fn read_next(&mut self) -> Result<Option<JobSubmission>, TraceError> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let t = self.lines.text().trim_start();
            if t.is_empty() || t.starts_with(';') {
                continue;
            }
            if let Some(job) = self.parse_job()? {
                return Ok(Some(job));
            }
        }
    }

    /// Parses the current line: `Ok(None)` if the job is skipped (and counted).
    fn parse_job(&mut self) -> Result<Option<JobSubmission>, TraceError> {
        let lines = &self.lines;
        let mut f = [""; FIELDS];
        let n = split_whitespace(lines.text(), &mut f);
        if n != FIELDS {
            return Err(lines.field_count_error(FIELDS, n, "whitespace", "SWF "));
        }
        let submit_s = parse_i64(f[1])
            .and_then(|s| u64::try_from(s).ok())
            .ok_or_else(|| {
                lines.field_error("2 (submit time)", "a whole number of seconds ≥ 0", f[1])
            })?;
        let submit = submit_s
            .checked_mul(1000)
            .map(SimTime)
            .ok_or_else(|| lines.too_large("2 (submit time)", f[1], "milliseconds"))?;
        let run_s = parse_i64(f[3]).ok_or_else(|| {
            lines.field_error("4 (run time)", "a whole number of seconds or -1", f[3])
        })?;
        let allocated = parse_i64(f[4]).ok_or_else(|| {
            lines.field_error("5 (allocated processors)", "a whole number or -1", f[4])
        })?;
        let requested = parse_i64(f[7]).ok_or_else(|| {
            lines.field_error("8 (requested processors)", "a whole number or -1", f[7])
        })?;
        let line = lines.number();

        // Check the order on every job, skipped or not: an unsorted log is broken whatever
        // we replay from it.
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

        if run_s <= 0 {
            self.skips.no_run_time += 1;
            return Ok(None);
        }
        // SWF uses -1 for "unknown"; the requested count is the best remaining estimate.
        let (processors, column, text) = if allocated == -1 {
            (requested, "8 (requested processors)", f[7])
        } else {
            (allocated, "5 (allocated processors)", f[4])
        };
        if processors <= 0 {
            self.skips.no_processors += 1;
            return Ok(None);
        }
        let processors =
            u32::try_from(processors).map_err(|_| lines.too_large(column, text, "processors"))?;
        let per_task = processors.min(self.options.processors_per_task);
        let count = processors.div_ceil(self.options.processors_per_task);
        let cpu = per_task
            .checked_mul(self.options.cpu_units_per_processor)
            .ok_or_else(|| lines.too_large(column, text, "CPU units"))?;
        let memory = per_task
            .checked_mul(self.options.memory_mib_per_processor)
            .ok_or_else(|| lines.too_large(column, text, "MiB"))?;
        // Positive (checked above), so the absolute value is the value.
        let run_s = run_s.unsigned_abs();
        let duration = run_s
            .checked_mul(1000)
            .map(SimDuration)
            .ok_or_else(|| lines.too_large("4 (run time)", f[3], "milliseconds"))?;
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

impl<R: BufRead> Iterator for SwfReader<R> {
    type Item = Result<JobSubmission, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.read_next().transpose();
        // Stop after the end or the first error: the rest of a broken log is not trusted.
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "; Version: 2.2\n\
        ; Computer: Intel iPSC/860\n\
        ;\n\
        \x20   1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n\
        \x20 658   168848     -1      0  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n\
        \x20  57   168848     -1     10   -1     -1    -1    6     -1    -1 -1   4   1   2 -1 -1 -1 -1\n\
        \x20  59   168900     -1    716   -1     -1    -1   -1     -1    -1 -1   4   1   3 -1 -1 -1 -1\n\
        \x20  60   170000     -1      7    1     -1    -1   -1     -1    -1 -1   4   1   4 -1 -1 -1 -1\n";

    fn read(text: &str, options: SwfOptions) -> (Result<Vec<JobSubmission>, TraceError>, SwfSkips) {
        let mut r = SwfReader::new(text.as_bytes(), "log.swf", options).unwrap();
        let jobs = r.by_ref().collect();
        (jobs, r.skipped())
    }

    fn err(text: &str) -> String {
        read(text, SwfOptions::default()).0.unwrap_err().to_string()
    }

    #[test]
    fn good_jobs_with_default_options() {
        let (jobs, skips) = read(LOG, SwfOptions::default());
        let jobs = jobs.unwrap();
        // Line 5 has run time 0; line 7 has neither allocated nor requested processors.
        assert_eq!(
            skips,
            SwfSkips {
                no_run_time: 1,
                no_processors: 1
            }
        );
        assert_eq!(jobs.len(), 3);
        // 128 processors at 1 per task → 128 tasks of 1024 units and 2048 MiB, 1451 s.
        assert_eq!(
            jobs[0],
            JobSubmission {
                submit: SimTime(0),
                cpu: CpuUnits(1024),
                memory: MemoryMib(2048),
                gpus: 0,
                duration: SimDuration(1_451_000),
                count: 128,
                line: 4,
            }
        );
        // Field 5 is -1, so field 8 (6 requested processors) gives 6 tasks.
        assert_eq!(
            (jobs[1].submit, jobs[1].count, jobs[1].line),
            (SimTime(168_848_000), 6, 6)
        );
        assert_eq!((jobs[2].count, jobs[2].duration), (1, SimDuration(7000)));
    }

    #[test]
    fn processors_per_task_groups_processors_and_rounds_up() {
        let options = SwfOptions {
            cpu_units_per_processor: 512,
            memory_mib_per_processor: 1024,
            processors_per_task: 4,
        };
        let (jobs, _) = read(LOG, options);
        let jobs = jobs.unwrap();
        // 128 processors / 4 per task = 32 tasks of 4 × 512 = 2048 units, 4 × 1024 MiB.
        assert_eq!(
            (jobs[0].count, jobs[0].cpu, jobs[0].memory),
            (32, CpuUnits(2048), MemoryMib(4096))
        );
        // 6 processors → ceil(6 / 4) = 2 tasks of 4 processors (rounded up).
        assert_eq!((jobs[1].count, jobs[1].cpu), (2, CpuUnits(2048)));
        // 1 processor → 1 task of min(1, 4) = 1 processor.
        assert_eq!((jobs[2].count, jobs[2].cpu), (1, CpuUnits(512)));
    }

    #[test]
    fn bad_lines_name_file_line_and_field() {
        assert_eq!(
            err("; c\n1 0 -1 10 1\n"),
            "log.swf:2: expected 18 whitespace-separated SWF fields, found 5"
        );
        assert_eq!(
            err("1 0 -1 1x 1 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"),
            "log.swf:1: column `4 (run time)`: expected a whole number of seconds or -1, found \"1x\""
        );
        assert_eq!(
            err("1 -1 -1 10 1 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n"),
            "log.swf:1: column `2 (submit time)`: expected a whole number of seconds ≥ 0, found \"-1\""
        );
        assert_eq!(
            err("1 0 -1 10 1 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n2 5 -1 10 1 -1 -1 -1"),
            "log.swf:2: truncated last line: expected 18 fields, found 8 and no line ending \
             (was the file cut off while being written?)"
        );
    }

    #[test]
    fn out_of_order_jobs_are_an_error_even_when_skipped() {
        // Line 3 would be skipped (run time 0) but still goes back in time.
        let text = "1 100 -1 10 1 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n\
                    ; a comment between jobs\n\
                    2 99 -1 0 1 -1 -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1\n";
        assert_eq!(
            err(text),
            "log.swf:3: expected rows sorted by submit time, found 0+00:01:39.000 after \
             0+00:01:40.000 on line 1"
        );
    }

    #[test]
    fn zero_options_are_rejected() {
        let options = SwfOptions {
            processors_per_task: 0,
            ..SwfOptions::default()
        };
        let e = SwfReader::new(&b""[..], "log.swf", options)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "log.swf: option `processorsPerTask`: expected a whole number ≥ 1, found 0"
        );
    }

    #[test]
    fn shipped_slice_parses_fully() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/traces/pwa-nasa-ipsc-1993-swf/NASA-iPSC-1993-3.1-cln.swf"
        );
        let mut r = SwfReader::open(path, SwfOptions::default()).unwrap();
        let jobs: Vec<JobSubmission> = r.by_ref().collect::<Result<_, _>>().unwrap();
        // Counted independently with awk over the 2,000 job lines of the slice:
        //   grep -v '^;' | awk '$4<=0{a++} $5<=0{b++} $4>0&&$5>0{k++; t+=$5}'
        //     → 14 with run time ≤ 0, 0 with processors ≤ 0, 1986 kept, 34193 processors.
        assert_eq!(
            r.skipped(),
            SwfSkips {
                no_run_time: 14,
                no_processors: 0
            }
        );
        assert_eq!(jobs.len(), 1986);
        let tasks: u64 = jobs.iter().map(|j| u64::from(j.count)).sum();
        assert_eq!(tasks, 34_193);
        // The last job line: job 5104 submitted at 1,067,370 s, 151 s on 32 processors.
        let last = jobs.last().copied();
        assert_eq!(
            last.map(|j| (j.submit, j.duration, j.count)),
            Some((SimTime(1_067_370_000), SimDuration(151_000), 32))
        );
    }

    /// Issue 10 point 6: a log re-saved by a Windows tool starts with a byte order mark.
    #[test]
    fn a_leading_byte_order_mark_is_ignored() {
        let (with, _) = read(&format!("\u{FEFF}{LOG}"), SwfOptions::default());
        let (without, _) = read(LOG, SwfOptions::default());
        assert_eq!(with.unwrap(), without.unwrap());
        // A data line first: the mark must not glue itself to the job number.
        let first = "1 0 -1 60 1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1\n";
        let (jobs, _) = read(&format!("\u{FEFF}{first}"), SwfOptions::default());
        assert_eq!(jobs.unwrap().len(), 1);
    }
}
