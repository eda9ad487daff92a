//! How much work a scenario asks for, estimated before it runs, and the cap it must stay
//! under (`settings.maxWork`).
//!
//! A run keeps every task it creates and every instance it launches for its report, so its
//! memory grows with them; a typo such as `ratePerHour: 1e9` for `1e3` would otherwise grow
//! a run past any machine's memory with no output. The estimate counts *work items*: tasks
//! created (expected Poisson submissions × count, trace rows × count, service tasks and their
//! replacements), EC2 instances launched, and request-rate steps (which cost events, not
//! memory). It is an expectation, not a bound: the run checks the tasks and instances it
//! actually creates against the same cap (`simulation::RunError::WorkCap`).
//!
//! Trace sizes are only known by reading the traces. Loading a scenario does not read them
//! (a run streams them), so the estimate made at load time leaves them out and the run's
//! check catches them; `ecsim validate` reads every trace anyway and then checks the estimate
//! with the rows it counted ([`TracedWork`]).
//!
//! This module does not decide what is valid otherwise, and it never reports more than one
//! problem: one cap, one message naming the estimate, its parts and the setting.

use super::*;

/// How often an auto-scaled service or a managed-scaling group is assumed to swing from its
/// minimum to its maximum and back, for the estimate only; a run shorter than this still
/// counts one swing. \[DERIVED\] ecsim's choice: load has a daily cycle in most traces
/// (the WorldCup98 and Azure Functions traces shipped with the scenarios do), and scale-in
/// is slow (a 300 s cooldown for target tracking, §6.2; 15 minutes of low reservation for
/// managed scaling, §5.3). `benches/month_run`'s daily-cycle variant starts 380,000 service
/// tasks in 30 days where this counts 1.05 million: an expectation on the generous side,
/// and the run checks what it really creates.
pub const ESTIMATE_SCALING_CYCLE: SimDuration = SimDuration::from_mins(24 * 60);

/// What `ecsim validate` counted by reading the traces; a `None` entry was not read (no
/// trace there, or not counted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracedWork {
    /// Per workload, in scenario order: tasks its trace submits before the end of the run
    /// (the sum of the rows' counts).
    pub workload_tasks: Vec<Option<u64>>,
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
        let tasks = match &w.source {
            WorkloadSource::Generated(g) => {
                let end = g.end.min(crate::engine::SimTime::ZERO + sc.duration);
                let h = hours(end.saturating_since(g.start));
                let submissions = (g.rate_per_hour * h).min(g.max_jobs as f64);
                let tasks = submissions * f64::from(g.count);
                add(
                    &mut est,
                    format!("{path}.source.poisson.ratePerHour"),
                    format!(
                        "{path} {:?}: {} submissions/h × {} h × {} task{} each = {} tasks",
                        w.name,
                        number(g.rate_per_hour),
                        number(h),
                        g.count,
                        if g.count == 1 { "" } else { "s" },
                        count(tasks)
                    ),
                    tasks,
                );
                tasks
            }
            _ => match traced.and_then(|t| t.workload_tasks.get(i).copied().flatten()) {
                Some(n) => {
                    let tasks = n as f64;
                    add(
                        &mut est,
                        format!("{path}.source"),
                        format!("{path} {:?}: {} tasks in its trace", w.name, count(tasks)),
                        tasks,
                    );
                    tasks
                }
                None => {
                    est.traces_uncounted = true;
                    0.0
                }
            },
        };
        // Crashed batch tasks are re-run: one more task per crash. Each task lives a while;
        // counting a crash per task-hour of the whole run bounds it from above.
        let (rate, crash_path) = crash_rate(owner);
        let reruns = tasks.min(tasks * rate * run_h);
        add(
            &mut est,
            crash_path,
            format!(
                "{path} {:?}: {} re-runs after crashes",
                w.name,
                count(reruns)
            ),
            reruns,
        );
    }
    for (i, s) in sc.services.iter().enumerate() {
        let owner = crate::ids::Owner::Service(crate::ids::ServiceId::from_index(i));
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
        let swings = swings(sc.duration);
        let churn = swing.map_or(0.0, |w| w * swings);
        let crashes =
            peak * run_h * (crash_rate(owner).0 + sc.faults.fargate_spot_rate_per_task_hour);
        let tasks = desired + churn + crashes;
        let mut what = format!("{path} {:?}: {} desired", s.name, count(desired));
        if let Some(w) = swing {
            let _ = std::fmt::Write::write_fmt(
                &mut what,
                format_args!(
                    ", {} more by auto scaling ({} swing{} of {} between min and max)",
                    count(churn),
                    count(swings),
                    if swings == 1.0 { "" } else { "s" },
                    count(w)
                ),
            );
        }
        if crashes > 0.0 {
            let _ = std::fmt::Write::write_fmt(
                &mut what,
                format_args!(
                    ", {} replaced after crashes and interruptions",
                    count(crashes)
                ),
            );
        }
        what.push_str(&format!(" = {} tasks", count(tasks)));
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
        let path = format!("autoScalingGroups[{i}]");
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
            format!("{path}.maxSize"),
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
            "the scenario asks for about {} work items (tasks created, instances launched, request-rate steps; about {} of memory), over the cap settings.maxWork = {}: {}; check these figures, or raise settings.maxWork if the run is meant to be this large",
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
        // 1e9 submissions/h × 720 h × 1 task = 7.2e11 tasks, far over 16 million.
        let e = load(&scenario("1e9", "")).expect_err("the typo is refused");
        let ScenarioError::Invalid { problems, .. } = &e else {
            panic!("expected problems, got {e}");
        };
        assert_eq!(problems.len(), 1, "one mistake, one message: {e}");
        let p = &problems[0];
        assert_eq!(p.path, "workloads[0].source.poisson.ratePerHour");
        for needle in [
            "about 7.2e11 work items",
            "settings.maxWork = 16,000,000",
            "1.0e9 submissions/h × 720 h × 1 task each",
            "\"jobs\"",
        ] {
            assert!(p.message.contains(needle), "{needle:?} missing in: {p}");
        }
    }

    #[test]
    fn the_intended_rate_and_a_raised_cap_both_validate() {
        // 1e3 × 720 h = 720,000 tasks: under the default cap.
        let sc = load(&scenario("1e3", "")).expect("the intended rate is fine");
        let est = estimate(&sc, None);
        assert_eq!(est.total(), 720_000.0);
        // 1e9 × 720 = 7.2e11 ≤ 1e12.
        load(&scenario(
            "1e9",
            r#", "settings": { "maxWork": 1000000000000 }"#,
        ))
        .expect("a raised cap lets the large scenario validate");
        // One fewer than needed is refused: the cap is compared with the estimate itself.
        let e = load(&scenario("1e3", r#", "settings": { "maxWork": 719999 }"#))
            .expect_err("just over");
        assert!(e.to_string().contains("about 720,000 work items"), "{e}");
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
        // Service: 3 desired + one swing (a 2 h run is shorter than a day) of 10 − 1 = 9
        // tasks = 12 tasks; its load, 2 rate steps.
        // Group: 5 instances, no managed scaling, no faults.
        let items: Vec<(&str, f64)> = est
            .parts
            .iter()
            .map(|p| (p.path.as_str(), p.items))
            .collect();
        assert_eq!(
            items,
            [
                ("services[0].autoScaling.maxCapacity", 12.0),
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
            service_rate_steps: vec![],
        };
        // A generated workload is estimated from its rate whatever `traced` says.
        assert_eq!(estimate(&sc, Some(&traced)).total(), 720_000.0);
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
