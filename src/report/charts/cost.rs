//! `charts/cost.svg` and `.png`: cumulative cost and cost rate.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::{draw_lines, ChartError, ChartKind, LineChart, Series, TimeAxis};
use crate::report::Report;

/// Cumulative cost (USD) and the cost rate (USD per hour: the cost of each minute × 60) on
/// the right-hand axis. Total only: the report keeps the per-minute cost as one figure, so
/// a split by capacity provider would need a per-provider cost column in the time series.
pub fn cost_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Cost.svg(report)
}

/// Draws [`cost_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let t = TimeAxis::for_report(report);
    let ts = &report.timeseries;
    let cumulative = ts
        .iter()
        .map(|r| (t.minute(r.minute), r.cost_usd))
        .collect();
    let mut rate = Vec::with_capacity(ts.len());
    let (mut prev_minute, mut prev_cost) = (0u64, 0.0);
    for r in ts {
        let minutes = r.minute.saturating_sub(prev_minute);
        if minutes > 0 {
            let per_hour = (r.cost_usd - prev_cost) * 60.0 / minutes as f64;
            rate.push((t.minute(r.minute), per_hour));
        }
        prev_minute = r.minute;
        prev_cost = r.cost_usd;
    }
    let chart = LineChart {
        name: "cost",
        title: format!(
            "Cost: {} (total {:.2} USD)",
            report.summary.scenario, report.summary.cost.total_usd
        ),
        x_desc: t.desc,
        y_desc: "cumulative cost (USD)",
        y2_desc: "cost rate (USD/hour)",
        series: vec![
            Series {
                label: "cumulative cost (USD)".to_string(),
                points: cumulative,
                secondary: false,
            },
            Series {
                label: "cost rate (USD/hour, right axis)".to_string(),
                points: rate,
                secondary: true,
            },
        ],
        markers: vec![],
        note: Some("all capacity providers together".to_string()),
        y_floor_max: 0.0,
    };
    draw_lines(root, chart)
}
