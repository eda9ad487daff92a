//! The AWS price and shape catalog: EC2 instance types and Fargate, per Region.
//!
//! Owns the static facts the simulation needs about the cloud: the embedded data tables and
//! their file format ([`tables`]); one Region's instance types — vCPU, nominal memory,
//! architecture, accelerators, ENI and trunk limits, hypervisor, Linux and Windows On-Demand
//! prices ([`catalog`]); reading AWS Price List offer files into tables for `ecsim catalog`
//! ([`offer`]); Fargate's valid task sizes and per-second rates ([`fargate`]); and the serde
//! types a scenario uses to add or re-price instance types ([`overrides`]).
//! It deliberately does not meter anything (that is `billing`) and does not know which
//! instances exist (that is `cluster`).
//! Every AWS number outside the tables is a named constant citing `ecs-reference.md` by
//! section and tag; the tables' numbers are cited per file in `data/SOURCES.md`.

pub mod catalog;
pub mod fargate;
pub mod offer;
pub mod overrides;
pub mod tables;

pub use catalog::{
    hypervisor_of, Catalog, CatalogProblem, Hypervisor, InstanceType, MemoryOverhead,
    DEFAULT_ECS_RESERVED_MEMORY_MIB, DEFAULT_NITRO_MEMORY_OVERHEAD_PPM,
    DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM, DEFAULT_XEN_MEMORY_OVERHEAD_PPM,
    KARPENTER_VM_MEMORY_OVERHEAD_FRACTION,
};
pub use fargate::{FargatePricing, FargateRate, FARGATE_MINIMUM_BILLED};
pub use overrides::{
    load_overrides, parse_overrides, ArchitectureName, CatalogOverrides, FargatePricingOverride,
    FargateRateOverride, InstanceTypeOverride, OverridesError,
};
pub use tables::Tables;
