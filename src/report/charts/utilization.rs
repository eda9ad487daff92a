//! `charts/utilization.svg` and `.png`: CPU and memory paid for, reserved and used, over time.
//!
//! Two panels share the time axis: vCPU on top, memory in GiB below, each with three lines
//! from `timeseries.csv` (`*_paid`, `*_reserved`, `*_used`). The quantities are absolute, so
//! EC2 instances and Fargate tasks add up in one line; the gap between paid and reserved is
//! idle EC2 capacity (and Fargate's size rounding), the gap between reserved and used is
//! what tasks hold but do not use. Each panel's caption gives the run's averages as % of
//! paid (minute-sampled, from `summary.usage`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_label, draw_err, font, house_mesh, legend_strip, no_data, style, value_range, x_range,
    ChartError, ChartKind, LegendEntry, Series, Swatch, TimeAxis,
};
use crate::report::{MinuteRow, Report};

const NAME: &str = "utilization";

/// The three lines of each panel, top to bottom, in palette order.
const LINES: [&str; 3] = ["paid", "reserved", "used"];

/// CPU (vCPU) and memory (GiB) paid for, reserved and used per minute, EC2 and Fargate
/// together. Tasks without a load model count as using their whole reservation.
pub fn utilization_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Utilization.svg(report)
}

/// "reserved 62 % of paid, used 41 % of paid" from the run's averages; "nothing paid" when
/// nothing was.
fn shares(paid: f64, reserved: f64, used: f64) -> String {
    if paid > 0.0 {
        format!(
            "reserved {:.0} % of paid, used {:.0} % of paid",
            reserved * 100.0 / paid,
            used * 100.0 / paid
        )
    } else {
        "nothing paid".to_string()
    }
}

/// One panel's three series from the minute rows.
fn panel_series(t: &TimeAxis, rows: &[MinuteRow], pick: [fn(&MinuteRow) -> f64; 3]) -> Vec<Series> {
    pick.into_iter()
        .map(|f| Series {
            points: rows
                .iter()
                .map(|r| (t.minute(r.minute), f(r)))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect(),
        })
        .collect()
}

/// Draws [`utilization_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let err = draw_err(NAME);
    let u = &report.summary.usage;
    let title = format!("Utilization: {}", report.summary.scenario);
    let t = TimeAxis::for_report(report);
    let ts = &report.timeseries;
    let cpu = panel_series(
        &t,
        ts,
        [|r| r.vcpu_paid, |r| r.vcpu_reserved, |r| r.vcpu_used],
    );
    let memory = panel_series(
        &t,
        ts,
        [
            |r| r.memory_gib_paid,
            |r| r.memory_gib_reserved,
            |r| r.memory_gib_used,
        ],
    );
    if cpu.iter().chain(&memory).all(|s| s.points.is_empty()) {
        return no_data(root, NAME, &title, "no data");
    }
    let area = root.titled(&title, font(style::TITLE_SIZE)).map_err(&err)?;
    // What "paid" and "used" mean, because neither is what AWS's consoles show.
    let note = "paid: whole EC2 instances + rounded Fargate sizes; used: load model, \
                other tasks (batch, no load model) at their reservation";
    let area = area.titled(note, font(style::TICK_SIZE)).map_err(&err)?;
    let legend: Vec<LegendEntry> = LINES
        .iter()
        .enumerate()
        .map(|(i, label)| LegendEntry {
            label: (*label).to_string(),
            swatch: Swatch::Line(style::series_color(i)),
        })
        .collect();
    let area = legend_strip(&area, &legend, NAME)?;
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(h / 2);
    let cpu_caption = format!(
        "CPU: {}",
        shares(u.vcpu_paid_avg, u.vcpu_reserved_avg, u.vcpu_used_avg)
    );
    let memory_caption = format!(
        "memory: {}",
        shares(
            u.memory_gib_paid_avg,
            u.memory_gib_reserved_avg,
            u.memory_gib_used_avg
        )
    );
    panel(&top, &cpu, &cpu_caption, t.desc, "vCPU")?;
    panel(&bottom, &memory, &memory_caption, t.desc, "GiB")?;
    Ok(())
}

/// One panel: the three lines against time on `area`, under `caption` (the run's averages).
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    caption: &str,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), ChartError> {
    let err = draw_err(NAME);
    let (x0, x1) = x_range(series);
    let (y0, y1) = value_range(
        series.iter().flat_map(|s| s.points.iter().map(|p| &p.1)),
        0.0,
    );
    let mut ctx = ChartBuilder::on(area)
        .caption(caption, font(style::LABEL_SIZE))
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?;
    house_mesh(&mut ctx.configure_mesh())
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(10)
        .y_labels(5)
        .x_label_formatter(&axis_label)
        .y_label_formatter(&axis_label)
        .draw()
        .map_err(&err)?;
    for (i, s) in series.iter().enumerate() {
        if s.points.is_empty() {
            continue;
        }
        let line = LineSeries::new(
            s.points.iter().copied(),
            style::series_color(i).stroke_width(style::LINE_WIDTH),
        );
        ctx.draw_series(line).map_err(&err)?;
    }
    Ok(())
}
