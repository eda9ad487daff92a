//! `charts/capacity.svg` and `.png`: small multiples of instances, service tasks, request
//! rates and batch tasks, with scaling and fault markers.
//!
//! One chart of every series stopped reading well at three services: twelve lines shared ten
//! colours, and a count on the left axis hid under a request rate on the right one whenever
//! their pixels met. So the chart is a grid of small panels on one time axis, each with a
//! few lines and its own y axis:
//!
//! - one panel of instances per ASG capacity provider (in service, DRAINING, the ASG's
//!   desired capacity dashed), and one of all EC2 instances when some ASG has no provider;
//! - one panel of tasks per service (desired count dashed, RUNNING, PROVISIONING or
//!   PENDING), and for a service with a load model one panel of its request rate beside it,
//!   so a rate can never hide a count;
//! - one panel of tasks per batch workload (queued in the submitter, PROVISIONING or
//!   PENDING, RUNNING), where a backlog shows.
//!
//! A DRAINING, PROVISIONING/PENDING or queued line that is 0 throughout is left out.
//! A line's colour says what it is (a [`Role`]), the same in every panel, so one legend under
//! the grid names them all and no colour appears twice within a panel. Count axes have
//! integer ticks. A scaling activity is marked in the panels of its subject (the service or
//! the capacity provider), a fault in every panel.
//! The chart grows in height with the number of panels (see [`size`]), up to
//! [`style::MAX_PANELS`].

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_label, draw_err, font, house_mesh, legend_strip, no_data, style, value_range, ChartError,
    ChartKind, LegendEntry, Swatch, TimeAxis,
};
use crate::report::{Report, NO_CAPACITY_PROVIDER};

const NAME: &str = "capacity";

/// Height of the title and the note over the panels, pixels.
const HEADER: u32 = 64;
/// Height left under the panels for the legend strip (up to three rows), pixels.
const FOOTER: u32 = 4 * style::LEGEND_ROW;

/// Instances, tasks per service and per workload, and request rates, as small multiples.
pub fn capacity_svg(report: &Report) -> Result<String, ChartError> {
    ChartKind::Capacity.svg(report)
}

/// What a line stands for; its colour and legend label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Role {
    /// A service's desired count or an ASG's desired capacity: dashed.
    Desired,
    /// RUNNING tasks, or instances in service.
    Running,
    /// Tasks in PROVISIONING or PENDING.
    Pending,
    /// Batch tasks in the submitter's queue.
    Queued,
    /// DRAINING instances.
    Draining,
    /// A service's offered request rate.
    Requests,
}

impl Role {
    /// Every role, in legend order.
    pub(crate) const ALL: [Role; 6] = [
        Role::Desired,
        Role::Running,
        Role::Pending,
        Role::Queued,
        Role::Draining,
        Role::Requests,
    ];

    /// The line colour: one per role, so no panel has two lines of one colour.
    pub(crate) fn color(self) -> RGBColor {
        match self {
            Role::Desired => style::DESIRED,
            Role::Running => style::PALETTE[0],
            Role::Pending => style::PALETTE[1],
            Role::Requests => style::PALETTE[2],
            Role::Queued => style::PALETTE[3],
            Role::Draining => style::PALETTE[4],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Desired => "desired (dashed): desired count, ASG desired capacity",
            Role::Running => "tasks RUNNING, instances in service",
            Role::Pending => "tasks PROVISIONING or PENDING",
            Role::Queued => "batch tasks queued (not yet submitted)",
            Role::Draining => "instances DRAINING",
            Role::Requests => "requests/s offered",
        }
    }
}

/// One line of a panel.
struct Line {
    role: Role,
    points: Vec<(f64, f64)>,
}

/// One small plot.
struct Panel {
    title: String,
    y_desc: &'static str,
    /// Whole numbers only: integer ticks.
    counts: bool,
    lines: Vec<Line>,
    /// The event subject whose scaling activities are marked here.
    subject: Option<String>,
}

/// The panels in grid order, `None` for a cell left empty so that a service's request rate
/// sits beside its tasks; and how many panels were left out past [`style::MAX_PANELS`].
fn panels(report: &Report, t: &TimeAxis) -> (Vec<Option<Panel>>, usize) {
    let mut all: Vec<Vec<Panel>> = Vec::new();
    let summary = &report.summary;
    // Instances: per ASG capacity provider; all instances when some ASG has none (its
    // instances are in no provider's row) or no provider rows exist but instances did.
    let mut per_provider: BTreeMap<u32, [Vec<(f64, f64)>; 3]> = BTreeMap::new();
    for r in &report.provider_series {
        let x = t.minute(r.minute);
        let e = per_provider.entry(r.provider).or_default();
        e[0].push((x, f64::from(r.desired_capacity)));
        e[1].push((x, f64::from(r.instances)));
        e[2].push((x, f64::from(r.draining)));
    }
    let no_provider = report
        .cost_series_providers
        .iter()
        .any(|p| p == NO_CAPACITY_PROVIDER);
    let any_instance = report
        .timeseries
        .iter()
        .any(|r| r.instances_pending + r.instances_active + r.instances_draining > 0);
    if no_provider || (per_provider.is_empty() && any_instance) {
        let in_service = report
            .timeseries
            .iter()
            .map(|r| {
                let n = r.instances_pending + r.instances_active;
                (t.minute(r.minute), f64::from(n))
            })
            .collect();
        let draining = report
            .timeseries
            .iter()
            .map(|r| (t.minute(r.minute), f64::from(r.instances_draining)))
            .collect();
        all.push(vec![Panel {
            title: "EC2 instances, all".to_string(),
            y_desc: "instances",
            counts: true,
            lines: vec![
                Line {
                    role: Role::Running,
                    points: in_service,
                },
                Line {
                    role: Role::Draining,
                    points: draining,
                },
            ],
            subject: None,
        }]);
    }
    for (p, [desired, in_service, draining]) in per_provider {
        let name = summary
            .capacity_providers
            .get(p as usize)
            .map_or("?", |c| c.name.as_str());
        all.push(vec![Panel {
            title: format!("instances: {name}"),
            y_desc: "instances",
            counts: true,
            lines: vec![
                Line {
                    role: Role::Running,
                    points: in_service,
                },
                Line {
                    role: Role::Draining,
                    points: draining,
                },
                Line {
                    role: Role::Desired,
                    points: desired,
                },
            ],
            subject: Some(name.to_string()),
        }]);
    }
    let mut per_service: BTreeMap<u32, [Vec<(f64, f64)>; 4]> = BTreeMap::new();
    for r in &report.service_series {
        let x = t.minute(r.minute);
        let e = per_service.entry(r.service).or_default();
        e[0].push((x, f64::from(r.desired)));
        e[1].push((x, f64::from(r.running)));
        e[2].push((x, f64::from(r.pending)));
        e[3].push((x, r.requests_per_second));
    }
    for (s, [desired, running, pending, rps]) in per_service {
        let svc = summary.services.get(s as usize);
        let name = svc.map_or("?", |v| v.name.as_str());
        let mut group = vec![Panel {
            title: format!("service {name}: tasks"),
            y_desc: "tasks",
            counts: true,
            lines: vec![
                Line {
                    role: Role::Running,
                    points: running,
                },
                Line {
                    role: Role::Pending,
                    points: pending,
                },
                Line {
                    role: Role::Desired,
                    points: desired,
                },
            ],
            subject: Some(name.to_string()),
        }];
        if svc.is_some_and(|v| v.load.is_some()) {
            group.push(Panel {
                title: format!("service {name}: request rate"),
                y_desc: "requests/s",
                counts: false,
                lines: vec![Line {
                    role: Role::Requests,
                    points: rps,
                }],
                subject: None,
            });
        }
        all.push(group);
    }
    let mut per_workload: BTreeMap<u32, [Vec<(f64, f64)>; 3]> = BTreeMap::new();
    for r in &report.workload_series {
        let x = t.minute(r.minute);
        let e = per_workload.entry(r.workload).or_default();
        e[0].push((x, f64::from(r.queued)));
        e[1].push((x, f64::from(r.pending)));
        e[2].push((x, f64::from(r.running)));
    }
    for (w, [queued, pending, running]) in per_workload {
        let name = summary
            .workloads
            .get(w as usize)
            .map_or("?", |v| v.name.as_str());
        all.push(vec![Panel {
            title: format!("workload {name}: tasks"),
            y_desc: "tasks",
            counts: true,
            lines: vec![
                Line {
                    role: Role::Running,
                    points: running,
                },
                Line {
                    role: Role::Pending,
                    points: pending,
                },
                Line {
                    role: Role::Queued,
                    points: queued,
                },
            ],
            subject: None,
        }]);
    }
    // A DRAINING, PENDING or queued line at 0 throughout says nothing and would lie over
    // the axis and another zero line; RUNNING, desired and the request rate always show.
    for p in all.iter_mut().flatten() {
        p.lines.retain(|l| {
            matches!(l.role, Role::Running | Role::Desired | Role::Requests)
                || l.points.iter().any(|p| p.1 != 0.0)
        });
    }
    let total: usize = all.iter().map(Vec::len).sum();
    let columns = columns(total.min(style::MAX_PANELS));
    let mut cells: Vec<Option<Panel>> = Vec::new();
    let mut shown = 0;
    for group in all {
        // A service's tasks and request rate start a row together.
        if group.len() > 1 && cells.len() % columns != 0 {
            cells.push(None);
        }
        for p in group {
            if shown < style::MAX_PANELS {
                cells.push(Some(p));
                shown += 1;
            }
        }
    }
    (cells, total - shown)
}

/// One column for one or two panels (a full-width line reads best), two beyond.
fn columns(panels: usize) -> usize {
    if panels <= 2 {
        1
    } else {
        2
    }
}

/// The canvas size for `report`: the style's width, and a height that gives each row of
/// panels [`style::PANEL_HEIGHT`]; the style's size when there is nothing to draw.
pub(super) fn size(report: &Report) -> (u32, u32) {
    let t = TimeAxis::for_report(report);
    let (cells, _) = panels(report, &t);
    if cells.is_empty() {
        return (style::WIDTH, style::HEIGHT);
    }
    let rows = cells.len().div_ceil(columns(cells.len())) as u32;
    (style::WIDTH, HEADER + rows * style::PANEL_HEIGHT + FOOTER)
}

/// A tick label of a count axis: the integer, or nothing between integers (so "8.0" or
/// "2.5 tasks" never shows).
fn count_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// Draws [`capacity_svg`]'s chart on `root`, for any backend.
pub(super) fn draw<DB: DrawingBackend>(
    report: &Report,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let err = draw_err(NAME);
    let title = format!("Capacity: {}", report.summary.scenario);
    let t = TimeAxis::for_report(report);
    let (cells, hidden) = panels(report, &t);
    let x_points = || {
        cells
            .iter()
            .flatten()
            .flat_map(|p| p.lines.iter())
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .filter(|x| x.is_finite())
    };
    if x_points().next().is_none() {
        return no_data(root, NAME, &title, "no data");
    }
    // One time range for every panel, so their x axes line up.
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in x_points() {
        x0 = x0.min(x);
        x1 = x1.max(x);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let area = root.titled(&title, font(style::TITLE_SIZE)).map_err(&err)?;
    let mut note = format!("x axes: {}", t.desc);
    if hidden > 0 {
        note.push_str(&format!(
            "; {hidden} more panels not drawn (services.csv and capacity_providers.csv have every series)"
        ));
    }
    let area = area.titled(&note, font(style::TICK_SIZE)).map_err(&err)?;
    let markers: Vec<(f64, bool, &str)> = report
        .events
        .iter()
        .filter(|e| e.kind == "scaling" || e.kind == "fault")
        .map(|e| (t.seconds(e.time_s), e.kind == "fault", e.subject.as_str()))
        .filter(|m| m.0.is_finite() && m.0 >= x0 && m.0 <= x1)
        .collect();
    // Deployment periods: from the start to the end (or the end of the run), clipped to the
    // axis.
    let bands: Vec<(f64, f64)> = report
        .summary
        .deployments
        .iter()
        .flatten()
        .map(|d| {
            let end = d.ended_s.unwrap_or(d.started_s + d.duration_s);
            (t.seconds(d.started_s).max(x0), t.seconds(end).min(x1))
        })
        .filter(|b| b.0.is_finite() && b.1.is_finite() && b.0 <= b.1)
        .collect();
    let mut legend: Vec<LegendEntry> = Role::ALL
        .iter()
        .filter(|r| {
            cells
                .iter()
                .flatten()
                .any(|p| p.lines.iter().any(|l| l.role == **r))
        })
        .map(|r| LegendEntry {
            label: r.label().to_string(),
            swatch: Swatch::Line(r.color()),
        })
        .collect();
    let marked = |fault: bool| {
        markers.iter().any(|m| {
            m.1 == fault
                && (fault
                    || cells
                        .iter()
                        .flatten()
                        .any(|p| p.subject.as_deref() == Some(m.2)))
        })
    };
    if marked(false) {
        legend.push(LegendEntry {
            label: "scaling activity (in its service's or provider's panel)".to_string(),
            swatch: Swatch::Marker(style::SCALING_MARKER),
        });
    }
    if marked(true) {
        legend.push(LegendEntry {
            label: "fault".to_string(),
            swatch: Swatch::Marker(style::FAULT_MARKER),
        });
    }
    if !bands.is_empty() {
        legend.push(LegendEntry {
            label: "deployment in progress".to_string(),
            swatch: Swatch::Fill(style::DEPLOYMENT_BAND),
        });
    }
    let area = legend_strip(&area, &legend, NAME)?;
    let columns = columns(cells.len());
    let rows = cells.len().div_ceil(columns);
    let grid = area.split_evenly((rows, columns));
    for (cell, panel) in grid.iter().zip(&cells) {
        if let Some(panel) = panel {
            draw_panel(cell, panel, (x0, x1), &markers, &bands)?;
        }
    }
    Ok(())
}

/// One panel on `area`: its lines against the shared time range, its markers.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    (x0, x1): (f64, f64),
    markers: &[(f64, bool, &str)],
    bands: &[(f64, f64)],
) -> Result<(), ChartError> {
    let err = draw_err(NAME);
    let values = panel
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| &p.1));
    let (y0, y1) = if panel.counts {
        // Whole numbers: the top is the next integer above the data plus a little air, so
        // a flat line at the maximum does not sit on the frame.
        let (lo, hi) = value_range(values, 1.0);
        (lo.floor(), hi.ceil())
    } else {
        value_range(values, 0.0)
    };
    let mut ctx = ChartBuilder::on(area)
        .caption(&panel.title, font(style::LABEL_SIZE))
        .margin(style::MARGIN / 2)
        // Room for the last time label, centred on the right edge.
        .margin_right(style::MARGIN + style::MARGIN / 2)
        .x_label_area_size(style::TICK_SIZE + 12)
        .y_label_area_size(style::Y_LABEL_AREA - 12)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?;
    let y_fmt: &dyn Fn(&f64) -> String = if panel.counts {
        &count_label
    } else {
        &axis_label
    };
    house_mesh(&mut ctx.configure_mesh())
        .y_desc(panel.y_desc)
        .x_labels(8)
        .y_labels(5)
        .x_label_formatter(&axis_label)
        .y_label_formatter(y_fmt)
        .draw()
        .map_err(&err)?;
    // At least about three pixels wide at any zoom: a 20-minute deployment in a 30-day
    // chart still shows beside the lines.
    let min_width = (x1 - x0) / 300.0;
    ctx.draw_series(bands.iter().map(|&(a, b)| {
        Rectangle::new(
            [(a, y0), (b.max(a + min_width), y1)],
            style::DEPLOYMENT_BAND.filled(),
        )
    }))
    .map_err(&err)?;
    for line in &panel.lines {
        let points = line
            .points
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite());
        let stroke = line.role.color().stroke_width(style::LINE_WIDTH);
        if line.role == Role::Desired {
            // Dashed and drawn last, over the solid lines: where RUNNING equals desired
            // both colours still show.
            continue;
        }
        ctx.draw_series(LineSeries::new(points, stroke))
            .map_err(&err)?;
    }
    for line in panel.lines.iter().filter(|l| l.role == Role::Desired) {
        let points: Vec<(f64, f64)> = line
            .points
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        if points.len() < 2 {
            continue;
        }
        let (dash, gap) = style::DASH;
        ctx.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
            points,
            dash as i32,
            gap as i32,
            line.role.color().stroke_width(style::LINE_WIDTH),
        )))
        .map_err(&err)?;
    }
    for (fault, color) in [(false, style::SCALING_MARKER), (true, style::FAULT_MARKER)] {
        let xs = markers
            .iter()
            .filter(|m| m.1 == fault && (fault || panel.subject.as_deref() == Some(m.2)))
            .map(|m| m.0);
        ctx.draw_series(xs.map(|x| {
            PathElement::new(
                vec![(x, y0), (x, y1)],
                color.stroke_width(style::MARKER_WIDTH),
            )
        }))
        .map_err(&err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_axes_label_integers_only() {
        assert_eq!(count_label(&8.0), "8");
        assert_eq!(count_label(&0.0), "0");
        assert_eq!(count_label(&-0.0), "0");
        assert_eq!(count_label(&2.5), "");
        assert_eq!(count_label(&0.2), "");
    }

    #[test]
    fn every_role_has_its_own_colour() {
        let colours: std::collections::BTreeSet<String> =
            Role::ALL.iter().map(|r| style::hex(r.color())).collect();
        assert_eq!(colours.len(), Role::ALL.len());
    }
}
