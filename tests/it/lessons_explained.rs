//! The explanation lessons of the workbook (`lessons/*.md`, issue 16): every lesson's run is
//! repeated here and its answer checked against the lesson's text, so a lesson cannot silently
//! go out of date.
//! Each check computes the answer's figures from the run (never copies them) and requires
//! the sentence that states them to appear in the lesson, together with its command.

use ecsim::explain::{Decision, Explanations, Record};
use ecsim::report::Report;
use ecsim::scenario::Override;

use super::support::repo_root;

/// Runs `scenario` with `sets` the way the lesson's command does, with traces.
fn run(scenario: &str, sets: &[&str]) -> (Report, Explanations) {
    let overrides: Vec<Override> = sets
        .iter()
        .map(|s| Override::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect();
    let set = ecsim::scenario::load_set_with(&repo_root().join(scenario), &overrides)
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    let mut report = ecsim::run_explained(&set.base, None, &mut |_| {})
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    let x = report.explain.take().expect("traces");
    (report, x)
}

fn lesson(file: &str) -> String {
    let path = repo_root().join("lessons").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lesson states every fact and shows its command.
fn check(file: &str, scenario: &str, sets: &[&str], facts: &[String]) {
    let text = lesson(file);
    for part in [
        "**Question.**",
        "**Scenario.**",
        "**Command.**",
        "**What to look at.**",
        "**Answer.**",
        "**Try this.**",
        "```text",
    ] {
        assert!(text.contains(part), "{file}: no {part}");
    }
    let command = format!("ecsim run {scenario}");
    assert!(
        text.contains(&command),
        "{file}: the command `{command}` is not shown"
    );
    for s in sets {
        assert!(
            text.contains(s),
            "{file}: the command's --set {s} is not shown"
        );
    }
    for f in facts {
        assert!(
            text.contains(f.as_str()),
            "{file}: the answer no longer holds; expected the text:\n{f}"
        );
    }
}

fn records<'x>(
    x: &'x Explanations,
    pick: impl Fn(&Decision) -> bool + 'x,
) -> impl Iterator<Item = &'x Record> + 'x {
    x.records.iter().filter(move |r| pick(&r.decision))
}

#[test]
fn lesson_01_placement_strategies() {
    let scenario = "scenarios/binpack-vs-spread/spread.json";
    let (report, x) = run(scenario, &[]);
    let large = report
        .summary
        .workloads
        .iter()
        .find(|w| w.name == "large-jobs")
        .expect("large-jobs");
    assert_eq!(large.tasks.started, 0, "no large job starts under spread");
    assert_eq!(x.never_placed.len(), 1, "one reason");
    let g = &x.never_placed[0];
    assert_eq!(
        g.count, large.tasks.submitted,
        "every large job is never placed"
    );
    // The first attempt of a large job: the CPU filter removes every instance.
    let first = records(
        &x,
        |d| matches!(d, Decision::Placement(p) if p.chosen.is_none()),
    )
    .next()
    .expect("a failed placement");
    let Decision::Placement(p) = &first.decision else {
        unreachable!()
    };
    let cpu = p
        .filters
        .iter()
        .find(|f| f.filter == "CPU")
        .expect("CPU filter");
    assert_eq!((cpu.removed, cpu.left), (p.instances, 0));
    let (binpack, _) = run("scenarios/binpack-vs-spread/binpack.json", &[]);
    let started = binpack
        .summary
        .workloads
        .iter()
        .find(|w| w.name == "large-jobs")
        .expect("large-jobs")
        .tasks
        .started;
    check(
        "01-placement-strategies.md",
        scenario,
        &[],
        &[
            format!("**All {} large jobs are never placed**", g.count),
            format!("grouped under \"{}\"", g.reason),
            format!(
                "ecsim explain results/lesson-01 --task {}",
                first.task.expect("task")
            ),
            format!("The CPU filter removes all {} instances", p.instances),
            format!("**all {started} large jobs start**"),
        ],
    );
}

#[test]
fn lesson_02_constraints() {
    let scenario = "scenarios/scale-out-lag/scenario.json";
    let set = r#"/services/0/placementConstraints=[{"type":"memberOf","expression":"attribute:ecs.availability-zone != us-east-1a"}]"#;
    let (report, x) = run(scenario, &[set]);
    // Two groups: the tasks that timed out, and those still waiting at the end.
    assert_eq!(x.never_placed.len(), 2, "two reasons");
    let g = x
        .never_placed
        .iter()
        .find(|g| g.reason.starts_with("PROVISIONING timed out"))
        .expect("timed out");
    let waiting = x
        .never_placed
        .iter()
        .find(|g| !g.reason.starts_with("PROVISIONING timed out"))
        .expect("still waiting");
    assert_eq!(g.count, report.summary.tasks.never_placed);
    let first = records(&x, |d| matches!(d, Decision::NeverPlaced(_)))
        .next()
        .expect("a never-placed task");
    check(
        "02-constraints.md",
        scenario,
        &[&set["/services/0/placementConstraints=".len()..]],
        &[
            format!(
                "**{} tasks are never placed**, the first of them task {}, {} minutes after the start: \"{}\"",
                g.count,
                first.task.expect("task"),
                first.time_s / 60.0,
                g.reason
            ),
            format!("ecsim explain results/lesson-02 --task {}", first.task.expect("task")),
            format!("{} more still wait for capacity at the end of the run", waiting.count),
            "memberOf(attribute:ecs.availability-zone not in [us-east-1a])".to_string(),
        ],
    );
}

#[test]
fn lesson_03_base_and_weight() {
    let scenario = "scenarios/fargate-spot-base/base-2.json";
    let set = r#"/duration="1h""#;
    let (_, x) = run(scenario, &[set]);
    let chosen: Vec<(u32, String, String)> =
        records(&x, |d| matches!(d, Decision::CapacityProviderStrategy(_)))
            .filter_map(|r| match &r.decision {
                Decision::CapacityProviderStrategy(s) => Some((
                    r.task?,
                    s.items[s.chosen].capacity_provider.clone(),
                    s.rule.clone(),
                )),
                _ => None,
            })
            .filter(|(t, _, _)| *t < 4)
            .collect();
    assert_eq!(chosen.len(), 4);
    let on = |p: &str| chosen.iter().filter(|c| c.1 == p).count();
    check(
        "03-capacity-provider-base-and-weight.md",
        scenario,
        &["--set '/duration=\"1h\"'"],
        &[
            format!(
                "**{} tasks on FARGATE, {} on FARGATE_SPOT.**",
                on("FARGATE"),
                on("FARGATE_SPOT")
            ),
            format!("(\"{}\" for task 1)", chosen[1].2),
        ],
    );
}

#[test]
fn lesson_04_and_05_scaling() {
    let scenario = "scenarios/scale-out-lag/scenario.json";
    let (_, x) = run(scenario, &[]);
    // 04: the first service activity.
    let (r, t) = records(
        &x,
        |d| matches!(d, Decision::ServiceScaling(t) if t.activity.is_some()),
    )
    .find_map(|r| match &r.decision {
        Decision::ServiceScaling(t) => Some((r, t)),
        _ => None,
    })
    .expect("a service scaling activity");
    let a = t.activity.as_ref().expect("activity");
    let p = &t.policies[0];
    let pr = p.proposal.as_ref().expect("proposal");
    let high = &p.alarms[0];
    check(
        "04-service-auto-scaling.md",
        scenario,
        &[],
        &[
            format!(
                "ecsim explain results/lesson-04 --event {}",
                r.event.expect("logged")
            ),
            format!(
                "**{} of {}** one-minute datapoints",
                high.datapoints_to_alarm, high.evaluation_periods
            ),
            format!("at minute {}", r.time_s / 60.0),
            format!(
                "ceil({} × {} ÷ {}) = **{}**",
                t.running,
                pr.metric,
                pr.target.expect("target"),
                a.to
            ),
        ],
    );
    // 05: the first two managed scaling activities and the warm-up between them.
    let managed: Vec<(&Record, &ecsim::explain::scaling::ManagedScalingTrace)> =
        records(&x, |d| matches!(d, Decision::ManagedScaling(_)))
            .filter_map(|r| match &r.decision {
                Decision::ManagedScaling(m) => Some((r, m)),
                _ => None,
            })
            .collect();
    let acts: Vec<&(&Record, &ecsim::explain::scaling::ManagedScalingTrace)> = managed
        .iter()
        .filter(|(_, m)| m.activity.is_some())
        .collect();
    let (r1, m1) = acts[0];
    let (r2, m2) = acts[1];
    let a1 = m1.activity.as_ref().expect("activity");
    let a2 = m2.activity.as_ref().expect("activity");
    let held = managed.iter().any(|(r, m)| {
        r.time_s > r1.time_s
            && r.time_s < r2.time_s
            && m.outcome == "no change: an instance is still warming up"
    });
    assert!(held, "the warm-up holds the second step back");
    check(
        "05-cluster-auto-scaling.md",
        scenario,
        &[],
        &[
            format!("ecsim explain results/lesson-05 --event {}", r1.event.expect("logged")),
            format!("ecsim explain results/lesson-05 --event {}", r2.event.expect("logged")),
            format!(
                "At minute {} only {} tasks are PROVISIONING",
                r1.time_s / 60.0,
                m1.provisioning_tasks
            ),
            format!(
                "M = {}, N = {}, `CapacityProviderReservation` = **{}**, so the desired capacity becomes ceil({} × {} ÷ {}) = **{}**",
                m1.m, m1.n, m1.reservation, m1.n, m1.reservation, m1.target_capacity, a1.to
            ),
            format!(
                "Only at minute {}, past the warm-up, does it scale {} → {} (M = {} for {} PROVISIONING tasks)",
                r2.time_s / 60.0,
                a2.from,
                a2.to,
                m2.m,
                m2.provisioning_tasks
            ),
        ],
    );
}

#[test]
fn lesson_06_az_resilience() {
    let scenario = "scenarios/az-outage/three-azs.json";
    let (_, x) = run(scenario, &[]);
    let (r, f) = records(&x, |d| matches!(d, Decision::Fault(_)))
        .find_map(|r| match &r.decision {
            Decision::Fault(f) => Some((r, f)),
            _ => None,
        })
        .expect("a fault");
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    check(
        "06-az-resilience.md",
        scenario,
        &[],
        &[
            format!(
                "ecsim explain results/lesson-06 --event {}",
                r.event.expect("logged")
            ),
            format!(
                "**{} and {}**",
                plural(f.instances_lost.len(), "instance"),
                plural(f.tasks_lost_count as usize, "task")
            ),
            format!(
                "**{}**",
                plural(f.instances_launched.len(), "replacement instance")
            ),
        ],
    );
}

#[test]
fn lesson_07_debug_an_unplaced_task() {
    let scenario = "scenarios/az-outage/one-az.json";
    let (report, x) = run(scenario, &[]);
    assert_eq!(x.never_placed.len(), 1);
    let g = &x.never_placed[0];
    assert_eq!(g.count, report.summary.tasks.never_placed);
    let first_failure = records(
        &x,
        |d| matches!(d, Decision::Placement(p) if p.chosen.is_none()),
    )
    .next()
    .expect("a failed placement");
    let Decision::Placement(p) = &first_failure.decision else {
        unreachable!()
    };
    let down = &p.filters[0];
    assert_eq!(down.filter, "Availability Zone down");
    assert_eq!((down.removed, down.left), (p.instances, 0));
    check(
        "07-debug-an-unplaced-task.md",
        scenario,
        &[],
        &[
            format!(
                "ecsim explain results/lesson-07 --task {}",
                first_failure.task.expect("task")
            ),
            format!(
                "**{} tasks never placed**, all for \"{}\"",
                g.count, g.reason
            ),
            p.reason.clone().expect("ECS's reason").replace(
                "no container instance met all of its requirements. Reason: ",
                "ECS's reason is \"",
            ),
        ],
    );
}

/// Every lesson file is in the workbook's index and the README points at the workbook.
#[test]
fn the_workbook_is_indexed() {
    let index = lesson("README.md");
    let mut files: Vec<String> = std::fs::read_dir(repo_root().join("lessons"))
        .expect("lessons/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for f in &files {
        assert!(
            index.contains(&format!("]({f})")),
            "lessons/README.md does not link {f}"
        );
    }
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    assert!(
        readme.contains("lessons/README.md"),
        "README.md does not point at the workbook"
    );
}

#[test]
fn lesson_08_spot_replacement() {
    let scenario = "scenarios/fargate-spot-base/base-2.json";
    let (_, x) = run(scenario, &[]);
    let faults: Vec<&Record> = records(&x, |d| matches!(d, Decision::Fault(_))).collect();
    let first = faults[0];
    let Decision::Fault(f) = &first.decision else {
        unreachable!()
    };
    let lost = f.tasks_lost[0];
    // The replacement: the first strategy decision after the fault, at the same moment.
    let (r, s) = records(&x, |d| matches!(d, Decision::CapacityProviderStrategy(_)))
        .filter(|r| r.id > first.id)
        .find_map(|r| match &r.decision {
            Decision::CapacityProviderStrategy(s) => Some((r, s)),
            _ => None,
        })
        .expect("a replacement");
    assert_eq!(r.time_s, first.time_s, "replaced at once");
    // Every interruption is of a Spot task: each lost task had been sent to FARGATE_SPOT.
    for fr in &faults {
        let Decision::Fault(f) = &fr.decision else {
            unreachable!()
        };
        for t in &f.tasks_lost {
            let provider = records(&x, |d| matches!(d, Decision::CapacityProviderStrategy(_)))
                .find(|r| r.task == Some(*t))
                .and_then(|r| match &r.decision {
                    Decision::CapacityProviderStrategy(s) => {
                        Some(s.items[s.chosen].capacity_provider.clone())
                    }
                    _ => None,
                });
            assert_eq!(provider.as_deref(), Some("FARGATE_SPOT"), "task {t}");
        }
    }
    check(
        "08-spot-replacement.md",
        scenario,
        &[],
        &[
            format!(
                "The first interruption hits task {lost} at {}",
                ecsim::explain::text::hms(first.time_s)
            ),
            format!(
                "**task {}, goes to {}**",
                r.task.expect("task"),
                s.items[s.chosen].capacity_provider
            ),
            format!("**{} interruptions in the week**", faults.len()),
            format!(
                "ecsim explain results/lesson-08 --task {}",
                r.task.expect("task")
            ),
        ],
    );
}
