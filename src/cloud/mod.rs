//! The embedded AWS price and shape catalog for us-east-1: EC2 instance types and Fargate.
//!
//! Owns the static facts the simulation needs about the cloud: each instance type's vCPU,
//! nominal memory, architecture, On-Demand price and ENI limit ([`catalog`]); Fargate's valid
//! task sizes and per-second rates ([`fargate`]); and the serde types a scenario uses to add
//! or re-price instance types ([`overrides`]).
//! It deliberately does not meter anything (that is `billing`) and does not know which
//! instances exist (that is `cluster`).
//! Every AWS number is a named constant citing `ecs-reference.md` by section and tag.

pub mod catalog;
pub mod fargate;
pub mod overrides;

pub use catalog::{
    hypervisor_of, Catalog, CatalogProblem, Hypervisor, InstanceType, MemoryOverhead,
    DEFAULT_ECS_RESERVED_MEMORY_MIB, DEFAULT_NITRO_MEMORY_OVERHEAD_PPM,
    DEFAULT_XEN_MEMORY_OVERHEAD_PPM, KARPENTER_VM_MEMORY_OVERHEAD_FRACTION,
};
pub use fargate::{FargatePricing, FargateRate, FARGATE_MINIMUM_BILLED};
pub use overrides::{
    load_overrides, parse_overrides, ArchitectureName, CatalogOverrides, FargatePricingOverride,
    FargateRateOverride, InstanceTypeOverride, OverridesError,
};
