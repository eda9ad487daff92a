//! What a sweep writes, as pure functions of the [`Plan`] and the points' results in point
//! order: `sweep.csv` rows (streamed through [`Outputs::push`] as points finish),
//! `sweep.json`, `best.json` and the stdout table (from [`Outputs::finish`]); and the partial
//! format of a shard (`partial.json` + `points.jsonl`) that [`read_partials`] reads back for
//! `merge`.
//!
//! An unsharded sweep and a merge feed the same [`Outputs`] the same results in the same
//! order, so their files are the same bytes. For that, a partial stores each accumulator's
//! floats as bit patterns, and the plan is normalised once through its own JSON (see
//! `file::load`), so both paths render from the same values.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::file::{Design, Plan, Search};
use super::search::{point_document, verdicts, PointResult};
use super::stats::{Acc, AccBits, Bound, Interval, Verdict, RULE};
use super::SweepError;

/// Version of `sweep.json`'s schema.
pub const SCHEMA_VERSION: u32 = 1;
/// Points in the stdout table.
pub const TABLE_POINTS: usize = 10;
/// `partial.json`'s `format`.
pub const PARTIAL_FORMAT: &str = "ecsim-sweep-partial";
/// Version of the partial format.
pub const PARTIAL_VERSION: u32 = 1;
/// The file names of a shard's folder.
pub const PARTIAL_HEADER: &str = "partial.json";
/// The records of a shard's folder.
pub const PARTIAL_POINTS: &str = "points.jsonl";

/// The ecsim version partials record and `merge` insists on.
pub const ECSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The header of `sweep.csv`.
pub fn csv_header(plan: &Plan) -> String {
    let mut cols = vec!["point".to_string()];
    cols.extend(plan.parameters.iter().map(|p| cell(&p.name)));
    cols.push("replicas".into());
    cols.push("feasible".into());
    for f in &plan.figures {
        for suffix in ["mean", "ci95_low", "ci95_high"] {
            cols.push(cell(&format!("{f}_{suffix}")));
        }
    }
    let mut s = cols.join(",");
    s.push('\n');
    s
}

/// One `sweep.csv` row.
pub fn csv_row(plan: &Plan, r: &PointResult) -> String {
    let mut s = r.index.to_string();
    for (p, &l) in plan.parameters.iter().zip(&r.levels) {
        s.push(',');
        s.push_str(&cell(&p.levels[l as usize].label));
    }
    let verdict = Verdict::all(verdicts(plan, &r.figures));
    let _ = write!(s, ",{},{}", r.replicas, verdict.as_str());
    for acc in &r.figures {
        match acc.interval() {
            Some(i) => {
                let _ = write!(s, ",{},{},{}", i.mean, i.low, i.high);
            }
            None => s.push_str(",,,"),
        }
    }
    s.push('\n');
    s
}

/// A point kept for the table, `best` or a Pareto front.
#[derive(Clone, Debug)]
struct Kept {
    index: u64,
    levels: Vec<u32>,
    replicas: u32,
    verdict: Verdict,
    intervals: Vec<Option<Interval>>,
}

/// One entry of a Pareto front: the point and the two means.
#[derive(Clone, Debug)]
struct FrontEntry {
    point: Kept,
    objective: f64,
    figure: f64,
}

/// The streaming writer of `sweep.csv` and the collector of everything else.
pub struct Outputs<W: Write> {
    plan: Plan,
    digest: String,
    csv: W,
    /// Feasible points, best first, at most [`TABLE_POINTS`].
    top: Vec<Kept>,
    /// One front per constraint.
    fronts: Vec<Vec<FrontEntry>>,
    counts: [u64; 3],
    runs: u64,
    points: u64,
    next: u64,
    /// Per constraint, the scatter's points: every `stride`-th point, so a huge sweep's
    /// page stays readable and its memory bounded.
    scatter: Vec<Vec<(f64, f64, Verdict)>>,
    stride: u64,
    /// The heatmap, when exactly two parameters vary on a grid: the two parameters' indices
    /// and the cells.
    heatmap: Option<(usize, usize, Vec<HeatCell>)>,
}

/// A heatmap cell: the objective mean and the verdict, `None` until its point comes.
type HeatCell = Option<(f64, Verdict)>;

/// Most points drawn in one Pareto scatter (more are thinned to every k-th; the front and
/// the best point are always drawn).
pub const SCATTER_POINTS: u64 = 5_000;
/// Most cells of the heatmap.
pub const HEATMAP_CELLS: usize = 10_000;

/// What [`Outputs::finish`] returns: the bytes of the remaining files.
#[derive(Clone, Debug)]
pub struct Finished {
    /// `sweep.json`.
    pub sweep_json: String,
    /// `best.json`, when a point is feasible.
    pub best_json: Option<String>,
    /// The stdout table.
    pub table: String,
    /// `sweep.html`.
    pub sweep_html: String,
}

impl<W: Write> Outputs<W> {
    /// Starts `sweep.csv` on `csv` (its header is written at once).
    pub fn new(plan: &Plan, digest: &str, mut csv: W) -> Result<Outputs<W>, SweepError> {
        csv.write_all(csv_header(plan).as_bytes())
            .map_err(|error| SweepError::Write {
                what: "sweep.csv".into(),
                error,
            })?;
        let varying: Vec<usize> = (0..plan.parameters.len())
            .filter(|&i| plan.parameters[i].levels.len() > 1)
            .collect();
        let heatmap = match (plan.design, varying.as_slice()) {
            (Design::Grid, &[a, b]) => {
                let cells = plan.parameters[a].levels.len() * plan.parameters[b].levels.len();
                (cells <= HEATMAP_CELLS).then(|| (a, b, vec![None; cells]))
            }
            _ => None,
        };
        Ok(Outputs {
            scatter: vec![Vec::new(); plan.constraints.len()],
            stride: plan.points.div_ceil(SCATTER_POINTS).max(1),
            heatmap,
            fronts: vec![Vec::new(); plan.constraints.len()],
            plan: plan.clone(),
            digest: digest.to_string(),
            csv,
            top: Vec::new(),
            counts: [0; 3],
            runs: 0,
            points: 0,
            next: 0,
        })
    }

    /// Writes a point's row and keeps what the summary files need. Points must come in
    /// increasing index order.
    pub fn push(&mut self, r: &PointResult) -> Result<(), SweepError> {
        debug_assert!(r.index >= self.next, "points out of order");
        self.next = r.index + 1;
        self.csv
            .write_all(csv_row(&self.plan, r).as_bytes())
            .map_err(|error| SweepError::Write {
                what: "sweep.csv".into(),
                error,
            })?;
        let verdict = Verdict::all(verdicts(&self.plan, &r.figures));
        self.counts[verdict as usize] += 1;
        self.runs += u64::from(r.replicas);
        self.points += 1;
        let kept = Kept {
            index: r.index,
            levels: r.levels.clone(),
            replicas: r.replicas,
            verdict,
            intervals: r.figures.iter().map(Acc::interval).collect(),
        };
        let objective = kept.intervals[0].map(|i| i.mean);
        if let (Verdict::Feasible, Some(o)) = (verdict, objective) {
            // Lowest mean first; ties keep the lower index (it came first).
            let at = self
                .top
                .iter()
                .position(|k| o < k.intervals[0].map_or(f64::INFINITY, |i| i.mean))
                .unwrap_or(self.top.len());
            if at < TABLE_POINTS {
                self.top.insert(at, kept.clone());
                self.top.truncate(TABLE_POINTS);
            }
        }
        if let (Some((a, b, cells)), Some(o)) = (&mut self.heatmap, objective) {
            let nx = self.plan.parameters[*a].levels.len();
            let cell = r.levels[*b] as usize * nx + r.levels[*a] as usize;
            if let Some(c) = cells.get_mut(cell) {
                *c = Some((o, verdict));
            }
        }
        for (j, (c, front)) in self
            .plan
            .constraints
            .iter()
            .zip(self.fronts.iter_mut())
            .enumerate()
        {
            let Some(k) = self.plan.figures.iter().position(|f| *f == c.figure) else {
                continue;
            };
            let (Some(o), Some(f)) = (objective, kept.intervals[k].map(|i| i.mean)) else {
                continue;
            };
            if r.index % self.stride == 0 {
                self.scatter[j].push((f, o, verdict));
            }
            insert_front(front, kept.clone(), o, f, matches!(c.bound, Bound::Min(_)));
        }
        Ok(())
    }

    /// Flushes `sweep.csv` and renders the rest.
    pub fn finish(mut self) -> Result<(W, Finished), SweepError> {
        self.csv.flush().map_err(|error| SweepError::Write {
            what: "sweep.csv".into(),
            error,
        })?;
        let best_json = match self.top.first() {
            Some(k) => Some(best_json(&self.plan, &k.levels)?),
            None => None,
        };
        let finished = Finished {
            sweep_json: self.sweep_json(),
            best_json,
            table: self.table(),
            sweep_html: self.html(),
        };
        Ok((self.csv, finished))
    }

    /// Runs a full search would have done: every point seen at full replicas.
    fn full_runs(&self) -> u64 {
        self.points * u64::from(self.plan.replicas)
    }

    fn point_json(&self, k: &Kept) -> PointJson {
        PointJson {
            point: k.index,
            parameters: self
                .plan
                .parameters
                .iter()
                .zip(&k.levels)
                .map(|(p, &l)| (p.name.clone(), p.levels[l as usize].label.clone()))
                .collect(),
            replicas: k.replicas,
            verdict: k.verdict.as_str(),
            figures: self
                .plan
                .figures
                .iter()
                .zip(&k.intervals)
                .filter_map(|(f, i)| {
                    i.map(|i| {
                        (
                            f.clone(),
                            FigureJson {
                                n: i.n,
                                mean: i.mean,
                                ci95_low: i.low,
                                ci95_high: i.high,
                            },
                        )
                    })
                })
                .collect(),
        }
    }

    fn sweep_json(&self) -> String {
        let plan = &self.plan;
        let full = self.full_runs();
        let doc = SweepJson {
            schema_version: SCHEMA_VERSION,
            sweep: &plan.name,
            description: &plan.description,
            ecsim_version: ECSIM_VERSION,
            digest: &self.digest,
            base: &plan.base_file,
            seed: plan.seed,
            replicas: plan.replicas,
            design: design_text(plan.design),
            points: self.points,
            grid_points: plan.grid_points,
            search: search_json(plan.search),
            objective: ObjectiveJson {
                minimize: &plan.objective,
            },
            constraints: plan
                .constraints
                .iter()
                .map(|c| ConstraintJson {
                    figure: &c.figure,
                    max: match c.bound {
                        Bound::Max(m) => Some(m),
                        Bound::Min(_) => None,
                    },
                    min: match c.bound {
                        Bound::Min(m) => Some(m),
                        Bound::Max(_) => None,
                    },
                })
                .collect(),
            feasibility_rule: RULE,
            runs: RunsJson {
                done: self.runs,
                full,
                saved: full.saturating_sub(self.runs),
                saved_pct: if full == 0 {
                    0.0
                } else {
                    super::stats::round6(
                        100.0 * full.saturating_sub(self.runs) as f64 / full as f64,
                    )
                },
            },
            points_by_verdict: VerdictCounts {
                feasible: self.counts[Verdict::Feasible as usize],
                undecided: self.counts[Verdict::Undecided as usize],
                infeasible: self.counts[Verdict::Infeasible as usize],
            },
            best: self.top.first().map(|k| self.point_json(k)),
            pareto: plan
                .constraints
                .iter()
                .zip(&self.fronts)
                .map(|(c, front)| ParetoJson {
                    objective: &plan.objective,
                    figure: &c.figure,
                    figure_direction: match c.bound {
                        Bound::Max(_) => "lower is better",
                        Bound::Min(_) => "higher is better",
                    },
                    front: front
                        .iter()
                        .map(|e| FrontJson {
                            point: e.point.index,
                            parameters: self.point_json(&e.point).parameters,
                            objective_mean: e.objective,
                            figure_mean: e.figure,
                            verdict: e.point.verdict.as_str(),
                        })
                        .collect(),
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&doc)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// `sweep.html`: one self-contained page (inline CSS and SVG, no script): the question,
    /// the answer, the rule, the best points, the Pareto scatters and the heatmap.
    fn html(&self) -> String {
        use crate::report::charts::sweep::{heatmap_svg, pareto_svg, HeatmapData, ParetoData};
        use crate::report::html::{escape, inline_charts, table, InlineChart, CSS};
        let plan = &self.plan;
        let mut out = String::with_capacity(64 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>ecsim sweep: {}</title>", escape(&plan.name));
        let _ = writeln!(out, "<style>{CSS}</style>");
        out.push_str("</head>\n<body>\n");
        let _ = writeln!(out, "<h1>ecsim sweep: {}</h1>", escape(&plan.name));
        if !plan.description.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(&plan.description));
        }
        // The table's header lines, as prose.
        let text = self.table();
        let mut lines = text.lines();
        out.push_str("<p class=\"meta\">");
        for l in lines.by_ref().take(4) {
            let _ = write!(out, "{}<br>", escape(l));
        }
        out.push_str("</p>\n");
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            escape(&format!("Feasibility rule: {RULE}."))
        );
        out.push_str("<h2>Best feasible points</h2>\n");
        if self.top.is_empty() {
            out.push_str("<p>No point is feasible.</p>\n");
        } else {
            let shown = self.shown_figures();
            let mut cols: Vec<String> = vec!["rank".into(), "point".into()];
            cols.extend(plan.parameters.iter().map(|p| p.name.clone()));
            cols.extend(
                shown
                    .iter()
                    .map(|&k| format!("{} mean [95 % CI]", plan.figures[k])),
            );
            cols.push("replicas".into());
            let rows: Vec<Vec<String>> = self
                .top
                .iter()
                .enumerate()
                .map(|(rank, k)| self.table_row(rank, k, &shown))
                .collect();
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            table(&mut out, &cols, &rows);
        }
        let mut charts = Vec::new();
        let best_levels = self.top.first().map(|k| &k.levels);
        for ((c, front), points) in plan.constraints.iter().zip(&self.fronts).zip(&self.scatter) {
            let Some(k) = plan.figures.iter().position(|f| *f == c.figure) else {
                continue;
            };
            let (bound, bound_is_max) = match c.bound {
                Bound::Max(m) => (m, true),
                Bound::Min(m) => (m, false),
            };
            let best = self
                .top
                .first()
                .and_then(|b| Some((b.intervals[k]?.mean, b.intervals[0]?.mean)));
            let mut front_xy: Vec<(f64, f64)> =
                front.iter().map(|e| (e.figure, e.objective)).collect();
            front_xy.sort_by(|a, b| a.0.total_cmp(&b.0));
            let note = if self.stride > 1 {
                format!(
                    "{} of {} points drawn (every {}th in point order; sweep.csv has them all)",
                    points.len(),
                    self.points,
                    self.stride
                )
            } else {
                format!("{} points, means over their replicas", points.len())
            };
            let d = ParetoData {
                objective: plan.objective.clone(),
                figure: c.figure.clone(),
                bound,
                bound_is_max,
                points: points.clone(),
                front: front_xy,
                best,
                note,
            };
            let title = format!("{} against {}", plan.objective, c.figure);
            match pareto_svg(&d) {
                Ok(svg) => charts.push(InlineChart::from_svg(title, &svg)),
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "<p class=\"note\">{}: {}</p>",
                        escape(&title),
                        escape(&e.to_string())
                    );
                }
            }
        }
        if let Some((a, b, cells)) = &self.heatmap {
            let (pa, pb) = (&plan.parameters[*a], &plan.parameters[*b]);
            let nx = pa.levels.len();
            let best = best_levels.map(|l| (l[*a] as usize, l[*b] as usize));
            let d = HeatmapData {
                objective: plan.objective.clone(),
                x_name: pa.name.clone(),
                x_labels: pa.levels.iter().map(|l| l.label.clone()).collect(),
                y_name: pb.name.clone(),
                y_labels: pb.levels.iter().map(|l| l.label.clone()).collect(),
                cells: cells.clone(),
                best: best.filter(|(x, _)| *x < nx),
            };
            let title = format!("{} over {} and {}", plan.objective, pa.name, pb.name);
            match heatmap_svg(&d) {
                Ok(svg) => charts.push(InlineChart::from_svg(title, &svg)),
                Err(e) => {
                    let _ = writeln!(
                        out,
                        "<p class=\"note\">{}: {}</p>",
                        escape(&title),
                        escape(&e.to_string())
                    );
                }
            }
        }
        if !charts.is_empty() {
            out.push_str("<h2>Charts</h2>\n");
            inline_charts(&mut out, &charts);
        }
        for (c, front) in plan.constraints.iter().zip(&self.fronts) {
            let _ = writeln!(
                out,
                "<h2>Pareto front: {} against {}</h2>",
                escape(&plan.objective),
                escape(&c.figure)
            );
            let mut cols: Vec<String> = vec!["point".into()];
            cols.extend(plan.parameters.iter().map(|p| p.name.clone()));
            cols.extend([
                format!("{} mean", plan.objective),
                format!("{} mean", c.figure),
                "verdict".into(),
            ]);
            let rows: Vec<Vec<String>> = front
                .iter()
                .map(|e| {
                    let mut r = vec![e.point.index.to_string()];
                    r.extend(
                        plan.parameters
                            .iter()
                            .zip(&e.point.levels)
                            .map(|(p, &l)| p.levels[l as usize].label.clone()),
                    );
                    r.extend([
                        e.objective.to_string(),
                        e.figure.to_string(),
                        e.point.verdict.as_str().to_string(),
                    ]);
                    r
                })
                .collect();
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            table(&mut out, &cols, &rows);
        }
        out.push_str("<p class=\"note\">Every point, with every figure's mean and 95 % confidence interval, is in sweep.csv; sweep.json has the best point and the fronts; best.json is the best point as a scenario.</p>\n");
        out.push_str("</body>\n</html>\n");
        out
    }

    /// The figures the table shows: the objective, then each constrained figure once.
    fn shown_figures(&self) -> Vec<usize> {
        let mut v = vec![0usize];
        for c in &self.plan.constraints {
            if let Some(k) = self.plan.figures.iter().position(|f| *f == c.figure) {
                if !v.contains(&k) {
                    v.push(k);
                }
            }
        }
        v
    }

    /// One row of the best points' table.
    fn table_row(&self, rank: usize, k: &Kept, shown: &[usize]) -> Vec<String> {
        let mut row = vec![(rank + 1).to_string(), k.index.to_string()];
        row.extend(
            self.plan
                .parameters
                .iter()
                .zip(&k.levels)
                .map(|(p, &l)| p.levels[l as usize].label.clone()),
        );
        for &f in shown {
            row.push(match k.intervals[f] {
                Some(i) => format!("{} [{}, {}]", i.mean, i.low, i.high),
                None => "-".into(),
            });
        }
        row.push(k.replicas.to_string());
        row
    }

    fn table(&self) -> String {
        let plan = &self.plan;
        let full = self.full_runs();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "sweep {}: {} points ({}), {} replica{} per point at full, seeds {}..",
            plan.name,
            self.points,
            design_text(plan.design),
            plan.replicas,
            if plan.replicas == 1 { "" } else { "s" },
            plan.seed
        );
        let _ = writeln!(
            out,
            "runs: {} of {} at full replicas ({} saved by {})",
            self.runs,
            full,
            full.saturating_sub(self.runs),
            match plan.search {
                Search::Full => "the full search: none".to_string(),
                Search::Racing { .. } => "racing".to_string(),
            }
        );
        let constraints: Vec<String> = plan
            .constraints
            .iter()
            .map(|c| match c.bound {
                Bound::Max(m) => format!("{} <= {m}", c.figure),
                Bound::Min(m) => format!("{} >= {m}", c.figure),
            })
            .collect();
        let _ = writeln!(
            out,
            "minimize {}{}",
            plan.objective,
            if constraints.is_empty() {
                String::new()
            } else {
                format!(" subject to {}", constraints.join(", "))
            }
        );
        let _ = writeln!(
            out,
            "points: {} feasible, {} undecided, {} infeasible (judged on 95 % confidence intervals)",
            self.counts[0], self.counts[1], self.counts[2]
        );
        if self.top.is_empty() {
            let _ = writeln!(out, "no feasible point: no best.json");
            return out;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "best feasible points (mean [95 % CI]):");
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec!["rank".to_string(), "point".to_string()];
        head.extend(plan.parameters.iter().map(|p| p.name.clone()));
        let shown = self.shown_figures();
        head.extend(shown.iter().map(|&k| plan.figures[k].clone()));
        head.push("replicas".into());
        rows.push(head);
        for (rank, k) in self.top.iter().enumerate() {
            rows.push(self.table_row(rank, k, &shown));
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(s, w)| format!("{s:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
        }
        out
    }
}

/// Inserts a point into a Pareto front (objective lower is better; the figure lower is
/// better, or higher with `maximize`), unless a point already there is at least as good on
/// both (an equal point that came first stays). Kept sorted by objective, then index.
fn insert_front(
    front: &mut Vec<FrontEntry>,
    point: Kept,
    objective: f64,
    figure: f64,
    maximize: bool,
) {
    let f = |x: f64| if maximize { -x } else { x };
    if front
        .iter()
        .any(|e| e.objective <= objective && f(e.figure) <= f(figure))
    {
        return;
    }
    front.retain(|e| !(objective <= e.objective && f(figure) <= f(e.figure)));
    let at = front
        .iter()
        .position(|e| objective < e.objective)
        .unwrap_or(front.len());
    front.insert(
        at,
        FrontEntry {
            point,
            objective,
            figure,
        },
    );
}

/// `best.json`: the base scenario with the point's values, as a runnable scenario. Its name
/// becomes `<sweep>-best` (unless a parameter sets `/name`), so its results do not land on
/// the base's. Relative paths stay as the base has them: relative to the base's folder.
pub fn best_json(plan: &Plan, levels: &[u32]) -> Result<String, SweepError> {
    let base: Value = serde_json::from_str(&plan.base).unwrap_or(Value::Null);
    let mut doc = point_document(plan, &base, levels).map_err(|p| SweepError::Merge {
        path: PathBuf::from("best.json"),
        message: p.to_string(),
    })?;
    let sets_name = plan.parameters.iter().zip(levels).any(|(p, &l)| {
        p.levels[l as usize]
            .set
            .iter()
            .any(|(ptr, _)| ptr == "/name")
    });
    if !sets_name {
        if let Value::Object(m) = &mut doc {
            m.insert("name".into(), Value::String(format!("{}-best", plan.name)));
        }
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    Ok(s)
}

fn design_text(d: Design) -> String {
    match d {
        Design::Grid => "grid".into(),
        Design::Random(c) => format!("random, {} drawn", c.count),
        Design::LatinHypercube(c) => format!("latinHypercube, {} drawn", c.count),
    }
}

fn search_json(s: Search) -> SearchJson {
    match s {
        Search::Full => SearchJson {
            method: "full",
            initial_replicas: None,
            growth: None,
            rule: "every point runs all its replicas",
        },
        Search::Racing { initial, growth } => SearchJson {
            method: "racing",
            initial_replicas: Some(initial),
            growth: Some(growth),
            rule: "per point, in stages of initial_replicas, x growth, ... up to replicas; a point stops after a stage where a constraint is judged infeasible (the feasibility rule); the decision uses only that point's replicas, so sharded and unsharded runs agree; feasible and undecided points run all their replicas",
        },
    }
}

/// A list of pairs serialised as a JSON object in list order.
struct Ordered<V>(Vec<(String, V)>);

impl<V> FromIterator<(String, V)> for Ordered<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        Ordered(iter.into_iter().collect())
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct SweepJson<'a> {
    schema_version: u32,
    sweep: &'a str,
    description: &'a str,
    ecsim_version: &'a str,
    digest: &'a str,
    base: &'a str,
    seed: u64,
    replicas: u32,
    design: String,
    points: u64,
    grid_points: u64,
    search: SearchJson,
    objective: ObjectiveJson<'a>,
    constraints: Vec<ConstraintJson<'a>>,
    feasibility_rule: &'a str,
    runs: RunsJson,
    points_by_verdict: VerdictCounts,
    best: Option<PointJson>,
    pareto: Vec<ParetoJson<'a>>,
}

#[derive(Serialize)]
struct SearchJson {
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    growth: Option<u32>,
    rule: &'static str,
}

#[derive(Serialize)]
struct ObjectiveJson<'a> {
    minimize: &'a str,
}

#[derive(Serialize)]
struct ConstraintJson<'a> {
    figure: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
}

#[derive(Serialize)]
struct RunsJson {
    done: u64,
    full: u64,
    saved: u64,
    saved_pct: f64,
}

#[derive(Serialize)]
struct VerdictCounts {
    feasible: u64,
    undecided: u64,
    infeasible: u64,
}

#[derive(Serialize)]
struct PointJson {
    point: u64,
    parameters: Ordered<String>,
    replicas: u32,
    verdict: &'static str,
    figures: Ordered<FigureJson>,
}

#[derive(Serialize)]
struct FigureJson {
    n: u32,
    mean: f64,
    ci95_low: f64,
    ci95_high: f64,
}

#[derive(Serialize)]
struct ParetoJson<'a> {
    objective: &'a str,
    figure: &'a str,
    figure_direction: &'static str,
    front: Vec<FrontJson>,
}

#[derive(Serialize)]
struct FrontJson {
    point: u64,
    parameters: Ordered<String>,
    objective_mean: f64,
    figure_mean: f64,
    verdict: &'static str,
}

/// `partial.json`: which sweep, which shard, and the plan to render from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartialHeader {
    /// [`PARTIAL_FORMAT`].
    pub format: String,
    /// [`PARTIAL_VERSION`].
    pub format_version: u32,
    /// The ecsim that wrote it.
    pub ecsim_version: String,
    /// The sweep's digest.
    pub digest: String,
    /// This shard's index.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// Points in `points.jsonl`.
    pub points: u64,
    /// The sweep.
    pub plan: Plan,
}

/// One line of `points.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Record {
    point: u64,
    levels: Vec<u32>,
    replicas: u32,
    figures: Vec<AccBits>,
}

/// A point's line in `points.jsonl` (with its newline).
pub fn record_line(r: &PointResult) -> String {
    let rec = Record {
        point: r.index,
        levels: r.levels.clone(),
        replicas: r.replicas,
        figures: r.figures.iter().map(Acc::to_bits).collect(),
    };
    let mut s = serde_json::to_string(&rec).unwrap_or_default();
    s.push('\n');
    s
}

/// `partial.json`'s text.
pub fn header_json(h: &PartialHeader) -> String {
    let mut s = serde_json::to_string_pretty(h).unwrap_or_default();
    s.push('\n');
    s
}

/// Partials found under `dirs`, checked to belong together and complete.
pub struct Partials {
    /// The shared plan.
    pub plan: Plan,
    /// The shared digest.
    pub digest: String,
    /// Each shard's folder, by shard index.
    pub folders: Vec<PathBuf>,
}

/// Finds the shard folders: each of `dirs` is a shard folder (it holds `partial.json`) or
/// holds `shard-I-of-N` folders. Checks they come from one sweep and one ecsim version, and
/// that every shard is there exactly once.
pub fn read_partials(dirs: &[PathBuf]) -> Result<Partials, SweepError> {
    let merge_err = |path: &Path, message: String| SweepError::Merge {
        path: path.to_path_buf(),
        message,
    };
    let mut folders: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let shard_named = d
            .file_name()
            .map(|n| n.to_string_lossy())
            .is_some_and(|n| n.starts_with("shard-") && n.contains("-of-"));
        // A shard folder without its header is read (and refused) below.
        if shard_named || d.join(PARTIAL_HEADER).is_file() {
            folders.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d)
            .map_err(|e| merge_err(d, format!("cannot read the folder: {e}")))?;
        let mut found: Vec<PathBuf> = Vec::new();
        for e in entries {
            let e = e.map_err(|e| merge_err(d, format!("cannot read the folder: {e}")))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("shard-") && name.contains("-of-") && e.path().is_dir() {
                found.push(e.path());
            }
        }
        if found.is_empty() {
            return Err(merge_err(
                d,
                format!("no partial result here: expected {PARTIAL_HEADER} or shard-I-of-N folders written by `ecsim sweep --shard`"),
            ));
        }
        found.sort();
        folders.extend(found);
    }
    let mut first: Option<(PathBuf, PartialHeader)> = None;
    let mut by_index: Vec<Option<PathBuf>> = Vec::new();
    for f in &folders {
        let path = f.join(PARTIAL_HEADER);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            merge_err(
                f,
                format!("no {PARTIAL_HEADER} ({e}): the shard did not finish, run it again"),
            )
        })?;
        let h: PartialHeader = serde_json::from_str(&text)
            .map_err(|e| merge_err(&path, format!("not a sweep partial: {e}")))?;
        if h.format != PARTIAL_FORMAT || h.format_version != PARTIAL_VERSION {
            return Err(merge_err(
                &path,
                format!(
                    "format {:?} version {} is not {PARTIAL_FORMAT:?} version {PARTIAL_VERSION}",
                    h.format, h.format_version
                ),
            ));
        }
        if h.ecsim_version != ECSIM_VERSION {
            return Err(merge_err(
                &path,
                format!(
                    "written by ecsim {}, this is ecsim {ECSIM_VERSION}: merge with the version that ran the shards, or run them again",
                    h.ecsim_version
                ),
            ));
        }
        match &first {
            None => {
                by_index = vec![None; h.shards as usize];
                first = Some((f.clone(), h.clone()));
            }
            Some((ff, fh)) => {
                if h.digest != fh.digest || h.plan != fh.plan {
                    return Err(merge_err(
                        &path,
                        format!(
                            "comes from another sweep (digest {}) than {} (digest {}): merge only the shards of one sweep, run with the same file, --set, --seed and --replicas",
                            h.digest,
                            ff.display(),
                            fh.digest
                        ),
                    ));
                }
                if h.shards != fh.shards {
                    return Err(merge_err(
                        &path,
                        format!(
                            "is one of {} shards, {} is one of {}",
                            h.shards,
                            ff.display(),
                            fh.shards
                        ),
                    ));
                }
            }
        }
        let slot = by_index.get_mut(h.shard as usize).ok_or_else(|| {
            merge_err(
                &path,
                format!("shard {} of {} is out of range", h.shard, h.shards),
            )
        })?;
        if let Some(other) = slot {
            return Err(merge_err(
                &path,
                format!(
                    "shard {} of {} is given twice: here and in {}",
                    h.shard,
                    h.shards,
                    other.display()
                ),
            ));
        }
        *slot = Some(f.clone());
    }
    let Some((_, h)) = first else {
        return Err(merge_err(Path::new("."), "no partial given".into()));
    };
    let missing: Vec<String> = by_index
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_none())
        .map(|(i, _)| i.to_string())
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
        return Err(merge_err(
            &dirs[0],
            format!(
                "{} of {} shards missing: {}{} (shard-I-of-{} folders)",
                missing.len(),
                h.shards,
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", …"
                } else {
                    ""
                },
                h.shards
            ),
        ));
    }
    Ok(Partials {
        plan: h.plan,
        digest: h.digest,
        folders: by_index.into_iter().flatten().collect(),
    })
}

/// Reads every shard's `points.jsonl` and hands the points to `sink` in point order
/// (round-robin over the shards, since shard i holds points i, i + N, …), checking that each
/// record is the design's point and that no shard has a point too many or too few.
pub fn merge_points(
    partials: &Partials,
    sink: &mut dyn FnMut(PointResult) -> Result<(), SweepError>,
) -> Result<u64, SweepError> {
    let design = super::design::points(&partials.plan);
    let n = partials.folders.len();
    let mut readers = Vec::with_capacity(n);
    for f in &partials.folders {
        let path = f.join(PARTIAL_POINTS);
        let file = std::fs::File::open(&path).map_err(|e| SweepError::Merge {
            path: path.clone(),
            message: format!("cannot read: {e}"),
        })?;
        readers.push((path, BufReader::new(file).lines()));
    }
    let figures = partials.plan.figures.len();
    for (i, levels) in design.iter().enumerate() {
        let (path, lines) = &mut readers[i % n];
        let bad = |m: String| SweepError::Merge {
            path: path.clone(),
            message: m,
        };
        let line = match lines.next() {
            Some(Ok(l)) => l,
            Some(Err(e)) => return Err(bad(format!("cannot read: {e}"))),
            None => {
                return Err(bad(format!(
                    "ends before point {i}: the shard is incomplete"
                )))
            }
        };
        let rec: Record =
            serde_json::from_str(&line).map_err(|e| bad(format!("point {i}: {e}")))?;
        if rec.point != i as u64 || rec.levels != *levels || rec.figures.len() != figures {
            return Err(bad(format!(
                "holds point {} where point {i} of the design was expected",
                rec.point
            )));
        }
        sink(PointResult {
            index: rec.point,
            levels: rec.levels,
            replicas: rec.replicas,
            figures: rec.figures.into_iter().map(Acc::from_bits).collect(),
        })?;
    }
    for (path, lines) in &mut readers {
        if let Some(Ok(l)) = lines.next() {
            if !l.trim().is_empty() {
                return Err(SweepError::Merge {
                    path: path.clone(),
                    message: "has more points than its shard of the design".into(),
                });
            }
        }
    }
    Ok(design.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(index: u64) -> Kept {
        Kept {
            index,
            levels: vec![],
            replicas: 1,
            verdict: Verdict::Feasible,
            intervals: vec![],
        }
    }

    #[test]
    fn pareto_front_keeps_only_undominated_points() {
        let mut front = Vec::new();
        insert_front(&mut front, kept(0), 10.0, 0.5, false);
        insert_front(&mut front, kept(1), 8.0, 0.7, false); // trade-off: kept
        insert_front(&mut front, kept(2), 11.0, 0.6, false); // dominated by 0
        insert_front(&mut front, kept(3), 10.0, 0.5, false); // equal to 0: 0 stays
        insert_front(&mut front, kept(4), 9.0, 0.4, false); // dominates 0
        let ids: Vec<u64> = front.iter().map(|e| e.point.index).collect();
        assert_eq!(ids, vec![1, 4]);
        // Maximising the figure turns the order around.
        let mut front = Vec::new();
        insert_front(&mut front, kept(0), 10.0, 0.5, true);
        insert_front(&mut front, kept(1), 11.0, 0.4, true);
        assert_eq!(front.len(), 1);
    }

    #[test]
    fn cells_are_quoted_when_needed() {
        assert_eq!(cell("a"), "a");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
