//! Whole-run billing against hand arithmetic (ecs-reference §7).

use serde_json::json;

use super::support::{close, run, skeleton, zero_latencies, USD};

const SEED: u64 = 1;

#[test]
fn idle_asg_for_one_hour_costs_n_times_the_hourly_price() {
    let n = 3;
    let mut v = skeleton("idle", "1h", &["us-east-1a", "us-east-1b"]);
    v["settings"] = zero_latencies();
    v["cluster"]["capacityProviders"] = json!(["ec2"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg",
        "instanceTypes": ["m5.large"],
        "minSize": n,
        "maxSize": n
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    // A scenario needs a service or workload; one with no tasks keeps the cluster empty.
    v["taskDefinitions"] = json!([
        { "family": "none", "cpu": "256", "memory": "512", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([
        { "serviceName": "none", "taskDefinition": "none", "desiredCount": 0 }
    ]);
    let r = run(&v, SEED);
    let c = &r.summary.cost;
    // §7.5: m5.large is $0.096/h; 3 instances × 1 h × 0.096 = $0.288, all of it idle.
    let expected = 0.288;
    assert!(
        close(c.total_usd, expected, USD),
        "seed {SEED}: total {}",
        c.total_usd
    );
    assert!(
        close(c.ec2_usd, expected, USD),
        "seed {SEED}: ec2 {}",
        c.ec2_usd
    );
    assert!(
        close(c.idle_usd, expected, USD),
        "seed {SEED}: idle {}",
        c.idle_usd
    );
    assert_eq!(c.fargate_usd, 0.0, "seed {SEED}");
    // Cost per hour over a 1 h run is the total.
    assert!(
        close(c.per_hour_usd, expected, USD),
        "seed {SEED}: {}",
        c.per_hour_usd
    );
    let keys: Vec<_> = c.by_capacity_provider.keys().cloned().collect();
    assert_eq!(
        keys,
        vec!["ec2".to_string()],
        "seed {SEED}: {:?}",
        c.by_capacity_provider
    );
    assert!(
        close(c.by_capacity_provider["ec2"], expected, USD),
        "seed {SEED}"
    );
    // 3 instance-hours; nothing reserved.
    assert!(
        close(r.summary.instances.instance_hours, 3.0, USD),
        "seed {SEED}"
    );
    assert_eq!(r.summary.instances.launched, 3, "seed {SEED}");
    assert_eq!(r.summary.reservation.cpu_pct_avg, 0.0, "seed {SEED}");
    // The last per-minute row (minute 60) has the whole cost.
    let last = r.timeseries.last().expect("rows");
    assert_eq!(last.minute, 60, "seed {SEED}");
    assert!(
        close(last.cost_usd, expected, USD),
        "seed {SEED}: {}",
        last.cost_usd
    );
    // The per-provider cost series: one column per provider (the Fargate ones are always
    // there), the EC2 one all idle.
    assert_eq!(r.cost_series_providers, ["ec2", "FARGATE", "FARGATE_SPOT"]);
    let last = r.cost_series.last().expect("cost rows");
    assert_eq!(last.minute, 60);
    assert!(close(last.by_provider_usd[0], expected, USD), "{last:?}");
    assert_eq!(&last.by_provider_usd[1..], [0.0, 0.0]);
    assert!(close(last.idle_usd, expected, USD), "{last:?}");
    // All of that idle is the one EC2 provider's; the Fargate columns have none.
    assert!(
        close(last.idle_by_provider_usd[0], expected, USD),
        "{last:?}"
    );
    assert_eq!(&last.idle_by_provider_usd[1..], [0.0, 0.0]);
    assert!(
        close(c.idle_by_capacity_provider["ec2"], expected, USD),
        "{c:?}"
    );
    assert_eq!(c.idle_by_capacity_provider.len(), 1, "{c:?}");
    // Half an hour in, half of it.
    let half = r
        .cost_series
        .iter()
        .find(|row| row.minute == 30)
        .expect("minute 30");
    assert!(
        close(half.by_provider_usd[0], expected / 2.0, USD),
        "{half:?}"
    );
    let u = &r.summary.usage;
    assert!(close(u.ec2_instance_hours, 3.0, USD), "{u:?}");
    assert_eq!(u.ec2_reserved_share_pct, 0.0);
    assert_eq!(u.running_task_hours, 0.0);
}

#[test]
fn fargate_service_is_billed_from_pull_start_to_the_end() {
    let k = 3;
    let mut v = skeleton("fargate-bill", "1h", &["us-east-1a", "us-east-1b"]);
    let mut settings = zero_latencies();
    settings["fargateProvisioningLatency"] = json!("10s");
    settings["fargateTaskStartLatency"] = json!("20s");
    // Cold: the task goes through provisioning and pull, whose billing start is the point.
    settings["start"] = json!("cold");
    v["settings"] = settings;
    v["taskDefinitions"] = json!([{
        "family": "api", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["services"] = json!([{
        "serviceName": "api", "taskDefinition": "api", "desiredCount": k, "launchType": "FARGATE"
    }]);
    let r = run(&v, SEED);
    let s = &r.summary;
    // Tasks are created at 0 s, pull starts at 10 s (billing starts), RUNNING at 30 s, and
    // they run to the end at 3600 s: 3590 billed seconds each.
    // Rate (§7.1, x86): 1 vCPU × 0.000011244 + 2 GB × 0.000001235 = 0.000013714 $/s.
    // Per task: 3590 × 0.000013714 = 0.04923326; × 3 tasks = 0.14769978.
    let expected = 0.14769978;
    assert!(
        close(s.cost.total_usd, expected, USD),
        "seed {SEED}: total {}",
        s.cost.total_usd
    );
    assert!(close(s.cost.fargate_usd, expected, USD), "seed {SEED}");
    assert_eq!(s.cost.ec2_usd, 0.0, "seed {SEED}");
    assert_eq!(s.cost.idle_usd, 0.0, "seed {SEED}");
    let nonzero: Vec<_> = s
        .cost
        .by_capacity_provider
        .iter()
        .filter(|(_, v)| **v != 0.0)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        nonzero,
        vec!["FARGATE".to_string()],
        "seed {SEED}: {:?}",
        s.cost.by_capacity_provider
    );
    assert!(
        close(s.cost.by_capacity_provider["FARGATE"], expected, USD),
        "seed {SEED}"
    );
    assert!(
        close(s.cost.by_service["api"], expected, USD),
        "seed {SEED}: {:?}",
        s.cost.by_service
    );
    // Every task waited 30 s (10 s provisioning + 20 s start) and is still running.
    assert_eq!(s.tasks.started, k, "seed {SEED}");
    assert_eq!(s.tasks.running_at_end, k, "seed {SEED}");
    assert!(
        close(s.wait_time_s.mean, 30.0, USD),
        "seed {SEED}: {}",
        s.wait_time_s.mean
    );
    assert!(close(s.wait_time_s.max, 30.0, USD), "seed {SEED}");
    // The wait histogram puts all three in the [30 s, 60 s) bin.
    let bins: Vec<(f64, u64)> = r
        .wait_histogram
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| (b.lower_s, b.count))
        .collect();
    assert_eq!(bins, vec![(30.0, k)]);
    // RUNNING from 30 s to 3600 s: 3 × 3570 s = 2.975 task-hours, all on Fargate.
    let u = &s.usage;
    assert!(close(u.running_task_hours, 2.975, 1e-4), "{u:?}");
    assert!(close(u.fargate_running_task_hours, 2.975, 1e-4), "{u:?}");
    assert_eq!(u.ec2_running_task_hours, 0.0);
    // Billed 3 × 3590 s of 1 vCPU and 2 GB.
    assert!(
        close(u.fargate_vcpu_hours, 3.0 * 3590.0 / 3600.0, 1e-4),
        "{u:?}"
    );
    assert!(
        close(u.fargate_gb_hours, 6.0 * 3590.0 / 3600.0, 1e-4),
        "{u:?}"
    );
    // The cost series ends on the total, all under FARGATE; no EC2, so no idle.
    let col = r
        .cost_series_providers
        .iter()
        .position(|p| p == "FARGATE")
        .expect("FARGATE column");
    let last = r.cost_series.last().expect("cost rows");
    assert!(close(last.by_provider_usd[col], expected, USD), "{last:?}");
    assert_eq!(last.idle_usd, 0.0);
}

#[test]
fn reserved_share_and_running_task_hours_of_an_ec2_service() {
    // One m5.large (2048 CPU units, 7,577 MiB registered; §2.2) running 2 tasks of
    // 1024 CPU / 1024 MiB for the whole hour with zero latencies.
    let mut v = skeleton("ec2-share", "1h", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["cluster"]["capacityProviders"] = json!(["ec2"]);
    v["autoScalingGroups"] = json!([{
        "autoScalingGroupName": "asg", "instanceTypes": ["m5.large"], "minSize": 1, "maxSize": 1
    }]);
    v["capacityProviders"] = json!([
        { "name": "ec2", "autoScalingGroupProvider": { "autoScalingGroupArn": "asg" } }
    ]);
    v["taskDefinitions"] = json!([
        { "family": "t", "cpu": "1024", "memory": "1024", "requiresCompatibilities": ["EC2"] }
    ]);
    v["services"] = json!([{
        "serviceName": "s", "taskDefinition": "t", "desiredCount": 2,
        "capacityProviderStrategy": [{ "capacityProvider": "ec2", "weight": 1 }]
    }]);
    let r = run(&v, SEED);
    let u = &r.summary.usage;
    assert!(close(u.ec2_running_task_hours, 2.0, 1e-4), "{u:?}");
    assert!(close(u.running_task_hours, 2.0, 1e-4), "{u:?}");
    // m5.large (Nitro) registers ⌊8192 × 0.96⌋ = 7864 MiB.
    // Reserved share = ½ × 2048/2048 + ½ × 2048/7864 = 0.5 + 0.130214… = 63.0214 %.
    let expected_pct = 50.0 + 50.0 * 2048.0 / 7864.0;
    assert!(close(u.ec2_reserved_share_pct, expected_pct, 1e-3), "{u:?}");
    let c = &r.summary.cost;
    assert!(
        close(c.idle_usd, 0.096 * (1.0 - expected_pct / 100.0), USD),
        "{c:?}"
    );
    let last = r.cost_series.last().expect("cost rows");
    assert!(close(last.idle_usd, c.idle_usd, USD), "{last:?}");
    assert!(
        close(last.idle_by_provider_usd[0], c.idle_usd, USD),
        "{last:?}"
    );
    assert!(
        close(c.idle_by_capacity_provider["ec2"], c.idle_usd, USD),
        "{c:?}"
    );
    // The stdout table says the same: the provider's idle beside its cost, and the usage
    // averages (paid 2 vCPU; reserved and used 2 × 1 vCPU, no load model: 100 % of paid).
    let table = ecsim::report::render::table(&r.summary);
    assert!(
        table.contains(&format!("(idle {:.4})", c.idle_usd)),
        "{table}"
    );
    let vcpu = table
        .lines()
        .find(|l| l.trim_start().starts_with("vCPU"))
        .expect("a vCPU usage line");
    assert_eq!(
        vcpu.split_whitespace().collect::<Vec<_>>(),
        ["vCPU", "2.00", "2.00", "(100%)", "2.00", "(100%)"],
        "{table}"
    );
}

#[test]
fn short_fargate_tasks_pay_the_one_minute_minimum() {
    let dir = tempfile::tempdir().unwrap();
    // One RunTask call of two 10-second tasks at t = 5 s.
    std::fs::write(
        dir.path().join("t.csv"),
        "submit_time_s,cpu_units,memory_mib,duration_s,count\n5,1024,2048,10,2\n",
    )
    .unwrap();
    let mut v = skeleton("fargate-min", "10m", &["us-east-1a"]);
    v["settings"] = zero_latencies();
    v["taskDefinitions"] = json!([{
        "family": "b", "cpu": "1024", "memory": "2048", "requiresCompatibilities": ["FARGATE"]
    }]);
    v["workloads"] = json!([{
        "name": "b", "taskDefinition": "b", "launchType": "FARGATE",
        "source": { "csv": { "path": "t.csv" } }
    }]);
    let file = dir.path().join("s.json");
    std::fs::write(&file, serde_json::to_string(&v).unwrap()).unwrap();
    let sc = ecsim::load(&file).expect("valid");
    let r = ecsim::run(&sc, Some(SEED), &mut |_| {}).expect("runs");
    let s = &r.summary;
    assert_eq!(s.tasks.submitted, 2, "seed {SEED}");
    assert_eq!(s.tasks.completed, 2, "seed {SEED}");
    // Each 10-second task is billed the 60-second minimum (§7.1):
    // 60 × (1 × 0.000011244 + 2 × 0.000001235) = 60 × 0.000013714 = 0.00082284 $;
    // two tasks: 0.00164568 $.
    let expected = 0.00164568;
    assert!(
        close(s.cost.total_usd, expected, USD),
        "seed {SEED}: cost {}, expected {expected}",
        s.cost.total_usd
    );
    assert!(close(s.cost.by_workload["b"], expected, USD), "seed {SEED}");
    // 0.00164568 / 2 completed tasks.
    assert!(
        close(s.workloads[0].cost_per_completed_task_usd, 0.00082284, USD),
        "seed {SEED}: {}",
        s.workloads[0].cost_per_completed_task_usd
    );
}

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes
/// doubled, and newlines), so the test does not trust the renderer's own quoting.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    assert!(field.is_empty() && record.is_empty(), "no final newline");
    records
}

#[test]
fn costs_csv_has_a_column_per_provider_and_idle_part_and_ends_on_the_total() {
    let root = super::support::repo_root();
    let sc = ecsim::load(&root.join("scenarios/quickstart.json")).expect("quickstart loads");
    let r = ecsim::run(&sc, Some(SEED), &mut |_| {}).expect("runs");
    assert_eq!(
        r.cost_series_providers,
        ["web-ec2", "batch-ec2", "FARGATE", "FARGATE_SPOT"]
    );
    let text = ecsim::report::render::costs_csv(&r);
    let rows = parse_csv(&text);
    assert_eq!(
        rows[0],
        [
            "minute",
            "web-ec2_usd",
            "web-ec2_idle_usd",
            "batch-ec2_usd",
            "batch-ec2_idle_usd",
            "FARGATE_usd",
            "FARGATE_SPOT_usd",
            "total_usd"
        ]
    );
    assert_eq!(rows.len(), r.cost_series.len() + 1);
    for row in &rows {
        assert_eq!(row.len(), rows[0].len(), "{row:?}");
    }
    let num = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{s}: {e}"));
    let last = rows.last().expect("a data row");
    let last_ts = r.timeseries.last().expect("timeseries rows");
    assert_eq!(last[0], last_ts.minute.to_string());
    // Each provider column is rounded to the micro-dollar on its own, the timeseries total
    // once: they agree within one rounding per provider.
    let tolerance = USD * r.cost_series_providers.len() as f64;
    let total = num(&last[7]);
    assert!(
        close(total, last_ts.cost_usd, tolerance),
        "{total} vs {}",
        last_ts.cost_usd
    );
    // The total is the sum of the provider columns (not of the idle parts).
    let parts: f64 = [1, 3, 5, 6].iter().map(|&i| num(&last[i])).sum();
    assert!(close(total, parts, 1e-9), "{last:?}");
    // An idle part never exceeds its provider's cost.
    for row in &rows[1..] {
        assert!(num(&row[2]) <= num(&row[1]) + 1e-9, "{row:?}");
        assert!(num(&row[4]) <= num(&row[3]) + 1e-9, "{row:?}");
    }

    // Provider names with commas and quotes are quoted in the header, so it still parses
    // into as many fields as each row has.
    let mut odd = r.clone();
    odd.cost_series_providers[0] = "web,ec2".to_string();
    odd.cost_series_providers[1] = "batch \"b\"".to_string();
    let text = ecsim::report::render::costs_csv(&odd);
    assert!(text.starts_with("minute,\"web,ec2_usd\",\"web,ec2_idle_usd\",\"batch \"\"b\"\"_usd\""));
    let rows = parse_csv(&text);
    assert_eq!(rows[0][1], "web,ec2_usd");
    assert_eq!(rows[0][4], "batch \"b\"_idle_usd");
    for row in &rows {
        assert_eq!(row.len(), 8, "{row:?}");
    }
}
