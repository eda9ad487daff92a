//! Charts: pure functions from a [`Report`] to the bytes of an SVG or a PNG file.
//!
//! Each chart is one generic drawing function (`draw` in its module) over any plotters
//! backend, so the SVG and the PNG come from the same code: [`ChartKind::svg`] draws into
//! an in-memory SVG string, [`ChartKind::png`] into an in-memory RGB buffer that is then
//! encoded as PNG. Nothing here does I/O; the binary picks file names
//! ([`ChartKind::file_name`]) and writes.
//!
//! The look lives in [`style`], including the one font: a subset of DejaVu Sans compiled
//! into the binary and registered with plotters on first use, so text is measured (and, in
//! PNGs, rasterised) the same way on every machine, whatever fonts it has installed.
//! A chart never panics on an empty, one-point or all-zero report: it renders a valid
//! file, with a "no data" note when there is nothing to draw.
//! Output is deterministic: the same report gives the same bytes, in both formats.
//!
//! Every chart has its legend in a strip under the plot (`legend_strip`), so it never
//! covers data.
//!
//! - [`capacity_svg`]: small multiples on one time axis: instances per ASG capacity
//!   provider, tasks desired / running / pending per service with its request rate in a
//!   panel beside it, tasks queued / pending / running per batch workload; scaling and
//!   fault markers; taller with more panels ([`ChartKind::size`]);
//! - [`utilization_svg`]: CPU (vCPU) and memory (GiB) paid for, reserved and used, EC2 and
//!   Fargate together, in two panels, with the run's averages as % of paid in the captions;
//! - [`cost_svg`]: cumulative cost per capacity provider, stacked, with each EC2 provider's
//!   idle part in a lighter tint of its colour, and the total cost rate on a second axis;
//! - [`wait_svg`]: histogram of the wait to RUNNING (the report's 1-2-5 bins) with the
//!   cumulative share on a second axis and p50/p95/p99 in the note.
//!
//! Two families are not drawn from one [`Report`] and so are not [`ChartKind`]s, though they
//! share the style, the font and the renderers:
//!
//! - [`MonteCarloChart`]: `run --replicas N`, from the per-minute bands and the figures'
//!   statistics of `crate::montecarlo`;
//! - [`CompareChart`]: `ecsim compare`, from a `crate::compare::Comparison`.

mod bars;
mod bitmap;
mod capacity;
mod compare;
mod cost;
mod montecarlo;
pub mod style;
pub mod sweep;
mod utilization;
mod wait;

pub use capacity::capacity_svg;
pub use compare::CompareChart;
pub use cost::cost_svg;
pub use montecarlo::{MonteCarloChart, MAX_FIGURE_ROWS};
pub use utilization::utilization_svg;
pub use wait::wait_svg;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Report;

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing backend failed.
    #[error("cannot draw the {chart} chart: {message}")]
    Draw {
        /// Which chart.
        chart: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The bundled font did not load (a build problem: the font is compiled in).
    #[error("cannot load the bundled chart font {family:?}")]
    Font {
        /// The family name it was to be registered under.
        family: &'static str,
    },
    /// The PNG encoder failed.
    #[error("cannot encode the {chart} chart as PNG: {message}")]
    Encode {
        /// Which chart.
        chart: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// One of the charts, in the order they are written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChartKind {
    /// [`capacity_svg`].
    Capacity,
    /// [`utilization_svg`].
    Utilization,
    /// [`cost_svg`].
    Cost,
    /// [`wait_svg`].
    Wait,
}

/// A chart file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChartFormat {
    /// SVG text, with text as `<text>` elements naming [`style::FONT_FAMILY`].
    Svg,
    /// An 8-bit RGB PNG of [`ChartKind::size`] pixels.
    Png,
}

impl ChartFormat {
    /// Every format, in the order they are written.
    pub const ALL: [ChartFormat; 2] = [ChartFormat::Svg, ChartFormat::Png];

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
        }
    }
}

impl ChartKind {
    /// Every chart, in a fixed order.
    pub const ALL: [ChartKind; 4] = [
        ChartKind::Capacity,
        ChartKind::Utilization,
        ChartKind::Cost,
        ChartKind::Wait,
    ];

    /// The file name without extension (`capacity`, …), also the chart's name in errors.
    pub fn file_stem(self) -> &'static str {
        match self {
            ChartKind::Capacity => "capacity",
            ChartKind::Utilization => "utilization",
            ChartKind::Cost => "cost",
            ChartKind::Wait => "wait",
        }
    }

    /// The file name under `charts/` (`capacity.svg`, …).
    pub fn file_name(self, format: ChartFormat) -> String {
        format!("{}.{}", self.file_stem(), format.extension())
    }

    /// The canvas size, pixels (width, height): [`style::WIDTH`] × [`style::HEIGHT`], except
    /// the capacity chart, whose height grows with its number of panels.
    pub fn size(self, report: &Report) -> (u32, u32) {
        match self {
            ChartKind::Capacity => capacity::size(report),
            _ => (style::WIDTH, style::HEIGHT),
        }
    }

    /// The chart as SVG text.
    pub fn svg(self, report: &Report) -> Result<String, ChartError> {
        render_svg_sized(self.file_stem(), self.size(report), |root| {
            self.draw(report, root)
        })
    }

    /// The chart as PNG bytes.
    pub fn png(self, report: &Report) -> Result<Vec<u8>, ChartError> {
        render_png_sized(self.file_stem(), self.size(report), |root| {
            self.draw(report, root)
        })
    }

    /// The chart in `format`, as the bytes of its file.
    pub fn render(self, format: ChartFormat, report: &Report) -> Result<Vec<u8>, ChartError> {
        match format {
            ChartFormat::Svg => self.svg(report).map(String::into_bytes),
            ChartFormat::Png => self.png(report),
        }
    }

    /// Draws the chart on `root`, whatever the backend.
    fn draw<DB: DrawingBackend>(
        self,
        report: &Report,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        match self {
            ChartKind::Capacity => capacity::draw(report, root),
            ChartKind::Utilization => utilization::draw(report, root),
            ChartKind::Cost => cost::draw(report, root),
            ChartKind::Wait => wait::draw(report, root),
        }
    }
}

/// Registers [`style::FONT_TTF`] with plotters as [`style::FONT_FAMILY`], once per process.
///
/// Plotters looks fonts up by family name in a process-wide table; with the `ab_glyph`
/// feature (and without `ttf`) that table is the only source, so a family that is not
/// registered fails to draw instead of silently falling back to a system font. Every
/// renderer calls this before drawing, so no caller has to remember to.
pub(crate) fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(style::FONT_FAMILY, FontStyle::Normal, style::FONT_TTF)
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font {
            family: style::FONT_FAMILY,
        })
    }
}

/// Runs `draw` on a white SVG canvas of the style's size and returns the SVG text.
fn render_svg(
    chart: &'static str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    render_svg_sized(chart, (style::WIDTH, style::HEIGHT), draw)
}

/// Runs `draw` on a white SVG canvas of `size` pixels and returns the SVG text.
fn render_svg_sized(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    register_font()?;
    let err = draw_err(chart);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        draw(&root)?;
        root.present().map_err(&err)?;
    }
    Ok(buf)
}

/// Runs `draw` on a white RGB bitmap of the style's size and returns it PNG-encoded.
///
/// The canvas is [`bitmap::JoinlessBitMap`], which keeps wide lines from growing spikes.
/// The bitmap lives in memory and is encoded with the `png` crate rather than plotters'
/// `bitmap_encoder` feature: that feature only serves `BitMapBackend::new(path)`, which
/// writes a file itself, and would pull in the `image` crate with JPEG and BMP codecs we
/// never use. The PNG has no timestamp or other ancillary chunk, so it is deterministic.
fn render_png(
    chart: &'static str,
    draw: impl FnOnce(&DrawingArea<bitmap::JoinlessBitMap<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    render_png_sized(chart, (style::WIDTH, style::HEIGHT), draw)
}

/// [`render_png`] on a canvas of `size` pixels.
fn render_png_sized(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<bitmap::JoinlessBitMap<'_>, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    register_font()?;
    let err = draw_err(chart);
    // Three bytes (R, G, B) per pixel, the layout `BitMapBackend::with_buffer` expects.
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let bitmap = BitMapBackend::with_buffer(&mut rgb, size);
        let root = bitmap::JoinlessBitMap(bitmap).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        draw(&root)?;
        root.present().map_err(&err)?;
    }
    encode_png(&rgb, size).map_err(|e| ChartError::Encode {
        chart,
        message: e.to_string(),
    })
}

/// An 8-bit RGB image of `size` pixels as PNG bytes.
fn encode_png(rgb: &[u8], size: (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// One line of a chart.
pub(crate) struct Series {
    pub points: Vec<(f64, f64)>,
}

/// The time axis: minutes for short runs, hours for long ones.
pub(crate) struct TimeAxis {
    per_unit_s: f64,
    pub desc: &'static str,
}

impl TimeAxis {
    /// Hours beyond three simulated hours, minutes below.
    pub fn for_report(report: &Report) -> TimeAxis {
        let last_minute = report.timeseries.last().map_or(0, |r| r.minute) as f64;
        TimeAxis::for_span_s(report.summary.duration_s.max(last_minute * 60.0))
    }

    /// The axis for a run of `span_s` simulated seconds.
    pub fn for_span_s(span_s: f64) -> TimeAxis {
        if span_s > 3.0 * 3600.0 {
            TimeAxis {
                per_unit_s: 3600.0,
                desc: "time (hours)",
            }
        } else {
            TimeAxis {
                per_unit_s: 60.0,
                desc: "time (minutes)",
            }
        }
    }

    /// A minute index on this axis.
    pub fn minute(&self, minute: u64) -> f64 {
        minute as f64 * 60.0 / self.per_unit_s
    }

    /// Seconds on this axis.
    pub fn seconds(&self, s: f64) -> f64 {
        s / self.per_unit_s
    }
}

pub(crate) fn draw_err<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError::Draw {
        chart,
        message: e.to_string(),
    }
}

fn font(size: u32) -> TextStyle<'static> {
    (style::FONT_FAMILY, size).into_font().color(&style::INK)
}

/// The house look of a plot's mesh: axis titles, tick labels, axis ink, grid lines and no
/// minor grid. Callers add their titles, label counts and formatters.
pub(crate) fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.axis_desc_style(font(style::LABEL_SIZE))
        .label_style(font(style::TICK_SIZE))
        .axis_style(style::INK)
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
}

/// A tick label of any other axis: at most three decimals, trailing zeros dropped ("120",
/// "0.5", "12.25").
pub(crate) fn axis_label(v: &f64) -> String {
    let s = format!("{:.3}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A range that holds every value, starting at 0 (or below, for negative values), never
/// empty and never infinite.
pub(crate) fn value_range<'a>(values: impl Iterator<Item = &'a f64>, floor_max: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0_f64, floor_max.max(0.0));
    for &v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    } else {
        hi += (hi - lo) * 0.05;
    }
    (lo, hi)
}

/// The x range of the points, never empty.
fn x_range(series: &[Series]) -> (f64, f64) {
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in xs.filter(|x| x.is_finite()) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    (lo, hi)
}

/// Draws the title and a centred note on an otherwise empty canvas.
pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &'static str,
    title: &str,
    message: &str,
) -> Result<(), ChartError> {
    let err = draw_err(chart);
    let area = root.titled(title, font(style::TITLE_SIZE)).map_err(&err)?;
    let (w, h) = area.dim_in_pixel();
    let style = font(style::LABEL_SIZE).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    area.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))
    .map_err(&err)?;
    Ok(())
}

/// What a legend entry shows next to its label.
#[derive(Clone, Copy)]
pub(crate) enum Swatch {
    /// A series line of this colour.
    Line(RGBColor),
    /// A filled area or bar of this colour.
    Fill(RGBColor),
    /// A vertical event marker of this colour.
    Marker(RGBColor),
}

/// One entry of a chart's legend.
pub(crate) struct LegendEntry {
    pub label: String,
    pub swatch: Swatch,
}

/// Draws `entries` as a legend strip along the bottom of `area` and returns the part above
/// it, for the plot.
///
/// The legend lives outside the plot, rather than in a box over it, because any corner of
/// the plot can hold data (a run that peaks early, a request rate on the right axis) and
/// a box there hides it. Entries flow left to right from the plot's left edge and wrap
/// into as many rows as they need, so long service names never run off the canvas.
/// Swatches are `<rect>`s, never `<polyline>`s or `<polygon>`s, so counting the series of
/// an SVG is not thrown off by its legend.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    chart: &'static str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let err = draw_err(chart);
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let (w, h) = area.dim_in_pixel();
    let text = font(style::TICK_SIZE);
    let left = (style::MARGIN + style::Y_LABEL_AREA) as i32;
    let right = w as i32 - (style::MARGIN + style::Y_LABEL_AREA) as i32;
    // Lay out first (each entry's row and x), then split off exactly the rows needed.
    let mut placed = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (left, 0i32);
    for e in entries {
        let (tw, _) = area.estimate_text_size(&e.label, &text).map_err(&err)?;
        let width = (style::LEGEND_SWATCH + 6 + tw) as i32;
        if x > left && x + width > right {
            x = left;
            row += 1;
        }
        placed.push((x, row));
        x += width + style::LEGEND_GAP as i32;
    }
    let row_h = style::LEGEND_ROW as i32;
    // The legend may take at most a third of the height, so a run with dozens of services
    // still gets a plot; entries past that are counted in a last "… more" entry instead.
    let max_rows = (h as i32 / 3 / row_h - 1).max(1);
    let mut shown = placed.iter().take_while(|p| p.1 < max_rows).count();
    let more = if shown < entries.len() {
        shown = shown.saturating_sub(1);
        placed.get(shown).map(|&at| (at, entries.len() - shown))
    } else {
        None
    };
    let row = placed[..shown]
        .iter()
        .map(|p| p.1)
        .chain(more.map(|(at, _)| at.1))
        .max()
        .unwrap_or(0);
    // Half a row of air between the x axis title and the legend, and below the legend.
    let strip_h = (row + 1) * row_h + row_h;
    let split = (h as i32 - strip_h).max(0);
    let (plot, strip) = area.split_vertically(split);
    let label_style = text.pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    ));
    let sw = style::LEGEND_SWATCH as i32;
    if let Some(((x, row), hidden)) = more {
        let y = row_h / 2 + row * row_h + row_h / 2;
        strip
            .draw(&Text::new(
                format!("… and {hidden} more series"),
                (x, y),
                label_style.clone(),
            ))
            .map_err(&err)?;
    }
    for (e, &(x, row)) in entries.iter().zip(&placed).take(shown) {
        let y = row_h / 2 + row * row_h + row_h / 2;
        let swatch = match e.swatch {
            Swatch::Line(c) => Rectangle::new([(x, y - 2), (x + sw, y + 2)], c.filled()),
            Swatch::Fill(c) => Rectangle::new([(x, y - 6), (x + sw, y + 6)], c.filled()),
            Swatch::Marker(c) => Rectangle::new(
                [(x + sw / 2 - 1, y - 7), (x + sw / 2 + 1, y + 7)],
                c.filled(),
            ),
        };
        strip.draw(&swatch).map_err(&err)?;
        strip
            .draw(&Text::new(
                e.label.clone(),
                (x + sw + 6, y),
                label_style.clone(),
            ))
            .map_err(&err)?;
    }
    Ok(plot)
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::report::*;

    /// A report with no rows at all.
    pub fn empty_report() -> Report {
        Report {
            summary: Summary {
                schema_version: SCHEMA_VERSION,
                scenario: "empty <&>".to_string(),
                seed: 1,
                duration_s: 0.0,
                prices: PriceBasis::default(),
                window: WindowSummary::default(),
                cost: CostSummary::default(),
                reservation: ReservationSummary::default(),
                instances: InstanceSummary::default(),
                tasks: TaskCounts::default(),
                usage: UsageSummary::default(),
                wait_time_s: WaitStats::default(),
                services: vec![],
                workloads: vec![],
                capacity_providers: vec![],
                faults: None,
                event_log: EventLogSummary::default(),
                engine: EngineSummary::default(),
                assumptions: vec![],
                deployments: None,
            },
            timeseries: vec![],
            service_series: vec![],
            provider_series: vec![],
            workload_series: vec![],
            events: vec![],
            cost_series_providers: vec![],
            cost_series: vec![],
            wait_histogram: wait_histogram(&[]),
            commitments_csv: None,
            commitment_series: Vec::new(),
            explain: None,
        }
    }

    /// The empty report with one minute of all-zero rows.
    pub fn one_point_report() -> Report {
        let mut r = empty_report();
        r.summary.duration_s = 60.0;
        r.summary.window.to_s = 60.0;
        r.summary.window.duration_s = 60.0;
        r.timeseries.push(MinuteRow {
            minute: 1,
            ..MinuteRow::default()
        });
        r
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::report::ServiceMinuteRow;

    fn no_nan(svg: &str) {
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn empty_and_one_point_reports_render() {
        for report in [empty_report(), one_point_report()] {
            for kind in ChartKind::ALL {
                let name = kind.file_stem();
                let svg = kind.svg(&report).unwrap_or_else(|e| panic!("{name}: {e}"));
                no_nan(&svg);
                assert_eq!(
                    svg,
                    kind.svg(&report).expect("renders"),
                    "{name} deterministic"
                );
                let png = kind.png(&report).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}");
                assert_eq!(
                    png,
                    kind.png(&report).expect("renders"),
                    "{name} deterministic"
                );
                for format in ChartFormat::ALL {
                    let bytes = kind.render(format, &report).expect("renders");
                    let same = match format {
                        ChartFormat::Svg => bytes == svg.as_bytes(),
                        ChartFormat::Png => bytes == png,
                    };
                    assert!(same, "{name}: render({format:?}) is {format:?}");
                }
            }
        }
        let svg = capacity_svg(&empty_report()).expect("renders");
        assert!(svg.contains("no data"));
        assert!(svg.contains("empty &lt;&amp;&gt;"), "title escaped: {svg}");
    }

    #[test]
    fn the_bundled_font_is_a_truetype_font_that_plotters_loads() {
        // The size assets/fonts/README.md's SHA-256 belongs to: a different file means the
        // README is stale too.
        assert_eq!(style::FONT_TTF.len(), 35_556);
        // An sfnt with TrueType outlines starts with version 0x00010000 (or 'true' on Apple).
        let tag = &style::FONT_TTF[..4];
        assert!(
            tag == [0, 1, 0, 0] || tag == b"true",
            "sfnt version {tag:?}"
        );
        register_font().expect("registers");
        register_font().expect("registering twice is harmless");
        // Plotters has no system font lookup to fall back on: a family nobody registered
        // cannot even be measured, so no chart text can silently use a system font.
        assert!(("sans-serif", 20).into_font().box_size("x").is_err());
        let font = (style::FONT_FAMILY, 20).into_font();
        let (w, h) = font
            .box_size("Capacity")
            .expect("measured with the bundled font");
        assert!(w > 40 && h > 10, "{w}×{h}");
        // Kerning comes from the subset's kept `kern` table: "AV" is narrower than "A" + "V"
        // (by 131/2048 em, so measure large enough for it to survive rounding to pixels).
        let big = (style::FONT_FAMILY, 200).into_font();
        let width = |t: &str| big.box_size(t).expect("measured").0;
        assert!(width("AV") < width("A") + width("V"), "kern table kept");
    }

    #[test]
    fn characters_outside_the_font_subset_still_render() {
        let mut report = one_point_report();
        report.summary.scenario = "Ωμέγα 漢字 🚀".to_string();
        for kind in ChartKind::ALL {
            let svg = kind.svg(&report).expect("svg");
            assert!(svg.contains("漢字"), "the SVG keeps the text as is");
            kind.png(&report).expect("png");
        }
    }

    #[test]
    fn a_chart_with_hundreds_of_series_still_renders_with_capped_panels() {
        let mut report = one_point_report();
        // 120 services: far more panels than the chart draws.
        for service in 0..120 {
            report.service_series.push(ServiceMinuteRow {
                minute: 1,
                service,
                desired: service,
                running: service,
                pending: 0,
                requests_per_second: 0.0,
                unserved_requests: 0.0,
                cpu_utilization: None,
                memory_utilization: None,
            });
        }
        let svg = capacity_svg(&report).expect("renders");
        no_nan(&svg);
        assert!(
            svg.contains("96 more panels not drawn"),
            "the overflow is counted"
        );
        let (_, h) = ChartKind::Capacity.size(&report);
        let rows = (style::MAX_PANELS / 2) as u32;
        assert!(h <= rows * style::PANEL_HEIGHT + 200, "height capped: {h}");
        ChartKind::Capacity.png(&report).expect("renders");
    }

    #[test]
    fn other_axes_drop_trailing_zeros() {
        assert_eq!(axis_label(&120.0), "120");
        assert_eq!(axis_label(&0.5), "0.5");
        assert_eq!(axis_label(&12.25), "12.25");
        assert_eq!(axis_label(&-0.0), "0");
        assert_eq!(axis_label(&0.0001), "0");
    }

    #[test]
    fn value_range_is_never_empty() {
        assert_eq!(value_range([].iter(), 0.0), (0.0, 1.0));
        assert_eq!(value_range([0.0, 0.0].iter(), 0.0), (0.0, 1.0));
        assert_eq!(value_range([f64::NAN].iter(), 0.0), (0.0, 1.0));
        let (lo, hi) = value_range([2.0, 10.0].iter(), 0.0);
        assert_eq!(lo, 0.0);
        assert!(hi > 10.0);
        assert_eq!(value_range([5.0].iter(), 100.0).0, 0.0);
    }
}
