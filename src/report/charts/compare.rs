//! `charts/compare_*.svg` and `.png` of `ecsim compare`: pure functions of a [`Comparison`].
//!
//! One slot per variant, in the comparison's order, named under its bar (wrapped, see
//! [`super::bars`]). Only the comparison's figures are drawn: the variants' own per-minute
//! series are in their own folders' charts. With `--replicas`, one more chart
//! ([`CompareChart::Paired`]) draws each variant's paired change in total cost against the
//! reference with its 95 % interval; the others stay replica 0's, like the tables.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bars::{
    draw_bars, short, text_at, text_width, BarGroup, Bars, EC2_IDLE, EC2_RESERVED, FARGATE,
    FARGATE_SPOT,
};
use super::{
    draw_err, font, house_mesh, no_data, render_png, render_svg, style, ChartError, ChartFormat,
};
use crate::compare::{Comparison, PairedDelta};

/// One of the comparison charts, in the order they are written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareChart {
    /// Cost per variant, stacked: EC2 reserved by tasks, EC2 idle, Fargate, Fargate Spot.
    Cost,
    /// Requests not served, %, and task-minutes below desired, per variant (two panels).
    Shortfall,
    /// Wait to RUNNING p50, p95 and p99 per variant.
    Wait,
    /// With `--replicas`: each variant's paired change in total cost against the reference,
    /// % of the reference's mean, with its 95 % interval.
    Paired,
}

impl CompareChart {
    /// Every comparison chart.
    pub const ALL: [CompareChart; 3] = [
        CompareChart::Cost,
        CompareChart::Shortfall,
        CompareChart::Wait,
    ];

    /// The charts only a comparison with replicas has.
    pub const REPLICATED: [CompareChart; 1] = [CompareChart::Paired];

    /// The charts of `c`: [`Self::ALL`], and [`Self::REPLICATED`] when it has replicas.
    pub fn for_comparison(c: &Comparison) -> Vec<CompareChart> {
        let mut out = CompareChart::ALL.to_vec();
        if c.replicas.is_some() {
            out.extend(CompareChart::REPLICATED);
        }
        out
    }

    /// The file name without extension (`compare_cost`, …), also the chart's name in errors.
    pub fn file_stem(self) -> &'static str {
        match self {
            CompareChart::Cost => "compare_cost",
            CompareChart::Shortfall => "compare_shortfall",
            CompareChart::Wait => "compare_wait",
            CompareChart::Paired => "compare_paired",
        }
    }

    /// The file name under `charts/`.
    pub fn file_name(self, format: ChartFormat) -> String {
        format!("{}.{}", self.file_stem(), format.extension())
    }

    /// A caption for the chart (the page heading above it).
    pub fn title(self) -> &'static str {
        match self {
            CompareChart::Cost => "Cost per variant",
            CompareChart::Shortfall => "Shortfall per variant",
            CompareChart::Wait => "Wait to RUNNING per variant",
            CompareChart::Paired => "Paired change in total cost",
        }
    }

    /// The chart as SVG text.
    pub fn svg(self, c: &Comparison) -> Result<String, ChartError> {
        render_svg(self.file_stem(), |root| self.draw(c, root))
    }

    /// The chart in `format`, as the bytes of its file.
    pub fn render(self, format: ChartFormat, c: &Comparison) -> Result<Vec<u8>, ChartError> {
        match format {
            ChartFormat::Svg => self.svg(c).map(String::into_bytes),
            ChartFormat::Png => render_png(self.file_stem(), |root| self.draw(c, root)),
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        c: &Comparison,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let name = self.file_stem();
        if self == CompareChart::Paired {
            return draw_paired(c, root);
        }
        let title = format!("{}: seed {}", self.title(), c.seed);
        if c.variants.is_empty() {
            return no_data(root, name, &title, "no data: no variant");
        }
        let names: Vec<String> = c.variants.iter().map(|v| v.name.clone()).collect();
        let fig = |f: fn(&crate::compare::Figures) -> Option<f64>| -> Vec<Option<f64>> {
            c.variants.iter().map(|v| f(&v.figures)).collect()
        };
        let err = draw_err(name);
        let area = root.titled(&title, font(style::TITLE_SIZE)).map_err(&err)?;
        match self {
            CompareChart::Cost => {
                let usd = |x: f64| format!("${}", short(x));
                draw_bars(
                    &area,
                    &Bars {
                        name,
                        caption: "total cost; EC2 split into capacity reserved by tasks and idle capacity, Fargate into On-Demand and Spot",
                        y_desc: "cost (USD)",
                        categories: &names,
                        groups: vec![
                            BarGroup {
                                label: "EC2 reserved by tasks".into(),
                                color: EC2_RESERVED,
                                // Idle is part of the EC2 spend; never below 0 on rounding.
                                values: fig(|f| Some((f.ec2_usd - f.idle_usd).max(0.0))),
                            },
                            BarGroup {
                                label: "EC2 idle".into(),
                                color: EC2_IDLE,
                                values: fig(|f| Some(f.idle_usd)),
                            },
                            BarGroup {
                                // On-Demand Fargate: Spot is part of `fargate_usd`; never
                                // below 0 on rounding.
                                label: "Fargate".into(),
                                color: FARGATE,
                                values: fig(|f| Some((f.fargate_usd - f.fargate_spot_usd).max(0.0))),
                            },
                            BarGroup {
                                label: "Fargate Spot".into(),
                                color: FARGATE_SPOT,
                                values: fig(|f| Some(f.fargate_spot_usd)),
                            },
                        ],
                        stacked: true,
                        value_label: &usd,
                    },
                )
            }
            CompareChart::Shortfall => {
                let panels = area.split_evenly((2, 1));
                let pct = |x: f64| format!("{} %", short(x));
                let unserved = fig(|f| f.unserved_requests_pct);
                draw_bars(
                    &panels[0],
                    &Bars {
                        name,
                        caption: if unserved.iter().all(Option::is_none) {
                            "requests not served, % (n/a: no service has a load model)"
                        } else {
                            "requests not served, %"
                        },
                        y_desc: "%",
                        categories: &names,
                        groups: vec![BarGroup {
                            label: "requests not served".into(),
                            color: style::PALETTE[3],
                            values: unserved,
                        }],
                        stacked: false,
                        value_label: &pct,
                    },
                )?;
                draw_bars(
                    &panels[1],
                    &Bars {
                        name,
                        caption: "task-minutes below the desired count (all services)",
                        y_desc: "task-minutes",
                        categories: &names,
                        groups: vec![BarGroup {
                            label: "task-minutes below desired".into(),
                            color: style::PALETTE[4],
                            values: fig(|f| Some(f.task_minutes_below_desired)),
                        }],
                        stacked: false,
                        value_label: &short,
                    },
                )
            }
            CompareChart::Wait => {
                let s = |x: f64| format!("{} s", short(x));
                draw_bars(
                    &area,
                    &Bars {
                        name,
                        caption: "wait from submission to RUNNING",
                        y_desc: "wait (seconds)",
                        categories: &names,
                        groups: vec![
                            BarGroup {
                                label: "p50".into(),
                                color: style::PALETTE[0],
                                values: fig(|f| Some(f.wait_p50_s)),
                            },
                            BarGroup {
                                label: "p95".into(),
                                color: style::PALETTE[1],
                                values: fig(|f| Some(f.wait_p95_s)),
                            },
                            BarGroup {
                                label: "p99".into(),
                                color: style::PALETTE[2],
                                values: fig(|f| Some(f.wait_p99_s)),
                            },
                        ],
                        stacked: false,
                        value_label: &s,
                    },
                )
            }
            CompareChart::Paired => Ok(()),
        }
    }
}

/// The total cost's paired change of each variant after the reference, as % of the
/// reference's mean: a tick at the change, a bar over its 95 % interval, a line at no change;
/// the change and its half-width printed on the right ("n.s." when the interval includes 0).
fn draw_paired<DB: DrawingBackend>(
    c: &Comparison,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let name = CompareChart::Paired.file_stem();
    let err = draw_err(name);
    let title = format!("Paired change in total cost against {}", c.reference);
    let Some(info) = &c.replicas else {
        return no_data(root, name, &title, "no data: run compare with --replicas N");
    };
    // (variant, its paired total-cost change with a percentage).
    let rows: Vec<(&str, &PairedDelta)> = c
        .variants
        .iter()
        .skip(1)
        .filter_map(|v| {
            let p = v.replicas.as_ref()?.paired.get("total_usd")?;
            p.percent.map(|_| (v.name.as_str(), p))
        })
        .collect();
    if rows.is_empty() {
        return no_data(
            root,
            name,
            &title,
            "no data: no variant besides the reference, or a reference that cost nothing",
        );
    }
    let note = format!(
        "{} replicas, replica r of every variant with seed {} + r; bar: 95 % interval of the paired difference, % of the reference's mean; tick: the mean change",
        info.count, c.seed
    );
    let area = root
        .titled(&title, font(style::TITLE_SIZE))
        .map_err(&err)?
        .titled(&note, font(style::TICK_SIZE))
        .map_err(&err)?;
    // Each row: (low, mean, high) in %.
    let spans: Vec<[f64; 3]> = rows
        .iter()
        .map(|(_, p)| {
            let m = p.percent.unwrap_or(0.0);
            [
                p.percent_ci95_low.unwrap_or(m),
                m,
                p.percent_ci95_high.unwrap_or(m),
            ]
        })
        .collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|(_, p)| {
            let pc = p.percent.unwrap_or(0.0);
            let half = p.percent_half_width().unwrap_or(0.0);
            let half = if half < 0.05 {
                "<0.1".to_string()
            } else {
                format!("{half:.1}")
            };
            let ns = if p.significant { "" } else { "  n.s." };
            format!("{pc:+.1} % ± {half} %{ns}")
        })
        .collect();
    let (w, _) = area.dim_in_pixel();
    let name_w = rows
        .iter()
        .map(|(n, _)| text_width(n, style::TICK_SIZE))
        .max()
        .unwrap_or(0)
        .min(w * 35 / 100)
        + 12;
    let value_w = labels
        .iter()
        .map(|l| text_width(l, style::TICK_SIZE))
        .max()
        .unwrap_or(0)
        .min(w * 25 / 100)
        + 16;
    // Always show 0 (no change); pad 5 % of the span on each side.
    let lo = spans.iter().map(|s| s[0]).fold(0.0_f64, f64::min);
    let hi = spans.iter().map(|s| s[2]).fold(0.0_f64, f64::max);
    let pad = ((hi - lo) * 0.05).max(0.5);
    let (x0, x1) = (lo - pad, hi + pad);
    let n = rows.len();
    let mut ctx = ChartBuilder::on(&area)
        .margin(style::MARGIN)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(name_w)
        .right_y_label_area_size(value_w)
        .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
        .map_err(&err)?;
    house_mesh(&mut ctx.configure_mesh())
        .x_desc(format!("change in total cost, % of {}", c.reference))
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_label_formatter(&|x| format!("{x:.0} %"))
        .draw()
        .map_err(&err)?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        style::SCALING_MARKER.stroke_width(1),
    )))
    .map_err(&err)?;
    // Row 0 at the top.
    let y = |i: usize| (n - 1 - i) as f64;
    ctx.draw_series(spans.iter().enumerate().map(|(i, [l, _, h])| {
        Rectangle::new(
            [(*l, y(i) - 0.25), (*h, y(i) + 0.25)],
            style::BAR.mix(0.6).filled(),
        )
    }))
    .map_err(&err)?;
    ctx.draw_series(spans.iter().enumerate().map(|(i, [_, m, _])| {
        PathElement::new(
            vec![(*m, y(i) - 0.38), (*m, y(i) + 0.38)],
            style::INK.stroke_width(style::LINE_WIDTH),
        )
    }))
    .map_err(&err)?;
    for (i, ((variant, _), label)) in rows.iter().zip(&labels).enumerate() {
        let left = ctx.backend_coord(&(x0, y(i)));
        text_at(
            &area,
            name,
            variant,
            (left.0 - 8, left.1),
            style::TICK_SIZE,
            Pos::new(HPos::Right, VPos::Center),
        )?;
        let right = ctx.backend_coord(&(x1, y(i)));
        text_at(
            &area,
            name,
            label,
            (right.0 + 8, right.1),
            style::TICK_SIZE,
            Pos::new(HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{compare, Entry};
    use crate::report::charts::test_support::{empty_report, one_point_report};

    fn renders(c: &Comparison) -> Vec<String> {
        CompareChart::ALL
            .iter()
            .map(|k| {
                let svg = k
                    .svg(c)
                    .unwrap_or_else(|e| panic!("{}: {e}", k.file_stem()));
                assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
                assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
                let png = k.render(ChartFormat::Png, c).expect("png");
                assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
                assert_eq!(
                    png,
                    k.render(ChartFormat::Png, c).expect("png"),
                    "deterministic"
                );
                svg
            })
            .collect()
    }

    #[test]
    fn no_variant_one_variant_and_all_zero_variants_render() {
        let none = compare(&[], 1);
        for svg in renders(&none) {
            assert!(svg.contains("no data"), "{svg}");
        }
        let (a, b) = (empty_report().summary, one_point_report().summary);
        let one = compare(
            &[Entry {
                name: "only",
                description: "",
                summary: &a,
            }],
            1,
        );
        renders(&one);
        // Six variants with 60-character names: far wider than their slots (about 150 px).
        let names: Vec<String> = (0..6)
            .map(|i| format!("variant-{i}-with-a-long-name-that-has-to-wrap-under-its-bar"))
            .collect();
        let entries: Vec<Entry<'_>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Entry {
                name: n,
                description: "",
                summary: if i % 2 == 0 { &a } else { &b },
            })
            .collect();
        let svgs = renders(&compare(&entries, 1));
        // Wrapped: no one text element holds a whole name, but its start is there.
        for svg in &svgs {
            assert!(names.iter().all(|n| !svg.contains(n.as_str())));
            assert!(svg.contains("variant-5-"), "{svg}");
        }
    }

    #[test]
    fn the_paired_chart_draws_one_interval_per_variant_after_the_reference() {
        use crate::compare::{add_replicas, Figures};
        let (a, b) = (empty_report().summary, one_point_report().summary);
        let entries = [
            Entry {
                name: "ref",
                description: "",
                summary: &b,
            },
            Entry {
                name: "other",
                description: "",
                summary: &a,
            },
        ];
        let plain = compare(&entries, 1);
        let svg = CompareChart::Paired.svg(&plain).expect("svg");
        assert!(svg.contains("no data"), "{svg}");
        assert_eq!(
            CompareChart::for_comparison(&plain),
            CompareChart::ALL.to_vec()
        );
        // Three replicas; the reference's total cost is 10, 12, 14 and the other's 9, 10.5,
        // 13 (compare.rs's `paired_interval_by_hand`: −9.7 % ± 7.2 %).
        let figures = |costs: [f64; 3]| -> Vec<Figures> {
            costs
                .iter()
                .map(|&c| Figures {
                    total_usd: c,
                    ..Figures::default()
                })
                .collect()
        };
        let mut c = plain.clone();
        add_replicas(
            &mut c,
            &[figures([10.0, 12.0, 14.0]), figures([9.0, 10.5, 13.0])],
            &[1, 2, 3],
        );
        assert_eq!(
            CompareChart::for_comparison(&c).last(),
            Some(&CompareChart::Paired)
        );
        let svg = CompareChart::Paired.svg(&c).expect("svg");
        assert!(!svg.contains("no data"), "{svg}");
        assert!(svg.contains("-9.7 % ± 7.2 %"), "{svg}");
        assert!(svg.contains("\nother\n"), "{svg}");
        let png = CompareChart::Paired
            .render(ChartFormat::Png, &c)
            .expect("png");
        assert_eq!(
            png,
            CompareChart::Paired
                .render(ChartFormat::Png, &c)
                .expect("png")
        );
    }
}
