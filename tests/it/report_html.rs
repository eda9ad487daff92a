//! `report.html`: self-contained, well-formed, escaped, complete, deterministic.

use ecsim::report::html::{self, ExtraTable, HtmlOptions};
use ecsim::report::Report;

use super::support::repo_root;

fn run_file(rel: &str) -> Report {
    let sc = ecsim::load(&repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    ecsim::run(&sc, None, &mut |_| {}).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const VOID: [&str; 8] = ["meta", "br", "img", "hr", "input", "link", "wbr", "col"];

/// Text between tags: no raw `<` or `>`, every `&` starts an entity.
fn check_text(text: &str) {
    assert!(!text.contains('>'), "raw '>' in text: {text:?}");
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        rest = &rest[i + 1..];
        let end = rest
            .find(';')
            .unwrap_or_else(|| panic!("bare '&' in text: {text:?}"));
        let name = &rest[..end];
        assert!(
            !name.is_empty()
                && name.len() <= 8
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '#'),
            "bad entity &{name}; in {text:?}"
        );
    }
}

/// A small well-formedness check of the HTML: a doctype, balanced tags except void
/// elements, quoted attributes, escaped text, `<style>` content taken as raw text.
/// Returns every element as (name, attributes).
pub(super) fn check_html(page: &str) -> Vec<(String, Vec<(String, String)>)> {
    let doc = page
        .strip_prefix("<!DOCTYPE html>")
        .expect("starts with <!DOCTYPE html>");
    let parsed = super::markup::parse(
        doc,
        &super::markup::Rules {
            void: &VOID,
            raw_text: &["style"],
            text: &check_text,
            value: &|_, _, _| {},
        },
    );
    check_text(parsed.rest);
    assert!(
        parsed.rest.trim().is_empty(),
        "text after </html>: {:?}",
        parsed.rest
    );
    assert_eq!(parsed.elements.first().map(|e| e.0.as_str()), Some("html"));
    parsed.elements
}

fn headings(page: &str) -> Vec<String> {
    page.split("<h2>")
        .skip(1)
        .map(|s| s[..s.find("</h2>").expect("</h2>")].to_string())
        .collect()
}

fn self_contained(page: &str) {
    for bad in [
        "http://", "https://", "src=", "href=", "<script", "url(", "@import", "<link", "//",
    ] {
        assert!(!page.contains(bad), "report.html contains {bad:?}");
    }
}

fn check_page(report: &Report, expected: &[&str]) -> String {
    let page = html::report_html(report);
    self_contained(&page);
    let elements = check_html(&page);
    assert!(page.contains("<html lang=\"en\">"));
    assert!(elements
        .iter()
        .any(|e| e.0 == "meta" && e.1 == [("charset".to_string(), "utf-8".to_string())]));
    assert!(elements.iter().any(|e| e.0 == "title"));
    assert_eq!(elements.iter().filter(|e| e.0 == "svg").count(), 4);
    assert_eq!(headings(&page), expected);
    for a in &report.summary.assumptions {
        assert!(
            page.contains(&format!("<td>{}</td>", html::escape(&a.topic))),
            "assumption {:?} missing",
            a.topic
        );
    }
    assert_eq!(page, html::report_html(report), "same report, same bytes");
    page
}

#[test]
fn quickstart_page_is_self_contained_and_complete() {
    let report = run_file("scenarios/quickstart.json");
    let mut expected = vec!["Summary", "Charts"];
    if !report.summary.cost.by_capacity_provider.is_empty() {
        expected.push("Capacity providers");
    }
    expected.push("Usage");
    if !report.summary.services.is_empty() {
        expected.push("Services");
    }
    if !report.summary.workloads.is_empty() {
        expected.push("Workloads");
    }
    assert!(report.summary.faults.is_none());
    if report
        .events
        .iter()
        .any(|e| e.kind == "scaling" || e.kind == "fault")
    {
        expected.push("Timeline");
    }
    expected.push("Assumptions");
    check_page(&report, &expected);
}

#[test]
fn az_outage_page_has_faults_and_a_timeline() {
    let report = run_file("scenarios/az-outage/three-azs.json");
    assert!(report.summary.faults.is_some());
    let page = check_page(
        &report,
        &[
            "Summary",
            "Charts",
            "Capacity providers",
            "Usage",
            "Services",
            "Faults",
            "Timeline",
            "Assumptions",
        ],
    );
    assert!(page.contains("<td>fault</td>"));
    assert!(page.contains("Requests not served"));
    // The headline cards carry the shortfall as the summary counts it.
    let below: u64 = report
        .summary
        .services
        .iter()
        .map(|s| s.availability.task_minutes_below_desired)
        .sum();
    assert!(below > 0, "the outage leaves the service below desired");
    assert!(page.contains(&format!(
        "<div class=\"label\">Task-minutes below desired, all services</div><div class=\"value\">{}</div>",
        ecsim::report::render::grouped_count(below)
    )));
    assert!(page.contains("Cost per RUNNING task-hour"));
    assert!(page.contains("EC2 idle cost"));
    // The usage section and the per-provider idle column carry the summary's figures.
    let u = &report.summary.usage;
    assert!(page.contains("<h2>Usage</h2>"));
    assert!(page.contains(&format!(
        "<td>vCPU paid for (average)</td><td class=\"num\">{:.2}</td>",
        u.vcpu_paid_avg
    )));
    assert!(page.contains("<th>of which idle EC2</th>"));
}

#[test]
fn names_are_escaped() {
    let mut report = run_file("scenarios/az-outage/three-azs.json");
    report.summary.scenario = "a <&> \"b\" 'c'".to_string();
    if let Some(s) = report.summary.services.first_mut() {
        s.name = "<svc&>".to_string();
    }
    report.summary.assumptions[0].topic = "x <&> y".to_string();
    let page = html::report_html(&report);
    check_html(&page);
    self_contained(&page);
    assert!(page.contains("<title>ecsim report: a &lt;&amp;&gt; &quot;b&quot; &#39;c&#39;</title>"));
    assert!(page.contains("<h3>&lt;svc&amp;&gt;</h3>"));
    assert!(page.contains("<td>x &lt;&amp;&gt; y</td>"));
    assert!(!page.contains("<&>"));
    assert!(!page.contains("<svc"));
}

#[test]
fn without_charts_and_with_an_extra_table() {
    let report = run_file("scenarios/quickstart.json");
    let extra = [ExtraTable {
        heading: "Monte Carlo".to_string(),
        note: "2 replicas <&>".to_string(),
        columns: vec!["figure".to_string(), "mean".to_string()],
        rows: vec![vec!["cost.total_usd".to_string(), "1.0".to_string()]],
        charts: vec![],
    }];
    let page = html::report_html_with(
        &report,
        &HtmlOptions {
            charts: false,
            extra: &extra,
        },
    );
    self_contained(&page);
    let elements = check_html(&page);
    assert!(!elements.iter().any(|e| e.0 == "svg"));
    let h = headings(&page);
    assert!(!h.iter().any(|x| x == "Charts"));
    assert_eq!(h.last().map(String::as_str), Some("Monte Carlo"));
    assert!(page.contains("2 replicas &lt;&amp;&gt;"));
}

#[test]
fn timeline_is_capped() {
    let mut report = run_file("scenarios/az-outage/three-azs.json");
    let e = report
        .events
        .iter()
        .find(|e| e.kind == "fault")
        .cloned()
        .expect("a fault event");
    report.events = vec![e; html::TIMELINE_LIMIT + 7];
    let page = html::report_html(&report);
    check_html(&page);
    assert_eq!(page.matches("<td>fault</td>").count(), html::TIMELINE_LIMIT);
    assert!(page.contains(&format!(
        "first {} of {}",
        html::TIMELINE_LIMIT,
        html::TIMELINE_LIMIT + 7
    )));
}

#[test]
fn assumptions_cite_sources_a_reader_can_open_and_the_prices_are_stated() {
    // Faults, service auto scaling, managed scaling and load models between them bring in
    // every optional assumption.
    for rel in [
        "scenarios/quickstart.json",
        "scenarios/az-outage/one-az.json",
        "scenarios/scale-out-lag/scenario.json",
    ] {
        let report = run_file(rel);
        let s = &report.summary;
        for a in &s.assumptions {
            // The research notes behind the defaults do not ship: citing their sections
            // ("ecs-reference §3.2") or their evidence tags tells a user nothing.
            for internal in [
                "ecs-reference",
                "§",
                "[DOC",
                "[OBS",
                "[API",
                "[CODE",
                "[DERIVED",
                "[UNCERTAIN",
            ] {
                assert!(
                    !a.source.contains(internal) && !a.value.contains(internal),
                    "{rel}: {:?} cites {internal:?}: {}",
                    a.topic,
                    a.source
                );
            }
            assert!(
                a.source.contains("https://") || a.source.starts_with("ecsim"),
                "{rel}: {:?} has no address and is not ecsim's own: {}",
                a.topic,
                a.source
            );
        }
        // The prices: Region, OS and dates, at the top of the stdout table and the page.
        let statement = s.prices.statement();
        for part in ["us-east-1", "Linux", "2026-07-20"] {
            assert!(statement.contains(part), "{statement}");
        }
        let table = ecsim::report::render::table(s);
        assert_eq!(
            table.lines().nth(1),
            Some(format!("prices {statement}").as_str())
        );
        let page = html::report_html(&report);
        assert!(page.contains(&format!(
            "<p class=\"meta\">prices: {}</p>",
            html::escape(&statement)
        )));
        assert!(!s.prices.overridden, "{rel} uses the embedded prices");
    }
}

#[test]
fn a_fargate_only_run_prints_no_ec2_lines() {
    let report = run_file("scenarios/worldcup-fargate/scenario.json");
    let s = &report.summary;
    assert_eq!(s.instances.launched, 0, "Fargate only");
    let table = ecsim::report::render::table(s);
    for ec2 in [
        "EC2 CPU reserved",
        "EC2 memory reserved",
        "idle EC2",
        "instances launched",
        "  EC2 ",
    ] {
        assert!(!table.contains(ec2), "{ec2:?} in\n{table}");
    }
    assert!(table.contains("RUNNING task-hours  Fargate "), "{table}");
    let page = html::report_html(&report);
    for ec2 in [
        "EC2 CPU reserved",
        "EC2 idle cost",
        "of which idle EC2",
        "RUNNING task-hours on EC2",
        "EC2 instance-hours",
        "share of the EC2 spend",
    ] {
        assert!(!page.contains(ec2), "{ec2:?} in report.html");
    }
    // Requests in whole numbers with thousands separators, in both.
    let requests = s.services[0].load.as_ref().expect("load").requests;
    let shown = ecsim::report::render::grouped(requests.round(), 0);
    assert!(shown.contains(','), "{shown}");
    assert!(table.contains(&shown), "{shown} in\n{table}");
    assert!(page.contains(&format!("<td class=\"num\">{shown}</td>")));
}

#[test]
fn cost_per_completed_task_is_each_workloads_own() {
    // quickstart: two services and one batch workload. The whole bill over the batch
    // completions mixed the services' cost into a batch figure.
    let report = run_file("scenarios/quickstart.json");
    let s = &report.summary;
    let w = &s.workloads[0];
    assert!(w.tasks.completed > 0);
    let own = w.cost_usd / w.tasks.completed as f64;
    assert!((w.cost_per_completed_task_usd - own).abs() < 1e-6);
    let whole_bill = s.cost.total_usd / s.tasks.completed as f64;
    assert!(whole_bill > 2.0 * own, "{whole_bill} vs {own}");
    let page = html::report_html(&report);
    assert!(page.contains(&format!(
        "Cost per completed task, {} (its own cost)</div><div class=\"value\">${:.4}</div>",
        w.name, w.cost_per_completed_task_usd
    )));
    assert!(!page.contains(&format!("${whole_bill:.4}")));
    let table = ecsim::report::render::table(s);
    assert!(table.contains("USD/completed"), "{table}");
    // The two shortfall measures carry their own names, side by side, defined once.
    assert!(
        table.contains("minutes below desired") && table.contains("task-minutes below desired")
    );
    assert!(!table.contains("min below"));
    assert!(page.contains(ecsim::report::render::MINUTES_BELOW_DESIRED));
}

/// Issue 14, point 8 (leftover): the RunTask limits a batch submission goes through are an
/// assumption of every run with a batch workload, with their values in force, the settings
/// that change them and the AWS pages they come from; a run without batch work, whose tasks
/// never pass through RunTask, does not list them.
#[test]
fn run_task_limits_are_listed_in_the_assumptions_of_batch_runs() {
    let dir = repo_root().join("scenarios");
    let text = std::fs::read_to_string(dir.join("quickstart.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    // Values other than the defaults, so the line is seen to follow the settings.
    v["settings"] =
        serde_json::json!({"runTaskMaxCount": 4, "runTaskBurst": 7, "runTaskRatePerSecond": 3});
    let sc = ecsim::scenario::from_json_str(
        &v.to_string(),
        std::path::Path::new("quickstart.json"),
        &dir,
    )
    .expect("the quickstart loads");
    assert!(
        !sc.workloads.is_empty(),
        "the quickstart has a batch workload"
    );
    let prices = ecsim::report::PriceBasis::default();
    let all = ecsim::report::assumptions::for_scenario(&sc, &prices);
    let run_task: Vec<_> = all.iter().filter(|a| a.topic == "RunTask calls").collect();
    assert_eq!(run_task.len(), 1, "{all:?}");
    let a = run_task[0];
    for part in [
        "ceil(n ÷ 4) RunTask calls (settings.runTaskMaxCount)",
        "token bucket of 7 calls refilled at 3 per second",
        "settings.runTaskBurst, settings.runTaskRatePerSecond",
        "base applies per call",
    ] {
        assert!(a.value.contains(part), "{part:?} not in {}", a.value);
    }
    for page in ["API_RunTask.html", "request-throttling.html"] {
        assert!(a.source.contains(page), "{page} not in {}", a.source);
    }
    // The defaults: 10 tasks a call, 20 calls of burst, 20 a second.
    let sc = ecsim::load(&dir.join("quickstart.json")).expect("loads");
    let all = ecsim::report::assumptions::for_scenario(&sc, &prices);
    let a = all
        .iter()
        .find(|a| a.topic == "RunTask calls")
        .expect("listed");
    assert!(a.value.contains("ceil(n ÷ 10)"), "{}", a.value);
    assert!(
        a.value
            .contains("token bucket of 20 calls refilled at 20 per second"),
        "{}",
        a.value
    );
    // A service-only scenario starts no task through RunTask.
    let sc = ecsim::load(&dir.join("scale-out-lag/scenario.json")).expect("loads");
    assert!(sc.workloads.is_empty());
    let all = ecsim::report::assumptions::for_scenario(&sc, &prices);
    assert!(all.iter().all(|a| a.topic != "RunTask calls"), "{all:?}");
}
