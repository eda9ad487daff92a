//! Charts: pure functions from a [`Report`] to the text of an SVG file.
//!
//! Every chart draws with `plotters` into an in-memory SVG string; nothing here does I/O.
//! The look lives in [`style`]. A chart never panics on an empty, one-point or all-zero
//! report: it renders a valid SVG, with a "no data" note when there is nothing to draw.
//! Output is deterministic: the same report gives the same bytes.
//!
//! - [`capacity_svg`]: instances, tasks per service, request rate, scaling and fault markers;
//! - [`utilization_svg`]: reserved CPU and memory %, service CPU utilization under load;
//! - [`cost_svg`]: cumulative cost and cost rate (total only: the report has no per-minute
//!   cost by capacity provider);
//! - [`wait_svg`]: the summary's wait statistics (the report keeps no per-task waits).

mod capacity;
mod cost;
pub mod style;
mod utilization;
mod wait;

pub use capacity::capacity_svg;
pub use cost::cost_svg;
pub use utilization::utilization_svg;
pub use wait::wait_svg;

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
}

/// A chart renderer.
pub type Renderer = fn(&Report) -> Result<String, ChartError>;

/// Every chart's file name (under `charts/`) and renderer, in a fixed order.
pub const ALL: [(&str, Renderer); 4] = [
    ("capacity.svg", capacity_svg),
    ("utilization.svg", utilization_svg),
    ("cost.svg", cost_svg),
    ("wait.svg", wait_svg),
];

/// One line of a chart.
pub(crate) struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn against the right-hand axis.
    pub secondary: bool,
}

/// A vertical marker at `x` (scaling activity or fault).
pub(crate) struct Marker {
    pub x: f64,
    pub fault: bool,
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
        let span_s = report.summary.duration_s.max(last_minute * 60.0);
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

/// What a line chart shows.
pub(crate) struct LineChart<'a> {
    pub name: &'static str,
    pub title: String,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub y2_desc: &'a str,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    /// A line under the title (what is and is not shown).
    pub note: Option<String>,
    /// The primary y axis reaches at least this (e.g. 100 for percentages).
    pub y_floor_max: f64,
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
pub(crate) fn no_data(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
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

/// Renders `chart` to SVG text.
pub(crate) fn render_lines(mut chart: LineChart<'_>) -> Result<String, ChartError> {
    let mut buf = String::new();
    {
        let root =
            SVGBackend::with_string(&mut buf, (style::WIDTH, style::HEIGHT)).into_drawing_area();
        let err = draw_err(chart.name);
        root.fill(&WHITE).map_err(&err)?;
        let series: Vec<Series> = std::mem::take(&mut chart.series)
            .into_iter()
            .map(|mut s| {
                s.points.retain(|p| p.0.is_finite() && p.1.is_finite());
                s
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        if series.is_empty() {
            no_data(&root, chart.name, &chart.title, "no data")?;
        } else {
            draw_lines(&root, &chart.title, chart.note.as_deref(), &chart, &series)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(buf)
}

fn draw_lines(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    note: Option<&str>,
    chart: &LineChart<'_>,
    series: &[Series],
) -> Result<(), ChartError> {
    let err = draw_err(chart.name);
    let mut area = root.titled(title, font(style::TITLE_SIZE)).map_err(&err)?;
    if let Some(note) = note {
        area = area.titled(note, font(style::TICK_SIZE)).map_err(&err)?;
    }
    let has_secondary = series.iter().any(|s| s.secondary);
    let (x0, x1) = x_range(series);
    let (y0, y1) = value_range(
        series
            .iter()
            .filter(|s| !s.secondary)
            .flat_map(|s| s.points.iter().map(|p| &p.1)),
        chart.y_floor_max,
    );
    let (z0, z1) = value_range(
        series
            .iter()
            .filter(|s| s.secondary)
            .flat_map(|s| s.points.iter().map(|p| &p.1)),
        0.0,
    );
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(style::Y_LABEL_AREA)
        .right_y_label_area_size(if has_secondary {
            style::Y_LABEL_AREA
        } else {
            0
        })
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?
        .set_secondary_coord(x0..x1, z0..z1);
    ctx.configure_mesh()
        .x_desc(chart.x_desc)
        .y_desc(chart.y_desc)
        .axis_desc_style(font(style::LABEL_SIZE))
        .label_style(font(style::TICK_SIZE))
        .axis_style(style::INK)
        .bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(10)
        .y_labels(8)
        .draw()
        .map_err(&err)?;
    if has_secondary {
        ctx.configure_secondary_axes()
            .y_desc(chart.y2_desc)
            .axis_desc_style(font(style::LABEL_SIZE))
            .label_style(font(style::TICK_SIZE))
            .axis_style(style::INK)
            .y_labels(8)
            .draw()
            .map_err(&err)?;
    }
    for (i, s) in series.iter().enumerate() {
        let color = style::series_color(i);
        let line = LineSeries::new(
            s.points.iter().copied(),
            color.stroke_width(style::LINE_WIDTH),
        );
        let anno = if s.secondary {
            ctx.draw_secondary_series(line).map_err(&err)?
        } else {
            ctx.draw_series(line).map_err(&err)?
        };
        anno.label(s.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], color.filled()));
    }
    for (fault, color, label) in [
        (false, style::SCALING_MARKER, "scaling activity"),
        (true, style::FAULT_MARKER, "fault"),
    ] {
        let xs: Vec<f64> = chart
            .markers
            .iter()
            .filter(|m| m.fault == fault && m.x.is_finite() && m.x >= x0 && m.x <= x1)
            .map(|m| m.x)
            .collect();
        if xs.is_empty() {
            continue;
        }
        ctx.draw_series(xs.into_iter().map(|x| {
            PathElement::new(
                vec![(x, y0), (x, y1)],
                color.stroke_width(style::MARKER_WIDTH),
            )
        }))
        .map_err(&err)?
        .label(label)
        .legend(move |(x, y)| Rectangle::new([(x + 6, y - 6), (x + 8, y + 6)], color.filled()));
    }
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(font(style::TICK_SIZE))
        .background_style(WHITE.mix(0.85))
        .border_style(style::GRID)
        .draw()
        .map_err(&err)?;
    Ok(())
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
            },
            timeseries: vec![],
            service_series: vec![],
            provider_series: vec![],
            events: vec![],
            cost_series_providers: vec![],
            cost_series: vec![],
            wait_histogram: wait_histogram(&[]),
        }
    }

    /// The empty report with one minute of all-zero rows.
    pub fn one_point_report() -> Report {
        let mut r = empty_report();
        r.summary.duration_s = 60.0;
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

    fn no_nan(svg: &str) {
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn empty_and_one_point_reports_render() {
        for report in [empty_report(), one_point_report()] {
            for (name, f) in ALL {
                let svg = f(&report).unwrap_or_else(|e| panic!("{name}: {e}"));
                no_nan(&svg);
                assert_eq!(svg, f(&report).expect("renders"), "{name} deterministic");
            }
        }
        let svg = capacity_svg(&empty_report()).expect("renders");
        assert!(svg.contains("no data"));
        assert!(svg.contains("empty &lt;&amp;&gt;"), "title escaped: {svg}");
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
