//! Decision traces: why this instance, why no instance, why now, why this many (issue 16).
//!
//! Owns the trace records written to `explain.jsonl` by `ecsim run --explain`, the
//! [`Explainer`] that collects them during a run (bounded by `settings.explainLimit`), the
//! pure passes that build a trace from the same read-only views the policies decided on
//! (`placement`, `scaling`), the text rendering (`text`) shared by `ecsim explain` and
//! `report.html`, and the reader behind `ecsim explain` (`read`).
//!
//! It never takes a decision and never draws from a random stream: every trace is built
//! after the policy has decided, from the decision and the state it was taken on, so a run
//! with `--explain` decides exactly as one without. When explaining is off the simulation
//! holds no [`Explainer`] and each decision site costs one `Option` test.

pub mod managed_instances;
pub mod placement;
pub mod read;
pub mod rebalancing;
pub mod scaling;
pub mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One line of `explain.jsonl`: a decision, when it was taken and what it was about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Its 0-based number in `explain.jsonl` (`report.html` anchors use it).
    pub id: u64,
    /// Simulated time of the decision, seconds from the start.
    pub time_s: f64,
    /// What the decision was about, in the words of `events.jsonl` (a service, a capacity
    /// provider, an instance, an Availability Zone).
    pub subject: String,
    /// The task it was about, by the number events.jsonl prints ("task 17").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    /// The service it was about, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The 0-based line of `events.jsonl` the decision logged, if it logged one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<u64>,
    /// The decision itself.
    #[serde(flatten)]
    pub decision: Decision,
}

/// The kinds of decision, tagged `decision` in the JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Where an EC2 task went, or why nowhere.
    Placement(placement::PlacementTrace),
    /// Which capacity provider of a strategy a new task uses.
    CapacityProviderStrategy(StrategyTrace),
    /// A metric period of service auto scaling in which some policy was invoked.
    ServiceScaling(scaling::ServiceScalingTrace),
    /// A scheduled action of service auto scaling.
    ScheduledAction(ScheduledTrace),
    /// A minute of capacity provider managed scaling away from its target, or acting.
    ManagedScaling(scaling::ManagedScalingTrace),
    /// A task that never got capacity: it stopped unplaced, or still waited at the end.
    NeverPlaced(NeverPlacedTrace),
    /// A fault: what failed, what was lost, what replaced it.
    Fault(FaultTrace),
    /// A minute of an ECS Managed Instances provider with tasks no instance already there
    /// could take: the types considered, their price per task, the ones launched.
    ManagedInstancesLaunch(managed_instances::ManagedInstancesLaunchTrace),
    /// An infrastructure optimization pass of an ECS Managed Instances provider that gave
    /// instances back or kept an under-utilized one.
    ManagedInstancesConsolidation(managed_instances::ConsolidationTrace),
    /// An Availability Zone rebalancing check of a service that acted or was held back.
    AzRebalancing(rebalancing::AzRebalancingTrace),
    /// The last line when `settings.explainLimit` was reached.
    LimitReached {
        /// The limit in force.
        limit: u64,
        /// The kinds of decision it cut, e.g. "placements and capacity provider strategies".
        left_out: Vec<String>,
    },
}

/// The three shares of `settings.explainLimit`: each kind of decision may keep up to the
/// limit, so a run whose placements fill their share still explains its scaling and its
/// faults (the decisions its timeline links to), and many never-placed tasks do not crowd
/// out either. At most three times the limit in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Budget {
    /// Placements and capacity provider strategies: one or two per task.
    Tasks,
    /// Tasks never placed.
    NeverPlaced,
    /// Service and managed scaling, scheduled actions, faults, Managed Instances launches
    /// and consolidation, AZ rebalancing.
    Others,
}

impl Budget {
    const ALL: [Budget; 3] = [Budget::Tasks, Budget::NeverPlaced, Budget::Others];

    fn of(d: &Decision) -> Budget {
        match d {
            Decision::Placement(_) | Decision::CapacityProviderStrategy(_) => Budget::Tasks,
            Decision::NeverPlaced(_) => Budget::NeverPlaced,
            _ => Budget::Others,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Budget::Tasks => "placements and capacity provider strategies",
            Budget::NeverPlaced => "tasks never placed",
            Budget::Others => "scaling decisions and faults",
        }
    }
}

/// The base-then-weight arithmetic of a capacity provider strategy for one task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyTrace {
    /// Each item of the strategy, in order.
    pub items: Vec<StrategyItemTrace>,
    /// The index of the item chosen.
    pub chosen: usize,
    /// Which rule chose it, with its numbers.
    pub rule: String,
}

/// One item of a capacity provider strategy as it stood before the task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyItemTrace {
    /// The capacity provider.
    pub capacity_provider: String,
    /// `base`.
    pub base: u32,
    /// `weight`.
    pub weight: u32,
    /// The owner's live tasks on it before this one.
    pub tasks: u32,
}

/// A scheduled action that changed a service's desired count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledTrace {
    /// Desired count before.
    pub from: u32,
    /// Desired count after.
    pub to: u32,
    /// The action.
    pub policy: String,
    /// Its cause in AWS's wording.
    pub cause: String,
}

/// Why a task never got capacity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeverPlacedTrace {
    /// What became of it: "stopped: …" or "still waiting at the end of the run".
    pub outcome: String,
    /// The reason, grouped: ECS's wording without the instance id.
    pub reason: String,
    /// The placement pass over its pool at that moment, for EC2 tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<placement::PlacementTrace>,
}

/// A fault and its consequences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultTrace {
    /// What failed, as events.jsonl says it.
    pub what: String,
    /// Instances lost (EC2 display ids), at most [`LIST_LIMIT`].
    pub instances_lost: Vec<String>,
    /// Tasks lost or stopped, by number, at most [`LIST_LIMIT`].
    pub tasks_lost: Vec<u32>,
    /// How many tasks were lost in all (the list may be cut).
    pub tasks_lost_count: u64,
    /// Instances launched to replace capacity, at most [`LIST_LIMIT`].
    pub instances_launched: Vec<String>,
    /// Tasks started at once (re-runs, replacements), at most [`LIST_LIMIT`].
    pub tasks_started: Vec<u32>,
    /// The stopped reason the lost tasks carry, when the fault stops tasks with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    /// What replaces the rest.
    pub note: String,
}

/// Longest list a trace carries (instances, tasks, binpack ranks): a trace explains one
/// decision and must stay readable, and a 10,000-instance cluster must not make each line
/// megabytes long. Counts are always complete; lists stop here.
pub const LIST_LIMIT: usize = 10;

/// All a run's traces, handed to the binary in the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Explanations {
    /// The records, in decision order (`id` = index).
    pub records: Vec<Record>,
    /// The limit in force; a final `limit_reached` line is written when it cut the trace.
    pub limit: u64,
    /// True when decisions were left out past the limit.
    pub limit_reached: bool,
    /// Which kinds were cut ([`Budget`] words).
    pub left_out: Vec<String>,
    /// Tasks never placed per grouped reason: (reason, count, first task's record).
    pub never_placed: Vec<NeverPlacedGroup>,
}

/// Tasks never placed that share a reason.
#[derive(Clone, Debug, PartialEq)]
pub struct NeverPlacedGroup {
    /// The reason, in ECS's wording without instance ids.
    pub reason: String,
    /// How many tasks.
    pub count: u64,
    /// Up to [`LIST_LIMIT`] of their task numbers.
    pub tasks: Vec<u32>,
    /// The record of the first one, if it was kept under the limit.
    pub first_record: Option<u64>,
}

impl Explanations {
    /// `explain.jsonl`: one JSON object per line, then one `limit_reached` line if the limit
    /// cut the trace.
    pub fn jsonl(&self) -> String {
        let mut out = String::new();
        for r in &self.records {
            // Serialising plain data cannot fail; a failure would be a bug in a type above.
            out.push_str(&serde_json::to_string(r).unwrap_or_default());
            out.push('\n');
        }
        if self.limit_reached {
            let last = Record {
                id: self.records.len() as u64,
                time_s: self.records.last().map_or(0.0, |r| r.time_s),
                subject: "settings.explainLimit".into(),
                task: None,
                service: None,
                event: None,
                decision: Decision::LimitReached {
                    limit: self.limit,
                    left_out: self.left_out.clone(),
                },
            };
            out.push_str(&serde_json::to_string(&last).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// The record that explains events.jsonl line `event`, if any.
    pub fn for_event(&self, event: u64) -> Option<&Record> {
        self.records.iter().find(|r| r.event == Some(event))
    }
}

/// What a pending strategy trace is for: the next task's number, the time, and the strategy
/// (its items' address in the scenario, which tells one owner's strategy from another's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingKey {
    /// The number the next task will have.
    pub task: u32,
    /// Simulated milliseconds.
    pub at_ms: u64,
    /// The address of the strategy's items.
    pub strategy: usize,
}

/// Collects the traces of one run. Present only with `--explain`.
#[derive(Debug)]
pub struct Explainer {
    limit: u64,
    records: Vec<Record>,
    /// Records kept per [`Budget`], in `Budget::ALL` order.
    kept: [u64; 3],
    /// Budgets that refused a record.
    cut: [bool; 3],
    /// Tasks whose failed placement was already traced: a waiting task is tried again at
    /// every placement pass, and its first failure says why; later ones would repeat it.
    failed_once: std::collections::BTreeSet<u32>,
    /// The strategy trace of the task about to be created (its number is not known when the
    /// provider is chosen), with the key it must match: a provider is sometimes chosen and
    /// then no task created (no room at a warm start, the PROVISIONING quota full), and the
    /// next task created may be another owner's.
    pending_strategy: Option<(PendingKey, StrategyTrace)>,
    never_placed: BTreeMap<String, NeverPlacedGroup>,
}

impl Explainer {
    /// An empty trace keeping at most `limit` records.
    pub fn new(limit: u64) -> Explainer {
        Explainer {
            limit,
            records: Vec::new(),
            kept: [0; 3],
            cut: [false; 3],
            failed_once: Default::default(),
            pending_strategy: None,
            never_placed: BTreeMap::new(),
        }
    }

    /// True once `budget`'s share of the limit is used: callers skip building traces nobody
    /// will keep, so a long run pays for at most `limit` traces of each kind. Notes the cut.
    pub fn full(&mut self, budget: Budget) -> bool {
        let full = self.kept[budget as usize] >= self.limit;
        if full {
            self.cut[budget as usize] = true;
        }
        full
    }

    /// Keeps a record (numbered here), unless the limit is reached. Returns its number.
    pub fn push(
        &mut self,
        time_s: f64,
        subject: String,
        task: Option<u32>,
        service: Option<String>,
        event: Option<u64>,
        decision: Decision,
    ) -> Option<u64> {
        let budget = Budget::of(&decision);
        if self.full(budget) {
            return None;
        }
        self.kept[budget as usize] += 1;
        let n = self.records.len() as u64;
        self.records.push(Record {
            id: n,
            time_s,
            subject,
            task,
            service,
            event,
            decision,
        });
        Some(n)
    }

    /// True the first time task `t`'s placement fails.
    pub fn first_failure(&mut self, t: u32) -> bool {
        self.failed_once.insert(t)
    }

    /// Remembers the strategy trace for the next task created.
    pub fn set_pending_strategy(&mut self, key: PendingKey, s: StrategyTrace) {
        self.pending_strategy = Some((key, s));
    }

    /// Takes the strategy trace left by [`Explainer::set_pending_strategy`] if it was left
    /// for `key`; drops it otherwise.
    pub fn take_pending_strategy(&mut self, key: PendingKey) -> Option<StrategyTrace> {
        match self.pending_strategy.take() {
            Some((k, s)) if k == key => Some(s),
            _ => None,
        }
    }

    /// Counts a never-placed task under its grouped reason (whatever the limit: a count per
    /// reason is small).
    pub fn count_never_placed(&mut self, reason: &str, task: u32, record: Option<u64>) {
        let g = self
            .never_placed
            .entry(reason.to_string())
            .or_insert_with(|| NeverPlacedGroup {
                reason: reason.to_string(),
                count: 0,
                tasks: Vec::new(),
                first_record: record,
            });
        g.count += 1;
        if g.tasks.len() < LIST_LIMIT {
            g.tasks.push(task);
        }
    }

    /// The finished trace.
    pub fn finish(self) -> Explanations {
        let mut never_placed: Vec<NeverPlacedGroup> = self.never_placed.into_values().collect();
        // Most common reason first; the reason text breaks ties, so the order is stable.
        never_placed.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
        let left_out: Vec<String> = Budget::ALL
            .iter()
            .filter(|b| self.cut[**b as usize])
            .map(|b| b.words().to_string())
            .collect();
        Explanations {
            records: self.records,
            limit: self.limit,
            limit_reached: !left_out.is_empty(),
            left_out,
            never_placed,
        }
    }
}

/// The strategy arithmetic for the next task of `items`, given the owner's live tasks per
/// item and the index [`crate::scheduler::capacity_provider_strategy::choose`] returned.
pub fn strategy_trace(
    items: &[crate::scenario::StrategyItem],
    counts: &[u32],
    chosen: usize,
    provider_name: impl Fn(crate::ids::CapacityProviderId) -> String,
) -> StrategyTrace {
    let traced: Vec<StrategyItemTrace> = items
        .iter()
        .zip(counts)
        .map(|(it, &n)| StrategyItemTrace {
            capacity_provider: provider_name(it.capacity_provider),
            base: it.base,
            weight: it.weight,
            tasks: n,
        })
        .collect();
    let rule = match items.get(chosen) {
        Some(it) if counts[chosen] < it.base => format!(
            "base first: {} holds {} of its base {}, so the task goes there",
            traced[chosen].capacity_provider, counts[chosen], it.base
        ),
        Some(_) => {
            // The same comparison `choose` makes: (tasks beyond base + 1) ÷ weight, lowest
            // wins, earlier item on a tie.
            let shares: Vec<String> = items
                .iter()
                .zip(&traced)
                .filter(|(it, _)| it.weight > 0)
                .map(|(it, t)| {
                    let beyond = t.tasks.saturating_sub(it.base) + 1;
                    format!(
                        "{}: ({} task{} beyond its base + this one) ÷ weight {} = {:.3}",
                        t.capacity_provider,
                        beyond - 1,
                        if beyond == 2 { "" } else { "s" },
                        it.weight,
                        f64::from(beyond) / f64::from(it.weight)
                    )
                })
                .collect();
            format!(
                "every base is met; weight: the provider whose share after this task is lowest wins (earlier item on a tie): {}",
                shares.join("; ")
            )
        }
        None => "no item has a weight".to_string(),
    };
    StrategyTrace {
        items: traced,
        chosen,
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CapacityProviderId;
    use crate::scenario::StrategyItem;
    use crate::scheduler::capacity_provider_strategy::choose;

    fn item(p: u16, base: u32, weight: u32) -> StrategyItem {
        StrategyItem {
            capacity_provider: CapacityProviderId(p),
            base,
            weight,
        }
    }

    fn name(cp: CapacityProviderId) -> String {
        ["FARGATE", "FARGATE_SPOT"][usize::from(cp.0)].to_string()
    }

    /// The trace names the rule `choose` applied, with its numbers: base first while a base
    /// is unmet, then (tasks beyond base + 1) ÷ weight, lowest first.
    #[test]
    fn strategy_trace_spells_out_base_then_weight() {
        let items = [item(0, 2, 1), item(1, 0, 3)];
        let counts = [1, 0];
        let i = choose(&items, &counts).unwrap();
        let t = strategy_trace(&items, &counts, i, name);
        assert_eq!(t.chosen, 0);
        assert_eq!(
            t.rule,
            "base first: FARGATE holds 1 of its base 2, so the task goes there"
        );
        // Base met: FARGATE (0 + 1) ÷ 1 = 1 against FARGATE_SPOT (0 + 1) ÷ 3 = 0.333.
        let counts = [2, 0];
        let i = choose(&items, &counts).unwrap();
        let t = strategy_trace(&items, &counts, i, name);
        assert_eq!(t.chosen, 1);
        assert!(
            t.rule
                .contains("FARGATE: (0 tasks beyond its base + this one) ÷ weight 1 = 1.000"),
            "{}",
            t.rule
        );
        assert!(
            t.rule
                .contains("FARGATE_SPOT: (0 tasks beyond its base + this one) ÷ weight 3 = 0.333"),
            "{}",
            t.rule
        );
        assert_eq!(t.items[1].tasks, 0);
    }

    /// Each kind of decision has its own share of the limit, and the limit line names the
    /// kinds it cut.
    #[test]
    fn each_kind_has_its_share_of_the_limit() {
        let mut x = Explainer::new(1);
        let scheduled = || {
            Decision::ScheduledAction(ScheduledTrace {
                from: 1,
                to: 2,
                policy: "p".into(),
                cause: "c".into(),
            })
        };
        assert_eq!(
            x.push(0.0, "s".into(), None, None, None, scheduled()),
            Some(0)
        );
        assert_eq!(x.push(1.0, "s".into(), None, None, None, scheduled()), None);
        let strategy = Decision::CapacityProviderStrategy(StrategyTrace {
            items: Vec::new(),
            chosen: 0,
            rule: String::new(),
        });
        assert_eq!(
            x.push(2.0, "s".into(), Some(3), None, None, strategy),
            Some(1)
        );
        let done = x.finish();
        assert_eq!(done.records.len(), 2);
        assert_eq!(done.left_out, ["scaling decisions and faults"]);
        let last = done.jsonl().lines().last().unwrap().to_string();
        assert!(last.contains("\"decision\":\"limit_reached\""), "{last}");
    }
}
