//! `charts/wait.svg` and `.png`: how long tasks waited from submission to RUNNING, as the
//! report's fixed-bin histogram with its cumulative share.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_err, font, legend_strip, no_data, style, ChartError, ChartKind, LegendEntry, Swatch,
};
use crate::report::{Report, WaitBin};

/// A bar per bin of the report's wait histogram (1-2-5 bins from 1 s to a day) with the
/// task count over it, and the cumulative % of tasks (the empirical CDF at each bin's upper
/// edge) on the right-hand axis; p50, p95 and p99 in the note line.
pub fn wait_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Wait.svg(report)
}

/// The bins [`draw`] shows: every bin up to the last non-empty one (the empty tail of long
/// waits would only squeeze the bars), none when no task waited.
pub(crate) fn shown_bins(report: &Report) -> &[WaitBin] {
    let h = &report.wait_histogram;
    match h.iter().rposition(|b| b.count > 0) {
        Some(last) => &h[..=last],
        None => &[],
    }
}

/// A duration on the bins' 1-2-5 scale, in the largest unit that divides it evenly, so an
/// edge reads "30 s", "2 min", "12 h" or "1 d".
fn duration(s: f64) -> (String, &'static str) {
    for (unit, name) in [(86_400.0, "d"), (3600.0, "h"), (60.0, "min")] {
        if s >= unit && (s / unit).fract() == 0.0 {
            return (format!("{}", s / unit), name);
        }
    }
    (format!("{s}"), "s")
}

/// A bin's label: "<1 s", "1–2 s", "30 s–1 min", "≥1 d".
fn bin_label(b: &WaitBin) -> String {
    match b.upper_s {
        Some(upper) if b.lower_s <= 0.0 => {
            let (v, u) = duration(upper);
            format!("<{v} {u}")
        }
        Some(upper) => {
            let (lv, lu) = duration(b.lower_s);
            let (uv, uu) = duration(upper);
            if lu == uu {
                format!("{lv}–{uv} {uu}")
            } else {
                format!("{lv} {lu}–{uv} {uu}")
            }
        }
        None => {
            let (v, u) = duration(b.lower_s);
            format!("≥{v} {u}")
        }
    }
}

/// Draws [`wait_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = ChartKind::Wait.file_stem();
    let err = draw_err(name);
    let title = format!("Wait to RUNNING: {}", report.summary.scenario);
    let bins = shown_bins(report);
    let total: u64 = bins.iter().map(|b| b.count).sum();
    if total == 0 {
        return no_data(root, name, &title, "no data: no task reached RUNNING");
    }
    let w = &report.summary.wait_time_s;
    let note = format!(
        "{total} tasks; p50 {:.1} s, p95 {:.1} s, p99 {:.1} s, max {:.1} s",
        w.p50, w.p95, w.p99, w.max
    );
    let legend = [
        LegendEntry {
            label: "tasks per wait bin".to_string(),
            swatch: Swatch::Fill(style::BAR),
        },
        LegendEntry {
            label: "cumulative % of tasks, up to the bin's upper edge (right axis)".to_string(),
            swatch: Swatch::Line(style::CDF_LINE),
        },
    ];
    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(&note, font(style::TICK_SIZE))
        .map_err(&err)?;
    let area = legend_strip(&area, &legend, name)?;
    let labels: Vec<String> = bins.iter().map(bin_label).collect();
    let max_count = bins.iter().map(|b| b.count).max().unwrap_or(0) as f64;
    let n = bins.len() as f64;
    // Every bin keeps its label: when they do not fit side by side, alternate bins drop to
    // a second (or third) row instead of losing their label, so the tallest bar is never
    // the one a reader cannot name.
    let tick = font(style::TICK_SIZE);
    let mut widest = 0u32;
    let mut line_h = 0u32;
    for l in &labels {
        let (w, h) = area.estimate_text_size(l, &tick).map_err(&err)?;
        widest = widest.max(w);
        line_h = line_h.max(h);
    }
    let plot_w =
        f64::from(area.dim_in_pixel().0) - f64::from(2 * (style::MARGIN + style::Y_LABEL_AREA));
    let per_bin = (plot_w / n).max(1.0);
    let rows = ((f64::from(widest) + 8.0) / per_bin).ceil().clamp(1.0, 3.0) as u32;
    let row_h = line_h + 3;
    // A fifth of headroom above the tallest bar holds its count label.
    let y1 = (max_count * 1.2).max(1.0);
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA + (rows - 1) * row_h)
        .y_label_area_size(style::Y_LABEL_AREA)
        .right_y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(-0.5..(n - 0.5), 0.0..y1)
        .map_err(&err)?
        .set_secondary_coord(-0.5..(n - 0.5), 0.0..100.0);
    ctx.configure_mesh()
        .x_desc("wait from submission to RUNNING")
        .y_desc("tasks")
        .axis_desc_style(font(style::LABEL_SIZE))
        .label_style(tick.clone())
        .axis_style(style::INK)
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        // Tick marks at the bin centres; the labels are drawn below, staggered.
        .x_labels(bins.len())
        .x_label_formatter(&|_| String::new())
        .y_labels(8)
        .y_label_formatter(&|v: &f64| format!("{v:.0}"))
        .draw()
        .map_err(&err)?;
    ctx.configure_secondary_axes()
        .y_desc("cumulative % of tasks")
        .axis_desc_style(font(style::LABEL_SIZE))
        .label_style(tick.clone())
        .axis_style(style::INK)
        .y_labels(6)
        .y_label_formatter(&|v: &f64| format!("{v:.0} %"))
        .draw()
        .map_err(&err)?;
    let below = tick.pos(Pos::new(HPos::Center, VPos::Top));
    ctx.draw_series(labels.iter().enumerate().map(|(i, l)| {
        let dy = 8 + (i as u32 % rows) * row_h;
        EmptyElement::at((i as f64, 0.0)) + Text::new(l.clone(), (0, dy as i32), below.clone())
    }))
    .map_err(&err)?;
    // Empty bins get no bar (and no "0"), so a bar is exactly a bin with tasks.
    let filled = || {
        bins.iter()
            .enumerate()
            .filter(|(_, b)| b.count > 0)
            .map(|(i, b)| (i as f64, b.count as f64, b.count))
    };
    ctx.draw_series(
        filled()
            .map(|(x, c, _)| Rectangle::new([(x - 0.4, 0.0), (x + 0.4, c)], style::BAR.filled())),
    )
    .map_err(&err)?;
    // The share up to a bin's upper edge sits at the right edge of its slot, from 0 % at
    // the left edge of the first one, so the line climbs across each bin it accounts for.
    let mut so_far = 0u64;
    let mut cdf: Vec<(f64, f64)> = vec![(-0.5, 0.0)];
    cdf.extend(bins.iter().enumerate().map(|(i, b)| {
        so_far += b.count;
        (i as f64 + 0.5, so_far as f64 * 100.0 / total as f64)
    }));
    ctx.draw_secondary_series(LineSeries::new(
        cdf,
        style::CDF_LINE.stroke_width(style::LINE_WIDTH),
    ))
    .map_err(&err)?;
    // The count sits above its bar, anchored at the bottom and lifted a few pixels, so it
    // never overlaps the bar top whatever the bar's height. It is drawn last, on a white
    // patch, so the CDF line passing through cannot make it unreadable.
    let count_style = tick.pos(Pos::new(HPos::Center, VPos::Bottom));
    let mut counts = Vec::new();
    for (x, c, count) in filled() {
        let text = count.to_string();
        let (w, h) = area.estimate_text_size(&text, &tick).map_err(&err)?;
        let (w, h) = (w as i32, h as i32);
        counts.push(
            EmptyElement::at((x, c))
                + Rectangle::new([(-w / 2 - 2, -h - 4), (w / 2 + 2, -2)], WHITE.filled())
                + Text::new(text, (0, -3), count_style.clone()),
        );
    }
    ctx.draw_series(counts).map_err(&err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::wait_histogram;

    #[test]
    fn bin_labels_use_the_largest_even_unit() {
        let labels: Vec<String> = wait_histogram(&[]).iter().map(bin_label).collect();
        assert_eq!(labels[0], "<1 s");
        assert_eq!(labels[1], "1–2 s");
        assert_eq!(labels[6], "30 s–1 min");
        assert_eq!(labels[12], "30 min–1 h");
        assert_eq!(labels[16], "12 h–1 d");
        assert_eq!(labels.last().map(String::as_str), Some("≥1 d"));
    }
}
