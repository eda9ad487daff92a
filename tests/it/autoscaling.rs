//! Auto scaling in whole runs: service target tracking, step scaling, scheduled actions,
//! capacity provider managed scaling, a capacity provider strategy under scaling, and the
//! cost of what ran. Every expected number is derived by hand from the AWS rules in
//! ecs-reference §1, §2 and §6; the derivation is written next to each assertion.
//!
//! Unless a test says otherwise, latencies are fixed (see each scenario's `settings`), so
//! every time below is exact. Service metrics are computed at each minute boundary t > 0
//! on the minute that just ended and reach service auto scaling's alarms 183 s later
//! (`settings.metricDelay`'s default, from AWS's 363 s benchmark: see `defaults.rs`),
//! paired with the RUNNING count at the minute's end; managed scaling is evaluated at every
//! minute boundary (t = 0 included) with no delay.

use ecsim::report::{EventRecord, Report};
use serde_json::{json, Value};

use super::support::{close, run, skeleton, zero_latencies, PCT};

const SEED: u64 = 1;

/// Seeds for the tests whose outcome must not depend on a random pick.
const SEEDS: [u64; 4] = [1, 2, 3, 4];

/// 2026-01-05T00:00:00Z, a Monday: simulated time zero of the tests driven by scheduled
/// actions (it is also the default start time).
const START: &str = "2026-01-05T00:00:00Z";

// ---- helpers ----------------------------------------------------------------------------

/// The `scaling` records of `subject`, as (time in s, message, cause).
fn scaling(r: &Report, subject: &str) -> Vec<(f64, String, String)> {
    r.events
        .iter()
        .filter(|e| e.kind == "scaling" && e.subject == subject)
        .map(|e| {
            (
                e.time_s,
                e.message.clone(),
                e.cause.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// Every event record, one per line, for failure messages.
fn listing(r: &Report) -> String {
    r.events
        .iter()
        .filter(|e| e.kind != "task")
        .map(|e: &EventRecord| {
            format!(
                "{:>9.3} {:<9} {:<12} {} {}",
                e.time_s,
                e.kind,
                e.subject,
                e.message,
                e.cause.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// (time, from, to) of each service scaling activity, parsed from "Setting desired count
/// to X (from Y) …".
fn service_activities(r: &Report, service: &str) -> Vec<(f64, u32, u32)> {
    scaling(r, service)
        .into_iter()
        .map(|(t, m, _)| {
            let to = m
                .strip_prefix("Setting desired count to ")
                .and_then(|s| s.split(' ').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("unexpected message {m:?}"));
            let from = m
                .split("(from ")
                .nth(1)
                .and_then(|s| s.split(')').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("unexpected message {m:?}"));
            (t, from, to)
        })
        .collect()
}

/// (time, from, to) of each managed scaling activity of `provider`, parsed from "Changing
/// the desired capacity of G from X to Y…".
fn provider_activities(r: &Report, provider: &str) -> Vec<(f64, u32, u32)> {
    scaling(r, provider)
        .into_iter()
        .map(|(t, m, _)| {
            let rest = m
                .split(" from ")
                .nth(1)
                .unwrap_or_else(|| panic!("unexpected message {m:?}"));
            let mut it = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            let from = it.next().and_then(|s| s.parse().ok()).unwrap();
            let to = it.next().and_then(|s| s.parse().ok()).unwrap();
            (t, from, to)
        })
        .collect()
}

/// The service's per-minute rows.
fn service_rows(r: &Report, service: u32) -> Vec<&ecsim::report::ServiceMinuteRow> {
    r.service_series
        .iter()
        .filter(|x| x.service == service)
        .collect()
}

/// A Fargate service `web` (0.25 vCPU, 0.5 GB) of `count` tasks with a load model and
/// auto scaling. A task runs exactly 60 s after it is created (20 s provisioning + 40 s
/// start), so tasks added at a minute boundary run from the next one and every datapoint
/// covers a constant task count; a task stops 10 s after it is told to (the service
/// metrics count RUNNING tasks only, so this does not move them).
fn fargate_web(count: u32, load: Value, auto_scaling: Value, duration: &str) -> Value {
    let mut v = skeleton("as", duration, &["us-east-1a"]);
    v["settings"] = json!({
        "instanceRunningLatency": "10s",
        "agentRegistrationLatency": "10s",
        "ec2TaskStartLatency": "10s",
        "fargateProvisioningLatency": "20s",
        "fargateTaskStartLatency": "40s",
        "taskStopLatency": "10s"
    });
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": count,
        "launchType": "FARGATE",
        "load": load,
        "autoScaling": auto_scaling
    }]);
    v
}

// ---- 1. target tracking: alarm timing ---------------------------------------------------

/// Load model shared by the target tracking tests: one task serves 100 requests/s at 100 %
/// CPU and idles at 10 %, so CPU = 10 + 90 × ρ with ρ = rate / (100 × running).
fn tt_load() -> Value {
    json!({
        "points": [
            { "at": "0s", "requestsPerSecond": 160 },
            { "at": "630s", "requestsPerSecond": 300 },
            { "at": "30m", "requestsPerSecond": 100 }
        ],
        "requestsPerTaskPerSecond": 100,
        "baselineCpuPercent": 10
    })
}

fn tt_scaling(disable_scale_in: bool) -> Value {
    json!({
        "minCapacity": 1,
        "maxCapacity": 20,
        "policies": [{
            "policyName": "cpu50",
            "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 50,
                "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" },
                "scaleInCooldown": "300s",
                "disableScaleIn": disable_scale_in
            }
        }]
    })
}

#[test]
fn target_tracking_alarms_fire_on_the_3rd_high_and_15th_low_datapoint() {
    let r = run(&fargate_web(4, tt_load(), tt_scaling(false), "55m"), SEED);
    let acts = service_activities(&r, "web");
    let log = listing(&r);
    // AlarmHigh: CPU > 50 for 3 of 3 one-minute datapoints; AlarmLow: CPU < 0.9 × 50 = 45
    // for 15 of 15 (ecs-reference §6.2). A minute's datapoint reaches the alarms 183 s after
    // the minute ends (settings.metricDelay).
    //
    // The 4 tasks run from 60 s (minute 0–1 has no datapoint: INSUFFICIENT_DATA).
    // 60–630 s: 160 req/s on 4 tasks: ρ = 0.4, CPU = 10 + 36 = 46 %: inside [45, 50], quiet.
    // At 630 s the rate steps to 300: ρ = 0.75, CPU = 10 + 67.5 = 77.5 %.
    // Minute 10–11 is half and half: (46 + 77.5) / 2 = 61.75 % > 50: the 1st breaching
    // datapoint (minute ending at 11 min). The 2nd ends at 12 min, the 3rd at 13 min = 780 s
    // and reaches the alarm at 780 + 183 = 963 s: scale-out there, not before, to
    // ⌈running × metric / target⌉ = ⌈4 × 77.5 / 50⌉ = ⌈6.2⌉ = 7. The step at 630 s to the
    // activity at 963 s is 333 s: AWS's benchmark measured 363 s from a step that did not
    // fall inside a breaching first minute (30 s earlier here).
    let rows = service_rows(&r, 0);
    let cpu = |minute: u64| {
        rows.iter()
            .find(|x| x.minute == minute)
            .and_then(|x| x.cpu_utilization)
            .unwrap_or_else(|| panic!("no CPU datapoint at minute {minute}"))
    };
    assert!(close(cpu(10), 46.0, PCT), "seed {SEED}: {}", cpu(10));
    assert!(close(cpu(11), 61.75, PCT), "seed {SEED}: {}", cpu(11));
    assert!(close(cpu(12), 77.5, PCT), "seed {SEED}: {}", cpu(12));
    assert!(
        acts.first().is_some_and(|&a| a == (963.0, 4, 7)),
        "seed {SEED}: first activity should be 4 → 7 at 963 s:\n{log}"
    );
    let first_cause = &scaling(&r, "web")[0].2;
    assert!(
        first_cause.contains("TargetTracking-cpu50-AlarmHigh")
            && first_cause
                .contains("ECSServiceAverageCPUUtilization 77.5 > 50 for 3 of 3 datapoints"),
        "seed {SEED}: {first_cause}"
    );
    // The 3 new tasks run from 963 + 60 = 1023 s. The datapoints of the minutes ending at
    // 14, 15, 16 and 17 min (delivered at 1023, 1083, 1143 and 1203 s) still read 77.5 % on
    // the 4 tasks RUNNING at their end, and AlarmHigh stays in ALARM, but ⌈4 × 77.5 / 50⌉ =
    // 7 is not above the 7 set within the scale-out cooldown (§6.2): no second activity.
    // 7 tasks at 300 req/s: ρ = 3/7, CPU = 10 + 90 × 3/7 = 48.571 %: quiet again from the
    // minute 18–19.
    assert!(close(cpu(17), 77.5, PCT), "seed {SEED}: {}", cpu(17));
    assert!(close(cpu(19), 48.5714, PCT), "seed {SEED}: {}", cpu(19));
    //
    // At 30 min the rate drops to 100: ρ = 1/7, CPU = 10 + 90/7 = 22.857 % < 45 from the
    // minute 30–31 on. The 15th low datapoint ends at 45 min = 2700 s and is delivered at
    // 2700 + 183 = 2883 s: scale-in to ⌈7 × 22.857 / 50⌉ = ⌈160 / 50⌉ = ⌈3.2⌉ = 4.
    // The 3 tasks stop at 2883 + 10 = 2893 s. The datapoints ending at 46, 47 and 48 min
    // (delivered at 2943, 3003 and 3063 s) still describe 7 tasks: ⌈3.2⌉ = 4, no lower.
    // The minute ending at 49 min (2940 s, delivered at 3123 s) has 7 tasks for 13 s and 4
    // for 47 s: CPU = (7 × 13 × 0.22857 + 4 × 47 × 0.325) / (7 × 13 + 4 × 47) = 29.35 %,
    // ⌈4 × 29.35 / 50⌉ = 3, but the scale-in cooldown (300 s) holds it until 2883 + 300 =
    // 3183 s, when the minute ending at 50 min (4 tasks: ρ = 0.25, CPU 32.5 %) arrives:
    // ⌈4 × 32.5 / 50⌉ = ⌈2.6⌉ = 3.
    // 3 tasks: CPU = 10 + 30 = 40 % < 45, but ⌈3 × 40 / 50⌉ = ⌈2.4⌉ = 3: nothing more.
    assert_eq!(
        acts,
        vec![(963.0, 4, 7), (2883.0, 7, 4), (3183.0, 4, 3)],
        "seed {SEED}:\n{log}"
    );
    let low_cause = &scaling(&r, "web")[1].2;
    assert!(
        low_cause.contains("TargetTracking-cpu50-AlarmLow")
            && low_cause
                .contains("ECSServiceAverageCPUUtilization 22.857 < 45 for 15 of 15 datapoints"),
        "seed {SEED}: {low_cause}"
    );
    let s = &r.summary.services[0];
    assert_eq!(s.desired_count, 3, "seed {SEED}");
    assert_eq!(s.running_at_end, 3, "seed {SEED}");
    assert_eq!((s.desired_min, s.desired_max), (3, 7), "seed {SEED}");
    assert_eq!(
        (
            s.scaling_activities.scale_out,
            s.scaling_activities.scale_in
        ),
        (1, 2),
        "seed {SEED}"
    );
}

#[test]
fn target_tracking_with_scale_in_disabled_keeps_the_count() {
    let r = run(&fargate_web(4, tt_load(), tt_scaling(true), "55m"), SEED);
    // Same load as above: the scale-out at 963 s to 7 happens; the low datapoints from
    // 30 min on would scale in at 2883 s, but disableScaleIn removes AlarmLow.
    assert_eq!(
        service_activities(&r, "web"),
        vec![(963.0, 4, 7)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    let s = &r.summary.services[0];
    assert_eq!((s.desired_count, s.running_at_end), (7, 7), "seed {SEED}");
    assert_eq!(s.scaling_activities.scale_in, 0, "seed {SEED}");
}

/// With the delay set to zero the alarms act at the end of the minute itself: the model
/// before the delay, and what a user gets with `settings.metricDelay: 0`.
#[test]
fn target_tracking_without_metric_delay_acts_at_the_period_end() {
    let mut v = fargate_web(4, tt_load(), tt_scaling(true), "20m");
    v["settings"]["metricDelay"] = json!("0s");
    let r = run(&v, SEED);
    // The 3rd breaching datapoint ends at 13 min = 780 s (see above): 4 → 7 at once.
    assert_eq!(
        service_activities(&r, "web"),
        vec![(780.0, 4, 7)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
}

/// The high-resolution metrics have their own, shorter delay (AWS's 86 s benchmark).
#[test]
fn high_resolution_target_tracking_acts_26_s_after_its_third_20_s_datapoint() {
    let mut scaling = tt_scaling(true);
    scaling["policies"][0]["targetTrackingScalingPolicyConfiguration"]
        ["predefinedMetricSpecification"]["predefinedMetricType"] =
        json!("ECSServiceAverageCPUUtilizationHighResolution");
    let mut load = tt_load();
    // The step on a 20 s boundary so every datapoint covers a constant load.
    load["points"][1]["at"] = json!("640s");
    let r = run(&fargate_web(4, load, scaling, "20m"), SEED);
    // AlarmHigh: 3 of 3 datapoints of 20 s above 50. The step at 640 s gives 77.5 % in the
    // periods ending at 660, 680 and 700 s; the 3rd reaches the alarm at 700 + 26 = 726 s
    // (settings.highResolutionMetricDelay): ⌈4 × 77.5 / 50⌉ = 7. Step to activity: 86 s,
    // AWS's benchmark figure. (The new tasks run from 786 s; the period ending at 800 s
    // mixes 4 tasks at 77.5 % for 6 s with 7 at 48.57 % for 14 s, (4 × 6 × 77.5 + 7 × 14 ×
    // 48.57) / (24 + 98) = 54.3 % > 50 with 7 RUNNING at its end, so a second scale-out to
    // ⌈7 × 54.3 / 50⌉ = 8 follows at 826 s: AlarmHigh's third breaching datapoint.)
    assert_eq!(
        service_activities(&r, "web"),
        vec![(726.0, 4, 7), (826.0, 7, 8)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
}

// ---- 2. step scaling --------------------------------------------------------------------

#[test]
fn step_scaling_change_and_percent_policies_with_cooldowns_and_clamps() {
    // Baseline 0 %: CPU = 100 × ρ, ρ = min(1, rate / (100 × running)).
    let load = json!({
        "points": [
            { "at": "0s", "requestsPerSecond": 200 },
            { "at": "10m", "requestsPerSecond": 900 },
            { "at": "20m", "requestsPerSecond": 100 }
        ],
        "requestsPerTaskPerSecond": 100,
        "baselineCpuPercent": 0
    });
    let auto_scaling = json!({
        "minCapacity": 4,
        "maxCapacity": 9,
        "policies": [
            {
                "policyName": "out",
                "policyType": "StepScaling",
                "stepScalingPolicyConfiguration": {
                    "adjustmentType": "ChangeInCapacity",
                    "stepAdjustments": [
                        { "metricIntervalLowerBound": 0, "metricIntervalUpperBound": 20, "scalingAdjustment": 1 },
                        { "metricIntervalLowerBound": 20, "scalingAdjustment": 3 }
                    ],
                    "cooldown": "180s"
                },
                "alarm": {
                    "metricName": "ECSServiceAverageCPUUtilization",
                    "threshold": 70,
                    "comparisonOperator": "GreaterThanThreshold",
                    "evaluationPeriods": 2
                }
            },
            {
                "policyName": "in",
                "policyType": "StepScaling",
                "stepScalingPolicyConfiguration": {
                    "adjustmentType": "PercentChangeInCapacity",
                    "stepAdjustments": [
                        { "metricIntervalLowerBound": -15, "metricIntervalUpperBound": 0, "scalingAdjustment": -25 },
                        { "metricIntervalUpperBound": -15, "scalingAdjustment": -50 }
                    ],
                    "cooldown": "180s"
                },
                "alarm": {
                    "metricName": "ECSServiceAverageCPUUtilization",
                    "threshold": 30,
                    "comparisonOperator": "LessThanThreshold",
                    "evaluationPeriods": 3
                }
            }
        ]
    });
    let r = run(&fargate_web(4, load, auto_scaling, "35m"), SEED);
    let log = listing(&r);
    // Tasks run 60 s after they are created (see `fargate_web`). Each minute's datapoint
    // reaches the alarms 183 s after the minute ends (settings.metricDelay), paired with
    // the RUNNING count at the minute's end.
    // 1–10 min: 200 req/s on 4 tasks, CPU 50 %: neither alarm (> 70, < 30) breaches.
    // 10 min: 900 req/s saturates 4 tasks: CPU 100 %. Alarm "out" (> 70, 2 of 2) fires on the
    //   2nd breaching datapoint, the minute ending at 12 min = 720 s, delivered at 720 + 183
    //   = 903 s. Average of its datapoints 100, 30 above the threshold: step [20, +∞) →
    //   ChangeInCapacity +3 on running 4 → 7. The new tasks run from 963 s.
    // 963, 1023 s (minutes ending at 13 and 14 min, 4 RUNNING at their end): the 180 s
    //   cooldown counts from 903 s: 4 + 3 = 7 is not larger than 7: nothing. 1083 s (cooldown
    //   over), 1143 s: the minutes ending at 15 and 16 min still had 4 RUNNING (the new ones
    //   start at 963 s, after 960): 4 + 3 = 7 again, no change.
    // 1203 s: the minute ending at 17 min = 1020 s has 7 tasks, still saturated (900 > 700):
    //   7 + 3 = 10, clamped to max 9. The 2 new tasks run from 1263 s.
    // 20 min: 100 req/s. The minute ending at 21 min has 7 tasks: CPU 100/7 = 14.29 %; at
    //   22 min, 7 tasks for 3 s then 9: (7 × 3 × 14.29 + 9 × 57 × 11.11) / (21 + 513) =
    //   11.24 %; at 23 min, 9 tasks: 11.11 %. Alarm "in" (< 30, 3 of 3) fires on the 3rd,
    //   delivered at 1380 + 183 = 1563 s; average (14.29 + 11.24 + 11.11) / 3 = 12.21, −17.8
    //   from the threshold: step (−∞, −15] → −50 % of 9 (RUNNING at 23 min) = −4.5, rounded
    //   toward zero (ecs-reference §6.3) → −4: 9 → 5. The 4 tasks stop at 1573 s.
    // The 180 s cooldown of "in" holds until 1743 s. 1743 s: the minute ending at 26 min (9
    //   RUNNING): −50 % of 9 → 5, not below 5. 1803 s: the minute ending at 27 min = 1620 s
    //   (9 tasks for 13 s, then 5: (9 × 13 × 11.11 + 5 × 47 × 20) / (117 + 235) = 17.05 %),
    //   window average (11.11 + 11.11 + 17.05) / 3 = 13.09, −16.9: −50 % of 5 (RUNNING at
    //   27 min) = −2.5 → −2: 3, clamped to min 4: 5 → 4.
    // 4 tasks: CPU 25 %: −50 % or −25 % of 4 → 2 or 3, clamped to min 4: no change, no
    //   activity.
    assert_eq!(
        service_activities(&r, "web"),
        vec![
            (903.0, 4, 7),
            (1203.0, 7, 9),
            (1563.0, 9, 5),
            (1803.0, 5, 4)
        ],
        "seed {SEED}:\n{log}"
    );
    let causes: Vec<String> = scaling(&r, "web").into_iter().map(|x| x.2).collect();
    assert!(
        causes[0].contains("StepScaling-out-Alarm") && causes[0].contains("ChangeInCapacity +3"),
        "seed {SEED}: {}",
        causes[0]
    );
    assert!(
        causes[1].contains("limited to max capacity 9"),
        "seed {SEED}: {}",
        causes[1]
    );
    assert!(
        causes[2].contains("StepScaling-in-Alarm")
            && causes[2].contains("PercentChangeInCapacity -50"),
        "seed {SEED}: {}",
        causes[2]
    );
    assert!(
        causes[3].contains("PercentChangeInCapacity -50") && causes[3].contains("min capacity 4"),
        "seed {SEED}: {}",
        causes[3]
    );
    let s = &r.summary.services[0];
    assert_eq!((s.desired_count, s.running_at_end), (4, 4), "seed {SEED}");
    assert_eq!((s.desired_min, s.desired_max), (4, 9), "seed {SEED}");
    assert_eq!(
        (
            s.scaling_activities.scale_out,
            s.scaling_activities.scale_in
        ),
        (2, 2),
        "seed {SEED}"
    );
}

// ---- 3. scheduled actions ---------------------------------------------------------------

#[test]
fn scheduled_actions_move_the_bounds_and_desired_follows() {
    let mut v = skeleton("scheduled", "1h", &["us-east-1a"]);
    let mut settings = zero_latencies();
    // Not the default start time, so the test sees that settings.startTime is honoured.
    settings["startTime"] = json!("2026-03-10T23:40:00Z");
    v["settings"] = settings;
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "autoScaling": {
            "minCapacity": 1,
            "maxCapacity": 10,
            "scheduledActions": [
                {
                    "scheduledActionName": "at-start",
                    "schedule": "at(2026-03-10T23:40:00)",
                    "scalableTargetAction": { "minCapacity": 3 }
                },
                {
                    "scheduledActionName": "midnight",
                    "schedule": "cron(0 0 * * ? *)",
                    "scalableTargetAction": { "minCapacity": 6 }
                },
                {
                    "scheduledActionName": "cap",
                    "schedule": "at(2026-03-11T00:25:00)",
                    "scalableTargetAction": { "maxCapacity": 4 }
                }
            ]
        }
    }]);
    let r = run(&v, SEED);
    // Time zero is 2026-03-10T23:40:00Z (ecs-reference §6.4: an action only sets min/max;
    // current < new min ⇒ scale out to min; current > new max ⇒ scale in to max).
    // - at(2026-03-10T23:40:00) is due at t = 0: min 3 > desired 2 → desired 3 at 0 s.
    // - cron(0 0 * * ? *) fires daily at 00:00 UTC, the next midnight: 20 min = 1200 s:
    //   min 6 → desired 6.
    // - at(2026-03-11T00:25:00) = 45 min = 2700 s: max 4 < desired 6 → desired 4 (min
    //   becomes 4 as well, since min ≤ max must hold).
    assert_eq!(
        service_activities(&r, "web"),
        vec![(0.0, 2, 3), (1200.0, 3, 6), (2700.0, 6, 4)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    let causes: Vec<String> = scaling(&r, "web").into_iter().map(|x| x.2).collect();
    assert!(
        causes[1].contains("scheduled action midnight set min capacity to 6"),
        "{}",
        causes[1]
    );
    assert!(
        causes[2].contains("scheduled action cap set max capacity to 4"),
        "{}",
        causes[2]
    );
    // The per-minute rows follow (the row of the boundary minute itself may show either
    // value, depending on which of the two same-time events ran first).
    let rows = service_rows(&r, 0);
    let desired = |m: u64| rows.iter().find(|x| x.minute == m).map(|x| x.desired);
    assert_eq!(desired(1), Some(3), "seed {SEED}");
    assert_eq!(desired(19), Some(3), "seed {SEED}");
    assert_eq!(desired(21), Some(6), "seed {SEED}");
    assert_eq!(desired(44), Some(6), "seed {SEED}");
    assert_eq!(desired(46), Some(4), "seed {SEED}");
    let s = &r.summary.services[0];
    assert_eq!(s.scaling_activities.scheduled, 3, "seed {SEED}");
    assert_eq!((s.desired_count, s.running_at_end), (4, 4), "seed {SEED}");
    assert_eq!((s.desired_min, s.desired_max), (2, 6), "seed {SEED}");
}

// ---- 4. managed scaling -----------------------------------------------------------------

/// Fixed latencies for the EC2 tests: an instance is `running` (billed) 10 s after launch
/// and registered 20 s later (30 s after launch); a task runs 5 s after placement and
/// stops 5 s after it is told to.
fn ec2_latencies() -> Value {
    json!({
        "instanceRunningLatency": "10s",
        "agentRegistrationLatency": "20s",
        "ec2TaskStartLatency": "5s",
        "fargateProvisioningLatency": "0s",
        "fargateTaskStartLatency": "0s",
        "taskStopLatency": "5s"
    })
}

/// One ASG (`asg`, m5.large) behind provider `cp` in `azs`, and service `web` of `count`
/// tasks of `cpu`/`memory` on it. `provider` holds the provider's extra fields
/// (managedScaling, managedTerminationProtection, managedDraining).
fn ec2_web(
    duration: &str,
    azs: &[&str],
    desired_capacity: u32,
    max_size: u32,
    provider: Value,
    (cpu, memory): (u32, u32),
    count: u32,
) -> Value {
    let mut v = skeleton("ms", duration, azs);
    v["settings"] = ec2_latencies();
    v["cluster"]["capacityProviders"] = json!(["cp"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 0,
        "maxSize": max_size,
        "desiredCapacity": desired_capacity
    }]);
    let mut asg_provider = provider;
    asg_provider["autoScalingGroupArn"] = json!("asg");
    v["capacityProviders"] = json!([{ "name": "cp", "autoScalingGroupProvider": asg_provider }]);
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": cpu.to_string(), "memory": memory.to_string(),
        "requiresCompatibilities": ["EC2"]
    }]);
    v["services"] = json!([{
        "serviceName": "web",
        "taskDefinition": "web",
        "desiredCount": count,
        "capacityProviderStrategy": [{ "capacityProvider": "cp", "weight": 1 }]
    }]);
    v
}

/// Registered size of an m5.large (src/cloud `registered_resources`, ecs-reference §4.5):
/// CPU 2 vCPU × 1024 = 2048 units; memory (Nitro) 8192 MiB × (1 − 0.04) − 0 = 7864.3 → 7864 MiB.
/// A 512-unit / 2048-MiB task: CPU allows 2048 / 512 = 4 per instance, memory
/// ⌊7864 / 2048⌋ = 3 (4 × 2048 = 8192 > 7864): 3 tasks per instance, memory-bound (with the
/// nominal 8192 MiB it would be 4).
const TASK_512_2048: (u32, u32) = (512, 2048);

/// The provider row of `minute` (its `reservation` and `m` are those published at the
/// previous minute's evaluation: a row is written before its minute's evaluation).
fn provider_row(r: &Report, minute: u64) -> &ecsim::report::ProviderMinuteRow {
    r.provider_series
        .iter()
        .find(|x| x.minute == minute && x.provider == 0)
        .unwrap_or_else(|| panic!("no provider row at minute {minute}"))
}

#[test]
fn managed_scaling_from_zero_goes_to_two_then_waits_for_warm_up() {
    let v = ec2_web(
        "20m",
        &["us-east-1a"],
        0,
        10,
        json!({ "managedScaling": { "status": "ENABLED", "targetCapacity": 100, "instanceWarmupPeriod": 150 } }),
        TASK_512_2048,
        12,
    );
    let r = run(&v, SEED);
    let log = listing(&r);
    // t = 0: the evaluation runs before the service scheduler: no instance, no task:
    //   M = N = 0 → the neutral value (targetCapacity), no action. Then 12 tasks go
    //   PROVISIONING.
    // t = 60 s: N = 0 with PROVISIONING tasks → 200 (§1.2); target tracking from zero
    //   counts N as 1: ⌈1 × 200 / 100⌉ = 2 instances, whatever M is. M by binpack on the
    //   largest type: ⌈12 / 3⌉ = 4.
    // The 2 instances run at 70 s, register at 90 s and take 3 tasks each; 6 wait.
    // t = 120 s, 180 s: M = 2 + ⌈6 / 3⌉ = 4, N = 2 → 200 > 100, but the newest instance was
    //   launched at 60 s, less than instanceWarmupPeriod = 150 s ago: no scale-out.
    // t = 240 s: 240 − 60 = 180 ≥ 150: ⌈2 × 200 / 100⌉ = 4 → 2 → 4.
    // Then M = N = 4 (3 tasks on each): 100, steady.
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![(60.0, 0, 2), (240.0, 2, 4)],
        "seed {SEED}:\n{log}"
    );
    let causes: Vec<String> = scaling(&r, "cp").into_iter().map(|x| x.2).collect();
    assert!(
        causes[0].contains("CapacityProviderReservation 200 > 100")
            && causes[0].contains("M = 4, N = 0"),
        "seed {SEED}: {}",
        causes[0]
    );
    assert!(
        causes[1].contains("CapacityProviderReservation 200 > 100")
            && causes[1].contains("M = 4, N = 2"),
        "seed {SEED}: {}",
        causes[1]
    );
    // The metric was published (200, M = 4) while warm-up blocked the scale-out.
    for minute in [3, 4] {
        let row = provider_row(&r, minute);
        assert_eq!(
            (row.reservation, row.m),
            (Some(200.0), Some(4)),
            "seed {SEED}: minute {minute}"
        );
        assert_eq!(row.instances, 2, "seed {SEED}: minute {minute}");
    }
    // Instance timing: launched at 60 s, billed from 70 s, ACTIVE at 90 s.
    let instance_events: Vec<(f64, &str)> = r
        .events
        .iter()
        .filter(|e| e.kind == "instance" && e.subject == "i-00000000")
        .map(|e| (e.time_s, e.message.as_str()))
        .collect();
    assert_eq!(
        instance_events,
        vec![
            (
                70.0,
                "EC2 instance m5.large running in us-east-1a (billing starts)"
            ),
            (90.0, "Container instance registered and ACTIVE")
        ],
        "seed {SEED}"
    );
    let row = provider_row(&r, 20);
    assert_eq!(
        (row.instances, row.reservation, row.m),
        (4, Some(100.0), Some(4)),
        "seed {SEED}"
    );
    let cp = &r.summary.capacity_providers[0];
    assert_eq!(
        (cp.scale_out, cp.scale_in, cp.instances_launched),
        (2, 0, 4),
        "seed {SEED}"
    );
    assert_eq!(r.summary.services[0].running_at_end, 12, "seed {SEED}");
    // The last 6 tasks were placed when the second pair registered (240 + 30 s) and ran
    // 5 s later: the longest wait is 275 s.
    assert!(
        close(r.summary.wait_time_s.max, 275.0, 1e-9),
        "seed {SEED}: {}",
        r.summary.wait_time_s.max
    );
}

#[test]
fn managed_scaling_step_sizes_bound_each_scale_out() {
    // One instance at t = 0 (registered, 3 tasks of 512/2048 fit on it, see TASK_512_2048).
    // The service's tasks are created when that instance registers, before the first
    // evaluation at t = 0, so the first scale-out is at 0 s (the instance present at the
    // start is past its warm-up). Warm-up 60 s: a minute later the next may follow.
    //
    // minimumScalingStepSize 3: 4 tasks → 3 on the instance, 1 PROVISIONING. At 0 s the
    // binpack needs 1 new instance; 1 < 3 ⇒ add 3 (§1.3 step 5): M = 1 + 3 = 4, N = 1 → 400
    // → ⌈1 × 400 / 100⌉ = 4.
    let min_step = ec2_web(
        "10m",
        &["us-east-1a"],
        1,
        10,
        json!({ "managedScaling": { "minimumScalingStepSize": 3, "instanceWarmupPeriod": 60 } }),
        TASK_512_2048,
        4,
    );
    let r = run(&min_step, SEED);
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![(0.0, 1, 4)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    assert!(
        scaling(&r, "cp")[0].2.contains("M = 4, N = 1"),
        "seed {SEED}"
    );
    assert_eq!(
        r.summary.capacity_providers[0].instances_max, 4,
        "seed {SEED}"
    );

    // maximumScalingStepSize 2: 15 tasks → 3 on the instance, 12 PROVISIONING.
    // 0 s: binpack needs ⌈12 / 3⌉ = 4 new; min(4, 2) = 2: M = 3, N = 1 → 300 → 1 → 3.
    //   The 2 new instances register at 30 s and take 6 tasks; 6 wait.
    // 60 s: 60 − 0 ≥ 60 (warm-up over): binpack needs ⌈6 / 3⌉ = 2 = the max step:
    //   M = 5, N = 3 → 166.7 → ⌈3 × 166.7 / 100⌉ = 5 → 3 → 5.
    // 120 s: 6 tasks placed at 90 s; M = N = 5: steady.
    let max_step = ec2_web(
        "10m",
        &["us-east-1a"],
        1,
        10,
        json!({ "managedScaling": { "maximumScalingStepSize": 2, "instanceWarmupPeriod": 60 } }),
        TASK_512_2048,
        15,
    );
    let r = run(&max_step, SEED);
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![(0.0, 1, 3), (60.0, 3, 5)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    let causes: Vec<String> = scaling(&r, "cp").into_iter().map(|x| x.2).collect();
    assert!(
        causes[0].contains("300 > 100") && causes[0].contains("M = 3, N = 1"),
        "{}",
        causes[0]
    );
    assert!(
        causes[1].contains("166.7 > 100") && causes[1].contains("M = 5, N = 3"),
        "{}",
        causes[1]
    );
    assert_eq!(r.summary.services[0].running_at_end, 15, "seed {SEED}");
}

/// Service `web` (18 tasks, 6 instances' worth) scaled out from an empty ASG, then set to
/// zero tasks at 5 min by a scheduled action; `knobs` go to `settings.managedScaling`.
fn scale_in_scenario(knobs: Option<Value>) -> Value {
    let mut v = ec2_web(
        "30m",
        &["us-east-1a"],
        0,
        10,
        json!({ "managedScaling": { "instanceWarmupPeriod": 60 } }),
        TASK_512_2048,
        18,
    );
    v["settings"]["startTime"] = json!(START);
    if let Some(k) = knobs {
        v["settings"]["managedScaling"] = k;
    }
    v["services"][0]["autoScaling"] = json!({
        "minCapacity": 0,
        "maxCapacity": 18,
        "scheduledActions": [{
            "scheduledActionName": "off",
            "schedule": "at(2026-01-05T00:05:00)",
            "scalableTargetAction": { "maxCapacity": 0 }
        }]
    });
    v
}

#[test]
fn managed_scale_in_waits_15_datapoints_and_the_hold_and_halves_at_most() {
    // Scale-out (warm-up 60 s): 60 s: N = 0 → 200 → 0 → 2. 120 s: M = 2 + ⌈12 / 3⌉ = 6,
    // N = 2 → 300 → ⌈2 × 300 / 100⌉ = 6 → 2 → 6. Last scale-out at 120 s.
    // 300 s: the scheduled action sets desired 0; the 18 tasks stop at 305 s (their instances
    // are still non-empty at the 300 s evaluation: M = N = 6, 100).
    // From 360 s: M = 0 (no non-empty instance), N = 6 → 0 < 100.
    //
    // Default rules (§1.5): AlarmLow needs 15 datapoints: 360 s … 360 + 14 × 60 = 1200 s.
    // The 15-minute hold after the scale-out ended at 120 + 900 = 1020 s, before that.
    // Each step lowers the desired capacity by at most 50 % of N: ⌊N / 2⌋ (at least 1),
    // toward M = 0:
    //   1200 s: 6 → 6 − 3 = 3; 1260 s: 3 − ⌊1.5⌋ = 2; 1320 s: 2 − 1 = 1; 1380 s: 1 − 1 = 0.
    // Then M = N = 0: the neutral value, nothing more.
    let r = run(&scale_in_scenario(None), SEED);
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![
            (60.0, 0, 2),
            (120.0, 2, 6),
            (1200.0, 6, 3),
            (1260.0, 3, 2),
            (1320.0, 2, 1),
            (1380.0, 1, 0)
        ],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    let cause = &scaling(&r, "cp")[2].2;
    assert!(
        cause.contains("AlarmLow")
            && cause
                .contains("CapacityProviderReservation 0 < 100 for 15 datapoints, M = 0, N = 6"),
        "seed {SEED}: {cause}"
    );
    let cp = &r.summary.capacity_providers[0];
    assert_eq!(
        (cp.instances_launched, cp.instances_terminated),
        (6, 6),
        "seed {SEED}"
    );
    assert_eq!(provider_row(&r, 30).instances, 0, "seed {SEED}");
    // Only empty instances went; no task was interrupted.
    assert_eq!(r.summary.tasks.interrupted, 0, "seed {SEED}");

    // With AlarmLow at 3 datapoints (settings.managedScaling.scaleInDatapoints), the alarm
    // is in ALARM from 480 s (360, 420, 480 s), but scale-in never starts within 15 minutes
    // of a scale-out: not before 120 + 900 = 1020 s. Then the same halving steps, a minute
    // apart: 1020 s 6 → 3, 1080 s 3 → 2, 1140 s 2 → 1, 1200 s 1 → 0.
    let r = run(
        &scale_in_scenario(Some(json!({ "scaleInDatapoints": 3 }))),
        SEED,
    );
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![
            (60.0, 0, 2),
            (120.0, 2, 6),
            (1020.0, 6, 3),
            (1080.0, 3, 2),
            (1140.0, 2, 1),
            (1200.0, 1, 0)
        ],
        "seed {SEED}:\n{}",
        listing(&r)
    );
}

/// Three instances at t = 0 in two AZs. EC2 Auto Scaling launches into the AZ with the
/// fewest instances, ties to the first: i-0 → 1a, i-1 → 1b, i-2 → 1a. Service `web` has 2
/// tasks pinned to us-east-1a (memberOf) and spread over instances: one on i-0 and one
/// on i-2; i-1 (the only instance in 1b) stays empty.
///
/// Managed scaling: the tasks are placed when the instances register at t = 0, before the
/// first evaluation: M = 2, N = 3 → 66.7 from t = 0 on. Fifteen datapoints below 100
/// (0 s … 840 s): scale-in at 840 s to
/// max(⌈3 × 66.7 / 100⌉, 3 − ⌊3 / 2⌋) = max(2, 2) = 2: one instance leaves.
/// EC2 Auto Scaling's default termination policy takes it from the AZ with the most
/// instances (us-east-1a, 2 against 1) — an instance with a task — unless managed
/// termination protection restricts it to empty instances (i-1).
fn termination_scenario(duration: &str, protection: bool, draining: bool) -> Value {
    let flag = |b: bool| if b { "ENABLED" } else { "DISABLED" };
    let mut v = ec2_web(
        duration,
        &["us-east-1a", "us-east-1b"],
        3,
        3,
        json!({
            "managedScaling": { "status": "ENABLED" },
            "managedTerminationProtection": flag(protection),
            "managedDraining": flag(draining)
        }),
        TASK_512_2048,
        2,
    );
    v["services"][0]["placementConstraints"] = json!([{ "type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1a" }]);
    v["services"][0]["placementStrategy"] = json!([{ "type": "spread", "field": "instanceId" }]);
    v
}

/// (time, instance, message) of the instance records after t = 0.
fn instance_events(r: &Report) -> Vec<(f64, String, String)> {
    r.events
        .iter()
        .filter(|e| e.kind == "instance")
        .map(|e| (e.time_s, e.subject.clone(), e.message.clone()))
        .collect()
}

#[test]
fn managed_termination_protection_terminates_only_the_empty_instance() {
    for seed in SEEDS {
        let r = run(&termination_scenario("30m", true, true), seed);
        let log = listing(&r);
        // 840 s: the victim must be the empty i-1; with it gone M = N = 2: 100, steady to the end.
        assert_eq!(
            provider_activities(&r, "cp"),
            vec![(840.0, 3, 2)],
            "seed {seed}:\n{log}"
        );
        let gone: Vec<(f64, String, String)> = instance_events(&r)
            .into_iter()
            .filter(|e| e.2.starts_with("Instance terminated"))
            .collect();
        assert_eq!(gone.len(), 1, "seed {seed}:\n{log}");
        assert_eq!(
            (gone[0].0, gone[0].1.as_str()),
            (840.0, "i-00000001"),
            "seed {seed}:\n{log}"
        );
        let t = &r.summary.tasks;
        // No task stopped with its instance (InstanceTerminated), none moved.
        assert_eq!(t.interrupted, 0, "seed {seed}: {t:?}");
        assert_eq!(
            (t.submitted, t.stopped_by_scheduler, t.running_at_end),
            (2, 0, 2),
            "seed {seed}: {t:?}"
        );
        assert_eq!(provider_row(&r, 30).instances, 2, "seed {seed}");
    }
}

#[test]
fn without_protection_or_draining_scale_in_kills_a_task_and_the_service_replaces_it() {
    // Ends at 870 s, before the 900 s evaluation (M = 1, N = 2), whose victim would be a coin
    // flip between the two AZs.
    for seed in SEEDS {
        let r = run(&termination_scenario("870s", false, false), seed);
        let log = listing(&r);
        assert_eq!(
            provider_activities(&r, "cp"),
            vec![(840.0, 3, 2)],
            "seed {seed}:\n{log}"
        );
        let gone: Vec<(f64, String, String)> = instance_events(&r)
            .into_iter()
            .filter(|e| e.2.starts_with("Instance terminated"))
            .collect();
        // Terminated at once (no draining), from us-east-1a: i-0 or i-2, each running one task.
        assert_eq!(gone.len(), 1, "seed {seed}:\n{log}");
        assert_eq!(gone[0].0, 840.0, "seed {seed}:\n{log}");
        assert!(
            gone[0].1 == "i-00000000" || gone[0].1 == "i-00000002",
            "seed {seed}:\n{log}"
        );
        assert!(
            !instance_events(&r).iter().any(|e| e.2.contains("DRAINING")),
            "seed {seed}:\n{log}"
        );
        let t = &r.summary.tasks;
        // Its task stopped with it (interrupted); the service started a replacement on the other
        // us-east-1a instance (placed at 840 s, RUNNING at 845 s): 3 tasks, 2 running.
        assert_eq!(
            (t.interrupted, t.failed, t.stopped_by_scheduler),
            (1, 1, 0),
            "seed {seed}: {t:?}"
        );
        assert_eq!(
            (t.submitted, t.started, t.running_at_end),
            (3, 3, 2),
            "seed {seed}: {t:?}"
        );
        assert_eq!(r.summary.services[0].running_at_end, 2, "seed {seed}");
    }
}

#[test]
fn managed_draining_moves_the_task_before_the_instance_terminates() {
    for seed in SEEDS {
        let r = run(&termination_scenario("870s", false, true), seed);
        let log = listing(&r);
        assert_eq!(
            provider_activities(&r, "cp"),
            vec![(840.0, 3, 2)],
            "seed {seed}:\n{log}"
        );
        // The victim (from us-east-1a, running one task) is set to DRAINING at 840 s. Its task
        // keeps running until a replacement runs: placed on the other 1a instance at 840 s,
        // RUNNING at 845 s; then the old task is stopped (STOPPED at 850 s, 5 s stop latency),
        // the instance is empty and terminates at 850 s.
        let events = instance_events(&r);
        let victim = events
            .iter()
            .find(|e| e.2 == "Container instance set to DRAINING")
            .map(|e| e.1.clone())
            .unwrap_or_else(|| panic!("seed {seed}: no DRAINING instance:\n{log}"));
        assert!(
            victim == "i-00000000" || victim == "i-00000002",
            "seed {seed}:\n{log}"
        );
        let of_victim: Vec<(f64, &str)> = events
            .iter()
            .filter(|e| e.1 == victim)
            .map(|e| (e.0, e.2.as_str()))
            .collect();
        assert_eq!(
            of_victim,
            vec![
                (840.0, "Container instance set to DRAINING"),
                (
                    850.0,
                    "Instance terminated; container instance deregistered"
                )
            ],
            "seed {seed}:\n{log}"
        );
        let t = &r.summary.tasks;
        // Moved, not killed: one task stopped by the scheduler, none interrupted.
        assert_eq!(
            (t.interrupted, t.failed, t.stopped_by_scheduler),
            (0, 0, 1),
            "seed {seed}: {t:?}"
        );
        assert_eq!(
            (t.submitted, t.running_at_end),
            (3, 2),
            "seed {seed}: {t:?}"
        );
    }
}

// ---- 5. capacity provider strategy under scaling ----------------------------------------

#[test]
fn fargate_base_and_weights_track_the_desired_count_up_and_down() {
    // FARGATE base 2 weight 1, FARGATE_SPOT weight 3 (ecs-reference §2.1): the base first,
    // then the rest split 1 : 3 by largest remainder (ties to the first item); scale-in
    // removes in the reverse sense, so each count has one split whichever way it was reached.
    //   n = 2:  base only                                  → FARGATE 2, SPOT 0
    //   n = 5:  rest 3 → quotas 0.75 / 2.25 → 0 + 2, the remainder .75 to FARGATE → 3, 2
    //   n = 18: rest 16 → 4 / 12                           → 6, 12
    //   n = 7:  rest 5 → 1.25 / 3.75 → 1 + 3, the remainder .75 to SPOT → 3, 4
    // The desired count is driven by scheduled actions (time zero 2026-01-05T00:00:00Z):
    // 00:10 min 5; 00:20 min 18; 00:30 min 2 and max 7; 00:40 max 2.
    let stages: [(&str, u32, u32, u32); 5] = [
        ("5m", 2, 2, 0),
        ("15m", 5, 3, 2),
        ("25m", 18, 6, 12),
        ("35m", 7, 3, 4),
        ("45m", 2, 2, 0),
    ];
    for (duration, desired, on_demand, spot) in stages {
        let mut v = skeleton(
            "cps-scaling",
            duration,
            &["us-east-1a", "us-east-1b", "us-east-1c"],
        );
        let mut settings = zero_latencies();
        settings["startTime"] = json!(START);
        v["settings"] = settings;
        v["taskDefinitions"] = json!([{
            "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
        }]);
        let action = |name: &str, at: &str, target: Value| {
            json!({
                "scheduledActionName": name,
                "schedule": format!("at(2026-01-05T{at})"),
                "scalableTargetAction": target
            })
        };
        v["services"] = json!([{
            "serviceName": "api",
            "taskDefinition": "api",
            "desiredCount": 2,
            "capacityProviderStrategy": [
                { "capacityProvider": "FARGATE", "base": 2, "weight": 1 },
                { "capacityProvider": "FARGATE_SPOT", "weight": 3 }
            ],
            "autoScaling": {
                "minCapacity": 2,
                "maxCapacity": 20,
                "scheduledActions": [
                    action("up5", "00:10:00", json!({ "minCapacity": 5 })),
                    action("up18", "00:20:00", json!({ "minCapacity": 18 })),
                    action("down7", "00:30:00", json!({ "minCapacity": 2, "maxCapacity": 7 })),
                    action("down2", "00:40:00", json!({ "maxCapacity": 2 }))
                ]
            }
        }]);
        let r = run(&v, SEED);
        let s = &r.summary.services[0];
        let live = |p: &str| {
            s.live_tasks_by_capacity_provider
                .get(p)
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(
            (s.desired_count, live("FARGATE"), live("FARGATE_SPOT")),
            (desired, on_demand, spot),
            "seed {SEED}: after {duration}: {:?}\n{}",
            s.live_tasks_by_capacity_provider,
            listing(&r)
        );
        assert_eq!(s.running_at_end, desired, "seed {SEED}: after {duration}");
    }
}

// ---- 6. a load that doubles and halves: back to the start, and what it cost -------------

#[test]
fn doubling_then_halving_returns_both_loops_to_the_start_and_cost_is_what_ran() {
    // EC2 only: ASG of m5.large (2048 CPU units, 7577 MiB registered) with 4 instances at
    // t = 0, managed scaling (target 100, warm-up 300 s), termination protection and
    // draining; service `web` of 4 tasks of 2048 units / 4096 MiB: one task per instance,
    // so M = the task count. Latencies: running 10 s + registration 45 s + task start 5 s:
    // a task started by a scale-out runs exactly 60 s after the instance launch.
    let mut v = ec2_web(
        "90m",
        &["us-east-1a"],
        4,
        10,
        json!({
            "managedScaling": { "status": "ENABLED", "targetCapacity": 100 },
            "managedTerminationProtection": "ENABLED",
            "managedDraining": "ENABLED"
        }),
        (2048, 4096),
        4,
    );
    v["settings"]["agentRegistrationLatency"] = json!("45s");
    // Cold: the arithmetic below counts the first 5 s, before the first tasks run.
    v["settings"]["start"] = json!("cold");
    v["autoScalingGroups"][0]["minSize"] = json!(1);
    // CPU = 100 × ρ (baseline 0), ρ = rate / (100 × running); target 50, AlarmLow < 45.
    v["services"][0]["load"] = json!({
        "points": [
            { "at": "0s", "requestsPerSecond": 190 },
            { "at": "20m", "requestsPerSecond": 380 },
            { "at": "50m", "requestsPerSecond": 190 }
        ],
        "requestsPerTaskPerSecond": 100,
        "baselineCpuPercent": 0
    });
    v["services"][0]["autoScaling"] = json!({
        "minCapacity": 1,
        "maxCapacity": 10,
        "policies": [{
            "policyName": "cpu50",
            "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 50,
                "predefinedMetricSpecification": { "predefinedMetricType": "ECSServiceAverageCPUUtilization" }
            }
        }]
    });
    let r = run(&v, SEED);
    let log = listing(&r);
    // Service (§6.2), each minute's datapoint delivered 183 s after the minute ends
    // (settings.metricDelay) with the RUNNING count at its end:
    // - 190 req/s on 4 tasks: 47.5 %, quiet. At 20 min the rate doubles to 380: 95 %; the
    //   3rd high datapoint ends at 23 min = 1380 s and arrives at 1380 + 183 = 1563 s:
    //   ⌈4 × 95 / 50⌉ = ⌈7.6⌉ = 8.
    // - 8 tasks at 380 req/s: 47.5 %, quiet. (The minutes ending at 24 to 28 min still read
    //   95 % with 4 tasks RUNNING at their end — the new ones run from 1680 s, after that
    //   minute's datapoint is taken — but ⌈4 × 95 / 50⌉ = 8 is no larger than the 8 of the
    //   scale-out cooldown: no new activity.)
    // - At 50 min the rate halves back to 190: 23.75 % < 45 on 8 tasks. The 15th low
    //   datapoint ends at 65 min = 3900 s and arrives at 4083 s: ⌈8 × 23.75 / 50⌉ = ⌈3.8⌉ =
    //   4, the starting count, in one step (so no scale-in cooldown is involved).
    assert_eq!(
        service_activities(&r, "web"),
        vec![(1563.0, 4, 8), (4083.0, 8, 4)],
        "seed {SEED}:\n{log}"
    );
    // Cluster (§1.2–1.7), its metric undelayed:
    // - The 4 new tasks are created at 1563 s, so CAS first sees them PROVISIONING at
    //   1620 s: M = 4 + 4 (one per new instance), N = 4 → 200 → 4 → 8 (the last launch was
    //   at t = 0, past the warm-up). The instances launch at 1620 s, run (billed) at 1630 s,
    //   register at 1675 s; their tasks run at 1680 s.
    // - The service's scale-in at 4083 s stops 4 tasks (STOPPED at 4088 s): 4 empty
    //   instances, M = 4, N = 8 → 50 from the 4140 s evaluation on. The 15th datapoint is at
    //   4140 + 14 × 60 = 4980 s; the 15-minute hold after the 1620 s scale-out is long
    //   over. To max(⌈8 × 50 / 100⌉, 8 − ⌊8 / 2⌋) = 4, the starting count, in one step;
    //   protection lets only the 4 empty instances go, terminated at once (nothing to
    //   drain).
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![(1620.0, 4, 8), (4980.0, 8, 4)],
        "seed {SEED}:\n{log}"
    );
    let s = &r.summary;
    assert_eq!(
        (s.services[0].desired_count, s.services[0].running_at_end),
        (4, 4),
        "seed {SEED}"
    );
    assert_eq!(provider_row(&r, 90).instances, 4, "seed {SEED}");
    assert_eq!(s.tasks.interrupted, 0, "seed {SEED}");
    // Requests go unserved only while no task runs: the first 5 s (tasks start at 5 s),
    // 5 × 190 = 950. At 380 req/s the 4 tasks still serve everything (4 × 100 ≥ 380): the
    // scale-out is for the CPU target, not for a shortfall.
    let load = s.services[0].load.as_ref().expect("a load summary");
    assert!(
        close(load.unserved, 950.0, 1e-6),
        "seed {SEED}: {}",
        load.unserved
    );

    // Cost: rebuild it from the instance records. EC2 bills per second from `running` to
    // termination (or the end of the run), with a 60-second minimum per start (§7.6);
    // instances present at t = 0 (i-00000000 … i-00000003) run from 0.
    let sc = super::support::scenario(&v);
    let price = sc
        .catalog
        .get(sc.catalog.find("m5.large").expect("in the catalog"))
        .on_demand_usd_per_hour;
    assert_eq!(price, 0.096, "§7.5: m5.large on demand");
    let end = s.duration_s;
    let mut start: std::collections::BTreeMap<String, f64> =
        (0..4).map(|i| (format!("i-{i:08}"), 0.0)).collect();
    let mut stop: std::collections::BTreeMap<String, f64> = Default::default();
    for e in r.events.iter().filter(|e| e.kind == "instance") {
        if e.message.contains("running") && e.message.ends_with("(billing starts)") {
            start.insert(e.subject.clone(), e.time_s);
        } else if e.message.starts_with("Instance terminated") {
            stop.insert(e.subject.clone(), e.time_s);
        }
    }
    let rebuilt: f64 = start
        .iter()
        .map(|(id, &from)| {
            let to = stop.get(id).copied().unwrap_or(end);
            (to - from).max(60.0) * price / 3600.0
        })
        .sum();
    // By hand: 4 × 5400 s (from 0 to the end) + 4 × (4980 − 1630) s = 21 600 + 13 400
    // = 35 000 instance-seconds × 0.096 / 3600 = 0.933333… $ (both ends 180 s later than
    // with no metric delay, so the same total).
    assert!(
        close(rebuilt, 35_000.0 * 0.096 / 3600.0, 1e-9),
        "seed {SEED}: rebuilt {rebuilt}"
    );
    assert!(
        close(s.cost.total_usd, rebuilt, 1e-6),
        "seed {SEED}: summary {} ≠ rebuilt {rebuilt}",
        s.cost.total_usd
    );
    assert_eq!(s.cost.fargate_usd, 0.0, "seed {SEED}");
    assert!(close(s.cost.ec2_usd, rebuilt, 1e-6), "seed {SEED}");
}

// ---- 7. determinism with scaling on -------------------------------------------------------

const OUTPUTS: [&str; 6] = [
    "summary.json",
    "timeseries.csv",
    "services.csv",
    "capacity_providers.csv",
    "costs.csv",
    "events.jsonl",
];

fn run_binary(scenario: &str, out: &std::path::Path, seed: u64) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(super::support::repo_root())
        .args(["run", scenario, "--quiet", "--seed"])
        .arg(seed.to_string())
        .arg("--out")
        .arg(out)
        .output()
        .expect("ecsim runs");
    assert!(
        o.status.success(),
        "seed {seed}: ecsim run {scenario} failed: {:?}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

#[test]
fn scale_out_lag_is_byte_for_byte_reproducible() {
    let scenario = "scenarios/scale-out-lag/scenario.json";
    let (seed, other) = (1, 2);
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let c = tempfile::tempdir().expect("tempdir");
    run_binary(scenario, a.path(), seed);
    run_binary(scenario, b.path(), seed);
    run_binary(scenario, c.path(), other);
    for name in OUTPUTS {
        let x = read(a.path(), name);
        assert!(!x.is_empty(), "seed {seed}: {name} is empty");
        assert!(
            x == read(b.path(), name),
            "seed {seed}: {name} differs between two runs"
        );
    }
    // The scenario's latencies are random: another seed gives another event log.
    assert!(
        read(a.path(), "events.jsonl") != read(c.path(), "events.jsonl"),
        "seeds {seed} and {other} gave the same events.jsonl"
    );
    // Both loops acted: the files are not trivially equal because nothing happened.
    let events = String::from_utf8(read(a.path(), "events.jsonl")).expect("UTF-8");
    assert!(
        events.contains("\"subject\":\"web\",\"message\":\"Setting desired count"),
        "seed {seed}"
    );
    assert!(
        events.contains("Changing the desired capacity of web-asg"),
        "seed {seed}"
    );
}

// ---- 8. bad input -------------------------------------------------------------------------

#[test]
fn bad_scaling_input_is_reported_with_json_paths() {
    let mut v = skeleton("bad-scaling", "1h", &["us-east-1a"]);
    v["cluster"]["capacityProviders"] = json!(["cp", "FARGATE"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 0, "maxSize": 4
    }]);
    // Managed termination protection without managed scaling.
    v["capacityProviders"] = json!([{
        "name": "cp",
        "autoScalingGroupProvider": { "autoScalingGroupArn": "asg", "managedTerminationProtection": "ENABLED" }
    }]);
    v["taskDefinitions"] = json!([{
        "family": "web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"]
    }]);
    let load = json!({ "points": [{ "at": "0s", "requestsPerSecond": 10 }], "requestsPerTaskPerSecond": 100 });
    let tt = |metric: &str| {
        json!({
            "policyName": "tt",
            "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 50,
                "predefinedMetricSpecification": { "predefinedMetricType": metric }
            }
        })
    };
    let service = |name: &str| json!({ "serviceName": name, "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE" });
    let mut no_load = service("no-load");
    no_load["autoScaling"] = json!({ "minCapacity": 1, "maxCapacity": 4, "policies": [tt("ECSServiceAverageCPUUtilization")] });
    let mut typo = service("typo");
    typo["load"] = load.clone();
    typo["autoScaling"] = json!({
        "minCapacity": 1,
        "maxCapacity": 4,
        "policies": [
            tt("ECSServiceAverageCpuUtilization"),
            {
                "policyName": "step",
                "policyType": "StepScaling",
                "stepScalingPolicyConfiguration": {
                    "adjustmentType": "ChangeInCapacity",
                    "stepAdjustments": [{ "metricIntervalLowerBound": 0, "scalingAdjustment": 1 }]
                },
                "alarm": { "metricName": "CPUUtilization", "threshold": 70, "comparisonOperator": "GreaterThanThreshold" }
            }
        ]
    });
    let mut bounds = service("bounds");
    bounds["load"] = load;
    bounds["autoScaling"] = json!({
        "minCapacity": 5,
        "maxCapacity": 2,
        "scheduledActions": [{
            "scheduledActionName": "bad-hour",
            "schedule": "cron(0 25 * * ? *)",
            "scalableTargetAction": { "minCapacity": 1 }
        }]
    });
    v["services"] = json!([no_load, typo, bounds]);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let problems = super::bad_input::problems_of(&text);
    let all = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let find = |path: &str| {
        problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("no problem at {path}; got:\n{all}"))
    };
    let metric = "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType";
    // A target tracking metric needs the load model that gives it values.
    let p = find(&format!("services[0].autoScaling.policies[0].{metric}"));
    assert!(p.message.contains("load"), "{all}");
    // Unknown metric names, in a target tracking policy and in a step policy's alarm: the
    // message names the bad value and the valid ones.
    let p = find(&format!("services[1].autoScaling.policies[0].{metric}"));
    assert!(
        p.message.contains("ECSServiceAverageCpuUtilization")
            && p.message.contains("ECSServiceAverageCPUUtilization"),
        "{all}"
    );
    let p = find("services[1].autoScaling.policies[1].alarm.metricName");
    assert!(p.message.contains("CPUUtilization"), "{all}");
    // minCapacity > maxCapacity.
    let p = find("services[2].autoScaling.minCapacity");
    assert!(p.message.contains("5 > 2"), "{all}");
    // Hour 25 in a cron expression.
    let p = find("services[2].autoScaling.scheduledActions[0].schedule");
    assert!(p.message.contains("25"), "{all}");
    // Managed termination protection requires managed scaling (§1.7).
    let p = find("capacityProviders[0].autoScalingGroupProvider.managedTerminationProtection");
    assert!(p.message.contains("managed scaling"), "{all}");
    assert_eq!(problems.len(), 6, "exactly the six mistakes:\n{all}");
}

#[test]
fn instances_present_at_the_start_are_past_their_warm_up() {
    // The run starts from a running cluster (one registered instance at t = 0, "start of
    // run" assumption), not a booting one: the warm-up (default 300 s) applies to instances
    // a scale-out launched (§1.4, §1.5), so it does not hold back the first scale-out.
    // 6 tasks of 512/2048: 3 fit on the instance, 3 wait (created when the instance
    // registers at t = 0, before the first evaluation). 0 s: M = 1 + ⌈3 / 3⌉ = 2, N = 1 →
    // 200 → ⌈1 × 200 / 100⌉ = 2: 1 → 2 at 0 s, not held until 300 s.
    let v = ec2_web(
        "10m",
        &["us-east-1a"],
        1,
        10,
        json!({ "managedScaling": { "status": "ENABLED" } }),
        TASK_512_2048,
        6,
    );
    let r = run(&v, SEED);
    assert_eq!(
        provider_activities(&r, "cp"),
        vec![(0.0, 1, 2)],
        "seed {SEED}:\n{}",
        listing(&r)
    );
    // The instance it launched is warming up: with 3 more tasks after the first minute the
    // next scale-out would wait until 300 s (checked in
    // managed_scaling_from_zero_goes_to_two_then_waits_for_warm_up).
}

#[test]
fn binpack_scale_in_empties_the_least_packed_instances_so_the_cluster_can_shrink() {
    // Three m5.large at t = 0 (MTP on), service `web` with binpack(memory) and 7 tasks of
    // 512/2048 (3 per instance, TASK_512_2048): binpack fills one instance before the next,
    // ties to the lowest id: 3 on i-0, 3 on i-1, 1 on i-2. M = N = 3.
    // At 5 min a scheduled action caps the service at 3 tasks: 4 stop. On scale-in, binpack
    // stops the task on the instance that would have the most of the field left after
    // termination (ecs-reference §4.2): first the lone task on i-2, then one on a full
    // instance (a tie, broken toward the newest task: i-1), then i-1 again twice (it now has
    // the most memory left): 3 tasks remain, all on i-0. M = 1, N = 3 → 33.3 from 360 s (the tasks stop at
    // 305 s); the 15th datapoint is at 1200 s: 3 → max(⌈3 × 33.3 / 100⌉, 3 − ⌊3 / 2⌋) = 2,
    // then 1260 s: 2 → max(1, 2 − 1) = 1. The cluster ends with the one full instance.
    let mut v = ec2_web(
        "25m",
        &["us-east-1a"],
        3,
        10,
        json!({ "managedScaling": { "status": "ENABLED" }, "managedTerminationProtection": "ENABLED" }),
        TASK_512_2048,
        7,
    );
    v["settings"]["startTime"] = json!(START);
    v["services"][0]["placementStrategy"] = json!([{ "type": "binpack", "field": "memory" }]);
    v["services"][0]["autoScaling"] = json!({
        "minCapacity": 0,
        "maxCapacity": 7,
        "scheduledActions": [{
            "scheduledActionName": "cap",
            "schedule": "at(2026-01-05T00:05:00)",
            "scalableTargetAction": { "maxCapacity": 3 }
        }]
    });
    for seed in SEEDS {
        let r = run(&v, seed);
        assert_eq!(
            provider_activities(&r, "cp"),
            vec![(1200.0, 3, 2), (1260.0, 2, 1)],
            "seed {seed}:\n{}",
            listing(&r)
        );
        assert!(
            scaling(&r, "cp")[0].2.contains("M = 1, N = 3"),
            "seed {seed}:\n{}",
            listing(&r)
        );
        assert_eq!(provider_row(&r, 25).instances, 1, "seed {seed}");
        assert_eq!(r.summary.tasks.interrupted, 0, "seed {seed}");
        assert_eq!(r.summary.services[0].running_at_end, 3, "seed {seed}");
    }
}

/// A metric delay beyond the limit is one error naming its JSON path.
#[test]
fn a_metric_delay_over_an_hour_is_refused_by_name() {
    let mut v = fargate_web(4, tt_load(), tt_scaling(true), "20m");
    v["settings"]["highResolutionMetricDelay"] = json!("2h");
    let text = serde_json::to_string(&v).expect("serialisable");
    let err = ecsim::scenario::from_json_str(
        &text,
        std::path::Path::new("s.json"),
        super::support::repo_root(),
    )
    .expect_err("2h is over the limit")
    .to_string();
    assert!(
        err.contains("settings.highResolutionMetricDelay")
            && err.contains("expected at most 3600s, found 7200s"),
        "{err}"
    );
}
