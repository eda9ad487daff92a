//! Amazon ECS Managed Instances (2025): which instance types a `managedInstancesProvider`
//! may launch, which it launches for the tasks waiting on it, and which idle or
//! under-used instances it gives back. Pure data and functions; the simulation applies them.
//!
//! Sources (each rule below names the one it follows):
//! - \[API\] `ManagedInstancesProvider`, `InstanceLaunchTemplate`, `InstanceRequirementsRequest`
//!   and `InfrastructureOptimization` in the Amazon ECS API Reference,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedInstancesProvider.html>,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InfrastructureOptimization.html>.
//! - \[DOC\] "Architect for Amazon ECS Managed Instances": AWS "automatically selects the most
//!   cost-optimized general-purpose Amazon EC2 instance types that meet your workload needs"
//!   and "optimizes infrastructure utilization by placing multiple smaller tasks on larger
//!   instances", <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html>.
//! - \[DOC\] "Amazon ECS Managed Instances infrastructure optimization": idle instances (no
//!   running tasks) are set DEREGISTERING and terminated; under-utilized instances whose
//!   tasks can run elsewhere are drained,
//!   <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-infrastructure-optimization.html>.
//!
//! It deliberately does not model AZ spread of Managed Instances placement, Spot
//! (`capacityOptionType: SPOT`), capacity reservations or instance replacement for patching.

use std::collections::BTreeMap;

use crate::cloud::{Catalog, InstanceType};
use crate::engine::SimDuration;
use crate::ids::InstanceTypeId;
use crate::units::{CpuArchitecture, Resources};

/// `scaleInAfter` when the provider leaves it out (`null`: "uses the default optimization
/// behavior").
/// \[DERIVED\] AWS does not publish the default delay (API Reference,
/// `InfrastructureOptimization`: valid values −1, 0–3600, or null for the default); we take
/// five minutes, the middle of what practitioners report, and the scenario overrides it with
/// `infrastructureOptimization.scaleInAfter`.
pub const DEFAULT_SCALE_IN_AFTER: SimDuration = SimDuration::from_secs(300);

/// Largest `scaleInAfter`, seconds. \[API\] `InfrastructureOptimization`: 0 to 3600.
pub const MAX_SCALE_IN_AFTER_SECONDS: i64 = 3600;

/// How often the infrastructure optimization looks at a provider's instances.
/// \[DERIVED\] AWS says the optimization runs "continuously" without a cadence; one pass per
/// five minutes keeps its O(instances of the provider) cost off the per-minute path, and an
/// idle instance is terminated at the first pass at least `scaleInAfter` after its last task
/// left (so up to one period late).
pub const OPTIMIZATION_PERIOD: SimDuration = SimDuration::from_mins(5);

/// An instance is under-utilized when its tasks reserve less than this share of both its
/// registered CPU and memory.
/// \[DERIVED\] the infrastructure optimization page says under-utilized instances are
/// consolidated when their tasks fit elsewhere, without a threshold; half is ours.
pub const UNDERUTILIZED_RESERVED_FRACTION: f64 = 0.5;

/// Instances one Managed Instances provider may run at once.
/// \[DOC\] Amazon ECS service quotas: 5,000 container instances per cluster
/// (ecs-reference §5.5); the provider has no size of its own.
pub const MAX_INSTANCES: u32 = 5000;

/// Previous-generation families, for `instanceGenerations`.
/// Source: Amazon EC2 "Previous generation instances",
/// <https://aws.amazon.com/ec2/previous-generation/>.
const PREVIOUS_GENERATION_FAMILIES: &[&str] = &[
    "c1", "c3", "cc2", "cr1", "g2", "hs1", "i2", "m1", "m2", "m3", "r3", "t1",
];

/// `included`, `excluded` or `required` (`bareMetal`, `burstablePerformance`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inclusion {
    /// Types with and without the feature.
    Included,
    /// Only types without it.
    Excluded,
    /// Only types with it.
    Required,
}

impl Inclusion {
    /// Parses AWS's lower-case value.
    pub fn parse(s: &str) -> Option<Inclusion> {
        match s {
            "included" => Some(Inclusion::Included),
            "excluded" => Some(Inclusion::Excluded),
            "required" => Some(Inclusion::Required),
            _ => None,
        }
    }

    fn admits(self, has: bool) -> bool {
        match self {
            Inclusion::Included => true,
            Inclusion::Excluded => !has,
            Inclusion::Required => has,
        }
    }
}

/// `instanceRequirements`, validated. Ranges are inclusive; `None` is unbounded.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRequirements {
    /// `vCpuCount.min`, `vCpuCount.max`.
    pub vcpu: (u32, Option<u32>),
    /// `memoryMiB.min`, `memoryMiB.max`.
    pub memory_mib: (u32, Option<u32>),
    /// `memoryGiBPerVCpu.min`, `.max`.
    pub memory_gib_per_vcpu: (Option<f64>, Option<f64>),
    /// `acceleratorCount.min`, `.max` (GPUs plus Inferentia/Trainium devices).
    pub accelerators: (u32, Option<u32>),
    /// `cpuManufacturers` (`intel`, `amd`, `amazon-web-services`); empty: any.
    pub cpu_manufacturers: Vec<String>,
    /// `instanceGenerations` (`current`, `previous`); empty: any.
    pub instance_generations: Vec<String>,
    /// `allowedInstanceTypes` patterns (`*` wildcard); empty: any.
    pub allowed: Vec<String>,
    /// `excludedInstanceTypes` patterns.
    pub excluded: Vec<String>,
    /// `bareMetal`. \[API\] EC2 `InstanceRequirements`: default `excluded`.
    pub bare_metal: Inclusion,
    /// `burstablePerformance`. \[API\] EC2 `InstanceRequirements`: default `excluded`.
    pub burstable: Inclusion,
}

/// The CPU manufacturer of a type, from EC2's naming convention: Graviton (arm64) types are
/// `amazon-web-services`, an `a` among the attribute letters after the generation digit means
/// AMD (`m6a`, `t3a`, `g4ad`), anything else Intel.
/// Source: Amazon EC2 Instance Types guide, "Amazon EC2 instance type naming conventions",
/// <https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html>.
pub fn cpu_manufacturer(t: &InstanceType) -> &'static str {
    if t.arch == CpuArchitecture::Arm64 {
        return "amazon-web-services";
    }
    let family = t.name.split('.').next().unwrap_or("");
    let attrs = family
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_start_matches(|c: char| c.is_ascii_digit());
    let attrs = attrs.split('-').next().unwrap_or("");
    if attrs.contains('a') {
        "amd"
    } else {
        "intel"
    }
}

/// Burstable performance: the T families (`t2`, `t3`, `t3a`, `t4g`), same naming source.
pub fn is_burstable(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next() == Some('t') && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// Bare metal: sizes named `metal` (`m5.metal`, `c6i.metal`, `m7i.metal-24xl`).
pub fn is_bare_metal(name: &str) -> bool {
    name.split('.')
        .nth(1)
        .is_some_and(|s| s.starts_with("metal"))
}

/// `*` matches any run of characters; everything else matches itself.
/// \[API\] `allowedInstanceTypes`: "You can use strings with one or more wild cards, represented
/// by an asterisk (*), to allow an instance type, size, or generation", e.g. `m5.8xlarge`,
/// `c5*.*`, `m5a.*`, `r*`.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(at) => rest = &rest[at + p.len()..],
            None => return false,
        }
    }
    true
}

impl InstanceRequirements {
    /// Whether type `t` meets every requirement.
    pub fn admits(&self, t: &InstanceType) -> bool {
        let in_range =
            |v: u32, (min, max): (u32, Option<u32>)| v >= min && max.map_or(true, |m| v <= m);
        if !in_range(t.vcpu, self.vcpu) || !in_range(t.memory_mib, self.memory_mib) {
            return false;
        }
        if !in_range(t.gpu_count + t.accelerator_count, self.accelerators) {
            return false;
        }
        if t.vcpu > 0 {
            let per = f64::from(t.memory_mib) / 1024.0 / f64::from(t.vcpu);
            if self.memory_gib_per_vcpu.0.is_some_and(|m| per < m)
                || self.memory_gib_per_vcpu.1.is_some_and(|m| per > m)
            {
                return false;
            }
        }
        if !self.cpu_manufacturers.is_empty()
            && !self
                .cpu_manufacturers
                .iter()
                .any(|m| m == cpu_manufacturer(t))
        {
            return false;
        }
        if !self.instance_generations.is_empty() {
            let family = t.name.split('.').next().unwrap_or("");
            let generation = if PREVIOUS_GENERATION_FAMILIES.contains(&family) {
                "previous"
            } else {
                "current"
            };
            if !self.instance_generations.iter().any(|g| g == generation) {
                return false;
            }
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|p| wildcard_match(p, &t.name)) {
            return false;
        }
        if self.excluded.iter().any(|p| wildcard_match(p, &t.name)) {
            return false;
        }
        self.bare_metal.admits(is_bare_metal(&t.name))
            && self.burstable.admits(is_burstable(&t.name))
    }

    /// The catalog's types meeting the requirements, in catalog order.
    pub fn matching(&self, catalog: &Catalog) -> Vec<InstanceTypeId> {
        catalog
            .instance_types
            .iter()
            .enumerate()
            .filter(|(_, t)| self.admits(t))
            .map(|(i, _)| InstanceTypeId::from_index(i))
            .collect()
    }
}

/// The management fee, per instance-hour, on top of the EC2 price.
/// AWS lists it per instance type on the ECS pricing page (<https://aws.amazon.com/ecs/pricing/>,
/// e.g. $0.037 per hour for a c6a.2xlarge, about 12 % of its $0.306 On-Demand price), billed
/// per second with a one-minute minimum like the instance. ecsim ships no copy of that
/// table, so the scenario gives the fee: there is no default.
#[derive(Clone, Debug, PartialEq)]
pub enum ManagementFee {
    /// A fraction of each type's On-Demand price.
    FractionOfOnDemand(f64),
    /// USD per hour per type; a type without an entry is never launched.
    UsdPerHour(BTreeMap<InstanceTypeId, f64>),
}

impl ManagementFee {
    /// The fee of type `ty` whose On-Demand price is `on_demand`, USD per hour; `None` when
    /// the table has no entry for it.
    pub fn usd_per_hour(&self, ty: InstanceTypeId, on_demand: f64) -> Option<f64> {
        match self {
            ManagementFee::FractionOfOnDemand(f) => Some(on_demand * f),
            ManagementFee::UsdPerHour(m) => m.get(&ty).copied(),
        }
    }
}

/// A validated `managedInstancesProvider`.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedInstancesConfig {
    /// `instanceLaunchTemplate.instanceRequirements`.
    pub requirements: InstanceRequirements,
    /// `infrastructureOptimization.scaleInAfter`; `None`: optimization disabled (−1).
    pub scale_in_after: Option<SimDuration>,
    /// `managementFee` (ecsim's own).
    pub fee: ManagementFee,
    /// `optimizationModel.period` (default [`OPTIMIZATION_PERIOD`]).
    pub period: SimDuration,
    /// `optimizationModel.underutilizedReservedPercent` / 100 (default
    /// [`UNDERUTILIZED_RESERVED_FRACTION`]).
    pub underutilized_fraction: f64,
}

/// One instance type a provider may launch, as the selection sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The type.
    pub instance_type: InstanceTypeId,
    /// Its architecture.
    pub arch: CpuArchitecture,
    /// What an empty instance of it offers tasks (registered, less daemon reservations).
    pub room: Resources,
    /// EC2 price plus management fee, USD per hour.
    pub usd_per_hour: f64,
}

/// Waiting tasks of one shape: `count` tasks each needing `need` on `arch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demand {
    /// One task's reservation.
    pub need: Resources,
    /// The architecture its task definition asks for.
    pub arch: CpuArchitecture,
    /// How many wait.
    pub count: u32,
}

/// How many tasks of `need` fit in `room`.
fn fit_count(room: Resources, need: Resources) -> u32 {
    let by = |have: u32, want: u32| have.checked_div(want).unwrap_or(u32::MAX);
    by(room.cpu.0, need.cpu.0).min(by(room.memory.0, need.memory.0))
}

/// First-fit decreasing of `demand` (sorted largest first) into one instance of `room`:
/// how many of each shape it takes.
pub fn pack_one(room: Resources, demand: &[Demand]) -> Vec<u32> {
    let mut left = room;
    demand
        .iter()
        .map(|d| {
            let n = fit_count(left, d.need).min(d.count);
            left = left.saturating_sub(Resources::new(
                d.need.cpu.0.saturating_mul(n),
                d.need.memory.0.saturating_mul(n),
            ));
            n
        })
        .collect()
}

/// The instances to launch for the waiting `demand`, as indices into `candidates`, at most
/// `limit` of them.
///
/// The rule (ours; AWS documents the goal, "the most cost-optimized ... instance types that
/// meet your workload needs", placing "multiple smaller tasks on larger instances", not the
/// algorithm): the waiting tasks are sorted largest first (CPU, then memory); for each
/// candidate type of the tasks' architecture, first-fit decreasing says how many of them one
/// instance would hold, and the type with the lowest price (EC2 + fee) per task held wins —
/// ties go to the type holding more tasks (fewer, larger instances), then to the cheaper, then
/// to the earlier candidate. Its tasks are taken out and the search repeats until nothing
/// waits. A task no candidate can hold is left waiting (validation refuses such scenarios).
///
/// Cost: O(candidates × shapes) per instance chosen; the caller runs it once per minute, only
/// while tasks wait.
pub fn plan_launches(candidates: &[Candidate], demand: &[Demand], limit: u32) -> Vec<usize> {
    plan_launches_recorded(candidates, demand, limit, None)
}

/// One round of [`plan_launches`] as `--explain` shows it: what the candidates of the
/// round's architecture would hold and which one won. Recorded only when asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRound {
    /// Tasks still waiting before the round (every architecture).
    pub waiting: u32,
    /// The architecture of the largest task still waiting.
    pub arch: CpuArchitecture,
    /// (candidate index, tasks one instance of it holds) for every candidate of the
    /// architecture that holds at least one, in candidate order.
    pub held: Vec<(usize, u32)>,
    /// The candidate chosen; `None` when none holds a task (those tasks are left waiting).
    pub chosen: Option<usize>,
    /// Candidates of another architecture.
    pub other_arch: u32,
    /// Candidates of the architecture that hold no waiting task.
    pub hold_none: u32,
}

/// [`plan_launches`], recording its first `max_rounds` rounds into `record` when given one
/// (`--explain`); with `None` it is the same loop and records nothing, so the decision is
/// the same either way.
pub fn plan_launches_recorded(
    candidates: &[Candidate],
    demand: &[Demand],
    limit: u32,
    mut record: Option<(&mut Vec<PlanRound>, usize)>,
) -> Vec<usize> {
    let mut demand: Vec<Demand> = demand.iter().copied().filter(|d| d.count > 0).collect();
    demand.sort_by(|a, b| {
        (b.need.cpu, b.need.memory, a.arch as u8).cmp(&(a.need.cpu, a.need.memory, b.arch as u8))
    });
    let mut out = Vec::new();
    while (out.len() as u32) < limit {
        // The architecture of the largest task still waiting decides this instance's.
        let Some(arch) = demand.iter().find(|d| d.count > 0).map(|d| d.arch) else {
            break;
        };
        let of_arch: Vec<Demand> = demand
            .iter()
            .map(|d| Demand {
                count: if d.arch == arch { d.count } else { 0 },
                ..*d
            })
            .collect();
        let mut best: Option<(usize, f64, u32, Vec<u32>)> = None;
        // The round's record, only while one is wanted.
        let mut round = record
            .as_ref()
            .filter(|(rounds, max)| rounds.len() < *max)
            .map(|_| PlanRound {
                waiting: demand.iter().map(|d| d.count).sum(),
                arch,
                held: Vec::new(),
                chosen: None,
                other_arch: 0,
                hold_none: 0,
            });
        for (i, c) in candidates.iter().enumerate() {
            if c.arch != arch {
                if let Some(r) = round.as_mut() {
                    r.other_arch += 1;
                }
                continue;
            }
            let took = pack_one(c.room, &of_arch);
            let n: u32 = took.iter().sum();
            if let Some(r) = round.as_mut() {
                if n == 0 {
                    r.hold_none += 1;
                } else {
                    r.held.push((i, n));
                }
            }
            if n == 0 {
                continue;
            }
            let per_task = c.usd_per_hour / f64::from(n);
            let better = match &best {
                None => true,
                Some((b, bp, bn, _)) => match per_task.total_cmp(bp) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Greater => false,
                    std::cmp::Ordering::Equal => {
                        n > *bn
                            || (n == *bn
                                && c.usd_per_hour.total_cmp(&candidates[*b].usd_per_hour)
                                    == std::cmp::Ordering::Less)
                    }
                },
            };
            if better {
                best = Some((i, per_task, n, took));
            }
        }
        if let (Some(mut r), Some((rounds, _))) = (round, record.as_mut()) {
            r.chosen = best.as_ref().map(|b| b.0);
            rounds.push(r);
        }
        match best {
            Some((i, _, _, took)) => {
                for (d, n) in demand.iter_mut().zip(took) {
                    d.count -= n;
                }
                out.push(i);
            }
            None => {
                // Nothing of this architecture fits anywhere: leave those tasks waiting.
                for d in demand.iter_mut().filter(|d| d.arch == arch) {
                    d.count = 0;
                }
            }
        }
    }
    out
}

/// Whether the tasks of an under-used instance (`tasks`, one reservation each) all fit, first
/// fit decreasing, into `others`' free room; on success `others` is left with the room
/// they keep, so the next instance considered in the same pass cannot count it twice.
pub fn fits_elsewhere(tasks: &[Resources], others: &mut [Resources]) -> bool {
    let mut sorted = tasks.to_vec();
    sorted.sort_by_key(|r| std::cmp::Reverse((r.cpu, r.memory)));
    let mut trial = others.to_vec();
    for need in sorted {
        match trial.iter_mut().find(|r| r.fits(need)) {
            Some(r) => *r = r.saturating_sub(need),
            None => return false,
        }
    }
    others.copy_from_slice(&trial);
    true
}

/// Whether an instance reserving `reserved` of `registered` is under-utilized: less than
/// `fraction` of both its CPU and its memory reserved.
pub fn underutilized(reserved: Resources, registered: Resources, fraction: f64) -> bool {
    let frac = |r: u32, of: u32| {
        if of == 0 {
            0.0
        } else {
            f64::from(r) / f64::from(of)
        }
    };
    frac(reserved.cpu.0, registered.cpu.0) < fraction
        && frac(reserved.memory.0, registered.memory.0) < fraction
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::MemoryOverhead;

    fn any() -> InstanceRequirements {
        InstanceRequirements {
            vcpu: (0, None),
            memory_mib: (0, None),
            memory_gib_per_vcpu: (None, None),
            accelerators: (0, Some(0)),
            cpu_manufacturers: vec![],
            instance_generations: vec![],
            allowed: vec![],
            excluded: vec![],
            bare_metal: Inclusion::Excluded,
            burstable: Inclusion::Excluded,
        }
    }

    fn candidates(c: &Catalog, names: &[&str]) -> Vec<Candidate> {
        names
            .iter()
            .map(|n| {
                let id = c.find(n).expect("type in the catalog");
                Candidate {
                    instance_type: id,
                    arch: c.get(id).arch,
                    room: c.registered_resources(id, MemoryOverhead::default(), false),
                    usd_per_hour: c.get(id).on_demand_usd_per_hour,
                }
            })
            .collect()
    }

    fn web(count: u32) -> Demand {
        Demand {
            need: Resources::new(512, 1024),
            arch: CpuArchitecture::X86_64,
            count,
        }
    }

    #[test]
    fn wildcards_follow_the_api_examples() {
        assert!(wildcard_match("m5.8xlarge", "m5.8xlarge"));
        assert!(!wildcard_match("m5.8xlarge", "m5.4xlarge"));
        assert!(wildcard_match("c5*.*", "c5d.large"));
        assert!(wildcard_match("c5*.*", "c5.large"));
        assert!(!wildcard_match("c5*.*", "c6i.large"));
        assert!(wildcard_match("m5a.*", "m5a.xlarge"));
        assert!(!wildcard_match("m5a.*", "m5.xlarge"));
        assert!(wildcard_match("r*", "r6i.large"));
        assert!(!wildcard_match("r*", "m6i.large"));
    }

    #[test]
    fn manufacturers_burstable_and_metal_from_names() {
        let c = Catalog::embedded_us_east_1();
        let m = |n: &str| cpu_manufacturer(c.get(c.find(n).unwrap()));
        assert_eq!(m("m6i.large"), "intel");
        assert_eq!(m("m5.large"), "intel");
        assert_eq!(m("m6a.large"), "amd");
        assert_eq!(m("t3a.large"), "amd");
        assert_eq!(m("m6g.large"), "amazon-web-services");
        assert!(is_burstable("t3.micro") && is_burstable("t4g.large"));
        assert!(!is_burstable("trn1.2xlarge"));
        assert!(is_bare_metal("m5.metal") && !is_bare_metal("m5.large"));
    }

    /// Requirements exclude types: the vCPU range, the manufacturer list, the exclusions and
    /// the defaults (no burstable, no bare metal, no accelerators unless asked for).
    #[test]
    fn requirements_exclude_types() {
        let c = Catalog::embedded_us_east_1();
        let ok = |r: &InstanceRequirements, n: &str| r.admits(c.get(c.find(n).unwrap()));
        let mut r = any();
        r.vcpu = (2, Some(4));
        assert!(ok(&r, "m6i.large") && ok(&r, "m6i.xlarge"));
        assert!(!ok(&r, "m6i.2xlarge"), "8 vCPU is above max 4");
        assert!(!ok(&r, "t3.large"), "burstable is excluded by default");
        r.burstable = Inclusion::Included;
        assert!(ok(&r, "t3.large"));
        r.cpu_manufacturers = vec!["amd".into()];
        assert!(ok(&r, "m6a.large") && !ok(&r, "m6i.large") && !ok(&r, "m6g.large"));
        r.cpu_manufacturers.clear();
        r.excluded = vec!["m6*".into()];
        assert!(!ok(&r, "m6i.large") && ok(&r, "c6i.large"));
        let gpu = any();
        assert!(
            !ok(&gpu, "g4dn.xlarge"),
            "acceleratorCount max 0 keeps GPU types out"
        );
        let mut metal = any();
        metal.bare_metal = Inclusion::Required;
        assert!(ok(&metal, "m5.metal") && !ok(&metal, "m5.large"));
        // The matching list is in catalog order and holds only admitted types.
        let mut r = any();
        r.allowed = vec!["m6i.*".into()];
        let names: Vec<&str> = r
            .matching(&c)
            .iter()
            .map(|&t| c.get(t).name.as_str())
            .collect();
        assert!(names.contains(&"m6i.large") && names.iter().all(|n| n.starts_with("m6i.")));
    }

    /// The cheapest type for a pending set, by price per task held.
    /// Ten tasks of 0.5 vCPU and 1 GiB; us-east-1 On-Demand prices of the embedded catalog:
    /// m6i.large $0.096 (2 vCPU, 8 GiB) holds 2048/512 = 4 tasks: $0.024 per task;
    /// c6i.large $0.085 (2 vCPU, 4 GiB, about 3,900 MiB registered) holds 3: $0.0283;
    /// m6i.xlarge $0.192 holds 8: $0.024, the same per task and more tasks, so it wins;
    /// m6i.2xlarge $0.384 could hold 16 but only 10 wait: $0.0384.
    /// The two left then go to c6i.large ($0.085 / 2 = $0.0425) rather than m6i.large
    /// ($0.096 / 2 = $0.048).
    #[test]
    fn selection_picks_the_cheapest_type_per_task_held() {
        let c = Catalog::embedded_us_east_1();
        let cands = candidates(&c, &["c6i.large", "m6i.large", "m6i.xlarge", "m6i.2xlarge"]);
        let plan = plan_launches(&cands, &[web(10)], 100);
        let names: Vec<&str> = plan
            .iter()
            .map(|&i| c.get(cands[i].instance_type).name.as_str())
            .collect();
        assert_eq!(names, ["m6i.xlarge", "c6i.large"]);
        // Four tasks: m6i.large holds all four at $0.024 each, the cheapest outright.
        let plan = plan_launches(&cands, &[web(4)], 100);
        assert_eq!(c.get(cands[plan[0]].instance_type).name, "m6i.large");
        assert_eq!(plan.len(), 1);
        // The limit caps the launches.
        assert_eq!(plan_launches(&cands, &[web(1000)], 3).len(), 3);
    }

    /// A task no candidate holds stays waiting instead of looping; an arm64 task gets an
    /// arm64 type.
    #[test]
    fn selection_respects_architecture_and_size() {
        let c = Catalog::embedded_us_east_1();
        let cands = candidates(&c, &["m6i.large", "m6g.large"]);
        let huge = Demand {
            need: Resources::new(8192, 1024),
            arch: CpuArchitecture::X86_64,
            count: 3,
        };
        assert!(plan_launches(&cands, &[huge], 10).is_empty());
        let arm = Demand {
            arch: CpuArchitecture::Arm64,
            ..web(2)
        };
        let plan = plan_launches(&cands, &[arm], 10);
        assert_eq!(plan.len(), 1);
        assert_eq!(c.get(cands[plan[0]].instance_type).name, "m6g.large");
    }

    /// Recording the rounds changes no choice, records at most the rounds asked for, and
    /// each round's winner is the cheapest per task among the candidates it recorded.
    #[test]
    fn recorded_rounds_change_nothing_and_name_the_cheapest() {
        let c = Catalog::embedded_us_east_1();
        let cands = candidates(&c, &["c6i.large", "m6i.large", "m6i.xlarge", "m6g.large"]);
        let demand = [web(10)];
        let mut rounds = Vec::new();
        let recorded = plan_launches_recorded(&cands, &demand, 100, Some((&mut rounds, 1)));
        assert_eq!(recorded, plan_launches(&cands, &demand, 100));
        assert_eq!(rounds.len(), 1);
        let r = &rounds[0];
        assert_eq!(r.waiting, 10);
        // m6g.large is arm64: not considered for x86_64 tasks.
        assert_eq!((r.other_arch, r.hold_none), (1, 0));
        let per_task = |&(i, n): &(usize, u32)| cands[i].usd_per_hour / f64::from(n);
        let chosen = r.chosen.expect("a winner");
        let best = r.held.iter().find(|h| h.0 == chosen).expect("recorded");
        assert!(r.held.iter().all(|h| per_task(best) <= per_task(h)));
        assert_eq!(chosen, recorded[0]);
        let mut all = Vec::new();
        plan_launches_recorded(&cands, &demand, 100, Some((&mut all, 10)));
        assert_eq!(all.len(), recorded.len());
    }

    #[test]
    fn consolidation_fits_tasks_elsewhere_once() {
        let r = Resources::new;
        let mut others = vec![r(1024, 2048), r(512, 1024)];
        assert!(fits_elsewhere(&[r(512, 1024), r(1024, 2048)], &mut others));
        assert_eq!(others, vec![r(0, 0), r(0, 0)]);
        // The room was used: a second instance with the same tasks no longer fits.
        assert!(!fits_elsewhere(&[r(512, 1024)], &mut others));
        let half = UNDERUTILIZED_RESERVED_FRACTION;
        assert!(underutilized(r(512, 1024), r(2048, 7782), half));
        assert!(!underutilized(r(1024, 1024), r(2048, 7782), half));
        assert!(underutilized(r(1024, 1024), r(2048, 7782), 0.6));
    }

    /// The fee: a fraction of On-Demand, or a table without a default.
    /// c6a.2xlarge: $0.306 On-Demand × 0.121 = $0.037026 per hour.
    #[test]
    fn management_fee_per_hour() {
        let c = Catalog::embedded_us_east_1();
        let id = c.find("c6a.2xlarge").unwrap();
        let f = ManagementFee::FractionOfOnDemand(0.121);
        let fee = f
            .usd_per_hour(id, c.get(id).on_demand_usd_per_hour)
            .unwrap();
        assert!((fee - 0.037026).abs() < 1e-12);
        let t = ManagementFee::UsdPerHour(BTreeMap::from([(id, 0.037)]));
        assert_eq!(t.usd_per_hour(id, 0.306), Some(0.037));
        assert_eq!(t.usd_per_hour(c.find("m6i.large").unwrap(), 0.096), None);
    }
}
