//! `charts/montecarlo.svg` and `charts/montecarlo_figures.svg` (and `.png`) of
//! `ecsim run --replicas N`: how much the run varies from seed to seed.
//!
//! Pure functions of the Monte Carlo data ([`Bands`], [`MonteCarloSummary`]), not of a
//! [`Report`](crate::report::Report): the per-run charts show replica 0 only.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bars::{sig4, text_at, text_width};
use super::{
    draw_err, font, house_mesh, no_data, render_png, render_svg, style, value_range, ChartError,
    ChartFormat, TimeAxis,
};
use crate::montecarlo::{Band, Bands, MonteCarloSummary};

/// Main figures drawn at most in the figures chart; the rest are in `summary.json`.
pub const MAX_FIGURE_ROWS: usize = 20;

/// The relative axis of the figures chart stops at this % of the reference; a bar reaching
/// beyond is cut at the edge and marked `»`, its absolute values still printed beside it.
const MAX_RELATIVE_PCT: f64 = 300.0;

/// One of the Monte Carlo charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MonteCarloChart {
    /// Cumulative cost and running tasks over time: p5–p95 band, p50 line, replica 0 line.
    Bands,
    /// Each main headline figure's p5–p95 range relative to its p50, with absolute labels.
    Figures,
}

impl MonteCarloChart {
    /// Both, in the order they are written and shown.
    pub const ALL: [MonteCarloChart; 2] = [MonteCarloChart::Bands, MonteCarloChart::Figures];

    /// The file name without extension, also the chart's name in errors.
    pub fn file_stem(self) -> &'static str {
        match self {
            MonteCarloChart::Bands => "montecarlo",
            MonteCarloChart::Figures => "montecarlo_figures",
        }
    }

    /// The file name under `charts/`.
    pub fn file_name(self, format: ChartFormat) -> String {
        format!("{}.{}", self.file_stem(), format.extension())
    }

    /// A caption for the chart.
    pub fn title(self) -> &'static str {
        match self {
            MonteCarloChart::Bands => "Spread over time (p5 to p95 across replicas)",
            MonteCarloChart::Figures => "Spread of the headline figures (p5 to p95)",
        }
    }

    /// The chart as SVG text; `scenario` names the run in the title.
    pub fn svg(
        self,
        bands: &Bands,
        mc: &MonteCarloSummary,
        scenario: &str,
    ) -> Result<String, ChartError> {
        render_svg(self.file_stem(), |root| {
            self.draw(bands, mc, scenario, root)
        })
    }

    /// The chart in `format`, as the bytes of its file.
    pub fn render(
        self,
        format: ChartFormat,
        bands: &Bands,
        mc: &MonteCarloSummary,
        scenario: &str,
    ) -> Result<Vec<u8>, ChartError> {
        match format {
            ChartFormat::Svg => self.svg(bands, mc, scenario).map(String::into_bytes),
            ChartFormat::Png => render_png(self.file_stem(), |root| {
                self.draw(bands, mc, scenario, root)
            }),
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        bands: &Bands,
        mc: &MonteCarloSummary,
        scenario: &str,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        match self {
            MonteCarloChart::Bands => draw_bands(bands, scenario, root),
            MonteCarloChart::Figures => draw_figures(mc, scenario, root),
        }
    }
}

/// The spread chart's panels: (band names drawn together, caption, y axis).
const PANELS: [(&[&str], &str, &str); 2] = [
    (&["cost_usd"], "cumulative cost", "USD"),
    (
        &["tasks_running", "instances_live"],
        "tasks RUNNING and EC2 instances (pending, active, draining)",
        "count",
    ),
];

fn band_label(name: &str) -> &str {
    match name {
        "cost_usd" => "cost",
        "tasks_running" => "tasks RUNNING",
        "instances_live" => "EC2 instances",
        other => other,
    }
}

fn draw_bands<DB: DrawingBackend>(
    bands: &Bands,
    scenario: &str,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = MonteCarloChart::Bands.file_stem();
    let title = format!("Monte Carlo spread: {scenario}");
    if bands.minutes.is_empty() {
        return no_data(root, name, &title, "no data: the run has no minute");
    }
    let err = draw_err(name);
    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(
            &format!(
                "{} replicas; shaded: p5 to p95 at each minute; thick line: median; thin dark line: replica 0, the run the other charts show",
                bands.replicas
            ),
            font(style::TICK_SIZE),
        )
        .map_err(&err)?;
    let last = bands.minutes.last().copied().unwrap_or(0);
    let t = TimeAxis::for_span_s(last as f64 * 60.0);
    let xs: Vec<f64> = bands.minutes.iter().map(|&m| t.minute(m)).collect();
    let (x0, mut x1) = (xs[0], xs[xs.len() - 1]);
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let panels = area.split_evenly((2, 1));
    let mut color_index = 0;
    for (panel, (names, caption, y_desc)) in panels.iter().zip(PANELS) {
        let shown: Vec<&Band> = names
            .iter()
            .filter_map(|n| bands.get(n))
            // A panel's second band is left out when it is zero throughout (no EC2).
            .filter(|b| b.name == names[0] || b.p95.iter().any(|&v| v != 0.0))
            .collect();
        let values = shown
            .iter()
            .flat_map(|b| b.p95.iter().chain(&b.replica_0).chain(&b.p5));
        let (y0, mut y1) = value_range(values, 0.0);
        // Headroom for the legend (one entry per band and one for replica 0) in the upper
        // left, so it does not cover the lines: the share of the plot height it needs.
        let (_, panel_h) = panel.dim_in_pixel();
        let plot_h =
            f64::from(panel_h.saturating_sub(style::X_LABEL_AREA + 2 * style::MARGIN + 30))
                .max(1.0);
        let legend_h = f64::from((shown.len() as u32 + 1) * (style::TICK_SIZE + 6) + 14);
        let share = (legend_h / plot_h).min(0.6);
        y1 += (y1 - y0) * share / (1.0 - share);
        let mut ctx = ChartBuilder::on(panel)
            .margin(style::MARGIN)
            .caption(caption, font(style::LABEL_SIZE))
            .x_label_area_size(style::X_LABEL_AREA)
            .y_label_area_size(style::Y_LABEL_AREA)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        house_mesh(&mut ctx.configure_mesh())
            .x_desc(t.desc)
            .y_desc(y_desc)
            .x_labels(10)
            .y_labels(5)
            .draw()
            .map_err(&err)?;
        let clean = |v: &[f64]| -> Vec<(f64, f64)> {
            let points: Vec<(f64, f64)> = xs
                .iter()
                .zip(v)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(&x, &y)| (x, y))
                .collect();
            thin(&points, style::WIDTH as usize)
        };
        for b in &shown {
            let color = style::series_color(color_index);
            color_index += 1;
            // The band: along p95, back along p5.
            let mut outline = clean(&b.p95);
            outline.extend(clean(&b.p5).into_iter().rev());
            ctx.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.25))))
                .map_err(&err)?;
            // One legend entry per band: its median line over its shaded range.
            ctx.draw_series(LineSeries::new(
                clean(&b.p50),
                color.stroke_width(style::LINE_WIDTH),
            ))
            .map_err(&err)?
            .label(format!("{}: median, p5 to p95 shaded", band_label(b.name)))
            .legend(move |(x, y)| {
                // Parts of a composed element are placed relative to its anchor.
                EmptyElement::at((x, y))
                    + Rectangle::new([(0, -5), (14, 5)], color.mix(0.25).filled())
                    + PathElement::new(vec![(0, 0), (14, 0)], color.stroke_width(2))
            });
        }
        // Replica 0 on top, thin, so the bands and medians stay visible under it.
        for (i, b) in shown.iter().enumerate() {
            let series = ctx
                .draw_series(LineSeries::new(
                    clean(&b.replica_0),
                    style::INK.stroke_width(1),
                ))
                .map_err(&err)?;
            if i == 0 {
                series
                    .label("replica 0")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style::INK));
            }
        }
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(style::TICK_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(style::GRID)
            .draw()
            .map_err(&err)?;
    }
    Ok(())
}

/// `points` (in x order) with at most about four per bucket of `buckets` equal x-spans:
/// each bucket keeps its first, lowest, highest and last point, in x order.
///
/// A week at one point per minute is 10,080 points per line, ten for every pixel column
/// of the canvas: the SVG (inlined in report.html) would carry them all, yet a pixel column
/// shows only its extremes. Keeping each column's first, lowest, highest and last point
/// draws the same picture, peaks and dips included, from a tenth of the points. Short runs
/// (up to two points per bucket) are returned as they are.
fn thin(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * buckets.max(1) {
        return points.to_vec();
    }
    let (x0, x1) = (points[0].0, points[points.len() - 1].0);
    let span = (x1 - x0).max(f64::MIN_POSITIVE);
    let bucket = |x: f64| (((x - x0) / span) * buckets as f64).floor() as usize;
    let mut out = Vec::with_capacity(4 * buckets + 1);
    let mut start = 0;
    while start < points.len() {
        let b = bucket(points[start].0);
        let mut end = start + 1;
        while end < points.len() && bucket(points[end].0) == b {
            end += 1;
        }
        let run = &points[start..end];
        let mut keep = vec![0, run.len() - 1];
        let by_y = |a: &usize, c: &usize| run[*a].1.total_cmp(&run[*c].1);
        keep.extend((0..run.len()).min_by(by_y));
        keep.extend((0..run.len()).max_by(by_y));
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| run[i]));
        start = end;
    }
    out
}

/// A figure's row: name, absolute p5/p50/p95 and the same relative to `reference`.
struct Row<'a> {
    name: &'a str,
    abs: [f64; 3],
    /// p5, p50, p95 as % of the reference; `None` when the reference is 0 (all zero).
    rel: Option<[f64; 3]>,
}

fn draw_figures<DB: DrawingBackend>(
    mc: &MonteCarloSummary,
    scenario: &str,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = MonteCarloChart::Figures.file_stem();
    let title = format!("Monte Carlo figures: {scenario}");
    let main: Vec<_> = mc.figures.iter().filter(|f| f.main).collect();
    if main.is_empty() {
        return no_data(root, name, &title, "no data: no headline figure");
    }
    let rows: Vec<Row<'_>> = main
        .iter()
        .take(MAX_FIGURE_ROWS)
        .map(|f| {
            let s = &f.stats;
            // The median is the natural 100 %; a figure whose median is 0 but not its mean
            // (zero in most replicas) is measured against the mean instead.
            let reference = if s.p50 != 0.0 { s.p50 } else { s.mean };
            let rel = (reference != 0.0 && reference.is_finite())
                .then(|| [s.p5, s.p50, s.p95].map(|v| v / reference.abs() * 100.0));
            Row {
                name: &f.name,
                abs: [s.p5, s.p50, s.p95],
                rel,
            }
        })
        .collect();
    let err = draw_err(name);
    let mut note = format!(
        "{} replicas; bar: p5 to p95 as % of the median (of the mean where the median is 0); tick: median",
        mc.replicas
    );
    if main.len() > MAX_FIGURE_ROWS {
        note.push_str(&format!(
            "; first {MAX_FIGURE_ROWS} of {} figures (all in summary.json)",
            main.len()
        ));
    }
    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(&note, font(style::TICK_SIZE))
        .map_err(&err)?;
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}  ·  {}  ·  {}",
                sig4(r.abs[0]),
                sig4(r.abs[1]),
                sig4(r.abs[2])
            )
        })
        .collect();
    let (w, _) = area.dim_in_pixel();
    // Names on the left and absolute values on the right get what they need, up to a
    // share of the width, so the bars keep at least 40 % of it.
    let name_w = rows
        .iter()
        .map(|r| text_width(r.name, style::TICK_SIZE))
        .max()
        .unwrap_or(0)
        .min(w * 35 / 100)
        + 12;
    let value_w = labels
        .iter()
        .map(|l| text_width(l, style::TICK_SIZE))
        .chain(std::iter::once(text_width(
            "p5  ·  p50  ·  p95",
            style::TICK_SIZE,
        )))
        .max()
        .unwrap_or(0)
        .min(w * 25 / 100)
        + 16;
    let rel_values: Vec<f64> = rows.iter().filter_map(|r| r.rel).flatten().collect();
    let lo = rel_values
        .iter()
        .copied()
        .fold(100.0_f64, f64::min)
        .min(0.0);
    let hi = rel_values
        .iter()
        .copied()
        .fold(100.0_f64, f64::max)
        .min(MAX_RELATIVE_PCT);
    let (x0, x1) = (lo, hi + (hi - lo) * 0.05);
    let n = rows.len();
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(name_w)
        .right_y_label_area_size(value_w)
        .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
        .map_err(&err)?;
    house_mesh(&mut ctx.configure_mesh())
        .x_desc("% of the median")
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_label_formatter(&|x| format!("{x:.0} %"))
        .draw()
        .map_err(&err)?;
    // The 100 % line: where every median sits.
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(100.0, -0.5), (100.0, n as f64 - 0.5)],
        style::SCALING_MARKER.stroke_width(1),
    )))
    .map_err(&err)?;
    // Row 0 at the top: y runs upwards, so row i sits at n − 1 − i.
    let y = |i: usize| (n - 1 - i) as f64;
    let clamp = |v: f64| v.clamp(x0, x1);
    ctx.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
        let [p5, _, p95] = r.rel?;
        Some(Rectangle::new(
            [(clamp(p5), y(i) - 0.25), (clamp(p95), y(i) + 0.25)],
            style::BAR.mix(0.6).filled(),
        ))
    }))
    .map_err(&err)?;
    ctx.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
        let [_, p50, _] = r.rel?;
        Some(PathElement::new(
            vec![(clamp(p50), y(i) - 0.38), (clamp(p50), y(i) + 0.38)],
            style::INK.stroke_width(style::LINE_WIDTH),
        ))
    }))
    .map_err(&err)?;
    let left = |c: (i32, i32)| (c.0 - 8, c.1);
    let right = |c: (i32, i32)| (c.0 + 8, c.1);
    let header = ctx.backend_coord(&(x1, n as f64 - 0.5));
    text_at(
        &area,
        name,
        "p5  ·  p50  ·  p95",
        (header.0 + 8, header.1 - 4),
        style::TICK_SIZE,
        Pos::new(HPos::Left, VPos::Bottom),
    )?;
    for (i, (r, label)) in rows.iter().zip(&labels).enumerate() {
        text_at(
            &area,
            name,
            r.name,
            left(ctx.backend_coord(&(x0, y(i)))),
            style::TICK_SIZE,
            Pos::new(HPos::Right, VPos::Center),
        )?;
        text_at(
            &area,
            name,
            label,
            right(ctx.backend_coord(&(x1, y(i)))),
            style::TICK_SIZE,
            Pos::new(HPos::Left, VPos::Center),
        )?;
        match r.rel {
            Some([_, _, p95]) if p95 > x1 => text_at(
                &area,
                name,
                "»",
                left(ctx.backend_coord(&(x1, y(i)))),
                style::TICK_SIZE,
                Pos::new(HPos::Right, VPos::Center),
            )?,
            None => text_at(
                &area,
                name,
                "median and mean are 0",
                right(ctx.backend_coord(&(x0, y(i)))),
                style::TICK_SIZE,
                Pos::new(HPos::Left, VPos::Center),
            )?,
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{aggregate, bands, Trace};
    use crate::report::charts::test_support::{empty_report, one_point_report};

    fn renders(b: &Bands, mc: &MonteCarloSummary) -> Vec<String> {
        MonteCarloChart::ALL
            .iter()
            .map(|k| {
                let svg = k
                    .svg(b, mc, "s <&>")
                    .unwrap_or_else(|e| panic!("{}: {e}", k.file_stem()));
                assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
                assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
                assert!(svg.contains("s &lt;&amp;&gt;"), "title escaped");
                let png = k.render(ChartFormat::Png, b, mc, "s").expect("png");
                assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
                assert_eq!(png, k.render(ChartFormat::Png, b, mc, "s").expect("png"));
                svg
            })
            .collect()
    }

    #[test]
    fn empty_one_point_and_one_replica_inputs_render() {
        for report in [empty_report(), one_point_report()] {
            let b = bands(&[Trace::of(&report)]).expect("one replica");
            let mc = aggregate(&[&report.summary]);
            let svgs = renders(&b, &mc);
            if report.timeseries.is_empty() {
                assert!(svgs[0].contains("no data"));
            }
        }
        // All-zero figures: every row says so instead of drawing a bar.
        let r = one_point_report();
        let mc = aggregate(&[&r.summary, &r.summary]);
        let b = bands(&[Trace::of(&r), Trace::of(&r)]).expect("aligned");
        let svgs = renders(&b, &mc);
        assert!(svgs[1].contains("median and mean are 0"));
    }

    #[test]
    fn thinning_keeps_each_columns_extremes_in_order() {
        let short: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), 1.0)).collect();
        assert_eq!(
            thin(&short, 5),
            short,
            "two points per bucket or fewer: unchanged"
        );
        // 1,000 points over 10 buckets of 100: a spike at x = 250 and a dip at x = 730.
        let long: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                let y = match i {
                    250 => 9.0,
                    730 => -9.0,
                    _ => 0.0,
                };
                (f64::from(i), y)
            })
            .collect();
        let t = thin(&long, 10);
        assert!(t.len() <= 4 * 11, "{} points", t.len());
        assert!(t.contains(&(250.0, 9.0)) && t.contains(&(730.0, -9.0)));
        assert_eq!(t.first(), long.first());
        assert_eq!(t.last(), long.last());
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0), "x order kept");
    }

    #[test]
    fn more_figures_than_rows_are_cut_with_a_note() {
        let r = one_point_report();
        let mut mc = aggregate(&[&r.summary]);
        let template = mc.figures[0].clone();
        mc.figures = (0..MAX_FIGURE_ROWS + 5)
            .map(|i| {
                let mut f = template.clone();
                f.name = format!("figure.{i}");
                f.main = true;
                f
            })
            .collect();
        let b = bands(&[Trace::of(&r)]).expect("one replica");
        let svg = MonteCarloChart::Figures.svg(&b, &mc, "s").expect("svg");
        assert!(svg.contains(&format!(
            "first {MAX_FIGURE_ROWS} of {}",
            MAX_FIGURE_ROWS + 5
        )));
        assert!(svg.contains("figure.19") && !svg.contains("figure.20"));
    }
}
