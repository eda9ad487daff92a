//! How much work a scenario asks for, estimated before it runs, and the cap it must stay
//! under (`settings.maxWork`).
//!
//! A run's memory grows with what it holds at once: the tasks alive (a STOPPED task's state
//! is released and only counted, issue 13), every EC2 instance it launches (kept for the
//! report) and the events waiting. A typo such as `ratePerHour: 1e9` for `1e3` would
//! otherwise grow a run past any machine's memory with no output. The estimate counts *work
//! items*: tasks alive at once (a workload's arrival rate × how long each task lives, by
//! Little's law, or the peak of its trace; a service's largest task count), EC2 instances
//! launched, and request-rate steps (which cost events and reading, not memory). It is an
//! expectation, not a bound: when capacity is short, tasks wait and more of them are alive,
//! so the run checks what it really holds against the same cap
//! (`simulation::RunError::WorkCap`). How many tasks a run creates over its whole length is
//! not capped: a year of 100 million short tasks runs in the memory of the ~20,000 alive.
//!
//! Trace sizes are only known by reading the traces. Loading a scenario does not read them
//! (a run streams them), so the estimate made at load time leaves them out and the run's
//! check catches them; `ecsim validate` reads every trace anyway and then checks the estimate
//! with the peak it found ([`TracedWork`]).
//!
//! This module does not decide what is valid otherwise, and it never reports more than one
//! problem: one cap, one message naming the estimate, its parts and the setting.

use super::*;

/// How often a managed-scaling group is assumed to swing from its minimum to its maximum
/// and back, for the estimate only (every instance launched is kept for the report); a run
/// shorter than this still counts one swing. \[DERIVED\] ecsim's choice: load has a daily
/// cycle in most traces (the WorldCup98 and Azure Functions traces shipped with the scenarios
/// do), and scale-in is slow (15 minutes of low reservation for managed scaling, §5.3): an
/// expectation on the generous side, and the run checks what it really holds. (Services'
/// swings no longer count: the tasks a scale-in stops are released.)
pub const ESTIMATE_SCALING_CYCLE: SimDuration = SimDuration::from_mins(24 * 60);

/// What `ecsim validate` counted by reading the traces; a `None` entry was not read (no
/// trace there, or not counted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracedWork {
    /// Per workload, in scenario order: tasks its trace submits before the end of the run
    /// (the sum of the rows' counts).
    pub workload_tasks: Vec<Option<u64>>,
    /// Per workload, in scenario order: the most of those tasks alive at once if each ran
    /// from its submission for its duration (no wait for capacity).
    pub workload_peak_alive: Vec<Option<u64>>,
    /// Per service, in scenario order: request-rate steps its trace yields up to the end.
    pub service_rate_steps: Vec<Option<u64>>,
}

/// One contribution to the estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkPart {
    /// The JSON path of the setting that drives it, e.g. `workloads[0].source.poisson.ratePerHour`.
    pub path: String,
    /// How it was computed, in the scenario's words.
    pub what: String,
    /// Expected work items.
    pub items: f64,
}

/// The work a scenario asks for, part by part, in scenario order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkEstimate {
    /// Every part with a positive number of items.
    pub parts: Vec<WorkPart>,
    /// True when some trace was not counted (loading does not read traces).
    pub traces_uncounted: bool,
}

impl WorkEstimate {
    /// Expected work items in all.
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|p| p.items).sum()
    }

    /// The largest part (the first of equals), where a fix most likely belongs.
    pub fn largest(&self) -> Option<&WorkPart> {
        self.parts
            .iter()
            .reduce(|a, b| if b.items > a.items { b } else { a })
    }
}

/// The mean of a generated workload's task durations, seconds.
fn mean_secs(d: &crate::workload::generated::DurationDistribution) -> f64 {
    use crate::workload::generated::DurationDistribution as D;
    match *d {
        D::Fixed { secs } => secs,
        D::Exponential { mean_s } | D::LogNormal { mean_s, .. } => mean_s,
        D::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
    }
}

/// How long a task of workload `w` lives besides its run time, on average: its start
/// latency on its launch type (the longer one for a strategy) and its stop latency, seconds.
fn latency_secs(sc: &Scenario, w: &WorkloadSpec) -> f64 {
    let st = &sc.settings;
    let ec2 = st.ec2_task_start_latency.mean();
    let fargate = st.fargate_provisioning_latency.mean() + st.fargate_task_start_latency.mean();
    let start = match w.launch {
        LaunchTarget::Ec2 | LaunchTarget::External => ec2,
        LaunchTarget::Fargate => fargate,
        LaunchTarget::Strategy(_) => ec2.max(fargate),
    };
    (start + st.task_stop_latency.mean()).as_secs_f64()
}

/// Swings between minimum and maximum in a run of `d`: one per [`ESTIMATE_SCALING_CYCLE`],
/// at least one.
fn swings(d: SimDuration) -> f64 {
    (d.as_secs_f64() / ESTIMATE_SCALING_CYCLE.as_secs_f64()).max(1.0)
}

/// The hours in `d`.
fn hours(d: SimDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

/// A count for people: thousands separators below a billion, then `7.2e11`.
pub(crate) fn count(x: f64) -> String {
    if !x.is_finite() || x >= 1e9 {
        return format!("{x:.1e}");
    }
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate or a span for people: a count when whole, else up to three decimals.
fn number(x: f64) -> String {
    if x.fract() == 0.0 || x >= 1e9 {
        return count(x);
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The work `sc` asks for. `traced`: what `ecsim validate` counted in the traces (`None`:
/// traces are left out and [`WorkEstimate::traces_uncounted`] says so).
pub fn estimate(sc: &Scenario, traced: Option<&TracedWork>) -> WorkEstimate {
    let mut est = WorkEstimate::default();
    let add = |est: &mut WorkEstimate, path: String, what: String, items: f64| {
        if items > 0.0 {
            est.parts.push(WorkPart { path, what, items });
        }
    };
    let run_h = hours(sc.duration);
    // The crash rate of an owner's tasks per task-hour, and the path of its first model.
    let crash_rate = |owner: crate::ids::Owner| -> (f64, String) {
        let mut rate = 0.0;
        let mut path = String::new();
        for (j, c) in sc.faults.task_crashes.iter().enumerate() {
            if c.owner == owner {
                rate += c.rate_per_task_hour;
                if path.is_empty() {
                    path = format!("faults.taskCrashes[{j}].ratePerTaskHour");
                }
            }
        }
        (rate, path)
    };
    for (i, w) in sc.workloads.iter().enumerate() {
        let owner = crate::ids::Owner::Workload(crate::ids::WorkloadId::from_index(i));
        let path = format!("workloads[{i}]");
        let alive = match &w.source {
            WorkloadSource::Generated(g) => {
                let end = g.end.min(crate::engine::SimTime::ZERO + sc.duration);
                let h = hours(end.saturating_since(g.start));
                let submissions = (g.rate_per_hour * h).min(g.max_jobs as f64);
                let tasks = submissions * f64::from(g.count);
                // Little's law: tasks arriving per second × seconds each is alive (its run
                // time and its start and stop latencies), at least one submission's worth
                // and at most every task.
                let life = mean_secs(&g.duration) + latency_secs(sc, w);
                let alive = (g.rate_per_hour / 3600.0 * f64::from(g.count) * life)
                    .max(f64::from(g.count))
                    .min(tasks);
                add(
                    &mut est,
                    format!("{path}.source.poisson.ratePerHour"),
                    format!(
                        "{path} {:?}: {} submissions/h × {} task{} each × {} s alive = {} tasks alive at once",
                        w.name,
                        number(g.rate_per_hour),
                        g.count,
                        if g.count == 1 { "" } else { "s" },
                        number((life * 1000.0).round() / 1000.0),
                        count(alive)
                    ),
                    alive,
                );
                alive
            }
            _ => match traced.and_then(|t| {
                Some((
                    t.workload_tasks.get(i).copied().flatten()?,
                    t.workload_peak_alive.get(i).copied().flatten()?,
                ))
            }) {
                Some((n, peak)) => {
                    let alive = peak as f64;
                    add(
                        &mut est,
                        format!("{path}.source"),
                        format!(
                            "{path} {:?}: {} tasks in its trace, {} alive at once at most if each runs from its submission",
                            w.name,
                            count(n as f64),
                            count(alive)
                        ),
                        alive,
                    );
                    alive
                }
                None => {
                    est.traces_uncounted = true;
                    0.0
                }
            },
        };
        // Crashed batch tasks are re-run: one more task per crash, alive about as long as
        // the task it replaces, so the re-runs alive at once are the crashed share of those
        // alive (a crash per task-hour of the whole run bounds the share from above).
        let (rate, crash_path) = crash_rate(owner);
        let reruns = alive.min(alive * rate * run_h);
        add(
            &mut est,
            crash_path,
            format!(
                "{path} {:?}: {} re-runs alive after crashes",
                w.name,
                count(reruns)
            ),
            reruns,
        );
    }
    for (i, s) in sc.services.iter().enumerate() {
        let path = format!("services[{i}]");
        let desired = f64::from(s.desired_count);
        let (peak, swing, field) = match &s.auto_scaling {
            Some(a) => (
                desired.max(f64::from(a.max_capacity)),
                Some(f64::from(a.max_capacity.saturating_sub(a.min_capacity))),
                "autoScaling.maxCapacity",
            ),
            None => (desired, None, "desiredCount"),
        };
        // Tasks a scale-in, a crash or an interruption stops are released: what the service
        // holds at once is its largest count (replacements start as the old tasks stop, so
        // a few overlap; the run checks what it holds).
        let tasks = peak;
        let what = format!(
            "{path} {:?}: {} tasks at most ({})",
            s.name,
            count(tasks),
            match swing {
                Some(_) => "autoScaling.maxCapacity or desiredCount",
                None => "desiredCount",
            }
        );
        add(&mut est, format!("{path}.{field}"), what, tasks);
        if let Some(load) = &s.load {
            let steps = match &load.source {
                RateSourceSpec::Points {
                    points,
                    repeat_every,
                } => {
                    let repeats = match repeat_every {
                        Some(r) if r.0 > 0 => (sc.duration.0 as f64 / r.0 as f64).ceil(),
                        _ => 1.0,
                    };
                    points.len() as f64 * repeats
                }
                RateSourceSpec::Trace { .. } => {
                    match traced.and_then(|t| t.service_rate_steps.get(i).copied().flatten()) {
                        Some(n) => n as f64,
                        None => {
                            est.traces_uncounted = true;
                            0.0
                        }
                    }
                }
            };
            add(
                &mut est,
                format!("{path}.load"),
                format!("{path} {:?}: {} request-rate steps", s.name, count(steps)),
                steps,
            );
        }
    }
    // Instance failures replace instances; every failure model is counted against every
    // group (an overestimate when it is scoped to one provider or type).
    let failures_per_instance: f64 = sc
        .faults
        .instance_failures
        .iter()
        .map(|f| match &f.lifetime {
            crate::faults::lifetime::TimeToFailure::Exponential { mtbf } if mtbf.0 > 0 => {
                sc.duration.as_secs_f64() / mtbf.as_secs_f64()
            }
            crate::faults::lifetime::TimeToFailure::Weibull { scale, .. } if scale.0 > 0 => {
                sc.duration.as_secs_f64() / scale.as_secs_f64()
            }
            _ => 0.0,
        })
        .sum();
    let scripted_failures: f64 = sc
        .faults
        .instance_failures
        .iter()
        .map(|f| match &f.lifetime {
            crate::faults::lifetime::TimeToFailure::Scheduled(at) => at.len() as f64,
            _ => 0.0,
        })
        .sum();
    let mut instances_total = 0.0;
    for (i, a) in sc.auto_scaling_groups.iter().enumerate() {
        // A Managed Instances provider's hidden group is named by its provider: valid
        // scenarios keep providers in file order, so its id is its index there.
        let path = match a.capacity_provider.filter(|_| a.managed_instances) {
            Some(cp) => format!("capacityProviders[{}].managedInstancesProvider", cp.index()),
            None => format!("autoScalingGroups[{i}]"),
        };
        let max = f64::from(a.max_size);
        let min = f64::from(a.min_size);
        let managed = a.capacity_provider.is_some_and(|cp| {
            sc.capacity_providers
                .get(cp.index())
                .is_some_and(|p| p.managed_scaling.is_some())
        });
        let churn = if managed {
            (max - min).max(0.0) * swings(sc.duration)
        } else {
            0.0
        };
        let spot = if a.spot {
            max * run_h * sc.faults.spot_rate_per_instance_hour + sc.faults.spot_at.len() as f64
        } else {
            0.0
        };
        let replaced = max * failures_per_instance + scripted_failures + spot;
        let instances = max + churn + replaced;
        instances_total += instances;
        add(
            &mut est,
            if a.managed_instances {
                path.clone()
            } else {
                format!("{path}.maxSize")
            },
            format!(
                "{path} {:?}: {} instances at most{}{} = {} instances",
                a.name,
                count(max),
                if managed {
                    format!(
                        ", {} more by managed scaling (swings between min and max)",
                        count(churn)
                    )
                } else {
                    String::new()
                },
                if replaced > 0.0 {
                    format!(", {} replaced after failures", count(replaced))
                } else {
                    String::new()
                },
                count(instances)
            ),
            instances,
        );
    }
    // A DAEMON service starts one task on every instance launched (at most; constraints may
    // leave some out).
    for (i, s) in sc.services.iter().enumerate().filter(|(_, s)| s.daemon) {
        add(
            &mut est,
            format!("services[{i}].schedulingStrategy"),
            format!(
                "services[{i}] {:?}: one daemon task on each of {} instances = {} tasks",
                s.name,
                count(instances_total),
                count(instances_total)
            ),
            instances_total,
        );
    }
    est
}

/// The one problem, if `sc` asks for more work than `settings.maxWork`: at the path of the
/// largest part, naming the estimate, its largest parts and the setting that raises the cap.
pub fn check(sc: &Scenario, traced: Option<&TracedWork>) -> Option<Problem> {
    let est = estimate(sc, traced);
    let total = est.total();
    let limit = sc.settings.max_work;
    if total <= limit as f64 {
        return None;
    }
    let largest = est.largest()?;
    // The largest parts first, so the one to fix is read first.
    let mut parts: Vec<&WorkPart> = est.parts.iter().collect();
    parts.sort_by(|a, b| b.items.total_cmp(&a.items));
    const SHOWN: usize = 4;
    let mut list: Vec<String> = parts.iter().take(SHOWN).map(|p| p.what.clone()).collect();
    if parts.len() > SHOWN {
        list.push(format!("{} smaller parts", parts.len() - SHOWN));
    }
    let bytes = total * crate::defaults::WORK_ITEM_BYTES as f64;
    Some(Problem {
        path: largest.path.clone(),
        message: format!(
            "the scenario asks for about {} work items (tasks alive at once, instances launched, request-rate steps; about {} of memory), over the cap settings.maxWork = {}: {}; check these figures, or raise settings.maxWork if the run is meant to be this large",
            count(total),
            human_bytes(bytes),
            count(limit as f64),
            list.join("; ")
        ),
    })
}

/// `bytes` in KiB, MiB, GiB, TiB or PiB.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = bytes / 1024.0;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if x >= 1024.0 {
        return format!("{x:.1e} {}", UNITS[unit]);
    }
    format!("{x:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(rate: &str, settings: &str) -> String {
        format!(
            r#"{{
  "name": "typo", "duration": "30d",
  "cluster": {{ "clusterName": "c", "availabilityZones": ["us-east-1a"] }},
  "taskDefinitions": [ {{ "family": "t", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }} ],
  "workloads": [ {{ "name": "jobs", "taskDefinition": "t", "launchType": "FARGATE",
     "source": {{ "poisson": {{ "ratePerHour": {rate}, "duration": {{ "fixed": "1m" }} }} }} }} ]
  {settings}
}}"#
        )
    }

    fn load(text: &str) -> Result<Scenario, ScenarioError> {
        from_json_str(text, Path::new("typo.json"), Path::new("."))
    }

    #[test]
    fn a_rate_typo_is_refused_with_the_estimate_and_the_setting() {
        // 1e9 submissions/h × 1 task × (60 s run + Fargate's default start and stop
        // latencies) alive: over 16 million tasks alive at once.
        let e = load(&scenario("1e9", "")).expect_err("the typo is refused");
        let ScenarioError::Invalid { problems, .. } = &e else {
            panic!("expected problems, got {e}");
        };
        assert_eq!(problems.len(), 1, "one mistake, one message: {e}");
        let p = &problems[0];
        assert_eq!(p.path, "workloads[0].source.poisson.ratePerHour");
        for needle in [
            "settings.maxWork = 16,000,000",
            "1.0e9 submissions/h × 1 task each × ",
            "tasks alive at once",
            "\"jobs\"",
        ] {
            assert!(p.message.contains(needle), "{needle:?} missing in: {p}");
        }
    }

    #[test]
    fn the_intended_rate_and_a_raised_cap_both_validate() {
        let sc = load(&scenario("1e3", "")).expect("the intended rate is fine");
        let est = estimate(&sc, None);
        // Little's law: 1e3/3600 tasks a second × (60 s run + the default start and stop
        // latencies) alive; not the 720,000 tasks the month creates.
        let life = 60.0 + latency_secs(&sc, &sc.workloads[0]);
        let alive = 1e3 / 3600.0 * life;
        assert_eq!(est.total(), alive);
        assert!(alive < 100.0, "{alive}");
        // 1e9 × life / 3600 ≤ 1e12.
        load(&scenario(
            "1e9",
            r#", "settings": { "maxWork": 1000000000000 }"#,
        ))
        .expect("a raised cap lets the large scenario validate");
        // Just under the estimate is refused: the cap is compared with the estimate itself.
        let cap = alive.floor() as u64;
        let e = load(&scenario(
            "1e3",
            &format!(r#", "settings": {{ "maxWork": {cap} }}"#),
        ))
        .expect_err("just over");
        assert!(e.to_string().contains("tasks alive at once"), "{e}");
    }

    /// Issue 13: the cap is on what a run holds at once, so a year of 100 million short
    /// tasks validates under the default cap (it was refused as 100 million work items).
    #[test]
    fn many_short_tasks_over_a_long_run_validate() {
        // 100 M tasks in 365 days: 11,416 an hour, each alive about a minute.
        let text = scenario("11416", "").replace(r#""duration": "30d""#, r#""duration": "365d""#);
        let sc = load(&text).expect("100 million tasks, about 200 alive at once");
        assert!(estimate(&sc, None).total() < 1_000.0);
    }

    #[test]
    fn a_zero_cap_is_a_mistake_of_its_own() {
        let e = load(&scenario("1e3", r#", "settings": { "maxWork": 0 }"#)).expect_err("zero");
        assert!(
            e.to_string()
                .contains("settings.maxWork: expected a positive value"),
            "{e}"
        );
    }

    #[test]
    fn services_and_groups_count_their_churn() {
        let text = r#"{
  "name": "svc", "duration": "2h",
  "cluster": { "clusterName": "c", "availabilityZones": ["us-east-1a"] },
  "autoScalingGroups": [ { "autoScalingGroupName": "g", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 5 } ],
  "taskDefinitions": [ { "family": "t", "cpu": "256", "memory": "512" } ],
  "services": [ { "serviceName": "web", "taskDefinition": "t", "desiredCount": 3, "launchType": "EC2",
     "load": { "points": [ { "at": "0s", "requestsPerSecond": 100 }, { "at": "1h", "requestsPerSecond": 300 } ],
        "requestsPerTaskPerSecond": 100 },
     "autoScaling": { "minCapacity": 1, "maxCapacity": 10, "policies": [ { "policyName": "cpu",
        "policyType": "TargetTrackingScaling", "targetTrackingScalingPolicyConfiguration": { "targetValue": 50,
        "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" } } } ] } } ]
}"#;
        let sc = load(text).expect("valid");
        let est = estimate(&sc, None);
        // Service: at most 10 tasks alive (its maxCapacity); its load, 2 rate steps.
        // Group: 5 instances, no managed scaling, no faults.
        let items: Vec<(&str, f64)> = est
            .parts
            .iter()
            .map(|p| (p.path.as_str(), p.items))
            .collect();
        assert_eq!(
            items,
            [
                ("services[0].autoScaling.maxCapacity", 10.0),
                ("services[0].load", 2.0),
                ("autoScalingGroups[0].maxSize", 5.0)
            ]
        );
    }

    #[test]
    fn counted_traces_join_the_estimate() {
        let sc = load(&scenario("1e3", "")).expect("valid");
        let traced = TracedWork {
            workload_tasks: vec![Some(5)],
            workload_peak_alive: vec![Some(5)],
            service_rate_steps: vec![],
        };
        // A generated workload is estimated from its rate whatever `traced` says.
        assert_eq!(
            estimate(&sc, Some(&traced)).total(),
            estimate(&sc, None).total()
        );
        assert!(!estimate(&sc, None).traces_uncounted);
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(16_000_000.0), "16,000,000");
        assert_eq!(count(720_000.0), "720,000");
        assert_eq!(count(7.2e11), "7.2e11");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0 / 3.0), "0.333");
        assert_eq!(number(720.0), "720");
        assert_eq!(human_bytes(7.2e11 * 128.0), "83.8 TiB");
        assert_eq!(human_bytes(12_800.0), "12.5 KiB");
    }
}
