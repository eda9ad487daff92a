//! `charts/cost.svg` and `.png`: cumulative cost per capacity provider, stacked, with each
//! EC2 provider's idle part lighter, and the total cost rate.
//!
//! How the idle cost is drawn: the cost series has each EC2 provider's idle part
//! (`idle_by_provider_usd`), so each EC2 provider's layer is split in two: its idle part at
//! the bottom of the layer in a lighter tint of its colour, the part reserved by tasks above
//! in its full colour. Fargate layers have no idle part (Fargate bills the task size).
//!
//! With commitments (and only then, so a run without them draws the same bytes as before),
//! two more lines on the left axis branch off the top of the stack where the measurement
//! window starts: the cumulative cost with commitments (fees, On-Demand spill and Spot) and,
//! dashed, the commitment fees in it. The gap between the two is the On-Demand spill (and
//! Spot); the gap between the stack's top and the solid line is what the commitments saved
//! (or cost, when the line runs above the stack). They are hourly: AWS applies commitments
//! per hour, so there is no minute figure to draw.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_label, draw_err, font, house_mesh, legend_strip, no_data, style, value_range, ChartError,
    ChartKind, LegendEntry, Swatch, TimeAxis,
};
use crate::report::{is_fargate_provider as is_fargate, Report};

/// Stacked cumulative cost (USD) per capacity provider that cost anything, each EC2
/// provider's idle part in a lighter tint, and the total cost rate (USD per hour, from the
/// minute-to-minute differences) on the right-hand axis.
pub fn cost_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Cost.svg(report)
}

/// What the cost chart draws, computed from the report alone (the tests use it too).
pub(crate) struct CostLayers {
    /// (column, name) of each provider drawn, bottom of the stack first: EC2 ones, then
    /// Fargate ones, each group in the report's order.
    pub providers: Vec<(usize, String)>,
    /// Columns of the EC2 providers drawn with an idle part: some minute has idle cost there.
    pub idle: Vec<usize>,
}

/// Which providers and layers [`draw`] shows: a provider whose column stays 0 for the whole
/// run (an unused `FARGATE_SPOT`, say) gets no layer and no legend entry.
pub(crate) fn layers(report: &Report) -> CostLayers {
    let positive = |col: usize, idle: bool| {
        report.cost_series.iter().any(|r| {
            let v = if idle {
                &r.idle_by_provider_usd
            } else {
                &r.by_provider_usd
            };
            v.get(col).is_some_and(|&v| v > 0.0)
        })
    };
    let names = &report.cost_series_providers;
    let mut providers: Vec<(usize, String)> = Vec::new();
    for fargate in [false, true] {
        for (col, name) in names.iter().enumerate() {
            if is_fargate(name) == fargate && positive(col, false) {
                providers.push((col, name.clone()));
            }
        }
    }
    let idle = providers
        .iter()
        .filter(|(col, name)| !is_fargate(name) && positive(*col, true))
        .map(|(col, _)| *col)
        .collect();
    CostLayers { providers, idle }
}

/// Draws [`cost_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = ChartKind::Cost.file_stem();
    let err = draw_err(name);
    let title = format!(
        "Cost: {} (total {:.2} USD)",
        report.summary.scenario, report.summary.cost.total_usd
    );
    let t = TimeAxis::for_report(report);
    let rows: Vec<_> = report
        .cost_series
        .iter()
        .filter(|r| {
            r.by_provider_usd.iter().all(|v| v.is_finite())
                && r.idle_by_provider_usd.iter().all(|v| v.is_finite())
        })
        .collect();
    if rows.is_empty() {
        return no_data(root, name, &title, "no data");
    }
    let CostLayers { providers, idle } = layers(report);
    let xs: Vec<f64> = rows.iter().map(|r| t.minute(r.minute)).collect();
    let col = |r: &crate::report::CostMinuteRow, c: usize| r.by_provider_usd.get(c).copied();
    // tops[k][m]: the top of layer k at row m, i.e. the sum of providers 0..=k.
    let mut tops: Vec<Vec<f64>> = Vec::with_capacity(providers.len());
    let mut below = vec![0.0; rows.len()];
    for (c, _) in &providers {
        let top: Vec<f64> = rows
            .iter()
            .zip(&below)
            .map(|(r, b)| b + col(r, *c).unwrap_or(0.0))
            .collect();
        below.clone_from(&top);
        tops.push(top);
    }
    // idle_tops[k][m]: the top of provider k's idle part at row m, which starts at the bottom
    // of its layer; never above the layer's own top, so it cannot tint the layer above.
    let idle_tops: Vec<Option<Vec<f64>>> = providers
        .iter()
        .enumerate()
        .map(|(k, (c, _))| {
            idle.contains(c).then(|| {
                rows.iter()
                    .enumerate()
                    .map(|(m, r)| {
                        let lower = if k == 0 { 0.0 } else { tops[k - 1][m] };
                        let part = r.idle_by_provider_usd.get(*c).copied().unwrap_or(0.0);
                        (lower + part.max(0.0)).min(tops[k][m])
                    })
                    .collect()
            })
        })
        .collect();
    // Cost rate, USD per hour, of the whole minute-to-minute change: every column together.
    let totals: Vec<f64> = rows
        .iter()
        .map(|r| r.by_provider_usd.iter().sum::<f64>())
        .collect();
    let mut rate = Vec::with_capacity(rows.len());
    let (mut prev_minute, mut prev_total) = (0u64, 0.0);
    for (r, total) in rows.iter().zip(&totals) {
        let minutes = r.minute.saturating_sub(prev_minute);
        if minutes > 0 {
            rate.push((
                t.minute(r.minute),
                (total - prev_total) * 60.0 / minutes as f64,
            ));
        }
        prev_minute = r.minute;
        prev_total = *total;
    }

    // A provider with an idle part gets two entries, so each colour says what it is.
    let mut legend: Vec<LegendEntry> = Vec::new();
    for (c, n) in &providers {
        let color = style::series_color(*c);
        if idle.contains(c) {
            legend.push(LegendEntry {
                label: format!("{n}: reserved by tasks"),
                swatch: Swatch::Fill(color),
            });
            legend.push(LegendEntry {
                label: format!("{n}: idle (paid, not reserved)"),
                swatch: Swatch::Fill(style::idle_tint(color)),
            });
        } else {
            legend.push(LegendEntry {
                label: n.clone(),
                swatch: Swatch::Fill(color),
            });
        }
    }
    if !rate.is_empty() {
        legend.push(LegendEntry {
            label: "cost rate, all providers (USD/hour, right axis)".to_string(),
            swatch: Swatch::Line(style::RATE_LINE),
        });
    }
    let committed = commitment_lines(report, &t, &rows, &totals);
    if committed.is_some() {
        legend.push(LegendEntry {
            label: "with commitments: fees + on-demand spill + Spot".to_string(),
            swatch: Swatch::Line(style::COMMITMENT_LINE),
        });
        legend.push(LegendEntry {
            label: "commitment fees (paid used or not; dashed)".to_string(),
            swatch: Swatch::Line(style::COMMITMENT_LINE),
        });
    }

    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(
            "cumulative, stacked by capacity provider; per-minute figures leave out the \
             60-second minimum charge that the total includes",
            font(style::TICK_SIZE),
        )
        .map_err(&err)?;
    let area = legend_strip(&area, &legend, name)?;
    let (x0, x1) = match (xs.first(), xs.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        (Some(&a), _) => (a, a + 1.0),
        _ => (0.0, 1.0),
    };
    let top = tops.last().unwrap_or(&below).iter();
    let (y0, y1) = match &committed {
        // The with-commitments line may run above the stack (commitments that lose money).
        Some((effective, _)) => value_range(top.chain(effective.iter().map(|p| &p.1)), 0.0),
        None => value_range(top, 0.0),
    };
    let (z0, z1) = value_range(rate.iter().map(|p| &p.1), 0.0);
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(style::Y_LABEL_AREA)
        .right_y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?
        .set_secondary_coord(x0..x1, z0..z1);
    house_mesh(&mut ctx.configure_mesh())
        .x_desc(t.desc)
        .y_desc("cumulative cost (USD)")
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(&axis_label)
        .y_label_formatter(&axis_label)
        .draw()
        .map_err(&err)?;
    // The right axis leaves out its bottom label: at the corner it would sit against the
    // last time label ("120.0" touching "0.0"), and the bottom is 0 on both axes.
    let rate_label = |v: &f64| {
        if *v <= z0 {
            String::new()
        } else {
            axis_label(v)
        }
    };
    ctx.configure_secondary_axes()
        .y_desc("cost rate (USD/hour)")
        .axis_desc_style(font(style::LABEL_SIZE))
        .label_style(font(style::TICK_SIZE))
        .axis_style(style::INK)
        .y_labels(8)
        .y_label_formatter(&rate_label)
        .draw()
        .map_err(&err)?;
    // One polygon per layer: along its top left to right, back along the layer below.
    let band = |upper: &[f64], lower: &[f64]| -> Vec<(f64, f64)> {
        let mut points: Vec<(f64, f64)> = xs.iter().copied().zip(upper.iter().copied()).collect();
        points.extend(xs.iter().copied().zip(lower.iter().copied()).rev());
        points
    };
    let zeros = vec![0.0; rows.len()];
    for (k, (c, _)) in providers.iter().enumerate() {
        let lower = if k == 0 { &zeros } else { &tops[k - 1] };
        ctx.draw_series(std::iter::once(Polygon::new(
            band(&tops[k], lower),
            style::series_color(*c).filled(),
        )))
        .map_err(&err)?;
    }
    // The idle parts go over their full-colour layers: each provider still has exactly one
    // full-colour polygon, and its idle polygon covers the bottom of it.
    for (k, ((c, _), idle_top)) in providers.iter().zip(&idle_tops).enumerate() {
        let Some(idle_top) = idle_top else { continue };
        let lower = if k == 0 { &zeros } else { &tops[k - 1] };
        ctx.draw_series(std::iter::once(Polygon::new(
            band(idle_top, lower),
            style::idle_tint(style::series_color(*c)).filled(),
        )))
        .map_err(&err)?;
    }
    if let Some((effective, fees)) = committed {
        ctx.draw_series(LineSeries::new(
            effective,
            style::COMMITMENT_LINE.stroke_width(style::LINE_WIDTH),
        ))
        .map_err(&err)?;
        let (dash, gap) = style::DASH;
        ctx.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
            fees,
            dash as i32,
            gap as i32,
            style::COMMITMENT_LINE.stroke_width(style::LINE_WIDTH),
        )))
        .map_err(&err)?;
    }
    if !rate.is_empty() {
        ctx.draw_secondary_series(LineSeries::new(
            rate,
            style::RATE_LINE.stroke_width(style::LINE_WIDTH),
        ))
        .map_err(&err)?;
    }
    Ok(())
}

/// The with-commitments line and the fees line, as (x, cumulative USD) points: from the top
/// of the stack at the window's start, one point at the end of each hour. `None` without
/// commitments.
#[allow(clippy::type_complexity)]
fn commitment_lines(
    report: &Report,
    t: &TimeAxis,
    rows: &[&crate::report::CostMinuteRow],
    totals: &[f64],
) -> Option<(Vec<(f64, f64)>, Vec<(f64, f64)>)> {
    let points = &report.commitment_series;
    if points.is_empty() || points.iter().any(|p| !p.effective_usd.is_finite()) {
        return None;
    }
    let from_s = report.summary.window.from_s;
    // The stack's total at the window's start: the last minute row at or before it (the
    // minute figures leave out the 60 s minimums, so the branch point is that close).
    let base = rows
        .iter()
        .zip(totals)
        .take_while(|(r, _)| (r.minute as f64) * 60.0 <= from_s)
        .last()
        .map_or(0.0, |(_, total)| *total);
    let start = (t.seconds(from_s), base);
    let mut effective = vec![start];
    let mut fees = vec![start];
    for p in points {
        let x = t.seconds(p.end_s);
        effective.push((x, base + p.effective_usd));
        fees.push((x, base + p.fees_usd));
    }
    Some((effective, fees))
}
