//! The placement trace: the same filters and strategy chain as `scheduler::placement`, run as
//! a separate pass over the same read-only instances, counting what each step removed.
//!
//! Owns `PlacementTrace` and `trace`, which is O(instances of the pool) and runs only when
//! explaining; the indexed `Placer` the run decides with never calls it.
//! It takes no decision: the instance chosen is the one the placer chose (a `random` rule's
//! draw is not repeated, so the trace consumes nothing from the placement stream).
//! In debug builds it checks that its own ranking ends on the same instance when the chain
//! has no `random`.

use serde::{Deserialize, Serialize};

use crate::cluster::{ContainerInstance, InstanceStatus};
use crate::ids::InstanceId;
use crate::scheduler::placement::constraint::PlacementConstraint;
use crate::scheduler::placement::expression::CompiledExpr;
use crate::scheduler::placement::failure::{diagnose_uncounted, Device, PlacementFailure};
use crate::scheduler::placement::strategy::{rank_key, SpreadCounts};
use crate::scheduler::placement::{
    instance_display_id, Attribute, BinpackField, PlacementRequest, PlacementStrategy, SpreadField,
};

use super::LIST_LIMIT;

/// One placement decision, step by step, as ECS describes placement (ecs-reference §4.1):
/// filters, then the strategy chain, then the pick.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementTrace {
    /// CPU units the task reserves.
    pub need_cpu: u32,
    /// Memory (MiB) the task reserves.
    pub need_memory_mib: u32,
    /// ENIs the task takes (1 for an `awsvpc` task on EC2); absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub need_eni: u32,
    /// GPUs the task reserves; absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub need_gpu: u32,
    /// Neuron devices the task maps; absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub need_neuron: u32,
    /// The instances it may use: "the cluster" or a capacity provider.
    pub pool: String,
    /// Instances of the pool considered: every one not terminated, and terminated ones in a
    /// zone that is down now (the outage is why they are gone).
    pub instances: u32,
    /// The filters in ECS's order, each with how many of the instances still in play it
    /// removed; filters that removed nothing are listed too.
    pub filters: Vec<FilterStep>,
    /// What the model does not filter on.
    pub not_modelled: String,
    /// The strategy rules in order, each with the groups or ranking it saw.
    pub strategy: Vec<StrategyStep>,
    /// The instance chosen (EC2 display id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// For a task that could not be placed: ECS's reason, as its service event says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// For serde: a zero device count is left out of the trace.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One filter and what it removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterStep {
    /// The filter, e.g. "memory", "memberOf(attribute:ecs.instance-type in [m5.large])".
    pub filter: String,
    /// Instances it removed (among those the earlier filters kept).
    pub removed: u32,
    /// Instances left after it.
    pub left: u32,
    /// Up to three of the instances it removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// One rule of the strategy chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrategyStep {
    /// The rule in ECS's words, e.g. "spread(attribute:ecs.availability-zone)".
    pub rule: String,
    /// What it saw: spread groups with their task counts, or the binpack ranking.
    pub detail: Vec<String>,
    /// Candidates still tied after it.
    pub kept: u32,
}

/// Names of attribute values, for readable traces.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// AZ names by `AzId`.
    pub azs: Vec<String>,
    /// Instance type names by `InstanceTypeId`.
    pub instance_types: Vec<String>,
}

impl Names {
    /// The names of a scenario's AZs and catalog types.
    pub fn of(sc: &crate::scenario::Scenario) -> Names {
        Names {
            azs: sc.cluster.availability_zones.clone(),
            instance_types: sc
                .catalog
                .instance_types
                .iter()
                .map(|t| t.name.clone())
                .collect(),
        }
    }

    fn value(&self, a: Attribute, code: u16) -> String {
        let pick = |v: &Vec<String>| {
            v.get(usize::from(code))
                .cloned()
                .unwrap_or_else(|| format!("#{code}"))
        };
        match a {
            Attribute::AvailabilityZone => pick(&self.azs),
            Attribute::InstanceType => pick(&self.instance_types),
            Attribute::CpuArchitecture => if code == 0 { "x86_64" } else { "arm64" }.to_string(),
            Attribute::OsType => if code == 0 { "linux" } else { "windows" }.to_string(),
            Attribute::OsFamily => crate::units::OsFamily::ALL
                .get(usize::from(code))
                .map_or_else(|| format!("#{code}"), |f| f.ecs_name().to_string()),
        }
    }

    /// A compiled `memberOf` expression written back in the query language.
    pub fn expr(&self, e: &CompiledExpr) -> String {
        match e {
            CompiledExpr::Test {
                subject,
                codes,
                negated,
            } => {
                let values: Vec<String> = codes.iter().map(|&c| self.value(*subject, c)).collect();
                let op = if *negated { "not in" } else { "in" };
                format!("{} {op} [{}]", subject.subject(), values.join(", "))
            }
            CompiledExpr::Not(e) => format!("not ({})", self.expr(e)),
            CompiledExpr::And(a, b) => format!("({}) and ({})", self.expr(a), self.expr(b)),
            CompiledExpr::Or(a, b) => format!("({}) or ({})", self.expr(a), self.expr(b)),
        }
    }
}

/// A strategy rule in ECS's words.
pub fn rule_text(rule: PlacementStrategy) -> String {
    match rule {
        PlacementStrategy::Binpack(BinpackField::Cpu) => "binpack(cpu)".into(),
        PlacementStrategy::Binpack(BinpackField::Memory) => "binpack(memory)".into(),
        PlacementStrategy::Spread(SpreadField::InstanceId) => "spread(instanceId)".into(),
        PlacementStrategy::Spread(SpreadField::Attribute(a)) => format!("spread({})", a.subject()),
        PlacementStrategy::Random => "random".into(),
    }
}

/// ECS's reason without the instance id, so that tasks refused for the same rule group
/// together.
pub fn grouped_reason(f: &PlacementFailure) -> String {
    use crate::scheduler::placement::Mismatch;
    match f {
        PlacementFailure::NoInstances => {
            "No Container Instances were found in your cluster.".into()
        }
        PlacementFailure::Insufficient {
            memory: false,
            cpu: false,
            device: Some(d),
            ..
        } => format!(
            "The closest matching container-instance has insufficient {} available.",
            d.words()
        ),
        PlacementFailure::Insufficient { memory: true, .. } => {
            "The closest matching container-instance has insufficient memory available.".into()
        }
        PlacementFailure::Insufficient { .. } => {
            "The closest matching container-instance has insufficient CPU units available.".into()
        }
        PlacementFailure::Unmatched {
            mismatch: Mismatch::Architecture | Mismatch::OsFamily,
            ..
        } => {
            "The closest matching container-instance is missing an attribute required by your task."
                .into()
        }
        PlacementFailure::Unmatched { .. } => {
            "The closest matching container-instance did not match a placement constraint.".into()
        }
    }
}

/// Why `inst` is out, by the first filter it fails, as an index into the filter list
/// (0 AZ down, 1 DRAINING, 2 not yet ACTIVE, 3 CPU, 4 GPU, 5 memory, 6 ENI, 7 Neuron devices,
/// 8 architecture, 9 operating system, 10 distinctInstance, 11.. each memberOf), or `None` if
/// it is a candidate. Resources go in ECS's order, "CPU, GPU, memory and port needs"
/// (ecs-reference §4.1), then the ENI an `awsvpc` task takes and the Neuron devices it maps.
fn first_failed(
    req: &PlacementRequest,
    inst: &ContainerInstance,
    az_down: &[bool],
) -> Option<usize> {
    if az_down.get(inst.az.index()).copied().unwrap_or(false) {
        return Some(0);
    }
    match inst.status {
        InstanceStatus::Draining => return Some(1),
        InstanceStatus::Pending | InstanceStatus::Terminated => return Some(2),
        InstanceStatus::Active => {}
    }
    let free = inst.free();
    if free.cpu < req.need.cpu {
        return Some(3);
    }
    if free.gpu < req.need.gpu {
        return Some(4);
    }
    if free.memory < req.need.memory {
        return Some(5);
    }
    if free.eni < req.need.eni {
        return Some(6);
    }
    if free.neuron < req.need.neuron {
        return Some(7);
    }
    if req.arch.is_some_and(|a| a != inst.arch) {
        return Some(8);
    }
    if req.os != inst.os {
        return Some(OS_FILTER);
    }
    let mut member_of = 0;
    for c in req.constraints {
        match c {
            PlacementConstraint::DistinctInstance => {
                if inst.group_count(req.group) > 0 {
                    return Some(DISTINCT_FILTER);
                }
            }
            PlacementConstraint::MemberOf(e) => {
                if !e.matches(inst) {
                    return Some(DISTINCT_FILTER + 1 + member_of);
                }
                member_of += 1;
            }
        }
    }
    None
}

/// The operating system filter's index in [`first_failed`]'s list.
const OS_FILTER: usize = 9;
/// The `distinctInstance` filter's index; each `memberOf` follows it.
const DISTINCT_FILTER: usize = 10;

/// Traces placing `req` over `instances`, given the placer's answer `chosen`.
///
/// `az_down[az]` is true for zones in an outage; `pool` names the pool for the reader.
pub fn trace(
    req: &PlacementRequest,
    instances: &[ContainerInstance],
    az_down: &[bool],
    pool: String,
    names: &Names,
    chosen: Option<InstanceId>,
) -> PlacementTrace {
    let mut labels = vec![
        "Availability Zone down".to_string(),
        "status DRAINING".to_string(),
        "not ACTIVE yet (agent not registered)".to_string(),
        "CPU".to_string(),
        format!("GPU ({})", Device::Gpu.reason_code()),
        "memory".to_string(),
        format!("ENI for awsvpc ({})", Device::Eni.reason_code()),
        Device::Neuron.reason_code().to_string(),
        format!(
            "architecture (attribute:ecs.cpu-architecture = {})",
            req.arch.map_or("any", |a| a.attribute_value())
        ),
        format!(
            "operating system (attribute:ecs.os-family = {})",
            req.os.ecs_name()
        ),
    ];
    let has_distinct = req
        .constraints
        .iter()
        .any(|c| matches!(c, PlacementConstraint::DistinctInstance));
    labels.push("distinctInstance".to_string());
    for c in req.constraints {
        if let PlacementConstraint::MemberOf(e) = c {
            labels.push(format!("memberOf({})", names.expr(e)));
        }
    }
    let mut removed = vec![0u32; labels.len()];
    let mut examples: Vec<Vec<String>> = vec![Vec::new(); labels.len()];
    let mut candidates: Vec<&ContainerInstance> = Vec::new();
    let mut considered = 0u32;
    for inst in instances.iter().filter(|i| req.pool.contains(i)) {
        let down = az_down.get(inst.az.index()).copied().unwrap_or(false);
        if inst.status == InstanceStatus::Terminated && !down {
            continue;
        }
        considered += 1;
        match first_failed(req, inst, az_down) {
            Some(k) => {
                removed[k] += 1;
                if examples[k].len() < 3 {
                    examples[k].push(instance_display_id(inst.id));
                }
            }
            None => candidates.push(inst),
        }
    }
    let mut left = considered;
    let filters: Vec<FilterStep> = labels
        .into_iter()
        .zip(removed)
        .zip(examples)
        .enumerate()
        // distinctInstance and the devices are listed only when the task asks for them, so
        // a task without devices reads as it did before they were modelled; the operating
        // system only when it removed an instance or the task is not Linux, so an all-Linux
        // trace reads as it did before Windows instances were modelled.
        .filter(|(k, ((_, removed), _))| match *k {
            4 => req.need.gpu > 0,
            6 => req.need.eni > 0,
            7 => req.need.neuron > 0,
            OS_FILTER => *removed > 0 || req.os.is_windows(),
            DISTINCT_FILTER => has_distinct,
            _ => true,
        })
        .map(|(_, ((filter, removed), examples))| {
            left -= removed;
            FilterStep {
                filter,
                removed,
                left,
                examples,
            }
        })
        .collect();

    // The strategy chain over the candidates, rule by rule, as `Selector` compares keys.
    let mut counts = SpreadCounts::default();
    let spread_attrs: Vec<Attribute> = req
        .strategy
        .iter()
        .take_while(|r| **r != PlacementStrategy::Random)
        .filter_map(|r| match r {
            PlacementStrategy::Spread(SpreadField::Attribute(a)) => Some(*a),
            _ => None,
        })
        .collect();
    for &a in &spread_attrs {
        if counts.by_attribute[a as usize].is_empty() {
            for inst in instances.iter().filter(|i| req.pool.contains(i)) {
                counts.add(a, inst, inst.group_count(req.group));
            }
        }
    }
    let mut tied = candidates.clone();
    let mut strategy = Vec::new();
    let mut random = false;
    for &rule in req.strategy {
        if tied.is_empty() {
            break;
        }
        if rule == PlacementStrategy::Random {
            random = true;
            strategy.push(StrategyStep {
                rule: rule_text(rule),
                detail: vec![format!(
                    "one of the {} tied candidates, drawn from the placement stream",
                    tied.len()
                )],
                kept: 1,
            });
            break;
        }
        let key = |inst: &ContainerInstance| rank_key(rule, inst, req.need, req.group, &counts);
        let best = tied.iter().map(|i| key(i)).min().unwrap_or(0);
        let detail = step_detail(rule, &tied, &key, req, &counts, names);
        tied.retain(|i| key(i) == best);
        strategy.push(StrategyStep {
            rule: rule_text(rule),
            detail,
            kept: tied.len() as u32,
        });
    }
    if !random && tied.len() > 1 {
        strategy.push(StrategyStep {
            rule: "tie-break".into(),
            detail: vec![format!(
                "{} candidates tied on every rule: the lowest instance id wins",
                tied.len()
            )],
            kept: 1,
        });
    }
    if !random {
        debug_assert_eq!(
            tied.iter().map(|i| i.id).min(),
            chosen,
            "the placement trace disagrees with the placer"
        );
    }
    let reason = match chosen {
        None if candidates.is_empty() => Some(diagnose_uncounted(req, instances).ecs_reason()),
        _ => None,
    };
    PlacementTrace {
        need_cpu: req.need.cpu.0,
        need_memory_mib: req.need.memory.0,
        need_eni: req.need.eni,
        need_gpu: req.need.gpu,
        need_neuron: req.need.neuron,
        pool,
        instances: considered,
        filters,
        not_modelled: "host ports are not modelled: no instance is filtered out for them".into(),
        strategy,
        chosen: chosen.map(instance_display_id),
        reason,
    }
}

/// What one rule saw among the tied candidates.
fn step_detail(
    rule: PlacementStrategy,
    tied: &[&ContainerInstance],
    key: &dyn Fn(&ContainerInstance) -> u64,
    req: &PlacementRequest,
    counts: &SpreadCounts,
    names: &Names,
) -> Vec<String> {
    match rule {
        PlacementStrategy::Spread(SpreadField::Attribute(a)) => {
            // value → (tasks of the group there, candidates with that value)
            let mut groups: std::collections::BTreeMap<u16, (u32, u32)> = Default::default();
            for inst in tied {
                let e = groups
                    .entry(a.value_of(inst))
                    .or_insert((counts.get(a, inst), 0));
                e.1 += 1;
            }
            let mut rows: Vec<(u32, u16, u32)> =
                groups.into_iter().map(|(v, (n, c))| (n, v, c)).collect();
            rows.sort_unstable();
            let total = rows.len();
            let mut out: Vec<String> = rows
                .into_iter()
                .take(LIST_LIMIT)
                .map(|(n, v, c)| {
                    format!(
                        "{}: {n} task{} of the group, {c} candidate{}",
                        names.value(a, v),
                        plural(n),
                        plural(c)
                    )
                })
                .collect();
            if total > LIST_LIMIT {
                out.push(format!("… {} more values", total - LIST_LIMIT));
            }
            out
        }
        PlacementStrategy::Spread(SpreadField::InstanceId) => {
            let mut hist: std::collections::BTreeMap<u32, u32> = Default::default();
            for inst in tied {
                *hist.entry(inst.group_count(req.group)).or_default() += 1;
            }
            hist.into_iter()
                .take(LIST_LIMIT)
                .map(|(n, c)| {
                    format!(
                        "{c} candidate{} with {n} task{} of the group",
                        plural(c),
                        plural(n)
                    )
                })
                .collect()
        }
        PlacementStrategy::Binpack(field) => {
            let mut ranked: Vec<(u64, InstanceId)> = tied.iter().map(|i| (key(i), i.id)).collect();
            ranked.sort_unstable();
            let unit = match field {
                BinpackField::Cpu => "CPU units",
                BinpackField::Memory => "MiB of memory",
            };
            let total = ranked.len();
            let mut out: Vec<String> = ranked
                .into_iter()
                .take(LIST_LIMIT)
                .enumerate()
                .map(|(k, (left, id))| {
                    format!(
                        "{}. {}: {left} {unit} left after placing",
                        k + 1,
                        instance_display_id(id)
                    )
                })
                .collect();
            if total > LIST_LIMIT {
                out.push(format!("… {} more candidates", total - LIST_LIMIT));
            }
            out
        }
        PlacementStrategy::Random => Vec::new(),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, SimRng};
    use crate::ids::{Owner, ServiceId};
    use crate::scheduler::placement::test_support::Cluster;
    use crate::scheduler::placement::{general_scan, Pool};
    use crate::units::{CpuArchitecture, Resources};

    fn rng() -> SimRng {
        RngStreams::new(7).stream(crate::engine::Stream::Placement)
    }

    fn names() -> Names {
        Names {
            azs: vec!["us-east-1a".into(), "us-east-1b".into()],
            instance_types: vec!["m5.large".into(), "m5.xlarge".into()],
        }
    }

    fn req<'a>(
        need: Resources,
        strategy: &'a [PlacementStrategy],
        constraints: &'a [PlacementConstraint],
    ) -> PlacementRequest<'a> {
        PlacementRequest {
            need,
            group: Owner::Service(ServiceId(0)),
            os: crate::units::OsFamily::Linux,
            arch: Some(CpuArchitecture::X86_64),
            pool: Pool::Cluster,
            strategy,
            constraints,
        }
    }

    /// Devices in the trace (issue 15): a one-GPU awsvpc task on three instances — an
    /// m5-like one without GPUs (out at the GPU filter, `RESOURCE:GPU`), a GPU one whose 2
    /// ENIs are taken (out at the ENI filter, `RESOURCE:ENI`), a GPU one with room (chosen).
    /// The Neuron filter is not listed: the task maps no Neuron device.
    #[test]
    fn device_filters_count_what_they_remove() {
        let mut c = Cluster::new(1);
        c.add(0, 0, Resources::new(2048, 7864).with_devices(2, 0, 0));
        let full = c.add(0, 0, Resources::new(4096, 15_000).with_devices(2, 1, 0));
        let fit = c.add(0, 0, Resources::new(4096, 15_000).with_devices(2, 1, 0));
        let eni_only = Resources::new(1, 1).with_devices(1, 0, 0);
        c.reserve(full, eni_only, Owner::Service(ServiceId(9)));
        c.reserve(full, eni_only, Owner::Service(ServiceId(9)));
        let chain = [PlacementStrategy::Binpack(BinpackField::Memory)];
        let r = req(Resources::new(512, 1024).with_devices(1, 1, 0), &chain, &[]);
        let decided = general_scan(&r, &c.instances, &mut rng()).ok();
        assert_eq!(decided, Some(fit));
        let t = trace(
            &r,
            &c.instances,
            &[false],
            "the cluster".into(),
            &names(),
            decided,
        );
        let listed: Vec<(&str, u32)> = t
            .filters
            .iter()
            .map(|f| (f.filter.as_str(), f.removed))
            .filter(|(f, _)| {
                ["CPU", "memory"].contains(f) || f.contains("RESOURCE") || f.contains("Neuron")
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("CPU", 0),
                ("GPU (RESOURCE:GPU)", 1),
                ("memory", 0),
                ("ENI for awsvpc (RESOURCE:ENI)", 1)
            ]
        );
        assert_eq!((t.need_eni, t.need_gpu, t.need_neuron), (1, 1, 0));
        assert_eq!(
            t.not_modelled,
            "host ports are not modelled: no instance is filtered out for them"
        );
    }

    /// Issue 16's hand-built cluster: three instances, one too small, one in a down AZ, one
    /// chosen by binpack. By hand: i-00000000 (1 GiB free) fails the memory filter for a
    /// 2 GiB task; i-00000001 is in us-east-1b, which is down (its instance terminated with
    /// the outage); i-00000002 is the only candidate left, so binpack(memory) ranks it first
    /// with 7,577 − 2,048 = 5,529 MiB left, and it is chosen.
    #[test]
    fn three_instances_name_exactly_the_filters_and_the_ranking() {
        let mut c = Cluster::new(2);
        let small = c.add(0, 0, Resources::new(2048, 1024));
        let down = c.add(1, 1, Resources::new(4096, 15_000));
        let fit = c.add(0, 0, Resources::new(2048, 7577));
        c.instances[down.index()].status = InstanceStatus::Terminated;
        let chain = [PlacementStrategy::Binpack(BinpackField::Memory)];
        let r = req(Resources::new(512, 2048), &chain, &[]);
        let decided = general_scan(&r, &c.instances, &mut rng()).ok();
        assert_eq!(decided, Some(fit));
        let t = trace(
            &r,
            &c.instances,
            &[false, true],
            "the cluster".into(),
            &names(),
            decided,
        );
        let removed: Vec<(&str, u32)> = t
            .filters
            .iter()
            .filter(|f| f.removed > 0)
            .map(|f| (f.filter.as_str(), f.removed))
            .collect();
        assert_eq!(removed, [("Availability Zone down", 1), ("memory", 1)]);
        assert_eq!(t.filters.last().map(|f| f.left), Some(1));
        assert_eq!(t.instances, 3);
        assert_eq!(
            t.filters
                .iter()
                .find(|f| f.filter == "memory")
                .map(|f| f.examples.clone()),
            Some(vec![instance_display_id(small)])
        );
        assert_eq!(t.strategy.len(), 1);
        assert_eq!(t.strategy[0].rule, "binpack(memory)");
        assert_eq!(
            t.strategy[0].detail,
            ["1. i-00000002: 5529 MiB of memory left after placing"]
        );
        assert_eq!(t.chosen.as_deref(), Some("i-00000002"));
        assert_eq!(t.reason, None);
    }

    /// Binpack ranks every candidate, tightest first; spread groups count the group's tasks
    /// per zone; a memberOf constraint is named in the query language.
    #[test]
    fn ranking_groups_and_member_of_are_spelled_out() {
        let mut c = Cluster::new(2);
        let a = c.add(0, 0, Resources::new(2048, 7577));
        let b = c.add(0, 0, Resources::new(2048, 4000));
        let other_type = c.add(1, 1, Resources::new(4096, 15_000));
        let group = Owner::Service(ServiceId(0));
        c.reserve(a, Resources::new(256, 512), group);
        let expr = crate::scheduler::placement::parse("attribute:ecs.instance-type == m5.large")
            .unwrap()
            .compile(&crate::scheduler::placement::AttributeNames::new(
                names().azs,
                names().instance_types,
            ));
        let constraints = [PlacementConstraint::MemberOf(expr)];
        let chain = [
            PlacementStrategy::Spread(SpreadField::Attribute(Attribute::AvailabilityZone)),
            PlacementStrategy::Binpack(BinpackField::Memory),
        ];
        let r = req(Resources::new(512, 1024), &chain, &constraints);
        let decided = general_scan(&r, &c.instances, &mut rng()).ok();
        // b is tighter (4000 − 1024 = 2976 left against 7065 − 1024 = 6041).
        assert_eq!(decided, Some(b));
        let t = trace(
            &r,
            &c.instances,
            &[false, false],
            "the cluster".into(),
            &names(),
            decided,
        );
        let member_of = t.filters.last().unwrap();
        assert_eq!(
            member_of.filter,
            "memberOf(attribute:ecs.instance-type in [m5.large])"
        );
        assert_eq!(member_of.removed, 1);
        assert_eq!(member_of.examples, [instance_display_id(other_type)]);
        assert_eq!(
            t.strategy[0].detail,
            ["us-east-1a: 1 task of the group, 2 candidates"]
        );
        assert_eq!(t.strategy[0].kept, 2);
        assert_eq!(
            t.strategy[1].detail,
            [
                "1. i-00000001: 2976 MiB of memory left after placing",
                "2. i-00000000: 6041 MiB of memory left after placing"
            ]
        );
        assert_eq!(t.chosen, Some(instance_display_id(b)));
    }

    /// Nothing fits: the trace carries ECS's reason, the same text the service event has.
    #[test]
    fn an_unplaceable_task_gets_ecs_reason() {
        let mut c = Cluster::new(1);
        c.add(0, 0, Resources::new(2048, 1024));
        let chain = [PlacementStrategy::Binpack(BinpackField::Memory)];
        let r = req(Resources::new(512, 2048), &chain, &[]);
        let failure = general_scan(&r, &c.instances, &mut rng()).unwrap_err();
        let t = trace(
            &r,
            &c.instances,
            &[false],
            "the cluster".into(),
            &names(),
            None,
        );
        assert_eq!(t.reason, Some(failure.ecs_reason()));
        assert!(t.strategy.is_empty());
        assert_eq!(
            grouped_reason(&failure),
            "The closest matching container-instance has insufficient memory available."
        );
    }
}
