//! Warm start (`settings.start`) and the measurement window (`settings.measureFrom`), issue 10
//! point 7: a scenario describes a running system, and a warm-up can be left out of every
//! figure exactly.

use ecsim::scenario::StartMode;
use serde_json::{json, Value};

use super::bad_input::problems_of;
use super::support::{close, repo_root, run, scenario, skeleton, zero_latencies, USD};

const SEED: u64 = 7;

/// One service with a load model (100 requests/s per task, 400 requests/s offered, so its 4
/// desired tasks are just enough) on three m5.large instances behind a capacity provider,
/// and one on Fargate, both with the default (non-zero) start latencies.
fn loaded_services(start: Option<&str>) -> Value {
    let mut v = skeleton("warm", "10m", &["us-east-1a", "us-east-1b"]);
    v["cluster"]["capacityProviders"] = json!(["ec2", "FARGATE", "FARGATE_SPOT"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 3,
        "maxSize": 3
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "512", "memory": "1024", "requiresCompatibilities": ["EC2", "FARGATE"] }
    ]);
    let load = json!({
        "points": [{ "at": "0s", "requestsPerSecond": 400 }],
        "requestsPerTaskPerSecond": 100
    });
    v["services"] = json!([
        {
            "serviceName": "on-ec2", "taskDefinition": "web", "desiredCount": 4,
            "capacityProviderStrategy": [{ "capacityProvider": "ec2", "weight": 1 }],
            "load": load
        },
        {
            "serviceName": "on-fargate", "taskDefinition": "web", "desiredCount": 4,
            "capacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }],
            "load": load
        }
    ]);
    if let Some(s) = start {
        v["settings"] = json!({ "start": s });
    }
    v
}

#[test]
fn a_warm_service_serves_every_request_of_its_first_minute() {
    let r = run(&loaded_services(None), SEED);
    for (i, s) in r.summary.services.iter().enumerate() {
        let minute1 = r
            .service_series
            .iter()
            .find(|row| row.minute == 1 && row.service == i as u32)
            .expect("a minute-1 row per service");
        assert_eq!(
            minute1.unserved_requests, 0.0,
            "seed {SEED}: {}: {minute1:?}",
            s.name
        );
        let load = s.load.as_ref().expect("load model");
        // 400 requests/s for 10 minutes, all served by 4 tasks of 100 requests/s each.
        assert!(close(load.requests, 240_000.0, 1e-6), "{load:?}");
        assert_eq!(load.unserved, 0.0, "seed {SEED}: {}: {load:?}", s.name);
        assert_eq!(s.minutes_below_desired, 0, "seed {SEED}: {}", s.name);
        // Warm tasks never waited: no wait sample, no steady-state event.
        assert_eq!(s.tasks.started, 4, "seed {SEED}: {}", s.name);
    }
    assert_eq!(r.summary.wait_time_s.count, 0, "seed {SEED}");
    assert!(
        r.events.iter().all(|e| !e.message.contains("steady state")),
        "seed {SEED}: {:?}",
        r.events
    );
    // The minute-0 row already shows them RUNNING, with nothing pending.
    let row0 = &r.timeseries[0];
    assert_eq!((row0.tasks_running, row0.tasks_pending), (8, 0), "{row0:?}");
}

#[test]
fn a_cold_service_loses_its_first_minute_as_before() {
    // The same scenario started cold: the tasks go through PROVISIONING and PENDING, so the
    // first minute's requests are partly unserved (what every shipped comparison measured
    // before warm starts).
    let r = run(&loaded_services(Some("cold")), SEED);
    for (i, s) in r.summary.services.iter().enumerate() {
        let minute1 = r
            .service_series
            .iter()
            .find(|row| row.minute == 1 && row.service == i as u32)
            .expect("a minute-1 row per service");
        assert!(
            minute1.unserved_requests > 0.0,
            "seed {SEED}: {}: {minute1:?}",
            s.name
        );
    }
    assert_eq!(r.summary.wait_time_s.count, 8, "seed {SEED}");
}

#[test]
fn cold_start_reproduces_the_figures_from_before_warm_starts() {
    // tests/golden/quickstart.json before warm starts existed (commit a3f87b6); the same
    // figures come from `/work/main`'s binary, whose summary.json and CSVs matched a cold run
    // byte for byte apart from the new `window` and `in_flight_at_start` fields.
    let mut sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("loads");
    sc.settings.start = StartMode::Cold;
    // Those figures predate issue 15: Karpenter's 7.5 % memory overhead for every type and
    // Fargate Spot at 0.33 × On-Demand. The two overrides bring both back, so the figures
    // still reproduce.
    sc.settings.memory_overhead = ecsim::cloud::MemoryOverhead::from_fraction(
        ecsim::cloud::KARPENTER_VM_MEMORY_OVERHEAD_FRACTION,
        ecsim::units::MemoryMib(0),
    )
    .expect("a valid fraction");
    sc.catalog.fargate.spot_price_factor =
        Some(ecsim::cloud::fargate::DEFAULT_FARGATE_SPOT_PRICE_FACTOR);
    let r = ecsim::run(&sc, None, &mut |_| {}).expect("runs");
    let s = &r.summary;
    assert_eq!(s.cost.total_usd, 4.721382);
    assert_eq!(s.wait_time_s.count, 970);
    assert_eq!(s.wait_time_s.mean, 279.4873);
    assert_eq!(s.wait_time_s.p95, 684.834);
    assert_eq!(s.usage.running_task_hours, 49.1402);
    assert_eq!(s.services[0].cost_usd, 0.221844);
    assert_eq!(s.services[1].cost_usd, 0.065382);
    assert_eq!(s.services[1].minutes_below_desired, 1);
    assert_eq!(s.tasks.submitted, 970);
    assert_eq!(s.tasks.in_flight_at_start, 0);
}

/// `n` m5.large instances for the whole run and a service of one task on Fargate, with
/// `measureFrom` set.
fn idle_cluster(n: u32, duration: &str, measure_from: &str) -> Value {
    let mut v = skeleton("window", duration, &["us-east-1a"]);
    let mut settings = zero_latencies();
    settings["measureFrom"] = json!(measure_from);
    v["settings"] = settings;
    v["cluster"]["capacityProviders"] = json!(["ec2", "FARGATE", "FARGATE_SPOT"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": n,
        "maxSize": n
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    v["taskDefinitions"] = json!([
        { "family": "api", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"] }
    ]);
    v["services"] = json!([{
        "serviceName": "api", "taskDefinition": "api", "desiredCount": 1,
        "launchType": "FARGATE"
    }]);
    v
}

#[test]
fn measure_from_leaves_the_warm_up_out_of_the_cost_exactly() {
    let r = run(&idle_cluster(3, "3h", "1h"), SEED);
    let s = &r.summary;
    assert_eq!(
        (s.window.from_s, s.window.to_s, s.window.duration_s),
        (3600.0, 10_800.0, 7200.0)
    );
    // EC2: 3 m5.large × $0.096/h × 2 h (the window) = $0.576, all idle.
    // Fargate: one 0.25 vCPU / 0.5 GB task × 7200 s × (0.25 × 0.000011244 + 0.5 × 0.000001235)
    //   = 7200 × 0.0000034285 = $0.0246852.
    let ec2 = 3.0 * 0.096 * 2.0;
    let fargate = 7200.0 * (0.25 * 0.000011244 + 0.5 * 0.000001235);
    assert!(close(s.cost.ec2_usd, ec2, USD), "{:?}", s.cost);
    assert!(close(s.cost.idle_usd, ec2, USD), "{:?}", s.cost);
    assert!(close(s.cost.fargate_usd, fargate, USD), "{:?}", s.cost);
    assert!(close(s.cost.total_usd, ec2 + fargate, USD), "{:?}", s.cost);
    assert!(
        close(s.services[0].cost_usd, fargate, USD),
        "{:?}",
        s.services[0]
    );
    // Per hour over the 2 h window, not the 3 h run.
    assert!(
        close(s.cost.per_hour_usd, (ec2 + fargate) / 2.0, USD),
        "{:?}",
        s.cost
    );
    // 3 instances × 2 h; one task RUNNING for 2 h.
    assert!(
        close(s.instances.instance_hours, 6.0, 1e-4),
        "{:?}",
        s.instances
    );
    assert!(
        close(s.usage.running_task_hours, 2.0, 1e-4),
        "{:?}",
        s.usage
    );
    assert!(
        close(s.usage.fargate_vcpu_hours, 0.5, 1e-4),
        "{:?}",
        s.usage
    );
    // The task was RUNNING before the window: in flight at its start, not submitted in it.
    let t = &s.services[0].tasks;
    assert_eq!(
        (t.in_flight_at_start, t.submitted, t.started),
        (1, 0, 0),
        "{t:?}"
    );
    assert_eq!(
        s.instances.launched, 0,
        "the t = 0 instances are before the window"
    );
    assert_eq!(s.instances.peak, 3);
    // Paid vCPU averaged over the window's minutes: 3 × 2 vCPU + 0.25 vCPU.
    assert!(close(s.usage.vcpu_paid_avg, 6.25, 1e-4), "{:?}", s.usage);
    // The whole run's figure is the same arithmetic over 3 h: the window is what changed it.
    let whole = run(&idle_cluster(3, "3h", "0s"), SEED);
    assert!(close(whole.summary.cost.ec2_usd, 3.0 * 0.096 * 3.0, USD));
    assert_eq!(whole.summary.window.from_s, 0.0);
}

#[test]
fn measure_from_leaves_the_cold_start_out_of_requests_and_waits() {
    // Cold start, window from minute 5: the unserved requests of the first minute are
    // warm-up, and the tasks started in minute 1 are not the window's waits.
    let mut v = loaded_services(Some("cold"));
    v["settings"]["measureFrom"] = json!("5m");
    let r = run(&v, SEED);
    let s = &r.summary;
    for svc in &s.services {
        let load = svc.load.as_ref().expect("load model");
        // 400 requests/s over the 5-minute window, all served.
        assert!(close(load.requests, 120_000.0, 1e-6), "{load:?}");
        assert_eq!(load.unserved, 0.0, "{}: {load:?}", svc.name);
        assert_eq!(load.minutes_with_shortfall, 0, "{}", svc.name);
        assert_eq!(svc.availability.task_minutes_below_desired, 0);
        assert_eq!(svc.minutes_below_desired, 0);
    }
    assert_eq!(s.wait_time_s.count, 0, "{:?}", s.wait_time_s);
    assert_eq!(s.tasks.in_flight_at_start, 8);
}

#[test]
fn measure_from_must_be_before_the_end_and_whole_minutes() {
    for (from, expected) in [
        ("3h", "expected less than the duration"),
        ("4h", "expected less than the duration"),
        ("90s", "expected a whole number of minutes"),
    ] {
        let v = idle_cluster(1, "3h", from);
        let text = serde_json::to_string(&v).expect("serialisable");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "{from}: {problems:?}");
        assert_eq!(problems[0].path, "settings.measureFrom", "{problems:?}");
        assert!(
            problems[0].message.contains(expected),
            "{from}: {}",
            problems[0].message
        );
    }
    let mut v = idle_cluster(1, "3h", "0s");
    v["settings"]["start"] = json!("hot");
    let problems = problems_of(&serde_json::to_string(&v).expect("serialisable"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "settings.start");
    // And the valid ones are accepted.
    scenario(&idle_cluster(1, "3h", "179m"));
}

#[test]
fn tasks_that_do_not_fit_at_time_zero_start_cold_and_an_event_says_so() {
    // One m5.large (2 vCPU registered as 2048 units) holds 4 tasks of 512 CPU units; the
    // service wants 6 on launch type EC2.
    let mut v = skeleton("partial", "10m", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": 1,
        "maxSize": 1
    }]);
    v["taskDefinitions"] = json!([
        { "family": "web", "cpu": "512", "memory": "512", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([{
        "serviceName": "web", "taskDefinition": "web", "desiredCount": 6, "launchType": "EC2"
    }]);
    let r = run(&v, SEED);
    let warm = r
        .events
        .iter()
        .find(|e| e.message.contains("started warm"))
        .expect("an event about the tasks that did not fit");
    assert_eq!(warm.time_s, 0.0);
    assert!(
        warm.message.contains("4 of its 6 tasks RUNNING") && warm.message.contains("other 2"),
        "{}",
        warm.message
    );
    let s = &r.summary.services[0];
    assert_eq!((s.running_at_end, s.tasks.started), (4, 4), "{s:?}");
}

#[test]
fn warm_start_is_the_default_and_cold_is_asked_for() {
    let sc = scenario(&loaded_services(None));
    assert_eq!(sc.settings.start, ecsim::defaults::START);
    assert_eq!(sc.settings.start, StartMode::Warm);
    let sc = scenario(&loaded_services(Some("cold")));
    assert_eq!(sc.settings.start, StartMode::Cold);
}

#[test]
fn the_window_is_shown_in_the_table_and_the_report() {
    let r = run(&idle_cluster(1, "3h", "1h"), SEED);
    let table = ecsim::report::render::table(&r.summary);
    assert!(
        table.contains("measured from 1h to 3h (2h)"),
        "seed {SEED}:\n{table}"
    );
    let html = ecsim::report::html::report_html(&r);
    assert!(
        html.contains("measured from 1:00:00 to 3:00:00 (2:00:00)"),
        "seed {SEED}"
    );
    // A whole-run window adds no line: the output of runs without measureFrom is unchanged.
    let whole = run(&idle_cluster(1, "3h", "0s"), SEED);
    assert!(!ecsim::report::render::table(&whole.summary).contains("measured from"));
    assert!(!ecsim::report::html::report_html(&whole).contains("measured from"));
}
