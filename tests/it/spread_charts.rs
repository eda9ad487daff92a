//! The Monte Carlo spread charts and the comparison charts: per-minute bands computed the
//! same whatever the thread count, every file parses with the expected number of series,
//! and the binary writes them and inlines them in report.html and compare.html.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ecsim::compare::{self, Comparison, Entry};
use ecsim::montecarlo::{self, Bands, MonteCarloSummary, Replicas};
use ecsim::report::charts::{style, ChartFormat, CompareChart, MonteCarloChart};

use super::markup::{parse, Element, Rules};
use super::support::repo_root;

fn quickstart_replicas(n: u32, threads: usize) -> Replicas {
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| montecarlo::run_replicas(&sc, sc.seed, n, &|_| {}))
        .expect("replicas run")
}

/// Every element of an SVG chart, after checking it is one well-formed `<svg>` with no
/// non-finite number in it.
fn svg_elements(svg: &str) -> Vec<Element> {
    let text = |t: &str| assert!(!t.contains('>'), "stray text: {t:?}");
    let value = |key: &str, v: &str, tag: &str| {
        let l = v.to_ascii_lowercase();
        assert!(
            !l.contains("nan") && !l.split([' ', ',']).any(|t| t.ends_with("inf")),
            "non-finite {key}={v:?} in <{tag}>"
        );
    };
    let parsed = parse(
        svg,
        &Rules {
            void: &[],
            raw_text: &[],
            text: &text,
            value: &value,
        },
    );
    assert_eq!(parsed.roots, 1, "one root");
    assert!(parsed.rest.trim().is_empty(), "text after the root");
    assert_eq!(parsed.elements.first().map(|e| e.0.as_str()), Some("svg"));
    parsed.elements
}

/// A PNG of the style's size: signature, then IHDR with width and height.
fn check_png(png: &[u8]) {
    assert!(png.len() > 33, "too short for a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be32 = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    assert_eq!((be32(16), be32(20)), (style::WIDTH, style::HEIGHT));
}

fn attr<'a>(e: &'a Element, key: &str) -> Option<&'a str> {
    e.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// How many `<name>` elements have `key` equal to the colour's hex.
fn count(elements: &[Element], name: &str, key: &str, color: plotters::style::RGBColor) -> usize {
    let hex = style::hex(color);
    elements
        .iter()
        .filter(|e| e.0 == name && attr(e, key) == Some(hex.as_str()))
        .count()
}

#[test]
fn bands_follow_replica_zero_and_do_not_depend_on_the_thread_count() {
    let one = quickstart_replicas(4, 1);
    let two = quickstart_replicas(4, 2);
    assert_eq!(one.len(), 4, "one trace per replica");
    let bands = one.bands().expect("same duration, same minutes");
    assert_eq!(
        bands,
        two.bands().expect("aligned"),
        "1 thread vs 2 threads"
    );
    let minutes: Vec<u64> = one.first.timeseries.iter().map(|r| r.minute).collect();
    assert_eq!(bands.minutes, minutes);
    let cost = bands.get("cost_usd").expect("cost band");
    for (b, r) in cost.replica_0.iter().zip(&one.first.timeseries) {
        assert!(
            (b - r.cost_usd).abs() < 1e-6,
            "replica 0 is the report's own cost"
        );
    }
    for band in &bands.series {
        for m in 0..bands.minutes.len() {
            assert!(
                band.p5[m] <= band.p50[m] && band.p50[m] <= band.p95[m],
                "{} minute {m}: p5 {} p50 {} p95 {}",
                band.name,
                band.p5[m],
                band.p50[m],
                band.p95[m]
            );
        }
    }
    // Different seeds do differ somewhere, or the band would prove nothing.
    let tasks = bands.get("tasks_running").expect("tasks band");
    assert!(tasks.p5.iter().zip(&tasks.p95).any(|(a, b)| a < b));
}

fn spread(n: u32) -> (Bands, MonteCarloSummary, String) {
    let r = quickstart_replicas(n, 2);
    let mc = r.monte_carlo();
    (
        r.bands().expect("aligned"),
        mc,
        r.first.summary.scenario.clone(),
    )
}

#[test]
fn spread_charts_parse_with_one_band_per_quantity_and_one_bar_per_figure() {
    for n in [1, 3] {
        let (bands, mc, scenario) = spread(n);
        let svg = MonteCarloChart::Bands
            .svg(&bands, &mc, &scenario)
            .expect("svg");
        let el = svg_elements(&svg);
        // Quickstart has EC2 instances, so all three quantities are drawn: one shaded
        // polygon each, and one median line each plus its legend sample (two polylines).
        let polygons = el.iter().filter(|e| e.0 == "polygon").count();
        assert_eq!(polygons, 3, "bands, {n} replicas");
        for i in 0..3 {
            assert_eq!(count(&el, "polyline", "stroke", style::PALETTE[i]), 2);
        }
        let svg = MonteCarloChart::Figures
            .svg(&bands, &mc, &scenario)
            .expect("svg");
        let el = svg_elements(&svg);
        // One bar per main figure whose median (or mean) is not 0.
        let main: Vec<_> = mc.figures.iter().filter(|f| f.main).collect();
        let drawn = main
            .iter()
            .take(ecsim::report::charts::MAX_FIGURE_ROWS)
            .filter(|f| f.stats.p50 != 0.0 || f.stats.mean != 0.0)
            .count();
        assert!(drawn > 3, "quickstart has figures to draw");
        assert_eq!(
            count(&el, "rect", "fill", style::BAR),
            drawn,
            "{n} replicas"
        );
        for f in &main {
            assert!(svg.contains(&f.name), "{} labelled", f.name);
        }
        for kind in MonteCarloChart::ALL {
            let png = kind
                .render(ChartFormat::Png, &bands, &mc, &scenario)
                .expect("png");
            check_png(&png);
        }
    }
}

fn comparison() -> Comparison {
    // Quickstart under two seeds and names: cheap, and it has both EC2 and Fargate.
    let sc = ecsim::load(&repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    let a = ecsim::run(&sc, Some(1), &mut |_| {}).expect("runs");
    let b = ecsim::run(&sc, Some(2), &mut |_| {}).expect("runs");
    compare::compare(
        &[
            Entry {
                name: "quickstart-seed-one",
                description: "",
                summary: &a.summary,
            },
            Entry {
                name: "quickstart-seed-two",
                description: "",
                summary: &b.summary,
            },
        ],
        1,
    )
}

#[test]
fn compare_charts_parse_with_one_bar_per_variant_and_group() {
    let c = comparison();
    let n = c.variants.len();
    let mut fills: BTreeMap<&str, Vec<(plotters::style::RGBColor, usize)>> = BTreeMap::new();
    // Each group has one bar per variant, and one sample rectangle in the legend.
    let idle = plotters::style::RGBColor(0xAE, 0xC7, 0xE8);
    let fargate_spot = plotters::style::RGBColor(0xFF, 0xBB, 0x78);
    fills.insert(
        "compare_cost",
        vec![
            (style::PALETTE[0], n + 1),
            (idle, n + 1),
            (style::PALETTE[1], n + 1),
            (fargate_spot, n + 1),
        ],
    );
    let with_load = c
        .variants
        .iter()
        .filter(|v| v.figures.unserved_requests_pct.is_some())
        .count();
    // Quickstart has no service with a load model: no not-served bar, the legend sample only.
    assert_eq!(with_load, 0);
    fills.insert(
        "compare_shortfall",
        vec![
            (style::PALETTE[3], with_load + 1),
            (style::PALETTE[4], n + 1),
        ],
    );
    fills.insert(
        "compare_wait",
        (0..3).map(|i| (style::PALETTE[i], n + 1)).collect(),
    );
    for kind in CompareChart::ALL {
        let svg = kind.svg(&c).expect("svg");
        let el = svg_elements(&svg);
        for (color, want) in &fills[kind.file_stem()] {
            assert_eq!(
                count(&el, "rect", "fill", *color),
                *want,
                "{} bars of {}",
                kind.file_stem(),
                style::hex(*color)
            );
        }
        check_png(&kind.render(ChartFormat::Png, &c).expect("png"));
        assert_eq!(svg, kind.svg(&c).expect("svg"), "deterministic");
    }
}

fn ecsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    c.current_dir(repo_root());
    c
}

fn ok(o: std::process::Output) {
    assert!(
        o.status.success(),
        "{:?}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn svg_count(page: &str) -> usize {
    page.matches("<svg").count()
}

fn no_external_reference(page: &str, name: &str) {
    for bad in ["http://", "https://", "<script", "url(", "@import", "<link"] {
        assert!(!page.contains(bad), "{name} contains {bad:?}");
    }
}

#[test]
fn run_with_replicas_writes_and_inlines_the_spread_charts_and_no_charts_removes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let run = |extra: &[&str]| {
        ok(ecsim()
            .args(["run", "scenarios/quickstart.json", "--quiet", "--out"])
            .arg(out)
            .args(extra)
            .output()
            .expect("ecsim runs"))
    };
    run(&["--replicas", "3"]);
    for kind in MonteCarloChart::ALL {
        let svg =
            std::fs::read_to_string(out.join("charts").join(kind.file_name(ChartFormat::Svg)))
                .expect("svg written");
        svg_elements(&svg);
        check_png(
            &std::fs::read(out.join("charts").join(kind.file_name(ChartFormat::Png)))
                .expect("png written"),
        );
    }
    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    // The four per-run charts and the two spread charts.
    assert_eq!(svg_count(&page), 6);
    let mc_section = page
        .find("<h2>Monte Carlo</h2>")
        .expect("Monte Carlo section");
    assert_eq!(
        svg_count(&page[mc_section..]),
        2,
        "spread charts in that section"
    );
    no_external_reference(&page, "report.html");
    super::report_html::check_html(&page);

    // A single run in the same folder removes the spread charts, which it would not match.
    run(&[]);
    assert!(!out.join("charts/montecarlo.svg").exists());
    run(&["--replicas", "2", "--no-charts"]);
    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert_eq!(svg_count(&page), 0);
    assert!(!out.join("charts/montecarlo_figures.png").exists());
}

/// Two one-variant scenario files: the quickstart and a copy under another name.
pub(crate) fn two_variant_files(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let text =
        std::fs::read_to_string(repo_root().join("scenarios/quickstart.json")).expect("quickstart");
    // Trace paths are relative to the scenario's folder: point them at the repository's.
    let traces = repo_root().join("scenarios/traces/");
    let text = text.replace("\"traces/", &format!("\"{}", traces.display()));
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    std::fs::write(&a, &text).expect("write");
    v["name"] = serde_json::json!("quickstart-with-a-rather-long-variant-name");
    std::fs::write(&b, serde_json::to_string(&v).expect("json")).expect("write");
    (a, b)
}

#[test]
fn compare_writes_and_inlines_its_charts_and_no_charts_removes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_variant_files(dir.path());
    let out = dir.path().join("out");
    let compare = |extra: &[&str]| {
        ok(ecsim()
            .arg("compare")
            .arg(&a)
            .arg(&b)
            .args(["--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .expect("ecsim runs"))
    };
    compare(&[]);
    for kind in CompareChart::ALL {
        for format in ChartFormat::ALL {
            let bytes = std::fs::read(out.join("charts").join(kind.file_name(format)))
                .unwrap_or_else(|e| panic!("{}: {e}", kind.file_name(format)));
            match format {
                ChartFormat::Svg => {
                    svg_elements(std::str::from_utf8(&bytes).expect("UTF-8"));
                }
                ChartFormat::Png => check_png(&bytes),
            }
        }
    }
    let page = std::fs::read_to_string(out.join("compare.html")).expect("compare.html");
    assert_eq!(svg_count(&page), CompareChart::ALL.len());
    for kind in CompareChart::ALL {
        assert!(page.contains(kind.title()), "{} captioned", kind.title());
    }
    no_external_reference(&page, "compare.html");
    super::report_html::check_html(&page);

    compare(&["--no-charts"]);
    let page = std::fs::read_to_string(out.join("compare.html")).expect("compare.html");
    assert_eq!(svg_count(&page), 0);
    assert!(!out.join("charts/compare_cost.svg").exists());
}
