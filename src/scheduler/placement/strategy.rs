//! Placement strategies (ecs-reference §4.2–4.3) and the per-candidate ranking key they define.
//!
//! Owns `PlacementStrategy` and its fields, the service default chain, and `rank_key`, the one
//! definition of "better" that both the indexed fast paths and the reference scan obey.
//! It does not filter candidates (`constraint`) nor search the cluster (`placer`, `scan`).

use crate::cluster::ContainerInstance;
use crate::units::Resources;

use super::attribute::Attribute;

/// The resource `binpack` packs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BinpackField {
    /// `binpack(cpu)`.
    Cpu,
    /// `binpack(memory)`.
    Memory,
}

/// What `spread` balances over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpreadField {
    /// `spread(instanceId)` (alias `host`): fewest tasks of the group on the instance.
    InstanceId,
    /// `spread(attribute:…)`: the attribute value holding the fewest tasks of the group.
    Attribute(Attribute),
}

/// One rule of a placement strategy chain. Rules apply in order as tie-breakers
/// (ecs-reference §4.2), and the lowest `InstanceId` breaks any remaining tie.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlacementStrategy {
    /// Least remaining of the resource after placement.
    Binpack(BinpackField),
    /// Fewest tasks of the same group.
    Spread(SpreadField),
    /// Uniform among the candidates still tied, drawn from the placement stream.
    Random,
}

/// ECS's limit on strategy rules per service (ecs-reference §4.2).
/// The scenario validator enforces it; placement asserts it.
pub const MAX_STRATEGY_RULES: usize = 4;

impl PlacementStrategy {
    /// Parses ECS's `{type, field}` pair, e.g. `("spread", "attribute:ecs.availability-zone")`.
    ///
    /// `field` is ignored for `random`, as ECS ignores it. Returns `None` for anything
    /// unsupported, so the validator can write a message with the JSON path.
    pub fn from_ecs(kind: &str, field: Option<&str>) -> Option<PlacementStrategy> {
        match (kind, field) {
            ("random", _) => Some(PlacementStrategy::Random),
            ("binpack", Some("cpu")) => Some(PlacementStrategy::Binpack(BinpackField::Cpu)),
            ("binpack", Some("memory")) => Some(PlacementStrategy::Binpack(BinpackField::Memory)),
            ("spread", Some("instanceId" | "host")) => {
                Some(PlacementStrategy::Spread(SpreadField::InstanceId))
            }
            ("spread", Some(a)) => {
                Attribute::parse(a).map(|a| PlacementStrategy::Spread(SpreadField::Attribute(a)))
            }
            _ => None,
        }
    }
}

/// The chain ECS uses for a service with no strategy and no constraint (ecs-reference §4.3):
/// the AZ with the fewest tasks of the service, then the instance with the fewest.
pub fn service_default_strategy() -> &'static [PlacementStrategy] {
    const DEFAULT: [PlacementStrategy; 2] = [
        PlacementStrategy::Spread(SpreadField::Attribute(Attribute::AvailabilityZone)),
        PlacementStrategy::Spread(SpreadField::InstanceId),
    ];
    &DEFAULT
}

/// Tasks of the request's group per attribute value, over every instance of the pool.
///
/// `by_attribute[a][code]` is the count for code `code` of attribute `a` (see
/// [`Attribute::value_of`]); an empty vector for attributes the chain does not spread on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpreadCounts {
    /// Indexed by `Attribute as usize`, then by value code.
    pub by_attribute: [Vec<u32>; Attribute::ALL.len()],
}

impl SpreadCounts {
    /// The count for `inst`'s value of `attribute` (0 if never seen).
    #[inline]
    pub fn get(&self, attribute: Attribute, inst: &ContainerInstance) -> u32 {
        self.by_attribute[attribute as usize]
            .get(usize::from(attribute.value_of(inst)))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `n` tasks for `inst`'s value of `attribute`.
    pub fn add(&mut self, attribute: Attribute, inst: &ContainerInstance, n: u32) {
        let v = &mut self.by_attribute[attribute as usize];
        let code = usize::from(attribute.value_of(inst));
        if v.len() <= code {
            v.resize(code + 1, 0);
        }
        v[code] += n;
    }
}

/// The key of `rule` for placing a task needing `need` of `group` on `inst`; lower is better.
///
/// `Random` has no key: the caller stops ranking there and draws among the tied.
///
/// # Panics
/// If `inst` cannot hold `need` (callers only rank feasible candidates) or on `Random`.
#[inline]
pub fn rank_key(
    rule: PlacementStrategy,
    inst: &ContainerInstance,
    need: Resources,
    group: crate::ids::Owner,
    counts: &SpreadCounts,
) -> u64 {
    match rule {
        PlacementStrategy::Binpack(BinpackField::Cpu) => u64::from(inst.free().cpu.0 - need.cpu.0),
        PlacementStrategy::Binpack(BinpackField::Memory) => {
            u64::from(inst.free().memory.0 - need.memory.0)
        }
        PlacementStrategy::Spread(SpreadField::InstanceId) => u64::from(inst.group_count(group)),
        PlacementStrategy::Spread(SpreadField::Attribute(a)) => u64::from(counts.get(a, inst)),
        PlacementStrategy::Random => unreachable!("random has no ranking key"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_ecs_accepts_documented_forms() {
        assert_eq!(
            PlacementStrategy::from_ecs("spread", Some("host")),
            Some(PlacementStrategy::Spread(SpreadField::InstanceId))
        );
        assert_eq!(
            PlacementStrategy::from_ecs("spread", Some("attribute:ecs.availability-zone")),
            Some(service_default_strategy()[0])
        );
        assert_eq!(
            PlacementStrategy::from_ecs("binpack", Some("memory")),
            Some(PlacementStrategy::Binpack(BinpackField::Memory))
        );
        assert_eq!(
            PlacementStrategy::from_ecs("random", None),
            Some(PlacementStrategy::Random)
        );
        assert_eq!(PlacementStrategy::from_ecs("binpack", Some("gpu")), None);
        assert_eq!(PlacementStrategy::from_ecs("spread", None), None);
    }
}
