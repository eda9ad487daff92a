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

/// `x` with `decimals` decimals and its integer digits in groups of three ("1,110,000",
/// "1,759.9"): for tables people read (stdout, HTML), never for CSV or JSON.
pub fn grouped(x: f64, decimals: usize) -> String {
    group_digits(&format!("{:.*}", decimals, x + 0.0))
}

/// An unsigned count with its digits in groups of three.
pub fn grouped_count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// Inserts a comma between groups of three digits of the integer part of a formatted number
/// (an optional sign, digits, an optional fraction); anything else is returned as is.
pub fn group_digits(s: &str) -> String {
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('-' | '+')) => (c.to_string(), &s[1..]),
        _ => (String::new(), s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().skip(1).all(|b| b.is_ascii_digit())
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(&sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// What "minutes below desired" counts, said once wherever the figure is shown.
pub const MINUTES_BELOW_DESIRED: &str =
    "minutes below desired: minutes that ended with fewer RUNNING tasks than desired";
/// What "task-minutes below desired" counts.
pub const TASK_MINUTES_BELOW_DESIRED: &str =
    "task-minutes below desired: the sum over minutes of (desired − RUNNING) where positive";

/// Whether the run had EC2 instances: without any, EC2 figures (all 0) are left out.
pub fn has_ec2(summary: &Summary) -> bool {
    // External instances (ECS Anywhere) count as launched instances but are not EC2.
    summary.cost.ec2_usd > 0.0
        || (summary.instances.launched > 0 && summary.cost.external.is_none())
}

/// The short table printed on stdout after a run.
pub fn table(summary: &Summary) -> String {
    let mut out = String::new();
    let ec2 = has_ec2(summary);
    let _ = writeln!(
        out,
        "scenario {}  seed {}  simulated {}",
        summary.scenario,
        summary.seed,
        human_duration(summary.duration_s)
    );
    let _ = writeln!(out, "prices {}", summary.prices.statement());
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
    let money = |x: f64| grouped(x, 4);
    let _ = writeln!(out, "{:<34} {:>14}", "cost", "USD");
    let _ = writeln!(
        out,
        "{:<34} {:>14}",
        "  total",
        money(summary.cost.total_usd)
    );
    let _ = writeln!(
        out,
        "{:<34} {:>14}",
        "  per hour",
        money(summary.cost.per_hour_usd)
    );
    if let Some(m) = summary.cost.per_million_requests_usd {
        let _ = writeln!(
            out,
            "{:<34} {:>14}",
            // The whole bill (idle EC2 and batch workloads too), not the services' own cost:
            // the per-service figures are in the service load table.
            "  whole bill per M requests served",
            money(m)
        );
    }
    for (k, v) in &summary.cost.by_capacity_provider {
        match summary.cost.idle_by_capacity_provider.get(k) {
            Some(idle) => {
                let _ = writeln!(
                    out,
                    "{:<34} {:>14}  (idle {})",
                    format!("  {k}"),
                    money(*v),
                    money(*idle)
                );
            }
            None => {
                let _ = writeln!(out, "{:<34} {:>14}", format!("  {k}"), money(*v));
            }
        }
    }
    if ec2 {
        let _ = writeln!(
            out,
            "{:<34} {:>14}",
            "  idle EC2 (paid, not reserved)",
            money(summary.cost.idle_usd)
        );
    }
    if let Some(x) = &summary.cost.external {
        // The EXTERNAL line above is fee plus machines; its two parts and its idle share.
        let _ = writeln!(
            out,
            "{:<34} {:>14}  ({} registered instance-hours)",
            "  ECS Anywhere fee",
            money(x.anywhere_fee_usd),
            grouped(x.instance_hours, 1)
        );
        let _ = writeln!(
            out,
            "{:<34} {:>14}",
            "  on-premises machines",
            money(x.machine_usd)
        );
        let _ = writeln!(
            out,
            "{:<34} {:>14}",
            "  idle external (paid, not reserved)",
            money(x.idle_usd)
        );
    }
    if let Some(fee) = summary.cost.management_fee_usd {
        let _ = writeln!(out, "{:<34} {:>14}", "  Managed Instances fee", money(fee));
    }
    if let Some(c) = &summary.cost.commitments {
        let _ = writeln!(
            out,
            "{:<34} {:>14}  (commitments {}, on-demand spill {}, coverage {:.1}%)",
            "with commitments",
            money(c.effective_usd),
            money(c.commitment_usd),
            money(c.on_demand_spill_usd),
            c.coverage_pct
        );
        let _ = writeln!(
            out,
            "{:<34} {:>14}  ({:.1}% of the cost without them)",
            if c.savings_usd < 0.0 {
                "  commitments lost"
            } else {
                "  commitments saved"
            },
            money(c.savings_usd.abs()),
            if c.without_commitments_usd > 0.0 {
                100.0 * c.savings_usd.abs() / c.without_commitments_usd
            } else {
                0.0
            }
        );
        // One line per commitment: what it cost and how much of it the usage used.
        for b in &c.by_commitment {
            let _ = writeln!(
                out,
                "{:<34} {:>14}  ({}: used {:.1}%, {} {})",
                "  commitment fees",
                money(b.fee_usd),
                b.name,
                b.utilization_pct,
                b.term,
                b.payment_option
            );
        }
    }
    let _ = writeln!(out);
    if ec2 {
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
                grouped_count(summary.instances.launched),
                grouped_count(summary.instances.peak)
            )
        );
    }
    let u = &summary.usage;
    let of_paid = |x: f64, paid: f64| {
        if paid > 0.0 {
            format!("{} ({:.0}%)", grouped(x, 2), x * 100.0 / paid)
        } else {
            grouped(x, 2)
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
            "{what:<34} {:>9} {:>16} {:>16}",
            grouped(paid, 2),
            of_paid(reserved, paid),
            of_paid(used, paid)
        );
    }
    // Each launch type's task-hours only when the run used it (a Fargate-only run has no
    // EC2 line at 0).
    let mut hours = String::from("RUNNING task-hours");
    if ec2 || (u.fargate_running_task_hours == 0.0 && u.external_running_task_hours.is_none()) {
        let _ = write!(hours, "  EC2 {}", grouped(u.ec2_running_task_hours, 2));
    }
    if u.fargate_running_task_hours > 0.0 || summary.cost.fargate_usd > 0.0 {
        let _ = write!(
            hours,
            "  Fargate {}",
            grouped(u.fargate_running_task_hours, 2)
        );
    }
    if let Some(x) = u.external_running_task_hours {
        let _ = write!(hours, "  external {}", grouped(x, 2));
    }
    let _ = writeln!(out, "{hours}");
    let _ = writeln!(out);
    let t = &summary.tasks;
    let c = grouped_count;
    let _ = writeln!(out, "tasks  submitted {}  started {}  completed {}  stopped by scheduler {}  failed {} (never placed {}, interrupted {})  in flight at end {}", c(t.submitted), c(t.started), c(t.completed), c(t.stopped_by_scheduler), c(t.failed), c(t.never_placed), c(t.interrupted), c(t.in_flight_at_end));
    let w = &summary.wait_time_s;
    // With no wait measured the statistics are zeros that would read as instant starts.
    if w.count == 0 {
        let _ = writeln!(out, "wait to RUNNING (s)  no task reached RUNNING");
    } else {
        let _ = writeln!(
            out,
            "wait to RUNNING (s)  mean {}  p50 {}  p95 {}  p99 {}  max {}",
            grouped(w.mean, 1),
            grouped(w.p50, 1),
            grouped(w.p95, 1),
            grouped(w.p99, 1),
            grouped(w.max, 1)
        );
    }
    if !summary.services.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>8} {:>21} {:>26} {:>12}",
            "service",
            "desired",
            "running",
            "minutes below desired",
            "task-minutes below desired",
            "cost USD"
        );
        for s in &summary.services {
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>8} {:>21} {:>26} {:>12}",
                s.name,
                s.desired_count,
                s.running_at_end,
                grouped_count(s.minutes_below_desired),
                grouped_count(s.availability.task_minutes_below_desired),
                money(s.cost_usd)
            );
        }
        let _ = writeln!(out, "  {MINUTES_BELOW_DESIRED}");
        let _ = writeln!(out, "  {TASK_MINUTES_BELOW_DESIRED}");
        let scaled: Vec<_> = summary
            .services
            .iter()
            .filter(|s| s.load.is_some() || s.desired_min != s.desired_max)
            .collect();
        if !scaled.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>10} {:>14} {:>11} {:>12}",
                "service load", "desired", "out/in/sch", "requests", "unserved %", "USD/M req"
            );
            for s in scaled {
                let a = &s.scaling_activities;
                let (req, uns, per_m) = s.load.as_ref().map_or(
                    ("-".to_string(), "-".to_string(), "-".to_string()),
                    |l| {
                        (
                            grouped(l.requests.round(), 0),
                            format!("{:.2}", l.unserved_pct),
                            money(l.cost_per_million_requests_usd),
                        )
                    },
                );
                let _ = writeln!(
                    out,
                    "{:<24} {:>9} {:>10} {:>14} {:>11} {:>12}",
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
            c(f.instance_failures),
            c(f.az_outages),
            c(f.spot_instances_reclaimed),
            c(f.spot_interruption_notices),
            c(f.fargate_spot_interruptions),
            c(f.task_crashes),
            c(f.task_start_failures)
        );
        let _ = writeln!(
            out,
            "        tasks killed {}  batch re-runs {}  wasted {} task-s ({} USD)",
            c(f.tasks_killed),
            c(f.batch_task_reruns),
            grouped(f.wasted_task_seconds, 0),
            money(f.wasted_cost_usd)
        );
        for s in &summary.services {
            let a = &s.availability;
            if a.tasks_lost_to_faults == 0 && a.recoveries == 0 && !a.unrecovered_at_end {
                continue;
            }
            let _ = writeln!(
                out,
                "        {}: {} tasks lost, {} task-minutes below desired, recovered {}x (mean {:.0} s, max {:.0} s){}, requests not served in fault minutes {}",
                s.name,
                c(a.tasks_lost_to_faults),
                c(a.task_minutes_below_desired),
                a.recoveries,
                a.time_to_recover_mean_s,
                a.time_to_recover_max_s,
                if a.unrecovered_at_end { ", not recovered at end" } else { "" },
                grouped(a.unserved_due_to_faults.round(), 0)
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
                c(p.instances_terminated)
            );
        }
    }
    if !summary.workloads.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>9} {:>10} {:>9} {:>10} {:>12} {:>14} {:>11}",
            "workload",
            "tasks",
            "completed",
            "failed",
            "p95 wait s",
            "cost USD",
            "USD/completed",
            "makespan h"
        );
        for wl in &summary.workloads {
            // The workload's own cost (its tasks' reservations and Fargate bills, no idle EC2)
            // over its own completed tasks.
            let per = if wl.tasks.completed > 0 {
                money(wl.cost_per_completed_task_usd)
            } else {
                "-".to_string()
            };
            // Unfinished work runs to the end of the run: a lower bound, marked `>`.
            let makespan = match wl.makespan_s {
                None => "-".to_string(),
                Some(s) if wl.unfinished_tasks > 0 => format!(">{}", grouped(s / 3600.0, 2)),
                Some(s) => grouped(s / 3600.0, 2),
            };
            let _ = writeln!(
                out,
                "{:<24} {:>9} {:>10} {:>9} {:>10} {:>12} {:>14} {:>11}",
                wl.name,
                c(wl.tasks.submitted),
                c(wl.tasks.completed),
                c(wl.tasks.failed),
                if wl.wait_time_s.count > 0 {
                    grouped(wl.wait_time_s.p95, 1)
                } else {
                    "-".to_string()
                },
                money(wl.cost_usd),
                per,
                makespan
            );
        }
        let _ = writeln!(
            out,
            "  USD/completed: the workload's attributed cost (its tasks' share of EC2 instances, its Fargate bills; idle EC2 excluded) / its completed tasks"
        );
        let _ = writeln!(
            out,
            "  makespan h: first submission to last completion, whole run; >: work unfinished at the end (to the end of the run)"
        );
    }
    out
}

pub(crate) fn human_duration(secs: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(grouped(1_110_000.0, 0), "1,110,000");
        assert_eq!(grouped(1759.94, 1), "1,759.9");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-12_345.678, 2), "-12,345.68");
        assert_eq!(grouped(-0.0, 0), "0");
        assert_eq!(grouped_count(1000), "1,000");
        assert_eq!(grouped_count(0), "0");
        assert_eq!(group_digits("+13286.9"), "+13,286.9");
        assert_eq!(group_digits("–"), "–");
        assert_eq!(group_digits("NaN"), "NaN");
        assert_eq!(group_digits("12.5 %"), "12.5 %");
    }
}
