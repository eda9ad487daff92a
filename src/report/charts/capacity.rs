//! `charts/capacity.svg` and `.png`: instances, tasks per service, request rate and event markers.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::{draw_lines, ChartError, ChartKind, LineChart, Marker, Series, TimeAxis};
use crate::report::Report;

/// Instances (all, and per ASG capacity provider when there are several), desired, running
/// and pending tasks per service, and the request rate of the services with load on the
/// right-hand axis; a vertical marker at each scaling activity and each fault.
pub fn capacity_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Capacity.svg(report)
}

/// Draws [`capacity_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let t = TimeAxis::for_report(report);
    let mut series = vec![Series {
        label: "instances (pending + active + draining)".to_string(),
        points: report
            .timeseries
            .iter()
            .map(|r| {
                let n = r.instances_pending + r.instances_active + r.instances_draining;
                (t.minute(r.minute), f64::from(n))
            })
            .collect(),
        secondary: false,
    }];
    let providers = &report.summary.capacity_providers;
    if providers.len() > 1 {
        let mut per: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
        for r in &report.provider_series {
            per.entry(r.provider)
                .or_default()
                .push((t.minute(r.minute), f64::from(r.instances + r.draining)));
        }
        for (p, points) in per {
            let name = providers.get(p as usize).map_or("?", |c| c.name.as_str());
            series.push(Series {
                label: format!("instances: {name}"),
                points,
                secondary: false,
            });
        }
    }
    let mut per: BTreeMap<u32, [Vec<(f64, f64)>; 4]> = BTreeMap::new();
    for r in &report.service_series {
        let x = t.minute(r.minute);
        let e = per.entry(r.service).or_default();
        e[0].push((x, f64::from(r.desired)));
        e[1].push((x, f64::from(r.running)));
        e[2].push((x, f64::from(r.pending)));
        e[3].push((x, r.requests_per_second));
    }
    let mut rates = Vec::new();
    for (s, [desired, running, pending, rps]) in per {
        let svc = report.summary.services.get(s as usize);
        let name = svc.map_or("?", |v| v.name.as_str());
        for (what, points) in [
            ("desired", desired),
            ("running", running),
            ("pending", pending),
        ] {
            series.push(Series {
                label: format!("{name} tasks {what}"),
                points,
                secondary: false,
            });
        }
        if svc.is_some_and(|v| v.load.is_some()) {
            rates.push(Series {
                label: format!("{name} requests/s (right axis)"),
                points: rps,
                secondary: true,
            });
        }
    }
    series.extend(rates);
    let markers = report
        .events
        .iter()
        .filter(|e| e.kind == "scaling" || e.kind == "fault")
        .map(|e| Marker {
            x: t.seconds(e.time_s),
            fault: e.kind == "fault",
        })
        .collect();
    let chart = LineChart {
        name: "capacity",
        title: format!("Capacity: {}", report.summary.scenario),
        x_desc: t.desc,
        y_desc: "instances / tasks",
        y2_desc: "requests/s",
        series,
        markers,
        note: None,
        y_floor_max: 0.0,
    };
    draw_lines(root, chart)
}
