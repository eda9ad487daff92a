//! `charts/utilization.svg` and `.png`: reserved CPU and memory, service CPU utilization under load.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::{draw_lines, ChartError, ChartKind, LineChart, Series, TimeAxis};
use crate::report::Report;

/// Reserved CPU and memory of the EC2 capacity, %, and the CPU utilization of each service
/// with a load model (minutes without a datapoint are skipped).
pub fn utilization_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Utilization.svg(report)
}

/// Draws [`utilization_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let t = TimeAxis::for_report(report);
    let ts = &report.timeseries;
    let mut series = vec![
        Series {
            label: "EC2 CPU reserved %".to_string(),
            points: ts
                .iter()
                .map(|r| (t.minute(r.minute), r.cpu_reserved_pct))
                .collect(),
            secondary: false,
        },
        Series {
            label: "EC2 memory reserved %".to_string(),
            points: ts
                .iter()
                .map(|r| (t.minute(r.minute), r.memory_reserved_pct))
                .collect(),
            secondary: false,
        },
    ];
    let mut per: BTreeMap<u32, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &report.service_series {
        let loaded = report
            .summary
            .services
            .get(r.service as usize)
            .is_some_and(|s| s.load.is_some());
        if let (true, Some(u)) = (loaded, r.cpu_utilization) {
            per.entry(r.service)
                .or_default()
                .push((t.minute(r.minute), u));
        }
    }
    for (s, points) in per {
        let name = report
            .summary
            .services
            .get(s as usize)
            .map_or("?", |v| v.name.as_str());
        series.push(Series {
            label: format!("{name} CPU utilization %"),
            points,
            secondary: false,
        });
    }
    let chart = LineChart {
        name: "utilization",
        title: format!("Utilization: {}", report.summary.scenario),
        x_desc: t.desc,
        y_desc: "%",
        y2_desc: "",
        series,
        markers: vec![],
        note: None,
        y_floor_max: 100.0,
    };
    draw_lines(root, chart)
}
