//! The Alibaba `cluster-trace-gpu-v2023` pod lists ("openb", the trace of the USENIX ATC '23
//! paper "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation
//! Gradient Descent"), replayed as RunTask submissions that carry a GPU count.
//!
//! This reader owns the mapping from a Kubernetes pod of that trace (CPU in milli-cores,
//! memory in MiB, whole or shared GPUs, creation/scheduled/deletion times) to a
//! [`JobSubmission`], and the choices that mapping needs (whole GPUs, which phases ran, which
//! part of a pod's life is its run time).
//! It does not read the trace's node list (`openb_node_list_*.csv`): the cluster is the
//! scenario's, not Alibaba's. It does not enforce GPUs either: it only carries the count in
//! [`JobSubmission::gpus`]; placement decides what to do with it.
//!
//! # Format
//!
//! CSV with the header below (required on line 1, as every `openb_pod_list_*.csv` with times
//! has it), one pod per row:
//!
//! | column | meaning / unit | use |
//! |---|---|---|
//! | `name` | pod name, e.g. `openb-pod-0017` | not used |
//! | `cpu_milli` | CPU requested, thousandths of a core | `cpu` |
//! | `memory_mib` | memory requested, MiB | `memory` |
//! | `num_gpu` | GPUs requested, 0–8 | `gpus` |
//! | `gpu_milli` | share of one GPU for GPU-sharing pods (`num_gpu` 1, 1–1000), thousandths; 0 when `num_gpu` is 0 and 1000 when it is 2 or more (other values are errors) | whole GPUs only, see below |
//! | `gpu_spec` | GPU models allowed, separated by vertical bars, or empty | not used |
//! | `qos` | Kubernetes QoS class (`LS`, `BE`, `Burstable`, `Guaranteed`) | not used |
//! | `pod_phase` | `Running`, `Succeeded`, `Failed` or `Pending` | which pods ran |
//! | `creation_time` | s from the trace start | `submit` |
//! | `deletion_time` | s | end of the run |
//! | `scheduled_time` | s, empty if never scheduled | start of the run |
//!
//! The `openb_pod_list_multigpu*.csv` files have only the first five columns (no times) and
//! cannot be replayed: their header is rejected.
//!
//! # Mapping
//!
//! - `submit` = `creation_time − origin` (see [`BeforeOrigin`] for pods created earlier).
//! - `duration` = `deletion_time − scheduled_time`: the time the pod held a node. The gap
//!   from creation to scheduling is the source cluster's queueing (up to 4 h in the trace);
//!   ecsim simulates its own queueing, so replaying that gap as run time would count it
//!   twice. A run of 0 s becomes 1 s, so the task still occupies capacity for a moment.
//! - `cpu` = `cpu_milli × 1024 / 1000` CPU units (1 vCPU = 1000 milli = 1024 units),
//!   rounded **up** to a whole unit so a task never reserves less than the pod asked
//!   (3,152 milli → 3,227.648 → 3,228 units).
//! - `memory` = `memory_mib` MiB, unchanged.
//! - `gpus` = `num_gpu`. A GPU `resourceRequirements` `value` is "the number of physical
//!   GPUs the Amazon ECS container agent reserves for the container", and without a
//!   `sharingStrategy` "the container has exclusive use of each GPU that Amazon ECS assigns
//!   to it" (Amazon ECS API Reference, `ResourceRequirement`,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ResourceRequirement.html>).
//!   So a GPU-sharing pod (`num_gpu` 1, `gpu_milli` < 1000) takes one whole GPU. ECS's newer
//!   ways to share a GPU (an NVIDIA MPS `sharingStrategy`, fractional `value`s on G6f
//!   instances) are not modelled. Whole GPUs overstate the trace's GPU demand: its sharing
//!   pods ask 0.05–0.81 of a GPU; [`AlibabaGpuReader::gpu_shares_rounded`] counts them.
//! - `count` = 1: a pod is one task.
//! - `line` = the row's line, so a surprising task can be found in the file.
//!
//! # Skipped pods
//!
//! Well-formed pods that cannot be replayed are skipped and counted in [`AlibabaGpuSkips`]:
//! pods whose phase is not replayed (by default `Pending`, the pods that were never
//! scheduled: all 897 of them in `openb_pod_list_default.csv` have an empty
//! `scheduled_time`), pods outside the sample or the kind asked for, pods of a replayed phase
//! with an empty time, pods with `deletion_time < scheduled_time` or
//! `scheduled_time < creation_time`, pods with no CPU or no
//! memory request, and (with [`BeforeOrigin::TrimToWindow`]) pods that ended at or before the
//! origin. `Failed` pods are replayed by default: each of the 1,870 in the default list was
//! scheduled and held its node until it failed (median 243 s), so it used capacity.
//! Malformed rows are errors naming file, line and column.
//!
//! # Order and memory
//!
//! `openb_pod_list_default.csv` is sorted by `creation_time`, but thirteen of the published
//! variants (the `cpu*` and `gpushare*` lists, sampled from the default one) are not. So
//! this reader, like [`super::alibaba`], reads the file once when it is constructed (line by
//! line, one reused buffer), keeps one 32-byte record per replayed pod and sorts them by
//! submit time, ties in file order. The largest list has 10,094 pods: about 320 KB. Every row
//! error is therefore reported by [`AlibabaGpuReader::new`], before the simulation starts.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::alibaba::BeforeOrigin;
use super::parse::{parse_u64, split_fields, Lines};
use super::{JobSubmission, TraceError};
use crate::engine::time::{SimDuration, SimTime};
use crate::units::{CpuUnits, MemoryMib, CPU_UNITS_PER_VCPU};

/// The header of the pod lists with times, as the repository ships it.
pub const HEADER: &str = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";

const FIELDS: usize = 11;

/// Milli-cores per vCPU, the Kubernetes unit of `cpu_milli`.
const MILLI_PER_VCPU: u32 = 1000;

/// A whole GPU in `gpu_milli`'s unit.
const GPU_MILLI_WHOLE: u64 = 1000;

/// A pod's phase at the end of the trace, from `pod_phase` (Kubernetes' pod phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PodPhase {
    /// Last seen running. The trace still gives it a `deletion_time`, which ends its run;
    /// 34 of the 5,193 in the default list end at the trace's last timestamp (cut off).
    Running,
    /// Finished successfully.
    Succeeded,
    /// Scheduled, then failed at `deletion_time`.
    Failed,
    /// Never scheduled (`scheduled_time` is empty).
    Pending,
}

impl PodPhase {
    /// The spelling used in the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Pending => "Pending",
        }
    }

    /// Parses the trace's spelling.
    pub fn parse(s: &str) -> Option<PodPhase> {
        match s {
            "Running" => Some(PodPhase::Running),
            "Succeeded" => Some(PodPhase::Succeeded),
            "Failed" => Some(PodPhase::Failed),
            "Pending" => Some(PodPhase::Pending),
            _ => None,
        }
    }
}

/// Which pods to replay, by whether they ask for a GPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PodKind {
    /// Every pod.
    #[default]
    All,
    /// Only pods with `num_gpu` ≥ 1.
    Gpu,
    /// Only pods with `num_gpu` 0 (the ones Fargate, which has no GPUs, can run).
    CpuOnly,
}

impl PodKind {
    fn keeps(self, gpus: u32) -> bool {
        match self {
            PodKind::All => true,
            PodKind::Gpu => gpus > 0,
            PodKind::CpuOnly => gpus == 0,
        }
    }
}

/// How to read a pod list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlibabaGpuOptions {
    /// Which phases to replay. Default `Running`, `Succeeded`, `Failed`: every pod that was
    /// scheduled (see the module documentation).
    pub phases: Vec<PodPhase>,
    /// Which pods to replay by GPU request. Default all.
    pub pods: PodKind,
    /// The trace time that becomes simulated time 0. Default 0, the trace's start. The
    /// default list's pods arrive mostly from day 115 to day 149, so a later origin replays
    /// a busy part from the scenario's start.
    pub origin: SimDuration,
    /// What to do with pods created before `origin`. Default
    /// [`BeforeOrigin::TrimToWindow`]: a pod running at the origin is submitted at 0 for the
    /// rest of its run, so the load at the start of a window is the trace's (with origin 0
    /// no pod is earlier, so the default changes nothing there).
    pub before_origin: BeforeOrigin,
    /// Keep one pod in `pod_sample`: the data rows whose 0-based index is a multiple of it.
    /// Default 1 (all). Sampling every n-th row keeps the mix of sizes and run times while
    /// scaling the volume down.
    pub pod_sample: u32,
}

impl Default for AlibabaGpuOptions {
    fn default() -> Self {
        AlibabaGpuOptions {
            phases: vec![PodPhase::Running, PodPhase::Succeeded, PodPhase::Failed],
            pods: PodKind::All,
            origin: SimDuration::ZERO,
            before_origin: BeforeOrigin::TrimToWindow,
            pod_sample: 1,
        }
    }
}

/// How many well-formed pods were not replayed, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlibabaGpuSkips {
    /// The pod's phase is not in [`AlibabaGpuOptions::phases`].
    pub phase_filtered: u64,
    /// The row was not in the sample ([`AlibabaGpuOptions::pod_sample`]).
    pub sampled_out: u64,
    /// The pod is not of the kind asked for ([`AlibabaGpuOptions::pods`]).
    pub kind_filtered: u64,
    /// `cpu_milli` or `memory_mib` is 0.
    pub no_request: u64,
    /// `creation_time`, `scheduled_time` or `deletion_time` is empty.
    pub missing_time: u64,
    /// `deletion_time` is before `scheduled_time`, or `scheduled_time` before `creation_time`.
    pub bad_lifetime: u64,
    /// The pod ended at or before the origin ([`BeforeOrigin::TrimToWindow`] only).
    pub ended_before_origin: u64,
}

impl AlibabaGpuSkips {
    /// All skipped pods.
    pub fn total(&self) -> u64 {
        self.phase_filtered
            + self.sampled_out
            + self.kind_filtered
            + self.no_request
            + self.missing_time
            + self.bad_lifetime
            + self.ended_before_origin
    }
}

impl fmt::Display for AlibabaGpuSkips {
    /// E.g. `897 with a pod_phase not replayed, 1088 not of the pod kind asked for`; empty if
    /// none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            (self.phase_filtered, "with a pod_phase not replayed"),
            (self.sampled_out, "outside the sample"),
            (self.kind_filtered, "not of the pod kind asked for"),
            (self.no_request, "with no cpu_milli/memory_mib"),
            (self.missing_time, "with an empty time"),
            (
                self.bad_lifetime,
                "with times out of order (scheduled before created, or deleted before scheduled)",
            ),
            (self.ended_before_origin, "that ended before the origin"),
        ];
        super::write_counts(f, &parts)
    }
}

/// One replayed pod, kept compact because the whole list is held in memory (32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    // Field order is the sort order: submit time, then file order.
    submit_ms: u64,
    line: u32,
    duration_s: u32,
    cpu_units: u32,
    memory_mib: u32,
    gpus: u32,
}

/// An Alibaba GPU v2023 pod list, sorted by submit time. See the module documentation.
#[derive(Debug)]
pub struct AlibabaGpuReader {
    records: std::vec::IntoIter<Record>,
    skips: AlibabaGpuSkips,
    gpu_shares_rounded: u64,
}

impl AlibabaGpuReader {
    /// Opens `path` and reads the whole list (see the module documentation for why).
    pub fn open(path: impl AsRef<Path>, options: &AlibabaGpuOptions) -> Result<Self, TraceError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|error| TraceError::Open {
            file: path.to_path_buf(),
            error,
        })?;
        AlibabaGpuReader::new(BufReader::new(file), path, options)
    }

    /// Reads the whole list from `reader`; `file` names the source in errors.
    pub fn new(
        reader: impl BufRead,
        file: impl Into<PathBuf>,
        options: &AlibabaGpuOptions,
    ) -> Result<Self, TraceError> {
        let mut lines = Lines::new(reader, file.into());
        if options.pod_sample == 0 {
            return Err(TraceError::Option {
                file: lines.file().to_path_buf(),
                option: "pod_sample",
                expected: "a whole number ≥ 1 (1 keeps every pod)",
                found: "0".to_string(),
            });
        }
        if options.phases.is_empty() {
            return Err(TraceError::Option {
                file: lines.file().to_path_buf(),
                option: "phases",
                expected: "at least one of Running, Succeeded, Failed, Pending",
                found: "an empty list".to_string(),
            });
        }
        if !lines.advance()? || lines.text() != HEADER {
            return Err(TraceError::Header {
                file: lines.file().to_path_buf(),
                line: lines.number(),
                expected: HEADER,
                found: lines.text().to_string(),
            });
        }
        let mut reader = AlibabaGpuReader {
            records: Vec::new().into_iter(),
            skips: AlibabaGpuSkips::default(),
            gpu_shares_rounded: 0,
        };
        let mut records = Vec::new();
        let mut index = 0u64;
        while lines.advance()? {
            if let Some(record) = reader.parse_row(&lines, options, index)? {
                records.push(record);
            }
            index += 1;
        }
        if index == 0 {
            return Err(TraceError::Empty {
                file: lines.file().to_path_buf(),
                line: lines.number(),
            });
        }
        records.sort_unstable();
        reader.records = records.into_iter();
        Ok(reader)
    }

    /// The pods that were not replayed, by reason. Final once the reader is constructed.
    pub fn skipped(&self) -> AlibabaGpuSkips {
        self.skips
    }

    /// How many replayed pods asked for a share of one GPU (`gpu_milli` < 1000) and were
    /// given a whole one, as ECS assigns GPUs.
    pub fn gpu_shares_rounded(&self) -> u64 {
        self.gpu_shares_rounded
    }

    /// Parses one row: `Ok(None)` if it is skipped (and counted).
    fn parse_row<R: BufRead>(
        &mut self,
        lines: &Lines<R>,
        options: &AlibabaGpuOptions,
        index: u64,
    ) -> Result<Option<Record>, TraceError> {
        let mut f = [""; FIELDS];
        let n = split_fields(lines.text(), ',', &mut f);
        if n != FIELDS {
            return Err(lines.field_count_error(FIELDS, n, "comma", ""));
        }
        let [_name, cpu_milli, memory_mib, num_gpu, gpu_milli, _spec, _qos, phase, created, deleted, scheduled] =
            f;

        // Parse every field before deciding to skip, so a corrupted row is an error even when
        // the options would have skipped it.
        let cpu = parse_u64(cpu_milli).ok_or_else(|| {
            lines.field_error("cpu_milli", "a whole number of milli-cores", cpu_milli)
        })?;
        let memory = parse_u64(memory_mib)
            .ok_or_else(|| lines.field_error("memory_mib", "a whole number of MiB", memory_mib))?;
        let gpus = parse_u64(num_gpu)
            .and_then(|g| u32::try_from(g).ok())
            .ok_or_else(|| lines.field_error("num_gpu", "a whole number of GPUs", num_gpu))?;
        let share = parse_u64(gpu_milli)
            .filter(|&m| m <= GPU_MILLI_WHOLE)
            .ok_or_else(|| {
                lines.field_error(
                    "gpu_milli",
                    "a whole number of thousandths of a GPU from 0 to 1000",
                    gpu_milli,
                )
            })?;
        if gpus == 0 && share != 0 {
            return Err(lines.field_error(
                "gpu_milli",
                "0 in a pod with num_gpu 0 (a share of no GPU)",
                gpu_milli,
            ));
        }
        // Only a single-GPU pod shares its GPU; any other combination is a corrupted row,
        // not something to round silently to whole GPUs.
        if gpus >= 2 && share != GPU_MILLI_WHOLE {
            return Err(lines.field_error(
                "gpu_milli",
                "1000 in a pod with num_gpu 2 or more (only a single-GPU pod shares its GPU)",
                gpu_milli,
            ));
        }
        if gpus == 1 && share == 0 {
            return Err(lines.field_error(
                "gpu_milli",
                "1 to 1000 in a pod with num_gpu 1 (0 would be a GPU pod using none of its GPU)",
                gpu_milli,
            ));
        }
        let phase = PodPhase::parse(phase).ok_or_else(|| {
            lines.field_error(
                "pod_phase",
                "one of Running, Succeeded, Failed, Pending",
                phase,
            )
        })?;
        let time = |column: &'static str, s: &str| -> Result<Option<u64>, TraceError> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_u64(s).map(Some).ok_or_else(|| {
                lines.field_error(column, "a whole number of seconds ≥ 0 or empty", s)
            })
        };
        let created_s = time("creation_time", created)?;
        let deleted_s = time("deletion_time", deleted)?;
        let scheduled_s = time("scheduled_time", scheduled)?;

        if !options.phases.contains(&phase) {
            self.skips.phase_filtered += 1;
            return Ok(None);
        }
        if index % u64::from(options.pod_sample.max(1)) != 0 {
            self.skips.sampled_out += 1;
            return Ok(None);
        }
        if !options.pods.keeps(gpus) {
            self.skips.kind_filtered += 1;
            return Ok(None);
        }
        if cpu == 0 || memory == 0 {
            self.skips.no_request += 1;
            return Ok(None);
        }
        let (Some(created_s), Some(deleted_s), Some(scheduled_s)) =
            (created_s, deleted_s, scheduled_s)
        else {
            self.skips.missing_time += 1;
            return Ok(None);
        };
        // A pod scheduled before it was created, or deleted before it was scheduled, has a
        // corrupted life: skipped and counted rather than replayed with a guessed run time.
        if deleted_s < scheduled_s || scheduled_s < created_s {
            self.skips.bad_lifetime += 1;
            return Ok(None);
        }

        // Milliseconds in u128 so that no pair of u64 second counts can overflow.
        let origin_ms = u128::from(options.origin.as_millis());
        let ms = |s: u64| u128::from(s) * 1000;
        let (submit_ms, run_ms) = if ms(created_s) >= origin_ms {
            (ms(created_s) - origin_ms, ms(deleted_s - scheduled_s))
        } else {
            match options.before_origin {
                BeforeOrigin::ClampSubmit => (0, ms(deleted_s - scheduled_s)),
                BeforeOrigin::TrimToWindow => {
                    let start = ms(scheduled_s).max(origin_ms);
                    if ms(deleted_s) <= start {
                        self.skips.ended_before_origin += 1;
                        return Ok(None);
                    }
                    (0, ms(deleted_s) - start)
                }
            }
        };
        let submit_ms = u64::try_from(submit_ms)
            .map_err(|_| lines.too_large("creation_time", created, "milliseconds"))?;
        // Whole seconds, rounded up (an origin inside a second leaves a fraction); a run of
        // 0 s would be a task that reserves nothing, so 1 s keeps it visible.
        let duration_s = u32::try_from(run_ms.div_ceil(1000).max(1))
            .map_err(|_| lines.too_large("deletion_time", deleted, "seconds"))?;
        let cpu_units = cpu
            .checked_mul(u64::from(CPU_UNITS_PER_VCPU))
            .map(|c| c.div_ceil(u64::from(MILLI_PER_VCPU)))
            .and_then(|c| u32::try_from(c).ok())
            .ok_or_else(|| lines.too_large("cpu_milli", cpu_milli, "CPU units"))?;
        let memory_mib =
            u32::try_from(memory).map_err(|_| lines.too_large("memory_mib", memory_mib, "MiB"))?;
        let line = u32::try_from(lines.number())
            .map_err(|_| lines.too_large("creation_time", created, "a line number under 2^32"))?;
        if gpus == 1 && share > 0 && share < GPU_MILLI_WHOLE {
            self.gpu_shares_rounded += 1;
        }
        Ok(Some(Record {
            submit_ms,
            line,
            duration_s,
            cpu_units,
            memory_mib,
            gpus,
        }))
    }
}

impl Iterator for AlibabaGpuReader {
    type Item = Result<JobSubmission, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.records.next()?;
        Some(Ok(JobSubmission {
            submit: SimTime(r.submit_ms),
            cpu: CpuUnits(r.cpu_units),
            memory: MemoryMib(r.memory_mib),
            gpus: r.gpus,
            duration: SimDuration::from_secs(u64::from(r.duration_s)),
            count: 1,
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

    fn read(text: &str, options: &AlibabaGpuOptions) -> Result<AlibabaGpuReader, TraceError> {
        AlibabaGpuReader::new(text.as_bytes(), "pods.csv", options)
    }

    fn jobs(r: AlibabaGpuReader) -> Vec<JobSubmission> {
        r.collect::<Result<_, _>>().unwrap()
    }

    fn err(text: &str) -> String {
        read(text, &AlibabaGpuOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn record_is_32_bytes() {
        // The module doc promises 32 bytes per pod; keep it honest.
        assert_eq!(std::mem::size_of::<Record>(), 32);
    }

    #[test]
    fn good_rows_convert_with_hand_checked_values() {
        // Rows copied from openb_pod_list_default.csv (lines 2, 3 and 8,152).
        let text = format!(
            "{HEADER}\n\
             openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0\n\
             openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061\n\
             openb-pod-8150,3152,5600,1,590,,BE,Failed,12900505,12900526,12900505\n\
             openb-pod-0017,88000,327680,8,1000,V100M16|V100M32,Burstable,Succeeded,9437497,10769854,9437499\n"
        );
        let r = read(&text, &AlibabaGpuOptions::default()).unwrap();
        assert_eq!(r.skipped(), AlibabaGpuSkips::default());
        // Lines 3 (460 milli) and 4 (590 milli) share a GPU; line 2 asks a whole one.
        assert_eq!(r.gpu_shares_rounded(), 2);
        let j = jobs(r);
        // 12,000 milli × 1024 / 1000 = 12,288 units exactly; run 12,537,496 − 0 s.
        assert_eq!(
            j[0],
            JobSubmission {
                submit: SimTime(0),
                cpu: CpuUnits(12_288),
                memory: MemoryMib(16_384),
                gpus: 1,
                duration: SimDuration::from_secs(12_537_496),
                count: 1,
                line: 2,
            }
        );
        // 460 thousandths of a GPU → one whole GPU.
        assert_eq!((j[1].cpu, j[1].gpus), (CpuUnits(6144), 1));
        // Sorted by creation: line 5 (9,437,497 s) before line 4 (12,900,505 s).
        // Run time is from scheduled (9,437,499) to deletion: 1,332,355 s, not 1,332,357.
        assert_eq!(
            j[2],
            JobSubmission {
                submit: SimTime(9_437_497_000),
                cpu: CpuUnits(90_112),
                memory: MemoryMib(327_680),
                gpus: 8,
                duration: SimDuration::from_secs(1_332_355),
                count: 1,
                line: 5,
            }
        );
        // 3,152 milli × 1024 / 1000 = 3,227.648 → 3,228 units (rounded up); run 21 s.
        assert_eq!(
            (j[3].cpu, j[3].duration, j[3].line),
            (CpuUnits(3228), SimDuration::from_secs(21), 4)
        );
    }

    #[test]
    fn unsorted_rows_come_out_sorted_ties_in_file_order_and_skips_are_counted() {
        let text = format!(
            "{HEADER}\n\
             a,1000,1024,0,0,,LS,Running,300,400,310\n\
             b,1000,1024,1,1000,,BE,Pending,100,150,\n\
             c,1000,1024,1,1000,,BE,Failed,100,150,120\n\
             d,1000,1024,1,1000,,BE,Running,300,350,300\n\
             e,0,1024,0,0,,BE,Running,50,60,50\n\
             f,1000,1024,0,0,,BE,Running,50,,50\n\
             g,1000,1024,0,0,,BE,Succeeded,50,40,50\n\
             h,1000,1024,0,0,,BE,Succeeded,50,50,50\n"
        );
        let r = read(&text, &AlibabaGpuOptions::default()).unwrap();
        // b is Pending; e asks no CPU; f has no deletion_time; g ends before it was scheduled.
        assert_eq!(
            r.skipped(),
            AlibabaGpuSkips {
                phase_filtered: 1,
                no_request: 1,
                missing_time: 1,
                bad_lifetime: 1,
                ..AlibabaGpuSkips::default()
            }
        );
        assert_eq!(
            r.skipped().to_string(),
            "1 with a pod_phase not replayed, 1 with no cpu_milli/memory_mib, \
             1 with an empty time, 1 with times out of order (scheduled before created, or deleted \
             before scheduled)"
        );
        let order: Vec<(u64, u64, u64)> = jobs(r)
            .iter()
            .map(|j| (j.submit.as_secs(), j.duration.as_millis() / 1000, j.line))
            .collect();
        // h runs 0 s → the 1 s minimum; c runs 150 − 120 = 30 s; a and d tie at 300 s and
        // keep file order.
        assert_eq!(
            order,
            vec![(50, 1, 9), (100, 30, 4), (300, 90, 2), (300, 50, 5)]
        );
    }

    #[test]
    fn pod_kind_phase_and_sample_filters() {
        let text = format!(
            "{HEADER}\n\
             a,1000,1024,0,0,,LS,Running,0,10,0\n\
             b,1000,1024,2,1000,,LS,Running,1,10,1\n\
             c,1000,1024,0,0,,LS,Failed,2,10,2\n\
             d,1000,1024,1,500,,LS,Pending,3,10,\n"
        );
        let only = |pods, phases: &[PodPhase], pod_sample| {
            let r = read(
                &text,
                &AlibabaGpuOptions {
                    pods,
                    phases: phases.to_vec(),
                    pod_sample,
                    ..AlibabaGpuOptions::default()
                },
            )
            .unwrap();
            let skips = r.skipped();
            (jobs(r).iter().map(|j| j.line).collect::<Vec<_>>(), skips)
        };
        let defaults = AlibabaGpuOptions::default().phases;
        let (lines, skips) = only(PodKind::CpuOnly, &defaults, 1);
        assert_eq!((lines, skips.kind_filtered), (vec![2, 4], 1));
        let (lines, skips) = only(PodKind::Gpu, &defaults, 1);
        assert_eq!((lines, skips.kind_filtered), (vec![3], 2));
        // Rows 0 and 2 (0-based) are in a sample of one in two; row 3 is Pending.
        let (lines, skips) = only(PodKind::All, &defaults, 2);
        assert_eq!(
            (lines, skips.sampled_out, skips.phase_filtered),
            (vec![2, 4], 1, 1)
        );
        // Replaying Pending too: d has no scheduled_time, so it is counted, not replayed.
        let (lines, skips) = only(PodKind::All, &[PodPhase::Pending, PodPhase::Running], 1);
        assert_eq!(
            (lines, skips.missing_time, skips.phase_filtered),
            (vec![2, 3], 1, 1)
        );
    }

    #[test]
    fn origin_trims_or_clamps_pods_created_before_it() {
        let text = format!(
            "{HEADER}\n\
             a,1000,1024,1,1000,,LS,Running,10,50,20\n\
             b,1000,1024,1,1000,,LS,Running,90,200,150\n\
             c,1000,1024,1,1000,,LS,Running,95,300,96\n\
             d,1000,1024,1,1000,,LS,Running,130,140,131\n"
        );
        let origin = SimDuration::from_secs(100);
        let trim = read(
            &text,
            &AlibabaGpuOptions {
                origin,
                ..AlibabaGpuOptions::default()
            },
        )
        .unwrap();
        // a ended at 50 s, before the origin. b was created before the origin and
        // scheduled after it: it runs its whole 50 s from 0. c ran across the origin: the
        // 200 s left. d is created 30 s after the origin and runs 9 s.
        assert_eq!(trim.skipped().ended_before_origin, 1);
        let got: Vec<(u64, u64)> = jobs(trim)
            .iter()
            .map(|j| (j.submit.as_millis(), j.duration.as_millis()))
            .collect();
        assert_eq!(got, vec![(0, 50_000), (0, 200_000), (30_000, 9_000)]);
        let clamp = read(
            &text,
            &AlibabaGpuOptions {
                origin,
                before_origin: BeforeOrigin::ClampSubmit,
                ..AlibabaGpuOptions::default()
            },
        )
        .unwrap();
        // Every pod kept, each with its full run from scheduled to deleted.
        let got: Vec<u64> = jobs(clamp).iter().map(|j| j.duration.as_millis()).collect();
        assert_eq!(got, vec![30_000, 50_000, 204_000, 9_000]);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let row = |r: &str| format!("{HEADER}\n{r}\n");
        assert_eq!(
            err(&row("p,12x,1024,0,0,,LS,Running,0,10,0")),
            "pods.csv:2: column `cpu_milli`: expected a whole number of milli-cores, found \"12x\""
        );
        assert_eq!(
            err(&row("p,1000,1.5,0,0,,LS,Running,0,10,0")),
            "pods.csv:2: column `memory_mib`: expected a whole number of MiB, found \"1.5\""
        );
        assert_eq!(
            err(&row("p,1000,1024,-1,0,,LS,Running,0,10,0")),
            "pods.csv:2: column `num_gpu`: expected a whole number of GPUs, found \"-1\""
        );
        assert_eq!(
            err(&row("p,1000,1024,1,1001,,LS,Running,0,10,0")),
            "pods.csv:2: column `gpu_milli`: expected a whole number of thousandths of a GPU \
             from 0 to 1000, found \"1001\""
        );
        assert_eq!(
            err(&row("p,1000,1024,0,500,,LS,Running,0,10,0")),
            "pods.csv:2: column `gpu_milli`: expected 0 in a pod with num_gpu 0 (a share of no \
             GPU), found \"500\""
        );
        assert_eq!(
            err(&row("p,1000,1024,0,0,,LS,Done,0,10,0")),
            "pods.csv:2: column `pod_phase`: expected one of Running, Succeeded, Failed, Pending, \
             found \"Done\""
        );
        // A malformed time is an error even in a row the phase filter would skip.
        assert_eq!(
            err(&row("p,1000,1024,0,0,,LS,Pending,0,-10,")),
            "pods.csv:2: column `deletion_time`: expected a whole number of seconds ≥ 0 or \
             empty, found \"-10\""
        );
        assert_eq!(
            err(&format!(
                "{HEADER}\np,1000,1024,0,0,,LS,Running,0,10,0\np,1000,1024,0,0,,LS,Running,0,10\n"
            )),
            "pods.csv:3: expected 11 comma-separated fields, found 10"
        );
        assert_eq!(
            err(&format!(
                "{HEADER}\np,1000,1024,0,0,,LS,Running,0,10,0\np,1000,1024,0,0,,LS,Run"
            )),
            "pods.csv:3: truncated last line: expected 11 fields, found 8 and no line ending \
             (was the file cut off while being written?)"
        );
        assert_eq!(
            err(&row("p,5000000000,1024,0,0,,LS,Running,0,10,0")),
            "pods.csv:2: column `cpu_milli`: \"5000000000\" is too large once converted to CPU units"
        );
        assert_eq!(
            err(&row("p,1000,1024,0,0,,LS,Running,0,5000000000,0")),
            "pods.csv:2: column `deletion_time`: \"5000000000\" is too large once converted to seconds"
        );
    }

    #[test]
    fn a_pod_scheduled_before_it_was_created_is_skipped_and_counted() {
        // Times out of order the other way: scheduled at 40 s, created at 50 s. The file has
        // no such row; replaying it would submit at 50 s a run measured from 40 s, silently.
        let text = format!(
            "{HEADER}\n\
             a,1000,1024,0,0,,LS,Succeeded,50,100,40\n\
             b,1000,1024,0,0,,LS,Succeeded,50,100,50\n"
        );
        let r = read(&text, &AlibabaGpuOptions::default()).unwrap();
        assert_eq!(
            r.skipped(),
            AlibabaGpuSkips {
                bad_lifetime: 1,
                ..AlibabaGpuSkips::default()
            }
        );
        assert_eq!(
            r.skipped().to_string(),
            "1 with times out of order (scheduled before created, or deleted before scheduled)"
        );
        let lines: Vec<u64> = jobs(r).iter().map(|j| j.line).collect();
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn gpu_milli_must_agree_with_num_gpu() {
        // Only single-GPU pods share a GPU (every multi-GPU pod of openb_pod_list_default.csv
        // has gpu_milli 1000, every num_gpu 1 pod 1 to 1000). A share on a multi-GPU pod, or a
        // GPU pod asking no share of it, is a corrupted row: reading it as whole GPUs would be
        // a silent guess, and it would escape gpu_shares_rounded.
        let row = |r: &str| format!("{HEADER}\n{r}\n");
        assert_eq!(
            err(&row("p,1000,1024,2,500,,LS,Running,0,10,0")),
            "pods.csv:2: column `gpu_milli`: expected 1000 in a pod with num_gpu 2 or more \
             (only a single-GPU pod shares its GPU), found \"500\""
        );
        assert_eq!(
            err(&row("p,1000,1024,1,0,,LS,Running,0,10,0")),
            "pods.csv:2: column `gpu_milli`: expected 1 to 1000 in a pod with num_gpu 1 (0 \
             would be a GPU pod using none of its GPU), found \"0\""
        );
        // The consistent rows still read.
        let ok = format!(
            "{HEADER}\np,1000,1024,2,1000,,LS,Running,0,10,0\np,1000,1024,1,1,,LS,Running,0,10,0\n"
        );
        assert_eq!(
            jobs(read(&ok, &AlibabaGpuOptions::default()).unwrap()).len(),
            2
        );
    }

    #[test]
    fn header_is_required_and_a_file_needs_a_pod() {
        // The multigpu lists have no phases or times.
        assert_eq!(
            err("name,cpu_milli,memory_mib,num_gpu,gpu_milli\nopenb-pod-0000,12000,16384,1,1000\n"),
            format!(
                "pods.csv:1: expected the header `{HEADER}`, found \"name,cpu_milli,memory_mib,num_gpu,gpu_milli\""
            )
        );
        assert_eq!(
            err(""),
            format!("pods.csv:1: expected the header `{HEADER}`, found \"\"")
        );
        assert_eq!(
            err(&format!("{HEADER}\n")),
            "pods.csv:2: expected at least one row after the header, found the end of the file"
        );
    }

    #[test]
    fn bad_options_are_rejected() {
        let e = |options: AlibabaGpuOptions| read("", &options).unwrap_err().to_string();
        assert_eq!(
            e(AlibabaGpuOptions {
                pod_sample: 0,
                ..AlibabaGpuOptions::default()
            }),
            "pods.csv: option `podSample`: expected a whole number ≥ 1 (1 keeps every pod), found 0"
        );
        assert_eq!(
            e(AlibabaGpuOptions {
                phases: vec![],
                ..AlibabaGpuOptions::default()
            }),
            "pods.csv: option `phases`: expected at least one of Running, Succeeded, Failed, \
             Pending, found an empty list"
        );
    }

    /// A trace re-saved by a Windows tool starts with a byte order mark and ends lines with
    /// CRLF; neither carries data.
    #[test]
    fn byte_order_mark_and_crlf_are_ignored() {
        let text = format!(
            "{HEADER}\nopenb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061\n"
        );
        let options = AlibabaGpuOptions::default();
        let plain = jobs(read(&text, &options).unwrap());
        let windows = format!("\u{FEFF}{}", text.replace('\n', "\r\n"));
        assert_eq!(jobs(read(&windows, &options).unwrap()), plain);
        assert_eq!(plain.len(), 1);
    }

    #[test]
    fn shipped_file_parses_fully() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/traces/alibaba-gpu-2023-openb-pods/openb_pod_list_default.csv"
        );
        let r = AlibabaGpuReader::open(path, &AlibabaGpuOptions::default()).unwrap();
        // Counted independently with awk over the file (8,152 data rows):
        //   awk -F, 'NR>1{print $8}' | sort | uniq -c
        //     → 5193 Running, 192 Succeeded, 1870 Failed, 897 Pending;
        //   no replayed row has an empty time or deletion_time < scheduled_time;
        //   awk -F, 'NR>1 && ($2==0 || $3==0)' → one pod, line 1,525 (openb-pod-1523,
        //   Succeeded, 1 GPU), with memory_mib 0: skipped as asking no memory;
        //   awk -F, 'NR>1 && $8!="Pending" && $4==1 && $5>0 && $5<1000' | wc -l → 2573.
        assert_eq!(
            r.skipped(),
            AlibabaGpuSkips {
                phase_filtered: 897,
                no_request: 1,
                ..AlibabaGpuSkips::default()
            }
        );
        assert_eq!(r.gpu_shares_rounded(), 2573);
        let j = jobs(r);
        assert_eq!(j.len(), 7254);
        assert!(j.windows(2).all(|w| w[0].submit <= w[1].submit));
        // awk -F, 'NR>1 && $8!="Pending"{print $4}' | sort | uniq -c
        //   → 1052 × 0, 6129 × 1, 15 × 2, 15 × 4, 44 × 8 GPUs (less line 1,525's one GPU).
        let gpus: u64 = j.iter().map(|j| u64::from(j.gpus)).sum();
        assert_eq!(gpus, 6128 + 15 * 2 + 15 * 4 + 44 * 8);
        assert_eq!(j.iter().filter(|j| j.gpus == 0).count(), 1052);
    }
}
