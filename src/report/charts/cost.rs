//! `charts/cost.svg` and `.png`: cumulative cost per capacity provider, stacked, with the
//! idle EC2 part shaded, and the total cost rate.
//!
//! How the idle cost is drawn: the report has one idle figure for all of EC2 (billing cannot
//! tell which Auto Scaling group's spare capacity it was without a per-provider idle column),
//! so the EC2 providers are stacked at the bottom and a white veil covers the band from 0 to
//! the idle total. Whatever EC2 colours lie under it show as a lighter tint of themselves:
//! with one EC2 provider that is exactly its idle part under its reserved part. With
//! several, the band is also hatched and labelled "idle EC2, all groups": which layers it
//! happens to cover follows from the stacking order only, and the legend claims no split.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    draw_err, font, house_mesh, legend_strip, no_data, style, value_range, ChartError, ChartKind,
    LegendEntry, Swatch, TimeAxis,
};
use crate::report::Report;

/// Stacked cumulative cost (USD) per capacity provider that cost anything, the idle EC2
/// part veiled, and the total cost rate (USD per hour, from the minute-to-minute
/// differences) on the right-hand axis.
pub fn cost_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Cost.svg(report)
}

/// A `cost_series_providers` entry billed as Fargate rather than as EC2 instances.
fn is_fargate(name: &str) -> bool {
    name == "FARGATE" || name == "FARGATE_SPOT"
}

/// What the cost chart draws, computed from the report alone (the tests use it too).
pub(crate) struct CostLayers {
    /// (column, name) of each provider drawn, bottom of the stack first: EC2 ones, then
    /// Fargate ones, each group in the report's order.
    pub providers: Vec<(usize, String)>,
    /// Whether the EC2 idle veil is drawn: some minute has idle cost.
    pub idle: bool,
}

/// Which providers and layers [`draw`] shows: a provider whose column stays 0 for the whole
/// run (an unused `FARGATE_SPOT`, say) gets no layer and no legend entry.
pub(crate) fn layers(report: &Report) -> CostLayers {
    let used = |col: usize| {
        report
            .cost_series
            .iter()
            .any(|r| r.by_provider_usd.get(col).is_some_and(|&v| v > 0.0))
    };
    let names = &report.cost_series_providers;
    let mut providers: Vec<(usize, String)> = Vec::new();
    for fargate in [false, true] {
        for (col, name) in names.iter().enumerate() {
            if is_fargate(name) == fargate && used(col) {
                providers.push((col, name.clone()));
            }
        }
    }
    let idle = report.cost_series.iter().any(|r| r.idle_usd > 0.0);
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
        .filter(|r| r.by_provider_usd.iter().all(|v| v.is_finite()) && r.idle_usd.is_finite())
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
    let ec2_count = providers.iter().filter(|(_, n)| !is_fargate(n)).count();
    let ec2_top: Vec<f64> = match ec2_count.checked_sub(1) {
        Some(k) => tops[k].clone(),
        None => vec![0.0; rows.len()],
    };
    // The veil never rises above the EC2 part of the stack, so it cannot tint Fargate.
    let idle_top: Vec<f64> = rows
        .iter()
        .zip(&ec2_top)
        .map(|(r, e)| r.idle_usd.clamp(0.0, *e))
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

    // With one EC2 provider under the veil, its full colour is only the reserved part, and
    // the legend says so; with several, the veil spans them and claims no split.
    let single_ec2 = idle && ec2_count == 1;
    let mut legend: Vec<LegendEntry> = providers
        .iter()
        .map(|(c, n)| LegendEntry {
            label: if single_ec2 && !is_fargate(n) {
                format!("{n}: reserved by tasks")
            } else {
                n.clone()
            },
            swatch: Swatch::Fill(style::series_color(*c)),
        })
        .collect();
    if idle {
        // Show the tint the veil gives the first EC2 colour.
        let first_ec2 = providers.iter().find(|(_, n)| !is_fargate(n));
        let base = match first_ec2 {
            Some((c, _)) if single_ec2 => style::series_color(*c),
            _ => style::IDLE_HATCH,
        };
        let label = match (single_ec2, first_ec2) {
            (true, Some((_, n))) => format!("{n}: idle (paid, not reserved)"),
            _ => "idle EC2, all groups (hatched band, not split by group)".to_string(),
        };
        legend.push(LegendEntry {
            label,
            swatch: Swatch::Fill(style::idle_tint(base)),
        });
    }
    if !rate.is_empty() {
        legend.push(LegendEntry {
            label: "cost rate, all providers (USD/hour, right axis)".to_string(),
            swatch: Swatch::Line(style::RATE_LINE),
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
    let (y0, y1) = value_range(tops.last().unwrap_or(&below).iter(), 0.0);
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
        .draw()
        .map_err(&err)?;
    ctx.configure_secondary_axes()
        .y_desc("cost rate (USD/hour)")
        .axis_desc_style(font(style::LABEL_SIZE))
        .label_style(font(style::TICK_SIZE))
        .axis_style(style::INK)
        .y_labels(8)
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
    if idle {
        ctx.draw_series(std::iter::once(Polygon::new(
            band(&idle_top, &zeros),
            style::IDLE_VEIL.mix(style::IDLE_VEIL_OPACITY).filled(),
        )))
        .map_err(&err)?;
        if ec2_count > 1 {
            // Over several groups the veil alone would read as "this group's idle part"
            // for whichever layers it happens to cover; hatching marks it as one band
            // across all of them. Lines rise at 45° on screen, one every 1/60 of the width.
            let (w_px, h_px) = ctx.plotting_area().dim_in_pixel();
            let dx = (x1 - x0) / 60.0;
            let slope = (y1 - y0) / f64::from(h_px.max(1)) * f64::from(w_px) / (x1 - x0);
            let lines: Vec<_> = (0..60)
                .filter_map(|k| hatch_line(&xs, &idle_top, x0 + k as f64 * dx, slope))
                .collect();
            ctx.draw_series(
                lines
                    .into_iter()
                    .map(|(a, b)| PathElement::new(vec![a, b], style::IDLE_HATCH.stroke_width(1))),
            )
            .map_err(&err)?;
        }
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

/// One hatch line of the idle band: from `(x_start, 0)` up at `slope` (USD per x unit) until
/// it meets the band's top `top` (sampled at `xs`, straight between samples), or the last
/// sample. `None` when the line would have no length (it starts outside the samples or
/// where the band is empty).
fn hatch_line(
    xs: &[f64],
    top: &[f64],
    x_start: f64,
    slope: f64,
) -> Option<((f64, f64), (f64, f64))> {
    let line = |x: f64| slope * (x - x_start);
    let first = xs.iter().position(|&x| x >= x_start)?;
    // Height of the band above the line at sample i: the line ends where this drops to 0.
    let gap = |i: usize| top[i] - line(xs[i]);
    let mut end = None;
    for i in first..xs.len() {
        // A band of height 0 where the line starts does not stop it: it starts on the band's
        // edge, and only a sample to its right can show it has left the band.
        if xs[i] > x_start && gap(i) <= 0.0 {
            // The crossing between samples i-1 and i, by linear interpolation. The gap at
            // i-1 is not negative: either the loop went on past it, or it lies at or before
            // `x_start`, where the line is at or below 0 and the band is not.
            let Some(prev) = i.checked_sub(1) else {
                end = Some((xs[i], line(xs[i])));
                break;
            };
            let (g0, g1) = (gap(prev).max(0.0), gap(i));
            let x = if g0 - g1 > 0.0 {
                xs[prev] + (xs[i] - xs[prev]) * g0 / (g0 - g1)
            } else {
                xs[i]
            };
            end = Some((x, line(x)));
            break;
        }
    }
    let last = xs.len() - 1;
    let end = end.unwrap_or((xs[last], line(xs[last])));
    (end.0 > x_start && end.1 > 0.0).then_some(((x_start, 0.0), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hatch_line_stops_at_the_band_top() {
        // The band rises from 0 to 2 over x 0..2; a line from x 0 at slope 2 is above it
        // at once (2x > x), so it has no length; at slope 0.5 it stays under the band
        // (0.5x < x) and runs to the last sample.
        let xs = [0.0, 1.0, 2.0];
        let top = [0.0, 1.0, 2.0];
        assert_eq!(hatch_line(&xs, &top, 0.0, 2.0), None);
        assert_eq!(
            hatch_line(&xs, &top, 0.0, 0.5),
            Some(((0.0, 0.0), (2.0, 1.0)))
        );
        // A flat band of height 1 meets a line from x 0 at slope 1 at x 1.
        let flat = [1.0, 1.0, 1.0];
        let (_, (x, y)) = hatch_line(&xs, &flat, 0.0, 1.0).expect("a line");
        assert!(
            (x - 1.0).abs() < 1e-9 && (y - 1.0).abs() < 1e-9,
            "({x}, {y})"
        );
        // Starting before the samples: the line still starts where asked and meets the
        // band (height 1 from x 0) at x 0.5.
        let (_, (x, _)) = hatch_line(&xs, &flat, -0.5, 1.0).expect("a line");
        assert!((x - 0.5).abs() < 1e-9, "{x}");
        // Starting past the samples: nothing.
        assert_eq!(hatch_line(&xs, &flat, 3.0, 1.0), None);
    }
}
