//! `charts/wait.svg` and `.png`: the wait from submission to RUNNING, as the summary states it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_err, no_data, style, value_range, ChartError, ChartKind};
use crate::report::Report;

const STATS: [&str; 5] = ["mean", "p50", "p95", "p99", "max"];

/// Bars of the summary's wait statistics (mean, p50, p95, p99, max). The report keeps no
/// per-task waits, so this is not a histogram of the distribution.
pub fn wait_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Wait.svg(report)
}

/// Draws [`wait_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let w = &report.summary.wait_time_s;
    let values = [w.mean, w.p50, w.p95, w.p99, w.max];
    let title = format!("Wait to RUNNING: {}", report.summary.scenario);
    let err = draw_err("wait");
    if w.count == 0 || values.iter().any(|v| !v.is_finite()) {
        no_data(root, "wait", &title, "no data: no task reached RUNNING")?;
    } else {
        let font = |size| (style::FONT_FAMILY, size).into_font().color(&style::INK);
        let area = root
            .titled(&title, font(style::TITLE_SIZE))
            .map_err(&err)?
            .titled(
                &format!(
                    "{} tasks; summary statistics only (the report keeps no per-task waits)",
                    w.count
                ),
                font(style::TICK_SIZE),
            )
            .map_err(&err)?;
        let (y0, y1) = value_range(values.iter(), 0.0);
        let mut ctx = ChartBuilder::on(&area)
            .margin(style::MARGIN)
            .x_label_area_size(style::X_LABEL_AREA)
            .y_label_area_size(style::Y_LABEL_AREA)
            .build_cartesian_2d(-0.5..(STATS.len() as f64 - 0.5), y0..y1)
            .map_err(&err)?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < STATS.len() {
                STATS[i as usize].to_string()
            } else {
                String::new()
            }
        };
        ctx.configure_mesh()
            .x_desc("statistic")
            .y_desc("wait (seconds)")
            .axis_desc_style(font(style::LABEL_SIZE))
            .label_style(font(style::TICK_SIZE))
            .axis_style(style::INK)
            .bold_line_style(style::GRID)
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .x_labels(STATS.len())
            .x_label_formatter(&label)
            .y_labels(8)
            .draw()
            .map_err(&err)?;
        ctx.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let x = i as f64;
            Rectangle::new([(x - 0.3, 0.0), (x + 0.3, v)], style::BAR.filled())
        }))
        .map_err(&err)?;
        ctx.draw_series(values.iter().enumerate().map(|(i, &v)| {
            Text::new(
                format!("{v:.1} s"),
                (i as f64 - 0.1, v),
                font(style::TICK_SIZE),
            )
        }))
        .map_err(&err)?;
    }
    Ok(())
}
