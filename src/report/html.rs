//! `report.html`: one self-contained page per run, a pure function of the [`Report`].
//!
//! Inline CSS, the SVG charts inlined, no script and no external reference of any kind
//! (no links, no `url()`, no `@import`). Every text from the report is escaped. Sections
//! appear only when they have data. Output is deterministic: the same report gives the
//! same bytes.

use std::fmt::Write as _;

use super::charts::{ChartFormat, ChartKind};
use super::render::{
    grouped, grouped_count, has_ec2, MINUTES_BELOW_DESIRED, TASK_MINUTES_BELOW_DESIRED,
};
use super::{Report, Summary};

/// Timeline rows shown at most (scaling activities and faults).
pub const TIMELINE_LIMIT: usize = 500;

/// Workloads given a "cost per completed task" card at most.
const WORKLOAD_CARDS: usize = 4;

/// An extra section a caller appends (the Monte Carlo figures, for one): a table, then charts.
#[derive(Clone, Debug, Default)]
pub struct ExtraTable {
    /// Section heading.
    pub heading: String,
    /// A sentence above the table.
    pub note: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows of cells (plain text; escaped when rendered).
    pub rows: Vec<Vec<String>>,
    /// Charts shown under the table, in order (drawn by the caller, which knows their data).
    pub charts: Vec<InlineChart>,
}

/// An SVG chart to inline in a page, drawn by the caller.
#[derive(Clone, Debug, Default)]
pub struct InlineChart {
    /// Caption (plain text; escaped when rendered).
    pub title: String,
    /// The SVG markup, namespace URIs stripped (see [`inline_svg`]).
    pub svg: String,
}

impl InlineChart {
    /// A chart from the SVG text a chart renderer returned.
    pub fn from_svg(title: impl Into<String>, svg: &str) -> InlineChart {
        InlineChart {
            title: title.into(),
            svg: inline_svg(svg),
        }
    }
}

/// Appends `charts`, each in a `div.chart` under an `h3` caption.
pub(crate) fn inline_charts(out: &mut String, charts: &[InlineChart]) {
    for ch in charts {
        let _ = writeln!(
            out,
            "<div class=\"chart\">\n<h3>{}</h3>\n{}\n</div>",
            escape(&ch.title),
            ch.svg
        );
    }
}

/// What to put in the page besides the report.
#[derive(Clone, Debug)]
pub struct HtmlOptions<'a> {
    /// Inline the SVG charts.
    pub charts: bool,
    /// Tables appended after the assumptions.
    pub extra: &'a [ExtraTable],
}

impl Default for HtmlOptions<'_> {
    fn default() -> Self {
        HtmlOptions {
            charts: true,
            extra: &[],
        }
    }
}

/// `report.html` with the charts.
pub fn report_html(report: &Report) -> String {
    report_html_with(report, &HtmlOptions::default())
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222;background:#fff}\
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-bottom:.3em}\
.meta{color:#666}.cards{display:flex;flex-wrap:wrap;gap:.8em}\
.card{border:1px solid #ddd;border-radius:6px;padding:.6em .9em;min-width:10em;background:#fafafa}\
.card .label{color:#666;font-size:.85em}.card .value{font-size:1.3em;font-weight:600}\
table{border-collapse:collapse;margin:.4em 0 1em}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.chart{margin:1em 0}.chart svg{max-width:100%;height:auto}.note{color:#666;font-style:italic}";

/// The explanations' style, added only to pages of runs written with `--explain`, so other
/// pages stay byte for byte what they were.
const EXPLAIN_CSS: &str = "pre.why{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:.5em;font-size:.85em}pre.why:target{border-color:#c60;background:#fff8f0}";

/// `report.html`, with the options.
pub fn report_html_with(report: &Report, opts: &HtmlOptions<'_>) -> String {
    let s = &report.summary;
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>ecsim report: {}</title>", escape(&s.scenario));
    if report.explain.is_some() {
        let _ = writeln!(out, "<style>{CSS}{EXPLAIN_CSS}</style>");
    } else {
        let _ = writeln!(out, "<style>{CSS}</style>");
    }
    out.push_str("</head>\n<body>\n");
    let _ = writeln!(out, "<h1>ecsim report: {}</h1>", escape(&s.scenario));
    let _ = writeln!(
        out,
        "<p class=\"meta\">seed {}, simulated {}</p>",
        s.seed,
        hms(s.duration_s)
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">prices: {}</p>",
        escape(&s.prices.statement())
    );
    if s.window.from_s > 0.0 {
        let _ = writeln!(
            out,
            "<p class=\"meta\">measured from {} to {} ({}): every figure leaves out the warm-up before {}; the charts show the whole run</p>",
            hms(s.window.from_s),
            hms(s.window.to_s),
            hms(s.window.duration_s),
            hms(s.window.from_s)
        );
    }
    cards(&mut out, s);
    if opts.charts {
        charts_section(&mut out, report);
    }
    providers(&mut out, s);
    commitments(&mut out, s);
    usage(&mut out, s);
    services(&mut out, s);
    workloads(&mut out, s);
    faults(&mut out, s);
    deployments(&mut out, s);
    timeline(&mut out, report);
    assumptions(&mut out, s);
    for t in opts.extra {
        let _ = writeln!(out, "<h2>{}</h2>", escape(&t.heading));
        if !t.note.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(&t.note));
        }
        let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        table(&mut out, &cols, &t.rows);
        inline_charts(&mut out, &t.charts);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// `h:mm:ss` (whole seconds, rounded down).
fn hms(secs: f64) -> String {
    let t = if secs.is_finite() && secs > 0.0 {
        secs.floor() as u64
    } else {
        0
    };
    format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

fn usd(x: f64) -> String {
    format!("${}", grouped(x, 4))
}

fn pct(x: f64) -> String {
    format!("{x:.1}%")
}

/// A number of requests: whole, with thousands separators.
fn requests(x: f64) -> String {
    grouped(x.round(), 0)
}

/// A count with thousands separators.
fn count(n: u64) -> String {
    grouped_count(n)
}

fn card(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        out,
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div></div>",
        escape(label),
        escape(value)
    );
}

fn cards(out: &mut String, s: &Summary) {
    out.push_str("<h2>Summary</h2>\n<div class=\"cards\">\n");
    card(out, "Total cost", &usd(s.cost.total_usd));
    card(out, "Cost per hour", &usd(s.cost.per_hour_usd));
    if let Some(m) = s.cost.per_million_requests_usd {
        card(
            out,
            "Cost per million requests served (whole bill)",
            &usd(m),
        );
    }
    // Per workload, its own cost over its own completions: the whole bill (services and
    // idle EC2 included) over batch completions would mean nothing. A few cards at most;
    // the Workloads section has every workload.
    for w in s
        .workloads
        .iter()
        .filter(|w| w.tasks.completed > 0)
        .take(WORKLOAD_CARDS)
    {
        card(
            out,
            &format!("Cost per completed task, {} (its own cost)", w.name),
            &usd(w.cost_per_completed_task_usd),
        );
    }
    if s.usage.running_task_hours > 0.0 {
        card(
            out,
            "Cost per RUNNING task-hour",
            &usd(s.cost.total_usd / s.usage.running_task_hours),
        );
    }
    if has_ec2(s) {
        card(out, "EC2 CPU reserved", &pct(s.reservation.cpu_pct_avg));
        card(
            out,
            "EC2 memory reserved",
            &pct(s.reservation.memory_pct_avg),
        );
        card(out, "EC2 idle cost", &usd(s.cost.idle_usd));
    }
    if let Some(x) = &s.cost.external {
        card(out, "ECS Anywhere fee", &usd(x.anywhere_fee_usd));
        card(out, "On-premises machines", &usd(x.machine_usd));
        card(out, "External idle cost", &usd(x.idle_usd));
    }
    if let Some(fee) = s.cost.management_fee_usd {
        card(out, "Managed Instances fee", &usd(fee));
    }
    card(out, "Tasks completed", &count(s.tasks.completed));
    card(out, "Tasks failed", &count(s.tasks.failed));
    if s.tasks.started > 0 {
        card(
            out,
            "Wait to RUNNING p95",
            &format!("{:.1} s", s.wait_time_s.p95),
        );
    }
    let below: u64 = s
        .services
        .iter()
        .map(|v| v.availability.task_minutes_below_desired)
        .sum();
    if !s.services.is_empty() {
        card(
            out,
            "Task-minutes below desired, all services",
            &count(below),
        );
    }
    let loads: Vec<_> = s.services.iter().filter_map(|v| v.load.as_ref()).collect();
    if !loads.is_empty() {
        let requests: f64 = loads.iter().map(|l| l.requests).sum();
        let unserved: f64 = loads.iter().map(|l| l.unserved).sum();
        let share = if requests > 0.0 {
            unserved / requests * 100.0
        } else {
            0.0
        };
        // Four decimals: a good setup loses a few requests in a million.
        card(out, "Requests not served", &format!("{share:.4}%"));
    }
    out.push_str("</div>\n");
}

/// An SVG string ready to inline: no XML declaration, no namespace URI (HTML puts inline
/// `<svg>` in the SVG namespace by itself, and the page promises no URL of any kind).
pub fn inline_svg(svg: &str) -> String {
    let mut body = svg.trim_start();
    if body.starts_with("<?xml") {
        body = body.find("?>").map_or("", |i| &body[i + 2..]).trim_start();
    }
    body.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
}

fn charts_section(out: &mut String, report: &Report) {
    out.push_str("<h2>Charts</h2>\n");
    for kind in ChartKind::ALL {
        out.push_str("<div class=\"chart\">\n");
        match kind.svg(report) {
            Ok(svg) => {
                out.push_str(&inline_svg(&svg));
                out.push('\n');
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">{}: {}</p>",
                    escape(&kind.file_name(ChartFormat::Svg)),
                    escape(&e.to_string())
                );
            }
        }
        out.push_str("</div>\n");
    }
}

/// A table with a header row; cells are escaped, numeric-looking ones right-aligned.
pub(crate) fn table(out: &mut String, columns: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table>\n<tr>");
    for c in columns {
        let _ = write!(out, "<th>{}</th>", escape(c));
    }
    out.push_str("</tr>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let numeric = !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_digit() || ".-$%:, ".contains(ch));
            if numeric {
                let _ = write!(out, "<td class=\"num\">{}</td>", escape(c));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(c));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// A two-column table of (figure, value).
fn kv(out: &mut String, rows: Vec<(&str, String)>) {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect();
    table(out, &["figure", "value"], &rows);
}

fn providers(out: &mut String, s: &Summary) {
    if s.cost.by_capacity_provider.is_empty() && s.capacity_providers.is_empty() {
        return;
    }
    out.push_str("<h2>Capacity providers</h2>\n");
    if !s.cost.by_capacity_provider.is_empty() {
        // Idle is EC2 capacity paid for and reserved by no task; Fargate has none, so a
        // run without EC2 has no idle column at all.
        let ec2 = has_ec2(s);
        let rows: Vec<Vec<String>> = s
            .cost
            .by_capacity_provider
            .iter()
            .map(|(k, v)| {
                let mut row = vec![k.clone(), usd(*v)];
                if ec2 {
                    row.push(
                        s.cost
                            .idle_by_capacity_provider
                            .get(k)
                            .map_or_else(|| "–".to_string(), |i| usd(*i)),
                    );
                }
                row
            })
            .collect();
        let columns: &[&str] = if ec2 {
            &["capacity provider", "cost", "of which idle EC2"]
        } else {
            &["capacity provider", "cost"]
        };
        table(out, columns, &rows);
    }
    for p in &s.capacity_providers {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&p.name));
        let cost = s.cost.by_capacity_provider.get(&p.name).copied();
        let mut rows = vec![
            (
                "managed scaling",
                if p.managed_scaling { "on" } else { "off" }.to_string(),
            ),
            ("scale-out activities", count(p.scale_out)),
            ("scale-in activities", count(p.scale_in)),
            (
                "instances in service (min to max)",
                format!("{} to {}", p.instances_min, p.instances_max),
            ),
            ("instances launched", count(p.instances_launched)),
            ("instances terminated", count(p.instances_terminated)),
        ];
        if let Some(c) = cost {
            rows.push(("cost", usd(c)));
        }
        kv(out, rows);
    }
}

/// Savings Plans and Reserved Instances over the window: the bill with and without them,
/// coverage, and each commitment's fee and utilisation. Absent without commitments.
fn commitments(out: &mut String, s: &Summary) {
    let Some(c) = &s.cost.commitments else {
        return;
    };
    out.push_str("<h2>Commitments</h2>\n");
    out.push_str(
        "<p>Applied hour by hour after the run, in AWS's order (Reserved Instances, then EC2 \
         Instance Savings Plans, then Compute Savings Plans, the highest discount first); \
         every other cost figure of this report is without them. <code>commitments.csv</code> \
         has the same figures per hour.</p>\n",
    );
    kv(
        out,
        vec![
            ("cost without commitments", usd(c.without_commitments_usd)),
            ("commitment fees (paid used or not)", usd(c.commitment_usd)),
            (
                "On-Demand spill (usage above the commitments)",
                usd(c.on_demand_spill_usd),
            ),
            (
                "Spot and Fargate Spot (never covered)",
                usd(c.ineligible_usd),
            ),
            ("cost with commitments", usd(c.effective_usd)),
            (
                if c.savings_usd < 0.0 {
                    "lost by the commitments"
                } else {
                    "saved by the commitments"
                },
                usd(c.savings_usd.abs()),
            ),
            (
                "coverage (share of the eligible On-Demand cost covered)",
                pct(c.coverage_pct),
            ),
        ],
    );
    let rows: Vec<Vec<String>> = c
        .by_commitment
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.term.clone(),
                b.payment_option.clone(),
                usd(b.fee_usd),
                pct(b.utilization_pct),
            ]
        })
        .collect();
    table(
        out,
        &["commitment", "term", "payment", "fees", "utilisation"],
        &rows,
    );
}

/// What the capacity was used for: paid, reserved and used CPU and memory, EC2 and Fargate
/// together, and the task-hours the cost bought.
fn usage(out: &mut String, s: &Summary) {
    let u = &s.usage;
    let share = |part: f64, whole: f64| {
        if whole > 0.0 {
            format!(" ({:.1} % of paid)", part * 100.0 / whole)
        } else {
            String::new()
        }
    };
    out.push_str("<h2>Usage</h2>\n");
    let resources = [
        (
            "vCPU",
            "",
            u.vcpu_paid_avg,
            u.vcpu_reserved_avg,
            u.vcpu_used_avg,
        ),
        (
            "memory",
            ", GiB",
            u.memory_gib_paid_avg,
            u.memory_gib_reserved_avg,
            u.memory_gib_used_avg,
        ),
    ];
    let mut rows = Vec::new();
    for (what, unit, paid, reserved, used) in resources {
        rows.push((format!("{what} paid for (average{unit})"), grouped(paid, 2)));
        rows.push((
            format!("{what} reserved by tasks (average{unit})"),
            format!("{}{}", grouped(reserved, 2), share(reserved, paid)),
        ));
        rows.push((
            format!("{what} used (average{unit})"),
            format!("{}{}", grouped(used, 2), share(used, paid)),
        ));
    }
    // Only the launch types the run used: a Fargate-only run has no EC2 rows at 0.
    let ec2 = has_ec2(s);
    if ec2 {
        rows.push((
            "RUNNING task-hours on EC2".to_string(),
            grouped(u.ec2_running_task_hours, 2),
        ));
    }
    if u.fargate_running_task_hours > 0.0 || s.cost.fargate_usd > 0.0 {
        rows.push((
            "RUNNING task-hours on Fargate".to_string(),
            grouped(u.fargate_running_task_hours, 2),
        ));
    }
    if ec2 {
        rows.push((
            "EC2 instance-hours".to_string(),
            grouped(u.ec2_instance_hours, 2),
        ));
        rows.push((
            "share of the EC2 spend reserved by tasks (½ CPU + ½ memory)".to_string(),
            format!("{:.2} %", u.ec2_reserved_share_pct),
        ));
    }
    let rows: Vec<(&str, String)> = rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    kv(out, rows);
}

fn services(out: &mut String, s: &Summary) {
    if s.services.is_empty() {
        return;
    }
    out.push_str("<h2>Services</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">{}; {}.</p>",
        escape(MINUTES_BELOW_DESIRED),
        escape(TASK_MINUTES_BELOW_DESIRED)
    );
    for v in &s.services {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&v.name));
        let a = &v.availability;
        let mut rows = vec![
            (
                "desired count (min to max)",
                format!("{} to {}", v.desired_min, v.desired_max),
            ),
            ("desired at end", count(u64::from(v.desired_count))),
            ("running at end", count(u64::from(v.running_at_end))),
            ("minutes below desired", count(v.minutes_below_desired)),
            (
                "task-minutes below desired",
                count(a.task_minutes_below_desired),
            ),
            ("cost", usd(v.cost_usd)),
            (
                "scaling activities (out / in / scheduled)",
                format!(
                    "{} / {} / {}",
                    v.scaling_activities.scale_out,
                    v.scaling_activities.scale_in,
                    v.scaling_activities.scheduled
                ),
            ),
        ];
        for (cp, n) in &v.live_tasks_by_capacity_provider {
            rows.push((
                "live tasks at end",
                format!("{} on {cp}", count(u64::from(*n))),
            ));
        }
        if let Some(l) = &v.load {
            rows.push(("requests", requests(l.requests)));
            rows.push(("requests served", requests(l.served)));
            rows.push(("requests not served", format!("{:.2}%", l.unserved_pct)));
            rows.push(("minutes with shortfall", count(l.minutes_with_shortfall)));
            rows.push((
                "cost per million requests served",
                usd(l.cost_per_million_requests_usd),
            ));
            rows.push(("CPU utilization (avg)", pct(l.cpu_utilization_avg_pct)));
        }
        rows.push(("tasks lost to faults", count(a.tasks_lost_to_faults)));
        rows.push(("recoveries", count(a.recoveries)));
        if a.recoveries > 0 {
            rows.push(("time to recover, mean", hms(a.time_to_recover_mean_s)));
            rows.push(("time to recover, max", hms(a.time_to_recover_max_s)));
        }
        rows.push((
            "unrecovered at end",
            if a.unrecovered_at_end { "yes" } else { "no" }.to_string(),
        ));
        if v.load.is_some() {
            rows.push((
                "requests not served in fault minutes",
                requests(a.unserved_due_to_faults),
            ));
            rows.push((
                "requests not served, other minutes (scaling)",
                requests(a.unserved_due_to_scaling),
            ));
        }
        kv(out, rows);
    }
}

fn workloads(out: &mut String, s: &Summary) {
    if s.workloads.is_empty() {
        return;
    }
    out.push_str("<h2>Workloads</h2>\n");
    for w in &s.workloads {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&w.name));
        let t = &w.tasks;
        let ws = &w.wait_time_s;
        kv(
            out,
            vec![
                ("submissions", count(w.submissions)),
                ("tasks submitted", count(t.submitted)),
                ("tasks completed", count(t.completed)),
                ("tasks failed", count(t.failed)),
                ("in flight at end", count(t.in_flight_at_end)),
                (
                    "makespan, h (first submission to last completion, whole run)",
                    match w.makespan_s {
                        None => "–".to_string(),
                        Some(x) if w.unfinished_tasks > 0 => format!(
                            "more than {} ({} tasks unfinished at the end)",
                            grouped(x / 3600.0, 2),
                            count(w.unfinished_tasks)
                        ),
                        Some(x) => grouped(x / 3600.0, 2),
                    },
                ),
                (
                    "wait to RUNNING, s (mean / p50 / p95 / p99 / max)",
                    if ws.count > 0 {
                        [ws.mean, ws.p50, ws.p95, ws.p99, ws.max]
                            .map(|x| grouped(x, 1))
                            .join(" / ")
                    } else {
                        // Zeros would read as instant starts.
                        "no task reached RUNNING".to_string()
                    },
                ),
                (
                    "cost (its tasks' share of EC2 instances and its Fargate bills; no idle EC2)",
                    usd(w.cost_usd),
                ),
                (
                    "cost per completed task (its cost / its completed tasks)",
                    if t.completed > 0 {
                        usd(w.cost_per_completed_task_usd)
                    } else {
                        "–".to_string()
                    },
                ),
            ],
        );
    }
}

fn faults(out: &mut String, s: &Summary) {
    let Some(f) = &s.faults else {
        return;
    };
    out.push_str("<h2>Faults</h2>\n");
    kv(
        out,
        vec![
            ("instance failures", count(f.instance_failures)),
            ("AZ outages", count(f.az_outages)),
            (
                "Spot interruption notices",
                count(f.spot_interruption_notices),
            ),
            (
                "Spot instances reclaimed",
                count(f.spot_instances_reclaimed),
            ),
            (
                "Fargate Spot interruptions",
                count(f.fargate_spot_interruptions),
            ),
            ("task crashes", count(f.task_crashes)),
            ("task start failures", count(f.task_start_failures)),
            ("tasks killed", count(f.tasks_killed)),
            ("batch task reruns", count(f.batch_task_reruns)),
            ("wasted task time", hms(f.wasted_task_seconds)),
            ("wasted cost", usd(f.wasted_cost_usd)),
        ],
    );
}

/// One row per service deployment (nothing when there is none).
fn deployments(out: &mut String, s: &Summary) {
    let Some(ds) = s.deployments.as_ref().filter(|d| !d.is_empty()) else {
        return;
    };
    out.push_str("<h2>Deployments</h2>\n");
    out.push_str("<p class=\"note\">Extra: RUNNING tasks above the desired count while in progress, and instances above the count at the start until the group is back to it.</p>\n");
    let rows: Vec<Vec<String>> = ds
        .iter()
        .map(|d| {
            vec![
                d.service.clone(),
                d.id.clone(),
                d.kind.to_string(),
                d.task_definition.clone(),
                hms(d.started_s),
                format!("{:.0} s", d.duration_s),
                d.outcome.to_string(),
                format!("{} / {}", d.tasks_started, d.failed_tasks),
                format!("{:.2}", d.extra_task_hours),
                format!("{:.2}", d.extra_instance_hours),
                format!("{:.4}", d.extra_task_cost_usd + d.extra_instance_cost_usd),
            ]
        })
        .collect();
    table(
        out,
        &[
            "service",
            "deployment",
            "kind",
            "task definition",
            "start",
            "duration",
            "outcome",
            "tasks started / failed",
            "extra task-hours",
            "extra instance-hours",
            "extra cost USD",
        ],
        &rows,
    );
}

fn timeline(out: &mut String, report: &Report) {
    let events: Vec<_> = report
        .events
        .iter()
        .filter(|e| e.kind == "scaling" || e.kind == "fault" || e.kind == "deployment")
        .collect();
    if let Some(x) = &report.explain {
        let mut shown = Vec::new();
        if !events.is_empty() {
            out.push_str("<h2>Timeline</h2>\n");
            if events.len() > TIMELINE_LIMIT {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">The first {TIMELINE_LIMIT} of {} scaling and fault events; events.jsonl has them all.</p>",
                    events.len()
                );
            }
            explained_timeline(out, report, x, &mut shown);
        }
        never_placed(out, x, &mut shown);
        explanations(out, x, &shown);
        return;
    }
    if events.is_empty() {
        return;
    }
    out.push_str("<h2>Timeline</h2>\n");
    if events.len() > TIMELINE_LIMIT {
        let _ = writeln!(
            out,
            "<p class=\"note\">The first {TIMELINE_LIMIT} of {} scaling and fault events; events.jsonl has them all.</p>",
            events.len()
        );
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .take(TIMELINE_LIMIT)
        .map(|e| {
            vec![
                hms(e.time_s),
                e.kind.to_string(),
                e.subject.clone(),
                e.message.clone(),
                e.cause.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(out, &["time", "kind", "subject", "message", "cause"], &rows);
}

/// Explanations the page includes at most: each is a few hundred bytes to a few KiB of text,
/// and the page must stay a size a browser opens at once however long the run; the rest are
/// a command away (`ecsim explain DIR --event N`).
pub const EXPLANATIONS_IN_PAGE: usize = 200;

/// The anchor of decision `id` in the page.
fn decision_anchor(id: u64) -> String {
    format!("decision-{id}")
}

/// The timeline of a run written with `--explain`: each row links to the explanation of the
/// decision that logged it, shown further down the page.
fn explained_timeline(
    out: &mut String,
    report: &Report,
    x: &crate::explain::Explanations,
    shown: &mut Vec<u64>,
) {
    use std::collections::BTreeMap;
    let by_event: BTreeMap<u64, u64> = x
        .records
        .iter()
        .filter_map(|r| r.event.map(|e| (e, r.id)))
        .collect();
    out.push_str("<table>\n<tr><th>time</th><th>kind</th><th>subject</th><th>message</th><th>cause</th><th>why</th></tr>\n");
    for (i, e) in report
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == "scaling" || e.kind == "fault")
        .take(TIMELINE_LIMIT)
    {
        let line = i as u64 + 1;
        let why = match by_event.get(&line) {
            Some(&id) if shown.len() < EXPLANATIONS_IN_PAGE || shown.contains(&id) => {
                if !shown.contains(&id) {
                    shown.push(id);
                }
                format!("<a href=\"#{}\">decision #{id}</a>", decision_anchor(id))
            }
            Some(_) => format!("<code>ecsim explain DIR --event {line}</code>"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr id=\"event-{line}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{why}</td></tr>",
            escape(&hms(e.time_s)),
            escape(e.kind),
            escape(&e.subject),
            escape(&e.message),
            escape(e.cause.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>\n");
}

/// Tasks that never got capacity, grouped by ECS's reason.
fn never_placed(out: &mut String, x: &crate::explain::Explanations, shown: &mut Vec<u64>) {
    if x.never_placed.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"never-placed\">Tasks never placed</h2>\n");
    out.push_str("<table>\n<tr><th>reason</th><th>tasks</th><th>for example</th></tr>\n");
    for g in &x.never_placed {
        let tasks: Vec<String> = g.tasks.iter().map(|t| format!("task {t}")).collect();
        let example = match g.first_record {
            Some(id) if shown.len() < EXPLANATIONS_IN_PAGE || shown.contains(&id) => {
                if !shown.contains(&id) {
                    shown.push(id);
                }
                format!(
                    "<a href=\"#{}\">{}</a>",
                    decision_anchor(id),
                    escape(&tasks.join(", "))
                )
            }
            _ => escape(&tasks.join(", ")),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{example}</td></tr>",
            escape(&g.reason),
            count(g.count)
        );
    }
    out.push_str("</table>\n");
}

/// The explanations linked from the page, in decision order.
fn explanations(out: &mut String, x: &crate::explain::Explanations, shown: &[u64]) {
    if shown.is_empty() {
        return;
    }
    let mut ids = shown.to_vec();
    ids.sort_unstable();
    out.push_str("<h2 id=\"explanations\">Explanations</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">The decisions behind the rows above{}; explain.jsonl has every traced decision and <code>ecsim explain</code> prints any of them.</p>",
        if shown.len() >= EXPLANATIONS_IN_PAGE {
            format!(" (the first {EXPLANATIONS_IN_PAGE})")
        } else {
            String::new()
        }
    );
    for id in ids {
        if let Some(r) = x.records.get(id as usize) {
            let _ = writeln!(
                out,
                "<pre class=\"why\" id=\"{}\">{}</pre>",
                decision_anchor(id),
                escape(&crate::explain::text::render(r))
            );
        }
    }
}

fn assumptions(out: &mut String, s: &Summary) {
    if s.assumptions.is_empty() {
        return;
    }
    out.push_str("<h2>Assumptions</h2>\n");
    // Sources are addresses a reader can open; the page shows them without their scheme,
    // as text, because it holds no URL of any kind (nothing a browser could fetch).
    let rows: Vec<Vec<String>> = s
        .assumptions
        .iter()
        .map(|a| {
            vec![
                a.topic.clone(),
                a.value.clone(),
                a.source.replace("https://", ""),
            ]
        })
        .collect();
    table(out, &["topic", "value", "source"], &rows);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(escape("a<&>\"'b"), "a&lt;&amp;&gt;&quot;&#39;b");
    }

    #[test]
    fn hms_formats_whole_seconds() {
        assert_eq!(hms(0.0), "0:00:00");
        assert_eq!(hms(3723.9), "1:02:03");
        assert_eq!(hms(f64::NAN), "0:00:00");
    }

    #[test]
    fn strips_the_xml_declaration_and_namespace() {
        let svg =
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\"></svg>";
        assert_eq!(inline_svg(svg), "<svg width=\"1\"></svg>");
    }
}
