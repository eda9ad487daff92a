//! Running one point: its scenario, its replicas in stages, and when it may stop early.
//!
//! Racing, per point: the point runs `initial` replicas, then `initial × growth`, … up to
//! the full count; after each stage but the last, if a constraint is judged infeasible on
//! its confidence interval (the whole interval beyond the bound, see `stats::RULE`), the
//! point stops there, since more replicas would only narrow an interval that already
//! excludes it. The decision depends on that point's replicas alone, never on other points,
//! so a point's result is the same whether it runs alone, in a shard, or in the whole sweep,
//! and merged shards give the bytes of an unsharded run.
//!
//! What this rule deliberately does not do: stop a feasible point because another point is
//! already cheaper (successive halving across points). That needs every point's result
//! before any decision, which a shard does not have; a feasible point always runs its full
//! replicas, and only clearly infeasible points are cut short.
//!
//! Common random numbers: replica r of every point runs with seed `seed + r`, so two points
//! differ by their capacity, not by their luck.

use rayon::prelude::*;
use serde_json::Value;

use super::file::{lookup, Lookup, Plan, Search};
use super::stats::{judge, Acc, Verdict};
use super::SweepError;
use crate::scenario::{variants, Problem, Scenario};

/// What a point keeps: its levels, how many replicas ran, and one accumulator per figure of
/// `Plan::figures`. A few hundred bytes, whatever the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct PointResult {
    /// Point index in the design.
    pub index: u64,
    /// Level index per parameter.
    pub levels: Vec<u32>,
    /// Replicas run.
    pub replicas: u32,
    /// Per figure, aligned with `Plan::figures`.
    pub figures: Vec<Acc>,
}

/// The cumulative replica counts of the stages: `[R]` for a full search, `[a, a·g, …, R]`
/// for racing.
pub fn stages(search: Search, replicas: u32) -> Vec<u32> {
    match search {
        Search::Full => vec![replicas],
        Search::Racing { initial, growth } => {
            let mut out = Vec::new();
            let mut at = initial.max(1);
            while at < replicas {
                out.push(at);
                at = at.saturating_mul(growth.max(2));
            }
            out.push(replicas);
            out
        }
    }
}

/// The base document with a point's levels applied.
pub fn point_document(plan: &Plan, base: &Value, levels: &[u32]) -> Result<Value, Problem> {
    let mut doc = base.clone();
    for (p, &l) in plan.parameters.iter().zip(levels) {
        let level = &p.levels[l as usize];
        for (ptr, text) in &level.set {
            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            variants::set(&mut doc, ptr, v).map_err(|message| Problem {
                path: format!("{} = {}: {ptr}", p.name, level.label),
                message,
            })?;
        }
    }
    Ok(doc)
}

/// A point's validated scenario.
pub fn point_scenario(
    plan: &Plan,
    base: &Value,
    base_dir: &std::path::Path,
    index: u64,
    levels: &[u32],
) -> Result<Scenario, SweepError> {
    let describe = || {
        plan.parameters
            .iter()
            .zip(levels)
            .map(|(p, &l)| format!("{} = {}", p.name, p.levels[l as usize].label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let doc = point_document(plan, base, levels).map_err(|p| SweepError::Point {
        index,
        point: describe(),
        problems: vec![p],
    })?;
    crate::scenario::from_value(doc, base_dir).map_err(|problems| SweepError::Point {
        index,
        point: describe(),
        problems,
    })
}

/// Runs one point (its stages, its replicas in parallel within a stage) and keeps its
/// figures' accumulators.
pub fn evaluate(
    plan: &Plan,
    base: &Value,
    base_dir: &std::path::Path,
    index: u64,
    levels: &[u32],
) -> Result<PointResult, SweepError> {
    let scenario = point_scenario(plan, base, base_dir, index, levels)?;
    let mut figures = vec![Acc::default(); plan.figures.len()];
    let mut done = 0u32;
    let stages = stages(plan.search, plan.replicas);
    for (k, &target) in stages.iter().enumerate() {
        let values: Vec<Result<Vec<Option<f64>>, SweepError>> = (done..target)
            .into_par_iter()
            .map(|r| replica_figures(plan, &scenario, index, r))
            .collect();
        // In replica order, so the sums do not depend on the thread count.
        for v in values {
            for (acc, x) in figures.iter_mut().zip(v?) {
                if let Some(x) = x {
                    acc.push(x);
                }
            }
        }
        done = target;
        let last = k + 1 == stages.len();
        if !last && clearly_infeasible(plan, &figures) {
            break;
        }
    }
    Ok(PointResult {
        index,
        levels: levels.to_vec(),
        replicas: done,
        figures,
    })
}

/// Runs replica `r` of a point and reads its figures.
fn replica_figures(
    plan: &Plan,
    scenario: &Scenario,
    index: u64,
    r: u32,
) -> Result<Vec<Option<f64>>, SweepError> {
    let seed = plan.seed.wrapping_add(u64::from(r));
    let report = crate::run(scenario, Some(seed), &mut |_| {})
        .map_err(|error| SweepError::Run { index, seed, error })?;
    // The summary as summary.json has it: figure paths are paths in that file.
    let json = serde_json::to_value(&report.summary).unwrap_or(Value::Null);
    Ok(plan
        .figures
        .iter()
        .map(|f| match lookup(&json, f) {
            Lookup::Number(x) if x.is_finite() => Some(x),
            _ => None,
        })
        .collect())
}

/// Whether some constraint is already judged infeasible.
pub fn clearly_infeasible(plan: &Plan, figures: &[Acc]) -> bool {
    verdicts(plan, figures).contains(&Verdict::Infeasible)
}

/// Each constraint's verdict on the point's accumulators.
pub fn verdicts(plan: &Plan, figures: &[Acc]) -> Vec<Verdict> {
    plan.constraints
        .iter()
        .map(|c| {
            let i = plan
                .figures
                .iter()
                .position(|f| *f == c.figure)
                .and_then(|k| figures[k].interval());
            judge(i, c.bound)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn racing_stages_grow_to_the_full_count() {
        let racing = Search::Racing {
            initial: 3,
            growth: 2,
        };
        assert_eq!(stages(racing, 10), vec![3, 6, 10]);
        assert_eq!(stages(racing, 12), vec![3, 6, 12]);
        assert_eq!(stages(racing, 3), vec![3]);
        assert_eq!(stages(racing, 1), vec![1]);
        assert_eq!(stages(Search::Full, 10), vec![10]);
    }
}
