//! Bar panels for the charts that compare named things (variants of `ecsim compare`), and the
//! helpers those charts share: wrapped category labels, short number labels, text placed in
//! pixels beside a plot.
//!
//! Category names can be long (variant names run to 64 characters), and plotters rotates
//! text only by quarter turns, which the bundled-font backends do not all honour; so names are
//! wrapped onto up to [`MAX_LABEL_LINES`] lines under their bar instead, broken after `-`,
//! `_`, `.` or a space where possible.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_err, font, house_mesh, style, value_range, ChartError};

/// Lines a category label may take under its bar; a longer one ends in `...`.
pub(crate) const MAX_LABEL_LINES: usize = 3;

/// Colours of the comparison bars that are not plain series: EC2 capacity reserved by tasks,
/// EC2 capacity paid for but idle (a light tint of the same blue, so the two read as one EC2
/// bar), Fargate, Fargate Spot (a light tint of the same orange, likewise). Kept here rather than in `style` while the per-run charts' style is being
/// reworked elsewhere; they are plain palette entries or tints of them.
pub(crate) const EC2_RESERVED: RGBColor = style::PALETTE[0];
/// See [`EC2_RESERVED`].
pub(crate) const EC2_IDLE: RGBColor = RGBColor(0xAE, 0xC7, 0xE8);
/// See [`EC2_RESERVED`].
pub(crate) const FARGATE: RGBColor = style::PALETTE[1];
/// See [`EC2_RESERVED`].
pub(crate) const FARGATE_SPOT: RGBColor = RGBColor(0xFF, 0xBB, 0x78);

/// One kind of bar: a legend entry and one value per category (`None`: not applicable, no bar).
pub(crate) struct BarGroup {
    pub label: String,
    pub color: RGBColor,
    pub values: Vec<Option<f64>>,
}

/// A panel of bars, one slot per category.
pub(crate) struct Bars<'a> {
    pub name: &'static str,
    /// Caption above the panel.
    pub caption: &'a str,
    pub y_desc: &'a str,
    pub categories: &'a [String],
    pub groups: Vec<BarGroup>,
    /// Stack the groups in one bar per category (labelled with the total), or put them side
    /// by side (each labelled when there is room).
    pub stacked: bool,
    pub value_label: &'a dyn Fn(f64) -> String,
}

/// A number in a few characters: thousands without decimals, small numbers with enough
/// decimals to show they are not zero.
pub(crate) fn short(x: f64) -> String {
    // Adding 0 turns −0 into 0, which would otherwise print as "-0.00".
    let x = x + 0.0;
    let a = x.abs();
    if !x.is_finite() {
        "n/a".to_string()
    } else if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 0.01 || a == 0.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.4}")
    }
}

/// A number with four significant digits (at most six decimals), trailing zeros dropped: for
/// labels that must tell close values apart, like a figure's p5, p50 and p95.
pub(crate) fn sig4(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    // Also catches −0, which would otherwise print with a sign.
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Width of `text` in `font`, pixels; a rough estimate if the font cannot measure it.
pub(crate) fn text_width(text: &str, size: u32) -> u32 {
    (style::FONT_FAMILY, size)
        .into_font()
        .box_size(text)
        .map_or_else(|_| text.chars().count() as u32 * size * 6 / 10, |(w, _)| w)
}

/// `name` broken into lines of at most `max_px` pixels at `size`, after a separator where
/// possible, at most [`MAX_LABEL_LINES`] lines (the last ending in `...` if cut).
pub(crate) fn wrap(name: &str, max_px: u32, size: u32) -> Vec<String> {
    // Tokens end after a separator, so a line break never drops a character.
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        cur.push(c);
        if matches!(c, '-' | '_' | '.' | ' ') {
            tokens.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let fits = |s: &str| text_width(s, size) <= max_px;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for token in tokens {
        let joined = format!("{line}{token}");
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A token wider than the slot is cut character by character.
        for c in token.chars() {
            let joined = format!("{line}{c}");
            if fits(&joined) || line.is_empty() {
                line = joined;
            } else {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > MAX_LABEL_LINES {
        lines.truncate(MAX_LABEL_LINES);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && !fits(&format!("{last}...")) {
                last.pop();
            }
            last.push_str("...");
        }
    }
    lines
}

/// Draws `text` at backend pixel `at` on `area` (whose own origin is somewhere on the canvas).
pub(crate) fn text_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &'static str,
    text: &str,
    at: (i32, i32),
    size: u32,
    pos: Pos,
) -> Result<(), ChartError> {
    let base = area.get_base_pixel();
    area.draw(&Text::new(
        text.to_string(),
        (at.0 - base.0, at.1 - base.1),
        font(size).pos(pos),
    ))
    .map_err(draw_err(chart))
}

/// Draws one panel of bars on `area`.
pub(crate) fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    bars: &Bars<'_>,
) -> Result<(), ChartError> {
    let err = draw_err(bars.name);
    let n = bars.categories.len().max(1);
    let (w, _) = area.dim_in_pixel();
    let plot_w = w
        .saturating_sub(style::Y_LABEL_AREA + 2 * style::MARGIN)
        .max(1);
    let slot_px = plot_w / n as u32;
    let labels: Vec<Vec<String>> = bars
        .categories
        .iter()
        .map(|c| wrap(c, slot_px.saturating_sub(8).max(24), style::TICK_SIZE))
        .collect();
    let lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let line_h = style::TICK_SIZE + 3;
    let tops: Vec<f64> = (0..bars.categories.len())
        .flat_map(|i| {
            if bars.stacked {
                vec![bars.groups.iter().filter_map(|g| g.values[i]).sum::<f64>()]
            } else {
                bars.groups.iter().filter_map(|g| g.values[i]).collect()
            }
        })
        .filter(|v| v.is_finite())
        .collect();
    let (y0, mut y1) = value_range(tops.iter(), 0.0);
    // Headroom above the tallest bar for its label and the legend.
    y1 += (y1 - y0) * 0.3;
    let mut ctx = ChartBuilder::on(area)
        .margin(style::MARGIN)
        .caption(bars.caption, font(style::LABEL_SIZE))
        .x_label_area_size(lines * line_h + 10)
        .y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), y0..y1)
        .map_err(&err)?;
    house_mesh(&mut ctx.configure_mesh())
        .y_desc(bars.y_desc)
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .draw()
        .map_err(&err)?;
    let k = bars.groups.len().max(1) as f64;
    let bar_w = if bars.stacked { 0.6 } else { 0.8 / k };
    let labelled = !bars.stacked && (slot_px as f64 * bar_w) >= 40.0;
    for (g, group) in bars.groups.iter().enumerate() {
        let color = group.color;
        let rects: Vec<Rectangle<(f64, f64)>> = group
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = v.filter(|v| v.is_finite())?;
                let below: f64 = if bars.stacked {
                    bars.groups[..g]
                        .iter()
                        .filter_map(|h| h.values[i].filter(|x| x.is_finite()))
                        .sum()
                } else {
                    0.0
                };
                let x = if bars.stacked {
                    i as f64 - bar_w / 2.0
                } else {
                    i as f64 - 0.4 + g as f64 * bar_w
                };
                Some(Rectangle::new(
                    [(x, below), (x + bar_w, below + v)],
                    color.filled(),
                ))
            })
            .collect();
        ctx.draw_series(rects)
            .map_err(&err)?
            .label(group.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
        if labelled {
            for (i, v) in group.values.iter().enumerate() {
                let x = i as f64 - 0.4 + (g as f64 + 0.5) * bar_w;
                let (px, py) = match v {
                    Some(v) if v.is_finite() => ctx.backend_coord(&(x, *v)),
                    _ => ctx.backend_coord(&(x, y0)),
                };
                let text = v
                    .filter(|v| v.is_finite())
                    .map_or("n/a".to_string(), |v| (bars.value_label)(v));
                text_at(
                    area,
                    bars.name,
                    &text,
                    (px, py - 3),
                    style::TICK_SIZE,
                    Pos::new(HPos::Center, VPos::Bottom),
                )?;
            }
        }
    }
    if bars.stacked {
        for i in 0..bars.categories.len() {
            let present: Vec<f64> = bars
                .groups
                .iter()
                .filter_map(|g| g.values[i].filter(|v| v.is_finite()))
                .collect();
            let text = if present.is_empty() {
                "n/a".to_string()
            } else {
                (bars.value_label)(present.iter().sum())
            };
            let (px, py) = ctx.backend_coord(&(i as f64, present.iter().sum()));
            text_at(
                area,
                bars.name,
                &text,
                (px, py - 3),
                style::TICK_SIZE,
                Pos::new(HPos::Center, VPos::Bottom),
            )?;
        }
    }
    // Category names under their slots, in pixels: the x axis has no numeric labels.
    for (i, lines) in labels.iter().enumerate() {
        let (px, py) = ctx.backend_coord(&(i as f64, y0));
        for (l, line) in lines.iter().enumerate() {
            text_at(
                area,
                bars.name,
                line,
                (px, py + 6 + (l as u32 * line_h) as i32),
                style::TICK_SIZE,
                Pos::new(HPos::Center, VPos::Top),
            )?;
        }
    }
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(font(style::TICK_SIZE))
        .background_style(WHITE.mix(0.85))
        .border_style(style::GRID)
        .draw()
        .map_err(&err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.0), "0.00");
        assert_eq!(short(-0.0), "0.00");
        assert_eq!(short(0.001234), "0.0012");
        assert_eq!(short(2.71), "2.71");
        assert_eq!(short(42.42), "42.4");
        assert_eq!(short(12345.6), "12346");
        assert_eq!(short(2.5e6), "2.50M");
        assert_eq!(short(f64::NAN), "n/a");
    }

    #[test]
    fn four_significant_digits() {
        assert_eq!(sig4(0.0), "0");
        assert_eq!(sig4(11.02), "11.02");
        assert_eq!(sig4(11.0), "11");
        assert_eq!(sig4(0.009812), "0.009812");
        assert_eq!(sig4(0.0000001), "0");
        assert_eq!(sig4(123456.7), "123457");
        assert_eq!(sig4(-2.5), "-2.5");
    }

    #[test]
    fn long_names_wrap_after_separators_and_are_cut_at_three_lines() {
        super::super::register_font().expect("font");
        let short_name = wrap("ec2", 200, 12);
        assert_eq!(short_name, vec!["ec2"]);
        let lines = wrap("fargate-spot-with-a-base-of-two", 90, 12);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, 12) <= 90), "{lines:?}");
        assert_eq!(lines.concat(), "fargate-spot-with-a-base-of-two");
        let long = "a".repeat(64);
        let cut = wrap(&long, 60, 12);
        assert_eq!(cut.len(), MAX_LABEL_LINES);
        assert!(cut[MAX_LABEL_LINES - 1].ends_with("..."), "{cut:?}");
    }
}
