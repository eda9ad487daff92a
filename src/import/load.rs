//! CloudWatch `get-metric-data` results → a service's request load: a rate trace in ecsim's
//! CSV format and the load model's parameters.
//!
//! Which series belongs to which service follows the label convention of the module above
//! (`<serviceName> <MetricName>`). The time window of the scenario is the data's: from the
//! earliest timestamp to the latest plus one period.
//!
//! The load model (`services[].load`) says what one task serves at 100 % CPU and what its CPU
//! and memory are at a given load (README "Load and auto scaling"). The metrics give:
//!
//! - `RequestCount` (ALB, `Sum` per period): the service's requests; rate = sum / period.
//! - `RequestCountPerTarget` (`Sum` per period): requests per task; rate = sum / period ×
//!   tasks, with tasks assumed to be the service's current `desiredCount` (the outputs hold no
//!   task count history).
//! - With requests and `CPUUtilization` both present, a least-squares line
//!   `cpu% = baseline + k × requests per task per second` gives `baselineCpuPercent` and
//!   `requestsPerTaskPerSecond = (100 − baseline) / k`.
//! - `CPUUtilization` alone: the load is expressed in "requests" of an assumed size,
//!   [`ASSUMED_REQUESTS_PER_TASK_PER_SECOND`] at 100 % CPU and no baseline, so that the CPU the
//!   model computes is the CPU CloudWatch measured (with `desiredCount` tasks).
//! - `MemoryUtilization`: a line `memory% = a + b × load fraction` gives
//!   `baselineMemoryPercent = a` and `memoryPercentAtCapacity = a + b` when a load fraction is
//!   known; without one the mean memory is taken for both.

use std::collections::BTreeMap;

use super::{aws, ImportOptions, ImportProblem, LoadTrace, MappingReport, Sourced};

/// The request size assumed when only CPU is known: one task at 100 % CPU serves this many
/// "requests" per second. Any value gives the same CPU curve (the unit cancels out); 100 makes
/// the trace read as "percent of one task".
pub const ASSUMED_REQUESTS_PER_TASK_PER_SECOND: f64 = 100.0;

/// Fewest datapoints a least-squares fit is made from; below it the assumptions above hold.
const MIN_FIT_POINTS: usize = 12;

/// The metrics the label convention names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// ALB `RequestCount` (per target group): `Sum` per period.
    RequestCount,
    /// ALB `RequestCountPerTarget`: `Sum` per period, per task.
    RequestCountPerTarget,
    /// ECS `CPUUtilization` of the service: `Average`, percent.
    CpuUtilization,
    /// ECS `MemoryUtilization` of the service: `Average`, percent.
    MemoryUtilization,
}

impl Metric {
    fn parse(name: &str) -> Option<Metric> {
        Some(match name {
            "RequestCount" => Metric::RequestCount,
            "RequestCountPerTarget" => Metric::RequestCountPerTarget,
            "CPUUtilization" => Metric::CpuUtilization,
            "MemoryUtilization" => Metric::MemoryUtilization,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Metric::RequestCount => "RequestCount",
            Metric::RequestCountPerTarget => "RequestCountPerTarget",
            Metric::CpuUtilization => "CPUUtilization",
            Metric::MemoryUtilization => "MemoryUtilization",
        }
    }
}

/// One metric of one service: its datapoints in time order, merged over every result that
/// carried it (paged results), and its period.
#[derive(Clone, Debug)]
pub struct Series {
    /// Where it came from (first file, for messages).
    pub origin: String,
    /// `(unix ms, value)`, strictly increasing in time.
    pub points: Vec<(i64, f64)>,
    /// The smallest step between two timestamps, in ms.
    pub period_ms: i64,
}

/// The data's time window: `[start_ms, end_ms)`, Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Earliest timestamp.
    pub start_ms: i64,
    /// Latest timestamp plus one period.
    pub end_ms: i64,
}

/// Every labelled series, by service then metric.
pub type ByService = BTreeMap<String, BTreeMap<Metric, Series>>;

/// Sorts the results by the label convention, merges pages, finds the window.
pub fn collect(
    results: &[Sourced<aws::MetricDataResult>],
    report: &mut MappingReport,
    problems: &mut Vec<ImportProblem>,
) -> (ByService, Option<Window>) {
    let mut raw: BTreeMap<(String, Metric), (String, BTreeMap<i64, f64>)> = BTreeMap::new();
    for r in results {
        let at = format!("{}: {}", r.file, r.path);
        let res = &r.item;
        let label = res.label.as_deref().unwrap_or("");
        let parsed = label
            .rsplit_once(' ')
            .and_then(|(svc, m)| Metric::parse(m).map(|m| (svc.trim().to_string(), m)));
        let Some((service, metric)) = parsed.filter(|(s, _)| !s.is_empty()) else {
            report.warnings.push(format!(
                "{at}: result {:?} ignored: its Label {label:?} does not follow \"<serviceName> <MetricName>\" with RequestCountPerTarget, RequestCount, CPUUtilization or MemoryUtilization",
                res.id
            ));
            continue;
        };
        if res.timestamps.len() != res.values.len() {
            problems.push(ImportProblem {
                file: r.file.clone(),
                path: format!("{}.Values", r.path),
                message: format!(
                    "{} values for {} timestamps: the output was cut or edited",
                    res.values.len(),
                    res.timestamps.len()
                ),
            });
            continue;
        }
        if res.status_code.as_deref().is_some_and(|s| s != "Complete") {
            report.warnings.push(format!(
                "{at}: StatusCode {:?}: data may be missing; ask again with the NextToken and put the pages in the folder",
                res.status_code.as_deref().unwrap_or("")
            ));
        }
        let entry = raw
            .entry((service, metric))
            .or_insert_with(|| (at.clone(), BTreeMap::new()));
        for (i, (t, v)) in res.timestamps.iter().zip(&res.values).enumerate() {
            match parse_iso8601_ms(t) {
                Some(ms) if v.is_finite() => {
                    entry.1.insert(ms, *v);
                }
                Some(_) => problems.push(ImportProblem {
                    file: r.file.clone(),
                    path: format!("{}.Values[{i}]", r.path),
                    message: format!("expected a finite number, found {v}"),
                }),
                None => problems.push(ImportProblem {
                    file: r.file.clone(),
                    path: format!("{}.Timestamps[{i}]", r.path),
                    message: format!(
                        "expected an ISO 8601 time like \"2026-11-30T00:05:00+00:00\", found {t:?}"
                    ),
                }),
            }
        }
    }
    let mut by_service = ByService::new();
    let mut window: Option<Window> = None;
    for ((service, metric), (origin, points)) in raw {
        let points: Vec<(i64, f64)> = points.into_iter().collect();
        let period_ms = points
            .windows(2)
            .map(|w| w[1].0 - w[0].0)
            .min()
            .unwrap_or(60_000);
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            report.warnings.push(format!(
                "{origin}: {service} {}: no datapoints",
                metric.name()
            ));
            continue;
        };
        let w = Window {
            start_ms: first.0,
            end_ms: last.0 + period_ms,
        };
        window = Some(match window {
            None => w,
            Some(o) => Window {
                start_ms: o.start_ms.min(w.start_ms),
                end_ms: o.end_ms.max(w.end_ms),
            },
        });
        by_service.entry(service).or_default().insert(
            metric,
            Series {
                origin,
                points,
                period_ms,
            },
        );
    }
    (by_service, window)
}

/// A service's load: the `load` object for the scenario and the trace it names.
#[derive(Clone, Debug)]
pub struct DerivedLoad {
    /// `services[].load`.
    pub load: serde_json::Value,
    /// The trace file.
    pub trace: LoadTrace,
}

/// Derives one service's load from its series. `tasks` is the task count assumed to have
/// served the traffic. Returns `None` (with a warning) when no series gives a rate.
pub fn derive(
    service: &str,
    tasks: i64,
    series: &BTreeMap<Metric, Series>,
    window: Window,
    options: &ImportOptions,
    report: &mut MappingReport,
) -> Option<DerivedLoad> {
    let tasks_f = tasks.max(1) as f64;
    let cpu = series.get(&Metric::CpuUtilization);
    let memory = series.get(&Metric::MemoryUtilization);
    // (time, requests per second of the whole service), and whether a gap means 0 requests.
    let (rates, source): (Vec<(i64, f64)>, String) = if let Some(s) =
        series.get(&Metric::RequestCount)
    {
        report.mapped.push(format!(
            "{}: {service} RequestCount → services[{service}].load.trace (Sum per {} s ÷ period)",
            s.origin,
            s.period_ms / 1000
        ));
        (fill_gaps_with_zero(s, window.end_ms), "RequestCount".into())
    } else if let Some(s) = series.get(&Metric::RequestCountPerTarget) {
        report.mapped.push(format!(
                "{}: {service} RequestCountPerTarget → services[{service}].load.trace (Sum per {} s ÷ period × {tasks} tasks)",
                s.origin,
                s.period_ms / 1000
            ));
        report.assumed.push(format!(
                "{service}: RequestCountPerTarget × {tasks} tasks (its desiredCount now) is the service's request rate: the outputs hold no history of its task count"
            ));
        let per_task = fill_gaps_with_zero(s, window.end_ms);
        (
            per_task
                .into_iter()
                .map(|(t, r)| (t, r * tasks_f))
                .collect(),
            "RequestCountPerTarget".into(),
        )
    } else if let Some(s) = cpu {
        report.mapped.push(format!(
                "{}: {service} CPUUtilization → services[{service}].load.trace (CPU % × {tasks} tasks × {ASSUMED_REQUESTS_PER_TASK_PER_SECOND} requests/s per task at 100 %)",
                s.origin
            ));
        report.assumed.push(format!(
                "{service}: no request metric, so the load is CPU-shaped: a task at 100 % CPU serves {ASSUMED_REQUESTS_PER_TASK_PER_SECOND} requests/s, no baseline CPU, {tasks} tasks (its desiredCount now) served the measured average"
            ));
        let rates = s
            .points
            .iter()
            .map(|&(t, c)| {
                (
                    t,
                    c.max(0.0) / 100.0 * ASSUMED_REQUESTS_PER_TASK_PER_SECOND * tasks_f,
                )
            })
            .collect();
        (rates, "CPUUtilization".into())
    } else {
        report.warnings.push(format!(
                "{service}: only MemoryUtilization data, which does not say how much work arrives: no load imported"
            ));
        return None;
    };

    // Model parameters.
    let mut requests_per_task = ASSUMED_REQUESTS_PER_TASK_PER_SECOND;
    let mut baseline_cpu: Option<f64> = None;
    if source != "CPUUtilization" {
        match cpu.and_then(|c| fit(&rates, c, 1.0 / tasks_f)) {
            Some((a, k)) if k > 0.0 && a < 100.0 => {
                let b = a.clamp(0.0, 99.0);
                requests_per_task = (100.0 - b) / k;
                baseline_cpu = Some(b);
                report.assumed.push(format!(
                    "{service}: fitted CPU % = {b:.1} + {k:.4} × requests/s per task over {tasks} tasks: requestsPerTaskPerSecond {requests_per_task:.1}, baselineCpuPercent {b:.1}"
                ));
            }
            _ => report.assumed.push(format!(
                "{service}: no usable CPUUtilization to relate requests to CPU: requestsPerTaskPerSecond {ASSUMED_REQUESTS_PER_TASK_PER_SECOND} (an assumption to edit)"
            )),
        }
    }
    let mut load = serde_json::json!({
        "trace": { "format": "csv", "path": format!("{}{service}.load.csv", options.trace_prefix) },
        "requestsPerTaskPerSecond": round3(requests_per_task),
    });
    if let Some(b) = baseline_cpu {
        load["baselineCpuPercent"] = round3(b).into();
    }
    if let Some(m) = memory {
        let per_fraction = 1.0 / (tasks_f * requests_per_task);
        let (base, at_capacity) = match fit(&rates, m, per_fraction) {
            Some((a, b)) => (a, a + b),
            None => {
                let mean = m.points.iter().map(|p| p.1).sum::<f64>() / m.points.len() as f64;
                (mean, mean)
            }
        };
        let (base, at_capacity) = (base.clamp(0.0, 100.0), at_capacity.clamp(0.0, 100.0));
        report.mapped.push(format!(
            "{}: {service} MemoryUtilization → baselineMemoryPercent {base:.1}, memoryPercentAtCapacity {at_capacity:.1} (a line over the load fraction)",
            m.origin
        ));
        load["baselineMemoryPercent"] = round3(base).into();
        load["memoryPercentAtCapacity"] = round3(at_capacity.max(base)).into();
    }

    let mut csv = format!(
        "# {service}: request rate derived by `ecsim import` from CloudWatch {source}\ntime_s,requests_per_second\n"
    );
    let first = rates.first().map_or(window.start_ms, |r| r.0);
    if first > window.start_ms {
        // Before the service's first datapoint: no requests (RequestCount) or the first value.
        let r0 = if source == "CPUUtilization" {
            rates[0].1
        } else {
            0.0
        };
        csv.push_str(&format!("0,{}\n", fmt_rate(r0)));
    }
    for (t, r) in &rates {
        let s = (t - window.start_ms) as f64 / 1000.0;
        csv.push_str(&format!("{},{}\n", fmt_time(s), fmt_rate(*r)));
    }
    Some(DerivedLoad {
        load,
        trace: LoadTrace {
            service: service.to_string(),
            file_name: format!("{}{service}.load.csv", options.trace_prefix),
            csv,
        },
    })
}

/// ALB request metrics have no datapoint for a period without requests: those are zeros,
/// between datapoints and after the last one up to `end_ms` (the CSV's last rate would
/// otherwise hold to the end of the run).
fn fill_gaps_with_zero(s: &Series, end_ms: i64) -> Vec<(i64, f64)> {
    let secs = s.period_ms as f64 / 1000.0;
    let mut out = Vec::with_capacity(s.points.len());
    for (i, &(t, v)) in s.points.iter().enumerate() {
        out.push((t, v / secs));
        if let Some(&(next, _)) = s.points.get(i + 1) {
            if next - t > s.period_ms {
                out.push((t + s.period_ms, 0.0));
            }
        } else if t + s.period_ms < end_ms {
            out.push((t + s.period_ms, 0.0));
        }
    }
    out
}

/// Least squares `y = a + b × x` over the times both series have, with `x = rate × scale`.
fn fit(rates: &[(i64, f64)], y: &Series, scale: f64) -> Option<(f64, f64)> {
    let ys: BTreeMap<i64, f64> = y.points.iter().copied().collect();
    let pairs: Vec<(f64, f64)> = rates
        .iter()
        .filter_map(|(t, r)| ys.get(t).map(|v| (r * scale, *v)))
        .collect();
    if pairs.len() < MIN_FIT_POINTS {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A rate as the CSV format wants it: a decimal without sign or exponent, ≤ 3 places.
fn fmt_rate(r: f64) -> String {
    let s = format!("{:.3}", r.max(0.0));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

fn fmt_time(s: f64) -> String {
    fmt_rate(s)
}

/// `2026-11-30T00:05:00+00:00`, `…Z`, optionally with a fraction, as the CLI prints times →
/// Unix milliseconds.
pub fn parse_iso8601_ms(text: &str) -> Option<i64> {
    use crate::autoscaling::schedule::{days_from_civil, days_in_month};
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo)
        || d < 1
        || d > i64::from(days_in_month(y, mo as u32))
        || h > 23
        || mi > 59
        || s > 59
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for i in 0..3 {
            millis = millis * 10
                + f.as_bytes()
                    .get(i)
                    .filter(|_| i < digits)
                    .map_or(0, |c| i64::from(c - b'0'));
        }
        rest = &f[digits..];
    }
    let offset_s = match rest {
        "Z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = &rest[1..];
            let (oh, om) = hm.split_once(':').unwrap_or((hm.get(0..2)?, hm.get(2..)?));
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some((days * 86_400 + h * 3600 + mi * 60 + s - offset_s) * 1000 + millis)
}

/// Unix milliseconds → `YYYY-MM-DDThh:mm:ssZ` (seconds), as `settings.startTime` wants.
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = crate::autoscaling::schedule::civil_from_days(secs.div_euclid(86_400));
    let in_day = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_timestamps_in_every_spelling() {
        // 2026-11-30 is day 56 × 365 + 14 leap days + 333 (Jan to Oct, 304, + 29) = 20_787
        // since 1970-01-01: 20_787 × 86_400 = 1_795_996_800 s.
        let base = 1_795_996_800_000;
        assert_eq!(parse_iso8601_ms("2026-11-30T00:00:00+00:00"), Some(base));
        assert_eq!(parse_iso8601_ms("2026-11-30T00:00:00Z"), Some(base));
        assert_eq!(
            parse_iso8601_ms("2026-11-30T00:00:00.250Z"),
            Some(base + 250)
        );
        // 01:00 at +01:00 is midnight UTC.
        assert_eq!(parse_iso8601_ms("2026-11-30T01:00:00+01:00"), Some(base));
        assert_eq!(parse_iso8601_ms("2026-11-31T00:00:00Z"), None);
        assert_eq!(parse_iso8601_ms("yesterday"), None);
        assert_eq!(format_utc(base + 3_723_000), "2026-11-30T01:02:03Z");
    }

    #[test]
    fn gaps_in_request_counts_are_zero_requests() {
        // Sum 600 over 300 s = 2 rps; the missing period at 600 s is 0 rps, and so is the
        // time after the last period (1200 s) up to the window's end (1800 s).
        let s = Series {
            origin: String::new(),
            points: vec![(0, 600.0), (300_000, 600.0), (900_000, 300.0)],
            period_ms: 300_000,
        };
        assert_eq!(
            fill_gaps_with_zero(&s, 1_800_000),
            vec![
                (0, 2.0),
                (300_000, 2.0),
                (600_000, 0.0),
                (900_000, 1.0),
                (1_200_000, 0.0)
            ]
        );
        // Ending with the window: nothing to add.
        assert_eq!(fill_gaps_with_zero(&s, 1_200_000).len(), 4);
    }

    #[test]
    fn the_fit_recovers_a_line() {
        // y = 10 + 0.5 x exactly, over 20 points.
        let rates: Vec<(i64, f64)> = (0..20).map(|i| (i * 1000, i as f64 * 4.0)).collect();
        let y = Series {
            origin: String::new(),
            points: (0..20)
                .map(|i| (i * 1000, 10.0 + 0.5 * (i as f64 * 2.0)))
                .collect(),
            period_ms: 1000,
        };
        // x = rate × 0.5 = 2i, so y = 10 + 0.5 x.
        let (a, b) = fit(&rates, &y, 0.5).unwrap();
        assert!((a - 10.0).abs() < 1e-9 && (b - 0.5).abs() < 1e-9, "{a} {b}");
    }
}
