//! Renderers: pure functions from a [`Report`] to the bytes of each output file.
//!
//! The binary decides where they go and writes them atomically; nothing here does I/O.
//! Output is deterministic: maps are `BTreeMap`s and floats are printed by `serde_json`'s
//! shortest round-trip formatting, so the same report gives the same bytes.

use std::fmt::Write as _;

use super::{is_fargate_provider, Report, Summary};

/// `summary.json`, pretty-printed, ending in a newline.
pub fn summary_json(summary: &Summary) -> String {
    let mut s =
        serde_json::to_string_pretty(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The header of `timeseries.csv`.
pub const TIMESERIES_HEADER: &str = "minute,instances_pending,instances_active,instances_draining,tasks_queued,tasks_provisioning,tasks_pending,tasks_running,cpu_reserved_pct,memory_reserved_pct,cost_usd,vcpu_paid,vcpu_reserved,vcpu_used,memory_gib_paid,memory_gib_reserved,memory_gib_used";

/// `timeseries.csv`: one row per simulated minute.
pub fn timeseries_csv(report: &Report) -> String {
    let mut out = String::with_capacity(112 * (report.timeseries.len() + 1));
    out.push_str(TIMESERIES_HEADER);
    out.push('\n');
    for r in &report.timeseries {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.minute,
            r.instances_pending,
            r.instances_active,
            r.instances_draining,
            r.tasks_queued,
            r.tasks_provisioning,
            r.tasks_pending,
            r.tasks_running,
            r.cpu_reserved_pct,
            r.memory_reserved_pct,
            r.cost_usd,
            r.vcpu_paid,
            r.vcpu_reserved,
            r.vcpu_used,
            r.memory_gib_paid,
            r.memory_gib_reserved,
            r.memory_gib_used
        );
    }
    out
}

/// The header of `services.csv`.
pub const SERVICES_HEADER: &str = "minute,service,desired,running,pending,requests_per_second,unserved_requests,cpu_utilization,memory_utilization";

/// `services.csv`: one row per service per simulated minute (long format).
pub fn services_csv(report: &Report) -> String {
    let mut out = String::with_capacity(48 * (report.service_series.len() + 1));
    out.push_str(SERVICES_HEADER);
    out.push('\n');
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for r in &report.service_series {
        let name = report
            .summary
            .services
            .get(r.service as usize)
            .map_or("", |s| s.name.as_str());
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.minute,
            csv_field(name),
            r.desired,
            r.running,
            r.pending,
            r.requests_per_second,
            r.unserved_requests,
            opt(r.cpu_utilization),
            opt(r.memory_utilization)
        );
    }
    out
}

/// The header of `capacity_providers.csv`.
pub const PROVIDERS_HEADER: &str =
    "minute,capacity_provider,instances,draining,desired_capacity,reservation,m";

/// `capacity_providers.csv`: one row per ASG capacity provider per simulated minute.
pub fn providers_csv(report: &Report) -> String {
    let mut out = String::with_capacity(40 * (report.provider_series.len() + 1));
    out.push_str(PROVIDERS_HEADER);
    out.push('\n');
    for r in &report.provider_series {
        let name = report
            .summary
            .capacity_providers
            .get(r.provider as usize)
            .map_or("", |s| s.name.as_str());
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            r.minute,
            csv_field(name),
            r.instances,
            r.draining,
            r.desired_capacity,
            r.reservation.map(|x| x.to_string()).unwrap_or_default(),
            r.m.map(|x| x.to_string()).unwrap_or_default()
        );
    }
    out
}

/// The header of `costs.csv` for `report`: `minute`, then per entry of
/// `cost_series_providers` `<name>_usd` and, for an EC2 provider, `<name>_idle_usd`, then
/// `total_usd`. Names are CSV-quoted when they need it.
pub fn costs_header(report: &Report) -> String {
    let mut fields = vec!["minute".to_string()];
    for name in &report.cost_series_providers {
        fields.push(csv_field(&format!("{name}_usd")));
        if !is_fargate_provider(name) {
            fields.push(csv_field(&format!("{name}_idle_usd")));
        }
    }
    fields.push("total_usd".to_string());
    fields.join(",")
}

/// `costs.csv`: one row per simulated minute of the cost series, cumulative USD per capacity
/// provider, the EC2 idle part of each EC2 provider, and the total (header:
/// [`costs_header`]). Figures leave out the 60-second minimum, like the cost series.
pub fn costs_csv(report: &Report) -> String {
    let width = report.cost_series_providers.len();
    let mut out = String::with_capacity(16 * (2 * width + 2) * (report.cost_series.len() + 1));
    out.push_str(&costs_header(report));
    out.push('\n');
    for r in &report.cost_series {
        let _ = write!(out, "{}", r.minute);
        // A row shorter than the provider list (never produced by a run) still yields the
        // header's column count, with the missing values as 0.
        let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
        for (i, name) in report.cost_series_providers.iter().enumerate() {
            let _ = write!(out, ",{}", at(&r.by_provider_usd, i));
            if !is_fargate_provider(name) {
                let _ = write!(out, ",{}", at(&r.idle_by_provider_usd, i));
            }
        }
        // The row's columns are already rounded to the micro-dollar; their sum is rounded
        // again so float addition cannot print a tail like ...0000004.
        let total: f64 = (0..width).map(|i| at(&r.by_provider_usd, i)).sum();
        let _ = writeln!(out, ",{}", (total * 1e6).round() / 1e6 + 0.0);
    }
    out
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `events.jsonl`: one JSON object per line.
pub fn events_jsonl(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.events {
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The short table printed on stdout after a run.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  seed {}  simulated {}",
        summary.scenario,
        summary.seed,
        human_duration(summary.duration_s)
    );
    let w = &summary.window;
    if w.from_s > 0.0 {
        let _ = writeln!(
            out,
            "measured from {} to {} ({}): every figure below leaves out the warm-up before {}",
            human_duration(w.from_s),
            human_duration(w.to_s),
            human_duration(w.duration_s),
            human_duration(w.from_s)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<34} {:>14}", "cost", "USD");
    let _ = writeln!(out, "{:<34} {:>14.4}", "  total", summary.cost.total_usd);
    let _ = writeln!(
        out,
        "{:<34} {:>14.4}",
        "  per hour", summary.cost.per_hour_usd
    );
    if let Some(m) = summary.cost.per_million_requests_usd {
        let _ = writeln!(out, "{:<34} {:>14.4}", "  per million requests served", m);
    }
    for (k, v) in &summary.cost.by_capacity_provider {
        match summary.cost.idle_by_capacity_provider.get(k) {
            Some(idle) => {
                let _ = writeln!(
                    out,
                    "{:<34} {:>14.4}  (idle {idle:.4})",
                    format!("  {k}"),
                    v
                );
            }
            None => {
                let _ = writeln!(out, "{:<34} {:>14.4}", format!("  {k}"), v);
            }
        }
    }
    let _ = writeln!(
        out,
        "{:<34} {:>14.4}",
        "  idle EC2 (paid, not reserved)", summary.cost.idle_usd
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<34} {:>8.1}%",
        "EC2 CPU reserved (time-weighted)", summary.reservation.cpu_pct_avg
    );
    let _ = writeln!(
        out,
        "{:<34} {:>8.1}%",
        "EC2 memory reserved (time-weighted)", summary.reservation.memory_pct_avg
    );
    let _ = writeln!(
        out,
        "{:<34} {:>9}",
        "instances launched / peak",
        format!(
            "{} / {}",
            summary.instances.launched, summary.instances.peak
        )
    );
    let u = &summary.usage;
    let of_paid = |x: f64, paid: f64| {
        if paid > 0.0 {
            format!("{x:.2} ({:.0}%)", x * 100.0 / paid)
        } else {
            format!("{x:.2}")
        }
    };
    let _ = writeln!(
        out,
        "{:<34} {:>9} {:>16} {:>16}",
        "usage (average)", "paid", "reserved", "used"
    );
    for (what, paid, reserved, used) in [
        (
            "  vCPU",
            u.vcpu_paid_avg,
            u.vcpu_reserved_avg,
            u.vcpu_used_avg,
        ),
        (
            "  memory GiB",
            u.memory_gib_paid_avg,
            u.memory_gib_reserved_avg,
            u.memory_gib_used_avg,
        ),
    ] {
        let _ = writeln!(
            out,
            "{what:<34} {paid:>9.2} {:>16} {:>16}",
            of_paid(reserved, paid),
            of_paid(used, paid)
        );
    }
    let _ = writeln!(
        out,
        "RUNNING task-hours  EC2 {:.2}  Fargate {:.2}",
        u.ec2_running_task_hours, u.fargate_running_task_hours
    );
    let _ = writeln!(out);
    let t = &summary.tasks;
    let _ = writeln!(out, "tasks  submitted {}  started {}  completed {}  stopped by scheduler {}  failed {} (never placed {}, interrupted {})  in flight at end {}", t.submitted, t.started, t.completed, t.stopped_by_scheduler, t.failed, t.never_placed, t.interrupted, t.in_flight_at_end);
    let w = &summary.wait_time_s;
    let _ = writeln!(
        out,
        "wait to RUNNING (s)  mean {:.1}  p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        w.mean, w.p50, w.p95, w.p99, w.max
    );
    if !summary.services.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>8} {:>12} {:>12}",
            "service", "desired", "running", "min below", "cost USD"
        );
        for s in &summary.services {
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>8} {:>12} {:>12.4}",
                s.name, s.desired_count, s.running_at_end, s.minutes_below_desired, s.cost_usd
            );
        }
        let scaled: Vec<_> = summary
            .services
            .iter()
            .filter(|s| s.load.is_some() || s.desired_min != s.desired_max)
            .collect();
        if !scaled.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>10} {:>12} {:>11} {:>12}",
                "service load", "desired", "out/in/sch", "requests", "unserved %", "USD/M req"
            );
            for s in scaled {
                let a = &s.scaling_activities;
                let (req, uns, per_m) = s.load.as_ref().map_or(
                    ("-".to_string(), "-".to_string(), "-".to_string()),
                    |l| {
                        (
                            format!("{:.0}", l.requests),
                            format!("{:.2}", l.unserved_pct),
                            format!("{:.4}", l.cost_per_million_requests_usd),
                        )
                    },
                );
                let _ = writeln!(
                    out,
                    "{:<24} {:>9} {:>10} {:>12} {:>11} {:>12}",
                    s.name,
                    format!("{}–{}", s.desired_min, s.desired_max),
                    format!("{}/{}/{}", a.scale_out, a.scale_in, a.scheduled),
                    req,
                    uns,
                    per_m
                );
            }
        }
    }
    if let Some(f) = &summary.faults {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "faults  instance failures {}  AZ outages {}  Spot reclaimed {} (notices {})  Fargate Spot {}  crashes {} (at start {})",
            f.instance_failures,
            f.az_outages,
            f.spot_instances_reclaimed,
            f.spot_interruption_notices,
            f.fargate_spot_interruptions,
            f.task_crashes,
            f.task_start_failures
        );
        let _ = writeln!(
            out,
            "        tasks killed {}  batch re-runs {}  wasted {:.0} task-s ({:.4} USD)",
            f.tasks_killed, f.batch_task_reruns, f.wasted_task_seconds, f.wasted_cost_usd
        );
        for s in &summary.services {
            let a = &s.availability;
            if a.tasks_lost_to_faults == 0 && a.recoveries == 0 && !a.unrecovered_at_end {
                continue;
            }
            let _ = writeln!(
                out,
                "        {}: {} tasks lost, {} task-min below desired, recovered {}x (mean {:.0} s, max {:.0} s){}, unserved by faults {:.0}",
                s.name,
                a.tasks_lost_to_faults,
                a.task_minutes_below_desired,
                a.recoveries,
                a.time_to_recover_mean_s,
                a.time_to_recover_max_s,
                if a.unrecovered_at_end { ", not recovered at end" } else { "" },
                a.unserved_due_to_faults
            );
        }
    }
    let managed: Vec<_> = summary
        .capacity_providers
        .iter()
        .filter(|p| p.managed_scaling)
        .collect();
    if !managed.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>10} {:>10} {:>10} {:>11}",
            "managed scaling", "instances", "scale-out", "scale-in", "terminated"
        );
        for p in managed {
            let _ = writeln!(
                out,
                "{:<24} {:>10} {:>10} {:>10} {:>11}",
                p.name,
                format!("{}–{}", p.instances_min, p.instances_max),
                p.scale_out,
                p.scale_in,
                p.instances_terminated
            );
        }
    }
    if !summary.workloads.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>9} {:>10} {:>9} {:>10} {:>12}",
            "workload", "tasks", "completed", "failed", "p95 wait s", "cost USD"
        );
        for wl in &summary.workloads {
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>10} {:>9} {:>10.1} {:>12.4}",
                wl.name,
                wl.tasks.submitted,
                wl.tasks.completed,
                wl.tasks.failed,
                wl.wait_time_s.p95,
                wl.cost_usd
            );
        }
    }
    out
}

fn human_duration(secs: f64) -> String {
    let s = secs as u64;
    if s >= 86_400 && s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s >= 3600 && s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s >= 60 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}
