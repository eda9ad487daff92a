//! `charts/compare_*.svg` and `.png` of `ecsim compare`: pure functions of a [`Comparison`].
//!
//! One slot per variant, in the comparison's order, named under its bar (wrapped, see
//! [`super::bars`]). Only the comparison's figures are drawn: the variants' own per-minute
//! series are in their own folders' charts.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::bars::{
    draw_bars, short, BarGroup, Bars, EC2_IDLE, EC2_RESERVED, FARGATE, FARGATE_SPOT,
};
use super::{draw_err, font, no_data, render_png, render_svg, style, ChartError, ChartFormat};
use crate::compare::Comparison;

/// One of the comparison charts, in the order they are written and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareChart {
    /// Cost per variant, stacked: EC2 reserved by tasks, EC2 idle, Fargate, Fargate Spot.
    Cost,
    /// Requests not served, %, and task-minutes below desired, per variant (two panels).
    Shortfall,
    /// Wait to RUNNING p50, p95 and p99 per variant.
    Wait,
}

impl CompareChart {
    /// Every comparison chart.
    pub const ALL: [CompareChart; 3] = [
        CompareChart::Cost,
        CompareChart::Shortfall,
        CompareChart::Wait,
    ];

    /// The file name without extension (`compare_cost`, …), also the chart's name in errors.
    pub fn file_stem(self) -> &'static str {
        match self {
            CompareChart::Cost => "compare_cost",
            CompareChart::Shortfall => "compare_shortfall",
            CompareChart::Wait => "compare_wait",
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
        }
    }
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
}
