//! The charts: every SVG well-formed with one line per series, every PNG a PNG of the style's
//! size; never a panic, deterministic, text in the bundled font.

use std::collections::BTreeSet;
use std::process::Command;

use ecsim::report::charts::{self, style, ChartFormat, ChartKind};
use ecsim::report::Report;
use plotters::style::IntoFont;

use super::support::repo_root;

fn run_file(rel: &str) -> Report {
    let sc = ecsim::load(&repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    ecsim::run(&sc, None, &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A number-ish attribute value that is not finite.
fn bad_number(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("nan") || l.split([' ', ',', '(', ')']).any(|t| t.ends_with("inf"))
}

/// A small well-formedness check: one root `<svg …>`, balanced tags, quoted attributes,
/// no NaN or infinity in any attribute. Returns every element as (name, attributes).
fn check_svg(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
    let text = |t: &str| {
        assert!(
            !t.contains('>') && !bad_number(t.trim()),
            "stray text: {t:?}"
        )
    };
    let value = |key: &str, value: &str, tag: &str| {
        assert!(
            !bad_number(value),
            "non-finite value {key}={value:?} in <{tag}>"
        )
    };
    let parsed = super::markup::parse(
        svg,
        &super::markup::Rules {
            void: &[],
            raw_text: &[],
            text: &text,
            value: &value,
        },
    );
    assert!(
        parsed.rest.trim().is_empty(),
        "text after the root: {:?}",
        parsed.rest
    );
    assert_eq!(parsed.roots, 1, "exactly one root element");
    assert_eq!(
        parsed.elements.first().map(|e| e.0.as_str()),
        Some("svg"),
        "the root is <svg>"
    );
    parsed.elements
}

/// A PNG as the charts write it: the signature, then an `IHDR` chunk first (as the format
/// requires) with the chart's width and height (`size`), 8-bit RGB; and it ends with `IEND`.
fn check_png(png: &[u8], size: (u32, u32)) {
    assert!(
        png.len() > 8 + 25 + 12,
        "too short for a PNG: {} bytes",
        png.len()
    );
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let be32 = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    // The first chunk: length (4 bytes), type (4), then IHDR's 13 data bytes: width (4),
    // height (4), bit depth (1), colour type (1), compression, filter, interlace (1 each).
    assert_eq!(be32(8), 13, "IHDR length");
    assert_eq!(&png[12..16], b"IHDR", "the first chunk is IHDR");
    assert_eq!((be32(16), be32(20)), size, "size");
    assert_eq!((png[24], png[25]), (8, 2), "8-bit RGB");
    // The last chunk is an empty IEND: length 0, type, CRC (4 bytes each).
    assert_eq!(
        &png[png.len() - 8..png.len() - 4],
        b"IEND",
        "ends with IEND"
    );
}

/// Checks a chart file by its extension (`size`: the PNG's expected size).
fn check_file(file: &str, bytes: &[u8], size: (u32, u32)) {
    if file.ends_with(".svg") {
        check_svg(std::str::from_utf8(bytes).expect("SVG is UTF-8"));
    } else if file.ends_with(".png") {
        check_png(bytes, size);
    } else {
        panic!("unknown chart format: {file}");
    }
}

fn attr<'a>(e: &'a (String, Vec<(String, String)>), key: &str) -> Option<&'a str> {
    e.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn palette() -> BTreeSet<String> {
    style::PALETTE.iter().map(|c| style::hex(*c)).collect()
}

/// Series lines: `<polyline>`s stroked with a palette colour.
fn series_lines(svg: &str) -> usize {
    let palette = palette();
    check_svg(svg)
        .iter()
        .filter(|e| e.0 == "polyline" && attr(e, "stroke").is_some_and(|s| palette.contains(s)))
        .count()
}

fn lines_stroked(svg: &str, color: plotters::style::RGBColor) -> usize {
    let hex = style::hex(color);
    check_svg(svg)
        .iter()
        .filter(|e| e.0 == "polyline" && attr(e, "stroke") == Some(hex.as_str()))
        .count()
}

fn bars(svg: &str) -> usize {
    let hex = style::hex(style::BAR);
    check_svg(svg)
        .iter()
        .filter(|e| e.0 == "rect" && attr(e, "fill") == Some(hex.as_str()))
        .count()
}

/// Filled areas: `<polygon>`s filled with one of `fills`.
fn polygons_filled(svg: &str, fills: &BTreeSet<String>) -> usize {
    check_svg(svg)
        .iter()
        .filter(|e| e.0 == "polygon" && attr(e, "fill").is_some_and(|f| fills.contains(f)))
        .count()
}

/// The cost chart stacks one area per `cost_series` column that is above 0 at some minute.
fn expected_cost_areas(report: &Report) -> usize {
    (0..report.cost_series_providers.len())
        .filter(|&c| {
            report
                .cost_series
                .iter()
                .any(|r| r.by_provider_usd.get(c).is_some_and(|&v| v > 0.0))
        })
        .count()
}

/// The fills of the idle parts: each palette colour lightened.
fn idle_tints() -> BTreeSet<String> {
    style::PALETTE
        .iter()
        .map(|c| style::hex(style::idle_tint(*c)))
        .collect()
}

/// The cost chart lightens the idle part of each provider that cost anything and has idle
/// cost at some minute (only EC2 providers have any).
fn expected_idle_parts(report: &Report) -> usize {
    let positive = |c: usize, idle: bool| {
        report.cost_series.iter().any(|r| {
            let v = if idle {
                &r.idle_by_provider_usd
            } else {
                &r.by_provider_usd
            };
            v.get(c).is_some_and(|&v| v > 0.0)
        })
    };
    (0..report.cost_series_providers.len())
        .filter(|&c| positive(c, false) && positive(c, true))
        .count()
}

fn loaded(report: &Report, service: u32) -> bool {
    report
        .summary
        .services
        .get(service as usize)
        .is_some_and(|s| s.load.is_some())
}

/// Whether any of `values` is not 0.
fn any_nonzero(values: impl IntoIterator<Item = u32>) -> bool {
    values.into_iter().any(|v| v != 0)
}

/// The capacity chart's panels as (subject for scaling markers, solid palette lines), by the
/// design: an all-instances panel when some ASG has no capacity provider (or there are
/// instances but no provider rows), one per ASG provider (in service, DRAINING if ever
/// non-zero), one per service (RUNNING, PROVISIONING/PENDING if ever non-zero) and one more
/// for its request rate when it has a load model, one per workload (RUNNING, and
/// PROVISIONING/PENDING and queued if ever non-zero). Desired lines are dashed, in
/// `style::DESIRED`, and not counted here.
fn expected_capacity_panels(report: &Report) -> Vec<(Option<String>, usize)> {
    let mut out = Vec::new();
    let providers: BTreeSet<u32> = report.provider_series.iter().map(|r| r.provider).collect();
    let no_provider = report
        .cost_series_providers
        .iter()
        .any(|p| p == ecsim::report::NO_CAPACITY_PROVIDER);
    let instances = report
        .timeseries
        .iter()
        .any(|r| r.instances_pending + r.instances_active + r.instances_draining > 0);
    if no_provider || (providers.is_empty() && instances) {
        let draining = any_nonzero(report.timeseries.iter().map(|r| r.instances_draining));
        out.push((None, 1 + usize::from(draining)));
    }
    for p in providers {
        let rows = report.provider_series.iter().filter(|r| r.provider == p);
        let draining = any_nonzero(rows.map(|r| r.draining));
        let name = report.summary.capacity_providers[p as usize].name.clone();
        out.push((Some(name), 1 + usize::from(draining)));
    }
    let services: BTreeSet<u32> = report.service_series.iter().map(|r| r.service).collect();
    for s in services {
        let rows = report.service_series.iter().filter(|r| r.service == s);
        let pending = any_nonzero(rows.map(|r| r.pending));
        let name = report.summary.services[s as usize].name.clone();
        out.push((Some(name), 1 + usize::from(pending)));
        if loaded(report, s) {
            out.push((None, 1));
        }
    }
    let workloads: BTreeSet<u32> = report.workload_series.iter().map(|r| r.workload).collect();
    for w in workloads {
        let rows = || report.workload_series.iter().filter(|r| r.workload == w);
        let pending = any_nonzero(rows().map(|r| r.pending));
        let queued = any_nonzero(rows().map(|r| r.queued));
        out.push((None, 1 + usize::from(pending) + usize::from(queued)));
    }
    out
}

fn expected_capacity_lines(report: &Report) -> usize {
    expected_capacity_panels(report).iter().map(|p| p.1).sum()
}

fn expected_utilization_lines(report: &Report) -> usize {
    // Two panels (vCPU, GiB) of three lines each (paid, reserved, used), one polyline per
    // line whenever there is a minute row.
    if report.timeseries.is_empty() {
        0
    } else {
        6
    }
}

fn check_report(name: &str, report: &Report) {
    let capacity = charts::capacity_svg(report).expect("capacity");
    assert_eq!(
        series_lines(&capacity),
        expected_capacity_lines(report),
        "{name}: capacity series"
    );
    let scaling = report.events.iter().filter(|e| e.kind == "scaling").count();
    let faults = report.events.iter().filter(|e| e.kind == "fault").count();
    let last_s = report
        .timeseries
        .last()
        .map_or(0.0, |r| r.minute as f64 * 60.0);
    let scaling_in_range = report
        .events
        .iter()
        .filter(|e| e.kind == "scaling" && e.time_s <= last_s)
        .count();
    let fault_in_range = report
        .events
        .iter()
        .filter(|e| e.kind == "fault" && e.time_s <= last_s)
        .count();
    assert!(scaling_in_range <= scaling && fault_in_range <= faults);
    // A scaling activity is marked in the panel of its subject, a fault in every panel.
    let panels = expected_capacity_panels(report);
    let scaling_marks: usize = report
        .events
        .iter()
        .filter(|e| e.kind == "scaling" && e.time_s <= last_s)
        .map(|e| {
            panels
                .iter()
                .filter(|p| p.0.as_deref() == Some(e.subject.as_str()))
                .count()
        })
        .sum();
    assert_eq!(
        lines_stroked(&capacity, style::SCALING_MARKER),
        scaling_marks,
        "{name}: one marker per scaling activity in its subject's panel"
    );
    assert_eq!(
        lines_stroked(&capacity, style::FAULT_MARKER),
        fault_in_range * panels.len(),
        "{name}: one marker per fault in every panel"
    );
    let utilization = charts::utilization_svg(report).expect("utilization");
    assert_eq!(
        series_lines(&utilization),
        expected_utilization_lines(report),
        "{name}: utilization series"
    );
    let cost = charts::cost_svg(report).expect("cost");
    let areas = expected_cost_areas(report);
    assert_eq!(
        polygons_filled(&cost, &palette()),
        areas,
        "{name}: one stacked area per capacity provider that cost anything"
    );
    assert_eq!(
        polygons_filled(&cost, &idle_tints()),
        expected_idle_parts(report),
        "{name}: one idle part per EC2 provider whose capacity sat idle"
    );
    // The cost rate needs a minute after minute 0 (the first difference is from 0 USD at 0).
    let rate = usize::from(report.cost_series.iter().any(|r| r.minute > 0));
    assert_eq!(
        lines_stroked(&cost, style::RATE_LINE),
        rate,
        "{name}: the cost rate line"
    );
    assert_eq!(series_lines(&cost), 0, "{name}: cost areas are polygons");
    let wait = charts::wait_svg(report).expect("wait");
    check_svg(&wait);
    let filled_bins = report.wait_histogram.iter().filter(|b| b.count > 0).count();
    // One bar per non-empty bin, plus the legend's bar swatch when anything is drawn.
    let expected_bars = if filled_bins > 0 { filled_bins + 1 } else { 0 };
    assert_eq!(bars(&wait), expected_bars, "{name}: wait bars");
    assert_eq!(
        lines_stroked(&wait, style::CDF_LINE),
        usize::from(filled_bins > 0),
        "{name}: the cumulative share line"
    );
    for svg in [&capacity, &utilization, &cost, &wait] {
        // A chart with nothing to draw has just its title and the "no data" note.
        let texts = svg.matches("<text").count();
        assert!(
            texts >= 3 || (texts == 2 && svg.contains("no data")),
            "{name}: title and axis labels"
        );
    }
    for kind in ChartKind::ALL {
        for format in ChartFormat::ALL {
            let file = kind.file_name(format);
            let bytes = kind.render(format, report).expect("renders");
            assert_eq!(
                bytes,
                kind.render(format, report).expect("renders"),
                "{name}: {file} same report, same bytes"
            );
            check_file(&file, &bytes, kind.size(report));
        }
    }
}

#[test]
fn quickstart_charts_are_well_formed_with_one_line_per_series() {
    let report = run_file("scenarios/quickstart.json");
    assert!(!report.timeseries.is_empty());
    check_report("quickstart", &report);
    let capacity = charts::capacity_svg(&report).expect("capacity");
    assert!(capacity.contains("Capacity: quickstart"));
    assert!(capacity.contains("time (minutes)") || capacity.contains("time (hours)"));
    // The batch backlog the README talks about has its own panel.
    assert!(
        capacity.contains("workload alibaba-batch: tasks"),
        "{capacity}"
    );
    assert!(report.workload_series.iter().any(|r| r.pending > 50));
    assert!(capacity.contains("instances: web-ec2") && capacity.contains("instances: batch-ec2"));
    assert!(
        lines_stroked(&capacity, style::DESIRED) > 0,
        "desired counts are dashed lines"
    );
}

#[test]
fn scale_out_lag_charts_show_load_and_scaling_markers() {
    let report = run_file("scenarios/scale-out-lag/scenario.json");
    check_report("scale-out-lag", &report);
    assert!(report.summary.services.iter().any(|s| s.load.is_some()));
    let capacity = charts::capacity_svg(&report).expect("capacity");
    assert!(
        capacity.contains("service web: request rate"),
        "the load in a panel of its own"
    );
    assert!(
        lines_stroked(&capacity, style::SCALING_MARKER) > 0,
        "scale-out-lag scales"
    );
    let utilization = charts::utilization_svg(&report).expect("utilization");
    assert!(
        utilization.contains("CPU: reserved"),
        "averages in the CPU caption"
    );
    assert!(
        utilization.contains("memory: reserved"),
        "and in the memory one"
    );
}

#[test]
fn empty_and_one_point_reports_render_valid_svg_and_png() {
    let full = run_file("scenarios/quickstart.json");
    let mut empty = full.clone();
    empty.timeseries.clear();
    empty.service_series.clear();
    empty.provider_series.clear();
    empty.workload_series.clear();
    empty.events.clear();
    empty.summary.duration_s = 0.0;
    empty.summary.wait_time_s = Default::default();
    empty.cost_series.clear();
    for b in &mut empty.wait_histogram {
        b.count = 0;
    }
    for kind in ChartKind::ALL {
        let file = kind.file_stem();
        let svg = kind.svg(&empty).unwrap_or_else(|e| panic!("{file}: {e}"));
        check_svg(&svg);
        assert!(svg.contains("no data"), "{file}: says there is no data");
        assert_eq!(series_lines(&svg), 0, "{file}");
        check_png(
            &kind.png(&empty).unwrap_or_else(|e| panic!("{file}: {e}")),
            (style::WIDTH, style::HEIGHT),
        );
    }
    let mut one = full.clone();
    one.timeseries.truncate(1);
    let first = one.timeseries[0].minute;
    one.service_series.retain(|r| r.minute == first);
    one.provider_series.retain(|r| r.minute == first);
    one.workload_series.retain(|r| r.minute == first);
    one.cost_series.truncate(1);
    one.events.clear();
    for kind in ChartKind::ALL {
        let file = kind.file_stem();
        check_svg(&kind.svg(&one).unwrap_or_else(|e| panic!("{file}: {e}")));
        check_png(
            &kind.png(&one).unwrap_or_else(|e| panic!("{file}: {e}")),
            kind.size(&one),
        );
    }
    check_report("one point", &one);
    let mut zeros = one.clone();
    for r in &mut zeros.timeseries {
        *r = ecsim::report::MinuteRow {
            minute: r.minute,
            ..Default::default()
        };
    }
    for r in &mut zeros.cost_series {
        r.by_provider_usd.iter_mut().for_each(|v| *v = 0.0);
        r.idle_by_provider_usd.iter_mut().for_each(|v| *v = 0.0);
        r.idle_usd = 0.0;
    }
    for b in &mut zeros.wait_histogram {
        b.count = 0;
    }
    zeros.summary.wait_time_s = Default::default();
    check_report("all zeros", &zeros);
    for kind in ChartKind::ALL {
        for format in ChartFormat::ALL {
            let file = kind.file_name(format);
            let bytes = kind
                .render(format, &zeros)
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            check_file(&file, &bytes, kind.size(&zeros));
        }
    }
}

#[test]
fn run_writes_the_charts_and_no_charts_skips_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |out: &std::path::Path, extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .current_dir(repo_root())
            .args(["run", "scenarios/quickstart.json", "--quiet", "--out"])
            .arg(out)
            .args(extra)
            .output()
            .expect("ecsim runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let with = dir.path().join("with");
    let stdout = run(&with, &[]);
    assert!(
        stdout.contains("charts/{capacity, utilization, cost, wait}.{svg, png}"),
        "{stdout}"
    );
    let mut expected = BTreeSet::new();
    for kind in ChartKind::ALL {
        for format in ChartFormat::ALL {
            let file = kind.file_name(format);
            let bytes = std::fs::read(with.join("charts").join(&file)).expect(&file);
            let quickstart = run_file("scenarios/quickstart.json");
            check_file(&file, &bytes, kind.size(&quickstart));
            assert_eq!(
                bytes,
                kind.render(format, &run_file("scenarios/quickstart.json"))
                    .expect("renders"),
                "{file}: the file is what the library renders"
            );
            expected.insert(file);
        }
    }
    let written: BTreeSet<String> = std::fs::read_dir(with.join("charts"))
        .expect("charts/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        written, expected,
        "exactly the charts, no temporary file left"
    );
    let without = dir.path().join("without");
    let stdout = run(&without, &["--no-charts"]);
    assert!(!stdout.contains("charts/"), "{stdout}");
    assert!(!without.join("charts").exists());
    // Run again into the folder with charts, without them: the earlier run's charts go,
    // rather than sit beside files of another run; the folder is replaced whole, so not even
    // an empty charts/ stays (issue 10 point 3).
    run(&with, &["--no-charts"]);
    assert!(!with.join("charts").exists());
}

#[test]
fn az_outage_charts_mark_the_faults() {
    let report = run_file("scenarios/az-outage/three-azs.json");
    check_report("az-outage", &report);
    let capacity = charts::capacity_svg(&report).expect("capacity");
    assert!(
        lines_stroked(&capacity, style::FAULT_MARKER) > 0,
        "az-outage has faults"
    );
}

#[test]
#[should_panic(expected = "mismatched closing tag")]
fn the_checker_rejects_unbalanced_tags() {
    check_svg("<svg><g></svg></g>");
}

#[test]
#[should_panic(expected = "non-finite")]
fn the_checker_rejects_nan() {
    check_svg(r#"<svg><polyline points="1,2 NaN,3"/></svg>"#);
}

#[test]
#[should_panic(expected = "the root is <svg>")]
fn the_checker_wants_an_svg_root() {
    check_svg("<html></html>");
}

#[test]
fn svg_text_names_the_bundled_font_family() {
    assert_eq!(style::FONT_FAMILY, "DejaVu Sans");
    let report = run_file("scenarios/scale-out-lag/scenario.json");
    for kind in ChartKind::ALL {
        let svg = kind.svg(&report).expect("renders");
        let texts: Vec<_> = check_svg(&svg)
            .into_iter()
            .filter(|e| e.0 == "text")
            .collect();
        assert!(texts.len() >= 3, "{kind:?}: title and axis labels");
        for t in &texts {
            assert_eq!(
                attr(t, "font-family"),
                Some(style::FONT_FAMILY),
                "{kind:?}: every text in the bundled family: {t:?}"
            );
        }
    }
}

#[test]
fn png_bytes_are_the_same_across_renders_of_a_big_report() {
    let report = run_file("scenarios/az-outage/three-azs.json");
    for kind in ChartKind::ALL {
        let first = kind.png(&report).expect("renders");
        check_png(&first, kind.size(&report));
        assert_eq!(first, kind.png(&report).expect("renders"), "{kind:?}");
    }
}

#[test]
fn cost_chart_lightens_idle_ec2_iff_there_is_any() {
    let report = run_file("scenarios/worldcup-ec2/scenario.json");
    assert!(report.cost_series.iter().any(|r| r.idle_usd > 0.0));
    let cost = charts::cost_svg(&report).expect("cost");
    assert_eq!(polygons_filled(&cost, &idle_tints()), 1);
    assert!(
        cost.contains("idle (paid, not reserved)"),
        "the idle part has a legend entry"
    );
    let mut busy = report.clone();
    for r in &mut busy.cost_series {
        r.idle_by_provider_usd.iter_mut().for_each(|v| *v = 0.0);
        r.idle_usd = 0.0;
    }
    let cost = charts::cost_svg(&busy).expect("cost");
    assert_eq!(polygons_filled(&cost, &idle_tints()), 0);
    assert!(!cost.contains("idle"), "no legend entry without idle cost");
    check_report("worldcup-ec2 without idle", &busy);
}

#[test]
fn cost_chart_draws_each_ec2_groups_idle_part_in_its_own_tint() {
    // quickstart has two ASG providers (web-ec2, batch-ec2), each with idle capacity.
    let report = run_file("scenarios/quickstart.json");
    let ec2: Vec<usize> = report
        .cost_series_providers
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.starts_with("FARGATE"))
        .map(|(c, _)| c)
        .collect();
    assert!(ec2.len() > 1, "{:?}", report.cost_series_providers);
    let last = report.cost_series.last().expect("cost rows");
    for &c in &ec2 {
        assert!(last.idle_by_provider_usd[c] > 0.0, "{last:?}");
    }
    let cost = charts::cost_svg(&report).expect("cost");
    for &c in &ec2 {
        let tint: BTreeSet<String> = [style::hex(style::idle_tint(style::series_color(c)))].into();
        assert_eq!(polygons_filled(&cost, &tint), 1, "column {c}");
        let name = &report.cost_series_providers[c];
        assert!(cost.contains(&format!("{name}: idle (paid, not reserved)")));
        assert!(cost.contains(&format!("{name}: reserved by tasks")));
    }
    assert!(!cost.contains("all groups"), "no shared idle band any more");
    check_report("quickstart", &report);
    // Fargate columns never carry idle cost.
    for (c, p) in report.cost_series_providers.iter().enumerate() {
        if p.starts_with("FARGATE") {
            assert!(report
                .cost_series
                .iter()
                .all(|r| r.idle_by_provider_usd[c] == 0.0));
        }
    }
}

#[test]
fn cost_chart_stacks_only_providers_that_cost_anything() {
    let report = run_file("scenarios/fargate-spot-base/base-2.json");
    check_report("fargate-spot-base", &report);
    let spot = report
        .cost_series_providers
        .iter()
        .position(|p| p == "FARGATE_SPOT")
        .expect("the scenario has FARGATE_SPOT");
    assert_eq!(expected_cost_areas(&report), 2, "FARGATE and FARGATE_SPOT");
    let cost = charts::cost_svg(&report).expect("cost");
    assert!(cost.contains("FARGATE_SPOT"));
    let mut unused = report.clone();
    for r in &mut unused.cost_series {
        if let Some(v) = r.by_provider_usd.get_mut(spot) {
            *v = 0.0;
        }
    }
    let cost = charts::cost_svg(&unused).expect("cost");
    assert_eq!(polygons_filled(&cost, &palette()), 1);
    assert!(
        !cost.contains("FARGATE_SPOT"),
        "no legend entry for a provider at 0"
    );
    check_report("fargate-spot-base without spot", &unused);
}

#[test]
fn wait_chart_trims_the_empty_tail_and_labels_bins() {
    let report = run_file("scenarios/worldcup-ec2/scenario.json");
    let wait = charts::wait_svg(&report).expect("wait");
    assert!(
        wait.contains("&lt;1 s") || wait.contains("<1 s"),
        "first bin label"
    );
    let last = report
        .wait_histogram
        .iter()
        .rposition(|b| b.count > 0)
        .expect("tasks waited");
    assert!(
        last + 1 < report.wait_histogram.len(),
        "some empty tail to trim"
    );
    assert!(
        !wait.contains("≥1 d"),
        "the empty open-ended bin is trimmed"
    );
    assert!(wait.contains("p95"), "percentiles in the note");
}

/// Every rotated text (the y axis titles) of `svg` as (angle, x, y, font size, text).
fn rotated_texts(svg: &str) -> Vec<(f64, f64, f64, f64, String)> {
    let mut out = Vec::new();
    for chunk in svg.split("<text ").skip(1) {
        let Some((attrs, rest)) = chunk.split_once('>') else {
            continue;
        };
        let Some(rotate) = attrs.split("rotate(").nth(1) else {
            continue;
        };
        let num = |key: &str| -> f64 {
            // A space before the name, so `x` does not match the end of another name.
            let v = format!(" {attrs}")
                .split(&format!(" {key}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next().map(str::to_string))
                .unwrap_or_else(|| panic!("{key} in {attrs}"));
            v.parse().unwrap_or_else(|e| panic!("{key}={v}: {e}"))
        };
        let angle: f64 = rotate
            .split(',')
            .next()
            .and_then(|a| a.trim().parse().ok())
            .expect("rotation angle");
        let text = rest
            .split("</text>")
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        out.push((angle, num("x"), num("y"), num("font-size"), text));
    }
    out
}

#[test]
fn y_axis_titles_fit_on_the_canvas_with_room_to_spare() {
    // The titles were seen clipped at the canvas edges in a browser. Measure each rotated
    // title with the bundled font, allow a fifth more for a viewer's substitute font, and
    // check it stays inside the canvas along both directions.
    for rel in [
        "scenarios/worldcup-ec2/scenario.json",
        "scenarios/quickstart.json",
    ] {
        let report = run_file(rel);
        for kind in ChartKind::ALL {
            let svg = kind.svg(&report).expect("renders");
            let (width, height) = kind.size(&report);
            let titles = rotated_texts(&svg);
            assert!(!titles.is_empty(), "{rel} {kind:?}: a y axis title");
            for (angle, x, y, size, text) in titles {
                let font = (style::FONT_FAMILY, size).into_font();
                let (w, _) = font.box_size(&text).expect("measured");
                let half = f64::from(w) * 1.2 / 2.0;
                assert!(
                    y - half >= 0.0 && y + half <= f64::from(height),
                    "{rel} {kind:?}: {text:?} runs off the top or bottom"
                );
                // rotate(270) grows rightwards from x, rotate(90) leftwards (dy = 0.76em).
                let (left, right) = if angle > 180.0 {
                    (x, x + size * 1.2)
                } else {
                    (x - size * 1.2, x)
                };
                assert!(
                    left >= 0.0 && right <= f64::from(width),
                    "{rel} {kind:?}: {text:?} runs off the side"
                );
            }
        }
    }
}

/// The text of every `<text>` element of `svg`.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let (_, rest) = chunk.split_once('>')?;
            Some(rest.split("</text>").next()?.trim().to_string())
        })
        .collect()
}

#[test]
fn capacity_chart_reads_at_ten_services() {
    // tests/scenarios/ten-services.json: ten services (six with load), one provider, one
    // Poisson workload. The old single plot had 25 lines in 10 colours here.
    let report = run_file("tests/scenarios/ten-services.json");
    assert_eq!(report.summary.services.len(), 10);
    check_report("ten-services", &report);
    let capacity = charts::capacity_svg(&report).expect("capacity");
    for s in &report.summary.services {
        assert!(
            capacity.contains(&format!("service {}: tasks", s.name)),
            "{}: a tasks panel",
            s.name
        );
        assert_eq!(
            capacity.contains(&format!("service {}: request rate", s.name)),
            s.load.is_some(),
            "{}: a request rate panel iff it has load",
            s.name
        );
    }
    assert!(capacity.contains("workload nightly: tasks"));
    // Colour by role: solid lines use at most one palette colour per role (RUNNING,
    // pending, queued, DRAINING, requests), so no panel has two lines of one colour.
    let palette = palette();
    let colours: BTreeSet<String> = check_svg(&capacity)
        .iter()
        .filter(|e| e.0 == "polyline")
        .filter_map(|e| attr(e, "stroke").map(str::to_string))
        .filter(|c| palette.contains(c))
        .collect();
    assert!(colours.len() <= 5, "{colours:?}");
    // Taller than the other charts, and still the style's width.
    let (w, h) = ChartKind::Capacity.size(&report);
    assert_eq!(w, style::WIDTH);
    assert!(h > 3 * style::HEIGHT, "{h}");
}

#[test]
fn count_axes_have_integer_ticks_and_no_label_ends_in_point_zero() {
    for rel in [
        "scenarios/az-outage/one-az.json",
        "tests/scenarios/ten-services.json",
    ] {
        let report = run_file(rel);
        let capacity = charts::capacity_svg(&report).expect("capacity");
        let bad: Vec<String> = texts(&capacity)
            .into_iter()
            .filter(|t| t.ends_with(".0"))
            .collect();
        assert!(bad.is_empty(), "{rel}: {bad:?}");
    }
}

#[test]
fn one_az_request_rate_has_its_own_panel() {
    // az-outage/one-az: 6 pending tasks used to lie under the 300 requests/s line on the
    // right axis. Now the tasks and the rate are separate panels, each with its own y axis.
    let report = run_file("scenarios/az-outage/one-az.json");
    check_report("one-az", &report);
    let capacity = charts::capacity_svg(&report).expect("capacity");
    assert!(capacity.contains("service web: tasks"));
    assert!(capacity.contains("service web: request rate"));
    assert_eq!(
        lines_stroked(&capacity, ecsim::report::charts::style::PALETTE[2]),
        1,
        "one request-rate line, in the rate panel"
    );
}
