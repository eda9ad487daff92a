//! The scale curve of issue 13: cost per event and peak memory as the cluster grows.
//!
//! Each size is a generated scenario (built below as JSON and validated by
//! `ecsim::scenario::from_json_str`, as a user's file would be): one capacity provider over
//! one Auto Scaling group of `n` m5.2xlarge instances (8 vCPU, 32 GiB) across 3 AZs, ten
//! services holding 4 tasks per instance between them (256 CPU / 512 MiB, placed with the
//! service default `[spread(AZ), spread(instanceId)]`), and a Poisson batch workload whose
//! rate is proportional to the cluster (1.389 submissions per instance-hour, exponential run
//! times of mean 20 minutes, `binpack(memory)`), for 7 simulated days.
//! That is `benches/month_run`'s `static` run per instance, so 1,000 instances here is a
//! 7-day slice of it. Each submission is one RunTask call; above 10,000 instances the bench
//! raises `settings.runTaskRatePerSecond` and `runTaskBurst` to 5 × the mean call rate
//! ([`RUN_TASK_HEADROOM`]: 97 calls/s at 50,000, 193 at 100,000), as an account that size
//! would have its limit raised, so the curve measures the model's cost per event and not a
//! throttled backlog (issue 13: at the default 20/s, 100,000 instances make 38.6 calls/s and
//! the queue of throttled tasks grows without end). Sizes up to 10,000 keep the default.
//!
//! A second case, `cloudsim`, is the CloudSim-Plus-sized run of the issue: 50,000 instances
//! and 100,000 service tasks for 117 days, with no batch work, so nearly every event is a
//! per-minute one and any per-minute cost proportional to the cluster shows at once.
//!
//! A third, `mmc`, is the M/M/c comparison (`mmc:C` the same with C servers, the
//! same ρ and about as many jobs, in a shorter run): c = 100 one-task m5.large servers,
//! ρ = 0.9, exponential service of mean 60 s, every latency zero, about one million jobs
//! (5,400 per hour for 11,112 minutes); its table row shows c as the instances.
//!
//! A fourth, `year`, is the memory budget of issue 13: 365 days of a Poisson batch workload
//! submitting 100 million EC2 tasks (11,416 an hour, exponential run times of mean 1 h,
//! 1 vCPU / 2 GiB each, `binpack(memory)`) on 1,800 m5.2xlarge instances (14,400 task slots
//! for about 11,400 tasks running on average, so about 12,000 alive at once and never more
//! than 20,000), default latencies. Its peak RSS must stay under 1 GiB, which it can only
//! because a finished task's state is released. `year:D` runs D days of it at the same rate
//! (`year:36` is a tenth: about 10 million tasks).
//! Measured once (December 2026, a 2-core machine shared with other builds, load average
//! 15–24, so the wall times are slow): `year` submitted 100,004,573 tasks in 500.9 million
//! events, 2,286 s wall, 272 MiB peak RSS; `year:36` 9,861,444 tasks, 49.4 million events,
//! 33 MiB. Memory grows with the simulated days (525,600 per-minute rows in a year), not
//! with the tasks: before issue 13 kept only live tasks, 100 million tasks needed about
//! 14 GiB (and `settings.maxWork` refused the scenario).
//!
//! Measured 6 December 2026, quiet 2-core machine, each child's own wall time (the figure
//! the bench prints), interleaved with the same case of `faae6ce` (the 4-ary heap event
//! queue); `f76bdec` is the radix heap queue. Events identical in every pair; medians of five
//! (1,000), means of two (10,000, 50,000), one run (100,000), medians of three (`cloudsim`):
//!
//! | instances × 7 days | events | `faae6ce` wall | `f76bdec` wall | ns/event | ratio to 1k | peak RSS |
//! |---|---|---|---|---|---|---|
//! | 1,000 | 1,186,897 | 0.284 s | 0.250 s | 211 | 1 | 21 MiB |
//! | 10,000 | 11,665,540 | 2.99 s | 2.67 s | 229 | 1.09 | 35 MiB |
//! | 50,000 (RunTask 97/s) | 58,167,902 | 18.99 s | 16.55 s | 285 | 1.35 | 98 MiB |
//! | 100,000 (RunTask 193/s) | 116,115,949 | 44.6 s | 37.6 s | 324 | 1.53 | 176 MiB |
//! | `cloudsim` (50,000 × 117 d) | 336,964 | 0.29 s | 0.29 s | | | 254 MiB |
//! | `mmc` (c = 100) | 5,027,009 | 0.66 s | 0.64 s | 127 | | 13 MiB |
//!
//! (`ecsim run --quiet --no-charts` on the `mmc` scenario, whole process, five interleaved
//! runs: `a3f87b6`, the commit before issue 13's work, 1.61 s; `f76bdec` 0.65 s: 2.48x.)
//! Before them, `50a7376` -> `d487bb7` (placement `EntrySet`s, dense slots, occupancy masks,
//! lowest-id path, cache-line layouts, event-path changes) took 1,000 from 0.31 to 0.28 s and
//! 50,000 from 20.3 to 19.5 s (whole process).
//! The 1,000 and 10,000 scenarios keep the default RunTask limit and are the same JSON as
//! before, so their runs and event counts are unchanged. 100,000 instances for 7 days stay
//! under the 60 s budget and `cloudsim` under 5 s, but ns per event at 50,000 and 100,000 is
//! still above the 1.3 × budget (met since: see below). A callgrind cache simulation (`1000:7` against `50000:1`,
//! `d487bb7`) put the growth in D1 misses (3.6 against 8.9 read misses per event): the event
//! heap's (2.1 per event at 50,000, which the radix heap cut to about 0.5), the large
//! placement sets' B-tree descents (about 1), and the instance and task records a placement
//! and a stop touch. A chunked sorted-array form for the large sets (`wt-eset`, 64-entry
//! chunks) cut instructions 2.8 % and D1 misses 7.3 % at 50,000 but doubled I-cache misses
//! and was no faster in wall time (50,000: 19.3 s against 19.0 s), so it was not merged.
//!
//! Then two changes to what an event at 50,000 instances and more waits for, measured
//! 6 December 2026 (2-core machine, noisier than the day before: single 1,000-instance runs
//! ranged 0.25-0.41 s), interleaved with `ce743cf` (the radix heap queue, the table above);
//! events identical in every pair:
//! - `c14981d`: queue entries carry their event (no slab), and before each event the loop
//!   prefetches what the next one reads (its task slot; for `TaskStopped` the instance, its
//!   task list and the billing meters). `perf` on 50000:7 had put about 6 % of the run on
//!   the slab read, 6 % on the task slot and 4 % on the meters.
//! - `f420f22`: large `EntrySet`s grouped by value, each value's ids a list or a bitmap,
//!   instead of a `BTreeSet` (`perf`, 100000:7 against 1000:28: the B-tree updates were
//!   about 35 ns an event more than at 1,000).
//!
//! | instances × 7 days | `ce743cf` wall | `f420f22` wall | ns/event | ratio to 1k | peak RSS |
//! |---|---|---|---|---|---|
//! | 1,000 (median of 14 pairs) | 0.267 s | 0.267 s | 225 | 1 | 21 MiB |
//! | 10,000 (mean of 2) | 2.78 s | 2.72 s | 233 | 1.04 | 36 MiB |
//! | 50,000 (mean of 2) | 17.15 s | 13.54 s | 233 | **1.04** | 102 MiB |
//! | 100,000 (1 run) | 41.1 s | 27.6 s | 238 | **1.06** | 185 MiB |
//! | `cloudsim` (median of 5) | 0.299 s | 0.281 s | | | 253 MiB |
//! | `mmc` (median of 5) | 0.627 s | 0.617 s | 123 | | 13 MiB |
//!
//! Against the fastest 1,000-instance run instead of the median (0.253 s, 213 ns an event),
//! 50,000 is 1.09 and 100,000 1.12: within issue 13's 1.3 either way. 1,000 instances cost
//! the same (callgrind: 2,123.5 M -> 2,145.7 M instructions, +1.0 %, for the prefetch and
//! the larger entries). Huge pages were tried and did nothing: with glibc's
//! `glibc.malloc.hugetlb=1`, 92 MiB of the 50,000 run sat on 2 MiB pages and it ran no
//! faster (15.96 s against 15.84 s), so TLB misses are not what grows.
//! `year:36` after both: 49,360,604 events, 41 MiB peak (33 MiB before: entries are 32 bytes).
//! Then `290826f`: chains that rank nothing (`[]`, `[spread(AZ)]`, the M/M/c workload's)
//! stopped walking every entry of a large set per placement (`EntrySet::lowest_id`). An
//! M/M/c on 3,000 servers at ρ = 0.5 (`ecsim run`, 600 minutes) went from 9.4-10.2 s to
//! 1.0-1.4 s with the same `summary.json`; `mmc:3000` and `mmc:10000` (ρ = 0.9, RunTask
//! limit raised) take 0.92 s and 1.05 s for about 5 million events (184 and 214 ns an
//! event, against 140 for `mmc`'s 100 servers in the same session).
//!
//! Instruction counts are the steadier figure on a shared machine: run one child under
//! callgrind, `ECSIM_SCALE_CHILD=mmc valgrind --tool=callgrind target/release/deps/scale-*`
//! (any case key works: `1000:7`, `10000:1`). Issue 13, December 2026, whole process, events
//! identical before and after: M/M/c 9,399 M -> 7,766 M instructions (1,870 -> 1,545 per
//! event), `1000:7` 2,963 M -> 2,538 M, `10000:1` 4,759 M -> 3,987 M (the placement index
//! without the unused free-CPU order, packed entries, no per-submission allocation); then
//! `50a7376` -> `d487bb7`: M/M/c 8,185 M -> 6,013 M (-26.5 %, 1,196 per event), `1000:7`
//! 2,620 M -> 2,242 M (-14.4 %).
//!
//! Each case runs in a child process (this binary re-executed with `ECSIM_SCALE_CHILD`), so
//! each reports its own peak RSS (`VmHWM`) rather than the largest so far.
//! The parent prints one table row per case: instances, simulated days, events, wall time,
//! ns per event, peak RSS, tasks submitted and the RunTask limit the case ran under.
//!
//! - `cargo bench --bench scale` runs the quick set: 1,000 and 10,000 instances.
//! - `ECSIM_SCALE_SIZES=1000,10000,50000,100000 cargo bench --bench scale` runs the curve of
//!   the issue; a size may carry its days (`100000:1`), and `cloudsim`, `mmc` and `year`
//!   name the other cases.
//!   Sizes above 10,000 take from a minute to several on a shared machine.
//!
//! This is a plain `harness = false` main, not criterion: one run of a large size takes
//! seconds to minutes, so the figure is the run itself, and the budget (ns per event at 50k
//! and 100k within 1.3 × the 1k figure) is read off the table.
//!
//! Owns only the fixture and the timing; what the run decides is checked by the tests.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::json;

/// Services the tasks are split over.
const SERVICES: u32 = 10;
/// Service tasks per instance, over all services.
const TASKS_PER_INSTANCE: u32 = 4;
/// Batch submissions per instance-hour: `benches/month_run`'s 1,389 per hour on 1,000.
const BATCH_PER_INSTANCE_HOUR: f64 = 1.389;
/// How far the bench's RunTask limit stays above the batch's mean call rate: at least this
/// many times it.
///
/// Each batch submission is one task, so one RunTask call (`runTaskMaxCount` is 10). At the
/// default limit (`ecsim::defaults::RUN_TASK_RATE_PER_SECOND`, 20 calls per second, burst 20)
/// the 1.389 submissions per instance-hour make 19.3 calls per second at 50,000 instances
/// (96 % of the limit) and 38.6 at 100,000 (throttled calls pile up without end: peak RSS
/// grew to 3.1 GiB over 7 days), so those points measured a backlog, not the model's cost per
/// event. The curve is about cost per event at scale, so each size gets a limit of at least
/// 5 × its mean call rate (utilisation ≤ 20 %, what 10,000 instances see at the default:
/// 3.86 of 20), and sizes up to 10,000 keep the default and a scenario unchanged, so their
/// points stay comparable with earlier runs. An account running 100,000 instances would ask
/// for a higher limit: AWS throttles RunTask per account and Region with a token bucket
/// ("Request throttling for the Amazon ECS API",
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html>), and an
/// account asks for higher quotas in the Service Quotas console ("Amazon ECS service quotas",
/// <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html>; "Handle
/// Amazon ECS service quotas and API throttling limits",
/// <https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/operating-at-scale.html>).
/// Whether AWS would grant a given RunTask rate is not documented; this is a bench fixture,
/// not a claim about what AWS grants.
const RUN_TASK_HEADROOM: f64 = 5.0;

/// Days simulated unless a size says otherwise.
const DAYS: u32 = 7;
/// The quick set `cargo bench` runs by default.
const QUICK: &str = "1000,10000";

/// Servers of the M/M/c case.
const MMC_SERVERS: u32 = 100;
/// Its arrivals per hour: ρ · c · μ = 0.9 · 100 / 60 s = 1.5 /s.
const MMC_RATE_PER_HOUR: f64 = 5_400.0;
/// Its duration: 5,400 /h × 11,112 min / 60 = 1,000,080 expected jobs.
const MMC_MINUTES: u32 = 11_112;

/// The arrival rate of `mmc:C`: ρ = 0.9 on `servers`. Above 1,333 servers that is more
/// than the default RunTask limit (20 calls a second: throttled calls would pile up, as
/// they do in a real account), and above 266 more than a fifth of it, so those sizes get a
/// raised limit as the batch sizes do ([`RUN_TASK_HEADROOM`]); `mmc` keeps the default.
fn mmc_rate_per_hour(servers: u32) -> f64 {
    MMC_RATE_PER_HOUR * f64::from(servers) / f64::from(MMC_SERVERS)
}

/// The duration of `mmc:C`: the same ρ and about the same million jobs on `servers`.
fn mmc_minutes(servers: u32) -> u32 {
    (u64::from(MMC_MINUTES) * u64::from(MMC_SERVERS) / u64::from(servers)).max(1) as u32
}

/// The year case's batch submissions per hour: 100 million in 365 days.
const YEAR_RATE_PER_HOUR: f64 = 100_000_000.0 / (365.0 * 24.0);
/// The year case's instances: 8 one-vCPU tasks each, 14,400 slots for a mean load of
/// 11,416 tasks (ρ ≈ 0.79), so tasks seldom wait and few more than the running ones live.
const YEAR_INSTANCES: u32 = 1_800;

/// One case of the table.
#[derive(Clone, Copy, Debug)]
struct Case {
    instances: u32,
    days: u32,
    /// The CloudSim-Plus-sized run: 100,000 service tasks, no batch.
    cloudsim: bool,
    /// The M/M/c run.
    mmc: bool,
    /// The 100-million-task year (or `days` of it).
    year: bool,
}

impl Case {
    fn parse(s: &str) -> Option<Case> {
        let s = s.trim();
        if s == "cloudsim" {
            return Some(Case {
                instances: 50_000,
                days: 117,
                cloudsim: true,
                mmc: false,
                year: false,
            });
        }
        if let Some(rest) = s.strip_prefix("mmc") {
            let servers = match rest.strip_prefix(':') {
                Some(c) => c.parse().ok().filter(|&c| c > 0)?,
                None if rest.is_empty() => MMC_SERVERS,
                None => return None,
            };
            return Some(Case {
                instances: servers,
                days: mmc_minutes(servers) / 1440,
                cloudsim: false,
                mmc: true,
                year: false,
            });
        }
        if let Some(rest) = s.strip_prefix("year") {
            let days = match rest.strip_prefix(':') {
                Some(d) => d.parse().ok()?,
                None if rest.is_empty() => 365,
                None => return None,
            };
            return Some(Case {
                instances: YEAR_INSTANCES,
                days,
                cloudsim: false,
                mmc: false,
                year: true,
            });
        }
        let (n, days) = match s.split_once(':') {
            Some((n, d)) => (n, d.parse().ok()?),
            None => (s, DAYS),
        };
        Some(Case {
            instances: n.parse().ok()?,
            days,
            cloudsim: false,
            mmc: false,
            year: false,
        })
    }

    /// The RunTask limit (calls per second, and the same burst) this size's batch (or M/M/c
    /// arrivals) needs to stay at most 1 / [`RUN_TASK_HEADROOM`] of it, or `None` where the
    /// default already does (every size up to 10,000 instances, `mmc` up to 266 servers,
    /// and `cloudsim` and `year`).
    fn run_task_limit(self) -> Option<u32> {
        if self.cloudsim || self.year {
            return None;
        }
        let per_hour = if self.mmc {
            mmc_rate_per_hour(self.instances)
        } else {
            BATCH_PER_INSTANCE_HOUR * f64::from(self.instances)
        };
        let calls_per_second = per_hour / 3600.0;
        let needed = (calls_per_second * RUN_TASK_HEADROOM).ceil();
        let default = ecsim::defaults::RUN_TASK_RATE_PER_SECOND;
        // `needed` is a small positive whole number here (below 10^6 for any u32 size).
        (needed > f64::from(default)).then_some(needed as u32)
    }

    fn key(self) -> String {
        if self.cloudsim {
            "cloudsim".to_string()
        } else if self.mmc && self.instances == MMC_SERVERS {
            "mmc".to_string()
        } else if self.mmc {
            format!("mmc:{}", self.instances)
        } else if self.year {
            format!("year:{}", self.days)
        } else {
            format!("{}:{}", self.instances, self.days)
        }
    }

    /// The scenario as JSON text, exactly as a user would write it.
    fn scenario_json(self) -> String {
        if self.mmc {
            return mmc_json(self.instances, self.run_task_limit());
        }
        if self.year {
            return year_json(self.days);
        }
        let n = self.instances;
        let total_tasks = if self.cloudsim {
            100_000
        } else {
            n * TASKS_PER_INSTANCE
        };
        let services: Vec<_> = (0..SERVICES)
            .map(|i| {
                // Spread the remainder over the first services so the total is exact.
                let count = total_tasks / SERVICES + u32::from(i < total_tasks % SERVICES);
                json!({
                    "serviceName": format!("svc-{i:02}"),
                    "taskDefinition": "svc",
                    "desiredCount": count,
                })
            })
            .collect();
        let workloads = if self.cloudsim {
            json!([])
        } else {
            json!([{
                "name": "batch",
                "taskDefinition": "batch",
                "source": { "poisson": {
                    "ratePerHour": BATCH_PER_INSTANCE_HOUR * f64::from(n),
                    "duration": { "exponential": { "mean": "20m" } }
                } },
                "capacityProviderStrategy": [{ "capacityProvider": "main-ec2", "weight": 1 }],
                "placementStrategy": [{ "type": "binpack", "field": "memory" }]
            }])
        };
        let mut settings = json!({ "eventLogLimit": 10_000 });
        if let Some(limit) = self.run_task_limit() {
            settings["runTaskRatePerSecond"] = json!(limit);
            settings["runTaskBurst"] = json!(limit);
        }
        json!({
            "name": format!("bench-scale-{}", self.key()),
            "seed": 7,
            "duration": format!("{}d", self.days),
            "cluster": {
                "clusterName": "bench",
                "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
                "capacityProviders": ["main-ec2"],
                "defaultCapacityProviderStrategy": [{ "capacityProvider": "main-ec2", "weight": 1 }]
            },
            "autoScalingGroups": [{
                "autoScalingGroupName": "main-asg",
                "instanceTypes": ["m5.2xlarge"],
                "minSize": n,
                "maxSize": n,
                "desiredCapacity": n
            }],
            "capacityProviders": [{
                "name": "main-ec2",
                "autoScalingGroupProvider": { "autoScalingGroupArn": "main-asg" }
            }],
            "taskDefinitions": [
                { "family": "svc", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] },
                { "family": "batch", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["EC2"] }
            ],
            "services": services,
            "workloads": workloads,
            "settings": settings
        })
        .to_string()
    }
}

/// The M/M/c case: each m5.large (2,048 CPU units) holds exactly one 2,048-unit task, so each
/// instance is one server (as in `tests/it/queueing.rs`).
fn mmc_json(servers: u32, run_task_limit: Option<u32>) -> String {
    let mut settings = json!({
        "instanceRunningLatency": "0s",
        "agentRegistrationLatency": "0s",
        "ec2TaskStartLatency": "0s",
        "fargateProvisioningLatency": "0s",
        "fargateTaskStartLatency": "0s",
        "taskStopLatency": "0s",
        "eventLogLimit": 10_000
    });
    if let Some(limit) = run_task_limit {
        settings["runTaskRatePerSecond"] = json!(limit);
        settings["runTaskBurst"] = json!(limit);
    }
    json!({
        "name": if servers == MMC_SERVERS {
            "bench-scale-mmc".to_string()
        } else {
            format!("bench-scale-mmc-{servers}")
        },
        "seed": 7,
        "duration": format!("{}m", mmc_minutes(servers)),
        "cluster": { "clusterName": "mmc", "availabilityZones": ["us-east-1a"] },
        "autoScalingGroups": [{
            "autoScalingGroupName": "servers",
            "instanceTypes": ["m5.large"],
            "minSize": servers,
            "maxSize": servers
        }],
        "taskDefinitions": [{
            "family": "job", "cpu": "2048", "memory": "1024", "requiresCompatibilities": ["EC2"]
        }],
        "workloads": [{
            "name": "poisson",
            "taskDefinition": "job",
            "launchType": "EC2",
            "source": { "poisson": {
                "ratePerHour": mmc_rate_per_hour(servers),
                "duration": { "exponential": { "mean": "60s" } }
            } }
        }],
        "settings": settings
    })
    .to_string()
}

/// The year case: `days` of 100 million batch tasks a year on a fixed cluster, under the
/// default `settings.maxWork` (it caps tasks alive at once, not tasks created).
fn year_json(days: u32) -> String {
    json!({
        "name": format!("bench-scale-year-{days}"),
        "seed": 7,
        "duration": format!("{days}d"),
        "cluster": {
            "clusterName": "year",
            "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"]
        },
        "autoScalingGroups": [{
            "autoScalingGroupName": "workers",
            "instanceTypes": ["m5.2xlarge"],
            "minSize": YEAR_INSTANCES,
            "maxSize": YEAR_INSTANCES
        }],
        "taskDefinitions": [{
            "family": "job", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["EC2"]
        }],
        "workloads": [{
            "name": "jobs",
            "taskDefinition": "job",
            "launchType": "EC2",
            "source": { "poisson": {
                "ratePerHour": YEAR_RATE_PER_HOUR,
                "duration": { "exponential": { "mean": "1h" } }
            } },
            "placementStrategy": [{ "type": "binpack", "field": "memory" }]
        }],
        "settings": { "eventLogLimit": 10_000 }
    })
    .to_string()
}

/// Peak resident set size of this process in KiB (`VmHWM`), if the kernel reports it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs one case in this process and prints one machine-readable line for the parent.
fn child(case: Case) {
    let text = case.scenario_json();
    let sc = match ecsim::scenario::from_json_str(&text, Path::new("<bench>"), Path::new(".")) {
        Ok(s) => s,
        Err(e) => panic!("the bench scenario is invalid: {e}"),
    };
    let started = Instant::now();
    let report = ecsim::run(&sc, None, &mut |_| {}).expect("the bench scenario runs"); // ok: fixed fixture
    let wall = started.elapsed().as_secs_f64();
    let events = report.summary.engine.events_processed;
    let rss = peak_rss_kib().unwrap_or(0);
    println!(
        "ECSIM_SCALE {} {} {} {:.6} {} {}",
        case.instances, case.days, events, wall, rss, report.summary.tasks.submitted
    );
}

fn main() {
    if let Ok(key) = std::env::var("ECSIM_SCALE_CHILD") {
        let case = Case::parse(&key).expect("the parent passes a valid case"); // ok: our own env
        child(case);
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument, if any, is ignored.
    let sizes = std::env::var("ECSIM_SCALE_SIZES").unwrap_or_else(|_| QUICK.to_string());
    let cases: Vec<Case> = sizes
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| Case::parse(s).unwrap_or_else(|| panic!("ECSIM_SCALE_SIZES: bad size {s:?}")))
        .collect();
    let exe = std::env::current_exe().expect("the bench knows its own path"); // ok: bench only
    println!(
        "{:>9} {:>5} {:>12} {:>9} {:>8} {:>10} {:>11} {:>10}",
        "instances", "days", "events", "wall s", "ns/event", "peak MiB", "tasks", "RunTask/s"
    );
    for case in cases {
        let out = Command::new(&exe)
            .env("ECSIM_SCALE_CHILD", case.key())
            .output()
            .expect("the bench can re-run itself"); // ok: bench only
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(line) = stdout.lines().find(|l| l.starts_with("ECSIM_SCALE ")) else {
            eprintln!(
                "case {} failed: {}",
                case.key(),
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let f: Vec<&str> = line.split_whitespace().collect();
        let events: u64 = f[3].parse().unwrap_or(0);
        let wall: f64 = f[4].parse().unwrap_or(0.0);
        let rss_kib: u64 = f[5].parse().unwrap_or(0);
        println!(
            "{:>9} {:>5} {:>12} {:>9.2} {:>8.0} {:>10.1} {:>11} {:>10}{}",
            case.instances,
            case.days,
            events,
            wall,
            wall * 1e9 / events.max(1) as f64,
            rss_kib as f64 / 1024.0,
            f[6],
            case.run_task_limit()
                .unwrap_or(ecsim::defaults::RUN_TASK_RATE_PER_SECOND),
            if case.cloudsim {
                "  (cloudsim)"
            } else if case.mmc {
                "  (M/M/c)"
            } else if case.year {
                "  (year of batch)"
            } else {
                ""
            }
        );
    }
}
