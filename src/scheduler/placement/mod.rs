//! Task placement on EC2 container instances, as ECS documents it (ecs-reference §4.1–4.4):
//! filter by resources and pool, filter by constraints and architecture, rank by the strategy
//! chain, pick one.
//!
//! Owns the request and failure types, the strategy and constraint vocabulary, the `memberOf`
//! expression language, and [`Placer`], an index over Active instances that keeps placement
//! fast at 10,000 instances.
//! It does not decide *whether* to place (the service scheduler and RunTask do), does not
//! mutate instances except through [`Placer::reserve`] / [`Placer::release`], and does not
//! place Fargate tasks (they have no instance to choose).
//!
//! Decisions are deterministic: ties end on the lowest [`InstanceId`], `random` draws from the
//! caller's placement stream, and no hash-map order reaches a decision.
//! [`general_scan`] is the plain reference implementation; the indexed paths of
//! [`Placer::place`] are tested to return exactly its decisions.

pub mod attribute;
pub mod constraint;
mod entry_set;
pub mod expression;
pub mod failure;
pub mod placer;
pub mod scan;
pub mod strategy;

use crate::cluster::ContainerInstance;
use crate::ids::{CapacityProviderId, InstanceId, Owner};
use crate::units::{CpuArchitecture, OsFamily, Resources};

pub use attribute::{Attribute, AttributeNames, InstanceAttributes};
pub use constraint::{Mismatch, PlacementConstraint};
pub use expression::{parse, CompiledExpr, Expr, ExpressionError};
pub use failure::{Device, PlacementFailure};
pub use placer::Placer;
pub use scan::general_scan;
pub use strategy::{
    service_default_strategy, BinpackField, PlacementStrategy, SpreadField, MAX_STRATEGY_RULES,
};

/// Which instances a task may land on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pool {
    /// Any EC2 instance of the cluster (launch type EC2, no capacity provider strategy);
    /// never an external instance, which only launch type EXTERNAL reaches.
    Cluster,
    /// Only instances of this capacity provider's Auto Scaling group.
    CapacityProvider(CapacityProviderId),
    /// Only external instances (ECS Anywhere, launch type EXTERNAL).
    External,
}

impl Pool {
    /// True if `inst` belongs to the pool, whatever its status.
    #[inline]
    pub fn contains(self, inst: &ContainerInstance) -> bool {
        match self {
            Pool::Cluster => !inst.external,
            Pool::CapacityProvider(cp) => inst.capacity_provider == Some(cp),
            Pool::External => inst.external,
        }
    }
}

/// One task to place.
#[derive(Clone, Copy, Debug)]
pub struct PlacementRequest<'a> {
    /// CPU, memory and devices (ENI, GPUs, Neuron devices) the task reserves.
    pub need: Resources,
    /// The service or workload it belongs to: spread and `distinctInstance` count this group.
    pub group: Owner,
    /// The task's `runtimePlatform.cpuArchitecture`; `None` accepts any instance.
    pub arch: Option<CpuArchitecture>,
    /// The task's `runtimePlatform.operatingSystemFamily` (LINUX when not given): only
    /// instances that registered this `ecs.os-family` are candidates.
    pub os: OsFamily,
    /// The instances it may use.
    pub pool: Pool,
    /// The strategy chain, at most [`MAX_STRATEGY_RULES`] rules; empty means lowest id.
    pub strategy: &'a [PlacementStrategy],
    /// Binding constraints.
    pub constraints: &'a [PlacementConstraint],
}

impl PlacementRequest<'_> {
    /// True if `inst` is a candidate: in the pool, Active, with room, right architecture and
    /// operating system, and meeting every constraint.
    #[inline]
    pub fn is_candidate(&self, inst: &ContainerInstance) -> bool {
        self.pool.contains(inst)
            && inst.accepts_tasks()
            && inst.free().fits(self.need)
            && constraint::check(inst, self.arch, self.os, self.group, self.constraints).is_ok()
    }
}

/// The EC2-style display id of an instance, `i-` and eight hex digits, used in ECS messages.
pub fn instance_display_id(id: InstanceId) -> String {
    format!("i-{:08x}", id.0)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Small clusters for the unit tests of the placement files.

    use super::*;
    use crate::cluster::InstanceStatus;
    use crate::engine::SimTime;
    use crate::ids::{AsgId, AzId, InstanceTypeId};

    /// An Active instance with nothing reserved.
    pub(crate) fn instance(
        id: u32,
        az: u8,
        instance_type: u16,
        arch: CpuArchitecture,
        registered: Resources,
        cp: Option<u16>,
    ) -> ContainerInstance {
        let mut inst = ContainerInstance::launched(
            InstanceId(id),
            AsgId(0),
            InstanceTypeId(instance_type),
            AzId(az),
            arch,
            registered,
            SimTime::ZERO,
        );
        inst.capacity_provider = cp.map(CapacityProviderId);
        inst.mark_registered(SimTime::ZERO);
        inst
    }

    /// An instance table and its index, kept in step.
    pub(crate) struct Cluster {
        pub(crate) instances: Vec<ContainerInstance>,
        pub(crate) placer: Placer,
    }

    impl Cluster {
        pub(crate) fn new(az_count: usize) -> Cluster {
            Cluster::with_cpu_order(az_count, true)
        }

        /// As [`Cluster::new`], keeping the free-CPU order only if `cpu_order`.
        pub(crate) fn with_cpu_order(az_count: usize, cpu_order: bool) -> Cluster {
            let mut placer = Placer::new(az_count);
            if cpu_order {
                placer.track_binpack_cpu();
            }
            // Tests use services 0..300: all take the indexed spread(instanceId) path.
            for s in 0..300 {
                placer.track_spread(crate::ids::Owner::Service(crate::ids::ServiceId(s)));
            }
            Cluster {
                instances: Vec::new(),
                placer,
            }
        }

        /// Adds an Active x86 instance without capacity provider.
        pub(crate) fn add(
            &mut self,
            az: u8,
            instance_type: u16,
            registered: Resources,
        ) -> InstanceId {
            self.add_full(az, instance_type, CpuArchitecture::X86_64, registered, None)
        }

        pub(crate) fn add_full(
            &mut self,
            az: u8,
            instance_type: u16,
            arch: CpuArchitecture,
            registered: Resources,
            cp: Option<u16>,
        ) -> InstanceId {
            let id = u32::try_from(self.instances.len()).unwrap();
            let inst = instance(id, az, instance_type, arch, registered, cp);
            self.placer.add_instance(&inst);
            self.instances.push(inst);
            InstanceId(id)
        }

        /// Adds an Active external instance (ECS Anywhere).
        pub(crate) fn add_external(
            &mut self,
            az: u8,
            instance_type: u16,
            arch: CpuArchitecture,
            registered: Resources,
        ) -> InstanceId {
            let id = u32::try_from(self.instances.len()).unwrap();
            let mut inst = instance(id, az, instance_type, arch, registered, None);
            inst.external = true;
            self.placer.add_instance(&inst);
            self.instances.push(inst);
            InstanceId(id)
        }

        pub(crate) fn reserve(&mut self, id: InstanceId, need: Resources, group: Owner) {
            self.placer
                .reserve(&mut self.instances[id.index()], need, group);
        }

        pub(crate) fn release(&mut self, id: InstanceId, need: Resources, group: Owner) {
            self.placer
                .release(&mut self.instances[id.index()], need, group);
        }

        /// Marks the instance Draining and drops it from the index.
        pub(crate) fn drain(&mut self, id: InstanceId) {
            self.placer.remove_instance(&self.instances[id.index()]);
            self.instances[id.index()].status = InstanceStatus::Draining;
        }

        /// Places with the index, checks the reference scan agrees, and returns the decision.
        pub(crate) fn place(
            &self,
            req: &PlacementRequest,
            rng: &mut crate::engine::SimRng,
        ) -> Result<InstanceId, PlacementFailure> {
            let mut rng2 = rng.clone();
            let fast = self.placer.place(req, &self.instances, rng);
            let slow = general_scan(req, &self.instances, &mut rng2);
            assert_eq!(fast, slow, "indexed and reference placement disagree");
            fast
        }

        /// Places and reserves; returns the decision.
        pub(crate) fn place_reserve(
            &mut self,
            req: &PlacementRequest,
            rng: &mut crate::engine::SimRng,
        ) -> Result<InstanceId, PlacementFailure> {
            let id = self.place(req, rng)?;
            self.reserve(id, req.need, req.group);
            Ok(id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_id_is_eight_hex_digits() {
        assert_eq!(instance_display_id(InstanceId(3)), "i-00000003");
        assert_eq!(instance_display_id(InstanceId(0xabc_def0)), "i-0abcdef0");
    }
}
