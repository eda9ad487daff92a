//! The charts of `sweep.html`: a Pareto scatter of the objective against a constrained
//! figure (feasible region shaded, best point marked) and, when exactly two parameters vary
//! on a grid, a heatmap of the objective over them. Pure functions of plain data that
//! `sweep::outputs` collects; SVG only, since they exist to be inlined in the page.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_err, font, legend_strip, no_data, render_svg, style, ChartError, LegendEntry, Swatch,
};
use crate::sweep::stats::Verdict;

/// The feasible region's shade: a pale green under everything else.
const FEASIBLE_REGION: RGBColor = RGBColor(0xE3, 0xF4, 0xE1);
/// Point colours by verdict.
const FEASIBLE: RGBColor = RGBColor(0x2C, 0xA0, 0x2C);
const UNDECIDED: RGBColor = RGBColor(0xFF, 0x7F, 0x0E);
const INFEASIBLE: RGBColor = RGBColor(0xA0, 0xA0, 0xA0);
/// The best point's ring and the heatmap's best cell outline.
const BEST: RGBColor = RGBColor(0xD6, 0x27, 0x28);

fn verdict_color(v: Verdict) -> RGBColor {
    match v {
        Verdict::Feasible => FEASIBLE,
        Verdict::Undecided => UNDECIDED,
        Verdict::Infeasible => INFEASIBLE,
    }
}

/// One Pareto scatter.
#[derive(Clone, Debug, Default)]
pub struct ParetoData {
    /// Objective path (y axis).
    pub objective: String,
    /// Constrained figure path (x axis).
    pub figure: String,
    /// The constraint's bound.
    pub bound: f64,
    /// `max` (feasible to the left) or `min` (to the right).
    pub bound_is_max: bool,
    /// Points: (figure mean, objective mean, verdict), at most a few thousand.
    pub points: Vec<(f64, f64, Verdict)>,
    /// The Pareto front, by figure.
    pub front: Vec<(f64, f64)>,
    /// The best feasible point.
    pub best: Option<(f64, f64)>,
    /// A line under the title (how many points, whether some are left out).
    pub note: String,
}

/// The Pareto scatter as SVG.
pub fn pareto_svg(d: &ParetoData) -> Result<String, ChartError> {
    render_svg("sweep_pareto", |root| draw_pareto(d, root))
}

fn draw_pareto<DB: DrawingBackend>(
    d: &ParetoData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = "sweep_pareto";
    let err = draw_err(name);
    let title = format!("{} against {}", d.objective, d.figure);
    let points: Vec<&(f64, f64, Verdict)> = d
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    if points.is_empty() {
        return no_data(root, name, &title, "no data: no point has both figures");
    }
    let span = |vals: &mut dyn Iterator<Item = f64>| {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in vals {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let pad = if hi > lo {
            (hi - lo) * 0.05
        } else {
            lo.abs().max(1.0) * 0.05
        };
        (lo - pad, hi + pad)
    };
    let (x0, x1) = span(&mut points.iter().map(|p| p.0).chain(std::iter::once(d.bound)));
    let (y0, y1) = span(&mut points.iter().map(|p| p.1));
    let legend = [
        LegendEntry {
            label: format!(
                "feasible region ({} {} {})",
                d.figure,
                if d.bound_is_max { "<=" } else { ">=" },
                d.bound
            ),
            swatch: Swatch::Fill(FEASIBLE_REGION),
        },
        LegendEntry {
            label: "feasible".into(),
            swatch: Swatch::Fill(FEASIBLE),
        },
        LegendEntry {
            label: "undecided".into(),
            swatch: Swatch::Fill(UNDECIDED),
        },
        LegendEntry {
            label: "infeasible".into(),
            swatch: Swatch::Fill(INFEASIBLE),
        },
        LegendEntry {
            label: "Pareto front".into(),
            swatch: Swatch::Line(style::INK),
        },
        LegendEntry {
            label: "best feasible point".into(),
            swatch: Swatch::Line(BEST),
        },
    ];
    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(&d.note, font(style::TICK_SIZE))
        .map_err(&err)?;
    let area = legend_strip(&area, &legend, name)?;
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?;
    super::house_mesh(&mut ctx.configure_mesh())
        .x_desc(format!("{} (mean over the replicas)", d.figure))
        .y_desc(format!("{} (mean)", d.objective))
        .x_labels(8)
        .y_labels(8)
        .draw()
        .map_err(&err)?;
    let region = if d.bound_is_max {
        [(x0, y0), (d.bound.min(x1), y1)]
    } else {
        [(d.bound.max(x0), y0), (x1, y1)]
    };
    ctx.draw_series(std::iter::once(Rectangle::new(
        region,
        FEASIBLE_REGION.filled(),
    )))
    .map_err(&err)?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(d.bound, y0), (d.bound, y1)],
        FEASIBLE.stroke_width(style::MARKER_WIDTH),
    )))
    .map_err(&err)?;
    ctx.draw_series(
        d.front
            .windows(2)
            .map(|w| PathElement::new(vec![w[0], w[1]], style::INK.stroke_width(1))),
    )
    .map_err(&err)?;
    ctx.draw_series(
        points
            .iter()
            .map(|p| Circle::new((p.0, p.1), 4, verdict_color(p.2).filled())),
    )
    .map_err(&err)?;
    if let Some(b) = d.best {
        ctx.draw_series(std::iter::once(Circle::new(
            b,
            9,
            BEST.stroke_width(style::LINE_WIDTH),
        )))
        .map_err(&err)?;
        ctx.draw_series(std::iter::once(Text::new(
            "best".to_string(),
            b,
            font(style::LABEL_SIZE)
                .color(&BEST)
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))
        .map_err(&err)?;
    }
    Ok(())
}

/// A heatmap of the objective over two parameters (the others fixed: one level each).
#[derive(Clone, Debug, Default)]
pub struct HeatmapData {
    /// Objective path.
    pub objective: String,
    /// The x parameter's name and level labels.
    pub x_name: String,
    /// Its levels.
    pub x_labels: Vec<String>,
    /// The y parameter's name.
    pub y_name: String,
    /// Its levels.
    pub y_labels: Vec<String>,
    /// Row-major (y, then x): the objective mean and the verdict, `None` for a point not run.
    pub cells: Vec<Option<(f64, Verdict)>>,
    /// The best cell (x, y).
    pub best: Option<(usize, usize)>,
}

/// The heatmap as SVG.
pub fn heatmap_svg(d: &HeatmapData) -> Result<String, ChartError> {
    render_svg("sweep_heatmap", |root| draw_heatmap(d, root))
}

fn draw_heatmap<DB: DrawingBackend>(
    d: &HeatmapData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = "sweep_heatmap";
    let err = draw_err(name);
    let title = format!("{} over {} and {}", d.objective, d.x_name, d.y_name);
    let (nx, ny) = (d.x_labels.len(), d.y_labels.len());
    if nx == 0 || ny == 0 || d.cells.len() != nx * ny {
        return no_data(root, name, &title, "no data");
    }
    let feasible: Vec<f64> = d
        .cells
        .iter()
        .flatten()
        .filter(|c| c.1 == Verdict::Feasible)
        .map(|c| c.0)
        .collect();
    let lo = feasible.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = feasible.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let legend = [
        LegendEntry {
            label: "feasible: darker is cheaper".into(),
            swatch: Swatch::Fill(style::BAR),
        },
        LegendEntry {
            label: "undecided".into(),
            swatch: Swatch::Fill(RGBColor(0xFF, 0xE0, 0xC2)),
        },
        LegendEntry {
            label: "infeasible".into(),
            swatch: Swatch::Fill(RGBColor(0xE6, 0xE6, 0xE6)),
        },
        LegendEntry {
            label: "best".into(),
            swatch: Swatch::Line(BEST),
        },
    ];
    let area = root.titled(&title, font(style::TITLE_SIZE)).map_err(&err)?;
    let area = legend_strip(&area, &legend, name)?;
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(style::Y_LABEL_AREA)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
        .map_err(&err)?;
    let xl = d.x_labels.clone();
    let yl = d.y_labels.clone();
    // Labels at the cell centres (k + 0.5); other tick positions stay blank.
    let at = |labels: &[String], v: f64| -> String {
        let k = v - 0.5;
        if (k - k.round()).abs() < 1e-9 && k >= 0.0 {
            labels.get(k.round() as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    super::house_mesh(&mut ctx.configure_mesh())
        .disable_mesh()
        .x_desc(d.x_name.clone())
        .y_desc(d.y_name.clone())
        .x_labels(2 * nx + 1)
        .y_labels(2 * ny + 1)
        .x_label_formatter(&|v| at(&xl, *v))
        .y_label_formatter(&|v| at(&yl, *v))
        .draw()
        .map_err(&err)?;
    for (i, cell) in d.cells.iter().enumerate() {
        let (x, y) = ((i % nx) as f64, (i / nx) as f64);
        let (fill, text) = match cell {
            None => (WHITE, String::new()),
            Some((v, Verdict::Feasible)) => {
                // Cheapest darkest: 0 at the cheapest feasible cell, 1 at the dearest.
                let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t) as u8;
                let c = style::BAR;
                (
                    RGBColor(mix(c.0, 0xE8), mix(c.1, 0xEE), mix(c.2, 0xF7)),
                    format!("{v:.4}"),
                )
            }
            Some((v, Verdict::Undecided)) => (RGBColor(0xFF, 0xE0, 0xC2), format!("{v:.4}?")),
            Some((_, Verdict::Infeasible)) => (RGBColor(0xE6, 0xE6, 0xE6), "infeasible".into()),
        };
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(x, y), (x + 1.0, y + 1.0)],
            fill.filled(),
        )))
        .map_err(&err)?;
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(x, y), (x + 1.0, y + 1.0)],
            WHITE.stroke_width(1),
        )))
        .map_err(&err)?;
        if nx * ny <= 400 && !text.is_empty() {
            ctx.draw_series(std::iter::once(Text::new(
                text,
                (x + 0.5, y + 0.5),
                font(style::TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(&err)?;
        }
    }
    if let Some((bx, by)) = d.best {
        let (x, y) = (bx as f64, by as f64);
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(x, y), (x + 1.0, y + 1.0)],
            BEST.stroke_width(3),
        )))
        .map_err(&err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_draw_data_and_empty_input_and_are_deterministic() {
        let d = ParetoData {
            objective: "cost.total_usd".into(),
            figure: "services.web.load.unserved_pct".into(),
            bound: 0.1,
            bound_is_max: true,
            points: vec![
                (0.05, 10.0, Verdict::Feasible),
                (0.1, 9.0, Verdict::Undecided),
                (0.5, 8.0, Verdict::Infeasible),
            ],
            front: vec![(0.05, 10.0), (0.1, 9.0), (0.5, 8.0)],
            best: Some((0.05, 10.0)),
            note: "3 points".into(),
        };
        let a = pareto_svg(&d).unwrap();
        assert_eq!(a, pareto_svg(&d).unwrap());
        // Three points, the best ring: four circles.
        assert_eq!(a.matches("<circle").count(), 4, "{a}");
        assert!(pareto_svg(&ParetoData::default())
            .unwrap()
            .contains("no data"));
        let h = HeatmapData {
            objective: "cost".into(),
            x_name: "a".into(),
            x_labels: vec!["1".into(), "2".into()],
            y_name: "b".into(),
            y_labels: vec!["x".into()],
            cells: vec![
                Some((1.0, Verdict::Feasible)),
                Some((2.0, Verdict::Infeasible)),
            ],
            best: Some((0, 0)),
        };
        let s = heatmap_svg(&h).unwrap();
        assert!(s.contains("infeasible") && s.contains("1.0000"), "{s}");
        assert!(heatmap_svg(&HeatmapData::default())
            .unwrap()
            .contains("no data"));
    }
}
