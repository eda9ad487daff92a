//! ECS Managed Instances traces: why the provider launched these instance types for the tasks
//! waiting on it (the price per task held of each type its `instanceRequirements` admit),
//! and what an infrastructure optimization pass gave back and why it kept the rest.
//!
//! Owns `ManagedInstancesLaunchTrace`, `ConsolidationTrace` and `launch_rounds`, the pure
//! function that turns the selection's own record of a plan
//! (`autoscaling::managed_instances::PlanRound`) into readable rounds. It recomputes nothing
//! the selection decided: the tasks each type holds are the ones the selection counted.

use serde::{Deserialize, Serialize};

use crate::autoscaling::managed_instances::{Candidate, PlanRound};

/// Most candidate types a launch round lists, and most instances a consolidation pass lists:
/// a provider may admit a hundred types and run thousands of instances, and a trace explains
/// one decision. The cheapest per task come first (the chosen one among them); the rest are
/// counted in `more`.
pub const CANDIDATE_LIMIT: usize = 8;

/// Most launch rounds a trace details: the selection repeats one round per instance, and
/// after the first few the rounds usually repeat the same choice; `launched` tallies them all.
pub const ROUND_LIMIT: usize = 3;

/// A minute of a Managed Instances provider in which tasks waited that no instance already
/// there could take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedInstancesLaunchTrace {
    /// Tasks waiting on the provider (PROVISIONING).
    pub waiting_tasks: u32,
    /// Up to [`super::LIST_LIMIT`] of them, by number.
    pub tasks: Vec<u32>,
    /// The waiting tasks by shape, and where each shape's tasks are to go.
    pub shapes: Vec<ShapeTrace>,
    /// Waiting tasks that no pending or ACTIVE instance of the provider could take.
    pub left: u32,
    /// Instance types that matched `instanceRequirements` (the selection's candidates).
    pub types_matched: u32,
    /// How many instances the provider may still launch (its instance cap less those in
    /// service).
    pub launch_limit: u32,
    /// The first rounds of the selection, one per instance chosen, at most [`ROUND_LIMIT`].
    pub rounds: Vec<RoundTrace>,
    /// How many rounds chose an instance in all.
    pub instances_chosen: u32,
    /// The instances launched, by type ("2 × m6i.xlarge").
    pub launched: Vec<String>,
    /// What came of it.
    pub outcome: String,
}

/// Waiting tasks of one shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShapeTrace {
    /// CPU units of one task.
    pub cpu: u32,
    /// MiB of one task.
    pub memory_mib: u32,
    /// The architecture its task definition asks for.
    pub architecture: String,
    /// How many wait.
    pub waiting: u32,
    /// Taken by the room of instances launched and not yet registered.
    pub on_pending: u32,
    /// Taken by free room on ACTIVE instances (a placement pass is asked for them).
    pub on_active: u32,
    /// Left for new instances.
    pub left: u32,
}

/// One round of the selection: the candidate types for the largest task still waiting, and
/// the one chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundTrace {
    /// Tasks still waiting before this round (of every architecture).
    pub waiting: u32,
    /// The architecture of the largest task still waiting, which decides this instance's.
    pub architecture: String,
    /// The candidates that hold at least one task, cheapest per task first, at most
    /// [`CANDIDATE_LIMIT`].
    pub candidates: Vec<CandidateTrace>,
    /// Candidates that hold some task but are not listed.
    pub more: u32,
    /// Candidates of another architecture, not considered.
    pub other_architecture: u32,
    /// Candidates of the architecture too small for any waiting task.
    pub hold_none: u32,
    /// The type chosen; `None` when none could hold a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// Why it won, with its numbers.
    pub rule: String,
}

/// One candidate type in a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateTrace {
    /// The instance type.
    pub instance_type: String,
    /// Its EC2 On-Demand price, USD per hour.
    pub ec2_usd_per_hour: f64,
    /// The Managed Instances management fee, USD per hour.
    pub fee_usd_per_hour: f64,
    /// Waiting tasks one instance of it would hold (first-fit decreasing).
    pub tasks_held: u32,
    /// (EC2 + fee) ÷ tasks held.
    pub usd_per_task: f64,
}

/// One infrastructure optimization pass that gave something back, or kept an under-utilized
/// instance it looked at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsolidationTrace {
    /// ACTIVE instances of the provider looked at.
    pub instances: u32,
    /// `scaleInAfter`, seconds.
    pub scale_in_after_s: u64,
    /// The under-utilization threshold: less than this share of both CPU and memory
    /// reserved, percent.
    pub threshold_percent: f64,
    /// Instances without a task for at least `scaleInAfter`, terminated (at most
    /// [`super::LIST_LIMIT`]).
    pub idle_terminated: Vec<String>,
    /// How many in all.
    pub idle_count: u32,
    /// Instances under the threshold, those eligible first in the order the pass tried them
    /// (least reserved first), at most [`CANDIDATE_LIMIT`].
    pub candidates: Vec<ConsolidationCandidate>,
    /// Instances under the threshold not listed.
    pub more: u32,
    /// The instance drained, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drained: Option<String>,
    /// What came of it.
    pub outcome: String,
}

/// An instance under the utilisation threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsolidationCandidate {
    /// The instance.
    pub instance: String,
    /// Its type.
    pub instance_type: String,
    /// Its tasks.
    pub tasks: u32,
    /// Reserved share of its registered CPU, percent.
    pub cpu_reserved_percent: f64,
    /// Reserved share of its registered memory, percent.
    pub memory_reserved_percent: f64,
    /// Drained, or why not.
    pub verdict: String,
}

/// The selection's rounds as the trace shows them: at most [`ROUND_LIMIT`], each listing
/// the candidates that hold a task cheapest per task first (the selection's own order:
/// lower price per task, then more tasks, then the lower hourly price, then the earlier
/// candidate), at most [`CANDIDATE_LIMIT`] of them. `name` and `prices` give a candidate's
/// type name and its (EC2, fee) prices per hour.
pub fn launch_rounds(
    candidates: &[Candidate],
    rounds: &[PlanRound],
    name: impl Fn(usize) -> String,
    prices: impl Fn(usize) -> (f64, f64),
) -> Vec<RoundTrace> {
    rounds
        .iter()
        .take(ROUND_LIMIT)
        .map(|r| {
            let mut held: Vec<(usize, u32)> = r.held.clone();
            let per_task = |&(c, n): &(usize, u32)| candidates[c].usd_per_hour / f64::from(n);
            held.sort_by(|a, b| {
                per_task(a)
                    .total_cmp(&per_task(b))
                    .then(b.1.cmp(&a.1))
                    .then(
                        candidates[a.0]
                            .usd_per_hour
                            .total_cmp(&candidates[b.0].usd_per_hour),
                    )
                    .then(a.0.cmp(&b.0))
            });
            let listed: Vec<CandidateTrace> = held
                .iter()
                .take(CANDIDATE_LIMIT)
                .map(|&(c, n)| {
                    let (ec2, fee) = prices(c);
                    CandidateTrace {
                        instance_type: name(c),
                        ec2_usd_per_hour: ec2,
                        fee_usd_per_hour: fee,
                        tasks_held: n,
                        usd_per_task: ((candidates[c].usd_per_hour / f64::from(n)) * 1e8).round()
                            / 1e8,
                    }
                })
                .collect();
            let rule = match (r.chosen, held.first()) {
                (Some(c), Some(&(first, n))) if c == first => {
                    let price = candidates[c].usd_per_hour;
                    let tie = held
                        .get(1)
                        .filter(|&&x| per_task(&x) == price / f64::from(n))
                        .map(|&(o, on)| {
                            if on < n {
                                format!(
                                    "; {} costs as much per task but holds {on}, and ties go to the type holding more",
                                    name(o)
                                )
                            } else {
                                format!(
                                    "; {} costs as much per task and holds as many, and ties go to the lower hourly price, then the earlier type",
                                    name(o)
                                )
                            }
                        })
                        .unwrap_or_default();
                    format!(
                        "lowest price per task held: {} at ${}/h (EC2 + fee) ÷ {n} task{} = ${} per task{tie}",
                        name(c),
                        usd(price),
                        if n == 1 { "" } else { "s" },
                        usd(price / f64::from(n))
                    )
                }
                (Some(c), _) => format!("{} chosen", name(c)),
                (None, _) => {
                    "no candidate of this architecture holds any waiting task: those tasks keep waiting"
                        .to_string()
                }
            };
            RoundTrace {
                waiting: r.waiting,
                architecture: r.arch.attribute_value().to_string(),
                more: held.len().saturating_sub(CANDIDATE_LIMIT) as u32,
                candidates: listed,
                other_architecture: r.other_arch,
                hold_none: r.hold_none,
                chosen: r.chosen.map(&name),
                rule,
            }
        })
        .collect()
}

/// A price with enough digits to compare per-task prices ($0.02904), trailing zeros cut.
pub fn usd(v: f64) -> String {
    let s = format!("{v:.5}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InstanceTypeId;
    use crate::units::{CpuArchitecture, Resources};

    fn cand(i: u16, usd: f64) -> Candidate {
        Candidate {
            instance_type: InstanceTypeId(i),
            arch: CpuArchitecture::X86_64,
            room: Resources::new(4096, 16384),
            usd_per_hour: usd,
        }
    }

    /// The rounds list the candidates cheapest per task first, name the tie-break that
    /// decided, and cut the list at [`CANDIDATE_LIMIT`] with a count of the rest.
    /// $0.192 ÷ 8 = $0.024 and $0.096 ÷ 4 = $0.024: the same per task, the first holds more.
    #[test]
    fn rounds_sort_by_price_per_task_and_say_the_tie_break() {
        let mut cands = vec![cand(0, 0.096), cand(1, 0.192)];
        cands.extend((2..12).map(|i| cand(i, 1.0)));
        let mut held = vec![(0, 4), (1, 8)];
        held.extend((2..12).map(|i| (i, 1)));
        let rounds = [PlanRound {
            waiting: 8,
            arch: CpuArchitecture::X86_64,
            held,
            chosen: Some(1),
            other_arch: 2,
            hold_none: 1,
        }];
        let t = launch_rounds(
            &cands,
            &rounds,
            |c| format!("t{c}"),
            |c| (cands[c].usd_per_hour, 0.0),
        );
        assert_eq!(t.len(), 1);
        let r = &t[0];
        assert_eq!(r.candidates[0].instance_type, "t1");
        assert_eq!(r.candidates[1].instance_type, "t0");
        assert_eq!(r.candidates.len(), CANDIDATE_LIMIT);
        assert_eq!(r.more, 12 - CANDIDATE_LIMIT as u32);
        assert_eq!(r.chosen.as_deref(), Some("t1"));
        assert!(
            r.rule.contains("t1 at $0.192/h (EC2 + fee) ÷ 8 tasks = $0.024 per task; t0 costs as much per task but holds 4"),
            "{}",
            r.rule
        );
        assert_eq!((r.other_architecture, r.hold_none), (2, 1));
    }
}
