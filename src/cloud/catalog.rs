//! The EC2 instance-type catalog: shapes, prices and the resources ECS registers.
//!
//! Owns one Region's view of the catalog tables (`tables`: every instance type, per-Region
//! prices), lookup by name, the estimate of what the ECS agent registers for a type (§4.5),
//! and applying a scenario's [`CatalogOverrides`] with every problem reported at once.
//! It deliberately does not hold per-instance state (that is `cluster`) or meter cost (that is
//! `billing`); the price here is the On-Demand list price, and Spot factors are applied by the
//! caller.

use std::sync::OnceLock;

use crate::cloud::fargate::{FargatePricing, FargateRate};
use crate::cloud::overrides::{CatalogOverrides, FargateRateOverride, InstanceTypeOverride};
pub use crate::cloud::tables::Hypervisor;
use crate::cloud::tables::{self, FargateRates, Tables};
use crate::defaults::DEFAULT_REGION;
use crate::ids::InstanceTypeId;
use crate::units::{CpuArchitecture, MemoryMib, OsFamily, Resources, CPU_UNITS_PER_VCPU};

/// Fraction of nominal memory the OS and hypervisor keep from the ECS agent on a Nitro type,
/// by default.
///
/// Nitro has no published ECS example, so the default is fitted to a field report: an
/// m6i.large (8,192 MiB) runs two tasks of 3,910 MiB each, and did not fit two of 3,954 MiB,
/// so it registers between 7,820 and 7,907 MiB, 3.5–4.5 % below nominal
/// (thewca/worldcubeassociation.org pull request 9974,
/// <https://github.com/thewca/worldcubeassociation.org/pull/9974>).
/// 4 % gives ⌊8192 × 0.96⌋ = 7,864 MiB, inside that range.
/// Karpenter's 7.5 % (`VM_MEMORY_OVERHEAD_PERCENT`) is a conservative Kubernetes node
/// estimate, not an ECS figure, and registered about 400 MiB too little (ecs-reference §4.5).
/// \[OBS\] \[DERIVED\]
pub const DEFAULT_NITRO_MEMORY_OVERHEAD_PPM: u32 = 40_000;

/// Fraction of nominal memory the OS and hypervisor keep from the ECS agent on a Xen type,
/// by default.
///
/// Fitted to AWS's documented examples (ecs-reference §4.5):
/// - m4.large, 8,192 MiB nominal, registers 7,985 MiB (8,373,026,816 bytes): 2.53 % below.
///   Amazon ECS Developer Guide, "Container instance memory management",
///   <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html>.
/// - c4.large, 3,840 MiB, registers 3,768 MiB (1.88 % below), and c4.4xlarge, 30,720 MiB,
///   registers 30,158 MiB (1.83 % below). Amazon ECS Developer Guide, "Amazon ECS CloudWatch
///   metrics" (the cluster reservation example),
///   <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html>.
///
/// 2.2 % puts every one within 0.4 %: 8,011, 3,755 and 30,044 MiB. \[DOC\] \[DERIVED\]
pub const DEFAULT_XEN_MEMORY_OVERHEAD_PPM: u32 = 22_000;

/// The fraction Karpenter uses for every type (`VM_MEMORY_OVERHEAD_PERCENT=0.075`), the
/// default before it was fitted per hypervisor; kept for scenarios that want the old,
/// conservative figure (`settings.memoryOverheadFraction: 0.075`).
/// Source: ecs-reference §4.5 \[CODE Karpenter `pkg/operator/options/options.go`\].
pub const KARPENTER_VM_MEMORY_OVERHEAD_FRACTION: f64 = 0.075;

/// Fraction of nominal memory a Windows Server instance keeps from the ECS agent, by default,
/// parts per million.
///
/// On Windows the agent reads total physical memory (`GlobalMemoryStatusEx`), which counts
/// nearly all of the instance's memory, where Linux's `MemTotal` leaves out what the kernel
/// holds. AWS's one published example: an m4.large running the Amazon ECS-optimized Windows
/// AMI reports `TotalPhysicalMemory` 8,589,524,992 bytes, "which translates to 8191 MiB
/// available for tasks" (Amazon ECS Developer Guide, "Container Instance Memory Management",
/// the Windows example, awsdocs/amazon-ecs-developer-guide `doc_source/memory-management.md`
/// at commit 02824f062cc5fb004314ee7a90b36533f7f77f80, cited, nothing copied; the current
/// page keeps only the Linux example). 8,589,524,992 B = 8,191.53 MiB, 0.47 MiB or 57 ppm below
/// 8,192 MiB; ⌊8192 × (1 − 0.000057)⌋ = 8,191 reproduces it. Only a Xen type is published;
/// the model uses the same figure on Nitro (Windows reports physical memory the same way).
/// Overridable with `settings.windowsMemoryOverheadFraction`. \[DOC\] \[DERIVED\]
pub const DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM: u32 = 57;

/// Default `ECS_RESERVED_MEMORY`, MiB: memory the agent leaves out of what it registers.
/// Source: ecs-reference §4.5 \[CODE Agent README\] (default 0 on Linux and Windows; on Windows
/// also aws/amazon-ecs-agent `agent/config/config_windows.go`, `DefaultConfig`,
/// `ReservedMemory: 0`).
pub const DEFAULT_ECS_RESERVED_MEMORY_MIB: u32 = 0;

/// Parts per million in one.
const PPM_PER_UNIT: u64 = 1_000_000;

/// At most this many vCPUs per instance type: more than any EC2 type offers, and it keeps
/// vCPU × 1024 CPU units far inside a `u32`.
pub const MAX_INSTANCE_TYPE_VCPU: u32 = 4096;

/// At most this many instance types: an [`InstanceTypeId`] is a `u16`.
pub const MAX_INSTANCE_TYPES: usize = u16::MAX as usize + 1;

/// One EC2 instance type.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    /// API name, e.g. `m5.large`.
    pub name: String,
    /// CPU architecture.
    pub arch: CpuArchitecture,
    /// vCPUs.
    pub vcpu: u32,
    /// Nominal memory (AWS's published size), MiB.
    pub memory_mib: u32,
    /// Linux On-Demand price, USD per hour.
    pub on_demand_usd_per_hour: f64,
    /// Windows (licence included) On-Demand price, USD per hour, where the catalog has it.
    pub windows_on_demand_usd_per_hour: Option<f64>,
    /// GPUs.
    pub gpu_count: u32,
    /// Memory of each GPU, MiB.
    pub gpu_memory_mib_per_gpu: u32,
    /// AWS Inferentia/Trainium devices.
    pub accelerator_count: u32,
    /// Maximum network interfaces (the primary ENI included), where known.
    pub max_enis: Option<u32>,
    /// Branch network interfaces, where known (Karpenter's EKS limit, not ECS's trunk limit:
    /// see `tables::Shape::branch_enis`).
    pub branch_enis: Option<u32>,
    /// Whether the type supports ENI trunking, where known.
    pub trunking: Option<bool>,
    /// The hypervisor (`tables::Hypervisor`: Nitro, Xen, or none for bare metal), where the
    /// catalog's table says so; `None` derives it from the name ([`hypervisor_of`]). A value
    /// here wins over the name rule. It decides how much memory the OS reports.
    pub hypervisor: Option<Hypervisor>,
    /// Memory the ECS agent registers before `ECS_RESERVED_MEMORY`, MiB, where known for this
    /// type (the catalog override `registeredMemoryMib`); `None` estimates it from the
    /// hypervisor's overhead.
    pub registered_memory_mib: Option<u32>,
    /// `awsvpc` tasks per instance without trunking, from ECS's table where it lists the type
    /// (`tables::Shape::ecs_awsvpc_tasks`); `None` uses `max_enis − 1`.
    pub ecs_awsvpc_tasks: Option<u32>,
    /// `awsvpc` tasks per instance with `awsvpcTrunking`, where ECS supports trunking on the
    /// type (ECS's table, or the catalog override `awsvpcTrunkTaskLimit`).
    pub ecs_awsvpc_tasks_trunking: Option<u32>,
}

impl InstanceType {
    /// The `awsvpc` tasks an instance of this type can hold: each takes one ENI.
    ///
    /// Without trunking: ECS's figure, else the type's maximum ENIs − 1, "the primary
    /// network interface counts as one" (c5.large: 3 ENIs → 2 tasks). With the
    /// `awsvpcTrunking` account setting on and a type ECS supports: ECS's "task limit with ENI
    /// trunking", whose ENI limit counts the primary and the trunk interface (c5.large: 12 − 2
    /// = 10). A type ECS does not list for trunking keeps its limit without it, as ECS gives
    /// such instances no trunk interface.
    /// Source: Amazon ECS Developer Guide, "Elastic network interface trunking"
    /// (container-instance-eni.md, awsdocs/amazon-ecs-developer-guide at commit 49232cf,
    /// 2023-06-15) and its "Supported Amazon EC2 instance types" table; ecs-reference §4.5.
    /// A type with no ENI figure at all (hpc7a…) offers none: validation names it.
    pub fn awsvpc_task_limit(&self, trunking: bool) -> u32 {
        if trunking {
            if let Some(n) = self.ecs_awsvpc_tasks_trunking {
                return n;
            }
        }
        self.ecs_awsvpc_tasks
            .or_else(|| self.max_enis.map(|e| e.saturating_sub(1)))
            .unwrap_or(0)
    }
}

/// Families that run on Xen, by the part of the name before the dot.
///
/// Source: Amazon EC2 Instance Types guide, "Instances built on the AWS Nitro System",
/// <https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-nitro-instances.html>: the
/// families it does not list, all of them previous generation or 4th generation and
/// older. Two sizes of these families are Nitro ([`NITRO_EXCEPTIONS`]).
pub const XEN_FAMILIES: [&str; 28] = [
    "c1", "c3", "c4", "cc2", "cg1", "cr1", "d2", "f1", "g2", "g3", "g3s", "h1", "hi1", "hs1", "i2",
    "i3", "m1", "m2", "m3", "m4", "p2", "p3", "r3", "r4", "t1", "t2", "x1", "x1e",
];

/// Sizes of Xen families that run on Nitro. Same source.
pub const NITRO_EXCEPTIONS: [&str; 2] = ["i3.metal", "p3dn.24xlarge"];

/// The hypervisor of the instance type called `name`, by its family.
///
/// Unknown families are Nitro: every family AWS has launched since 2017 is.
pub fn hypervisor_of(name: &str) -> Hypervisor {
    if NITRO_EXCEPTIONS.contains(&name) {
        return Hypervisor::Nitro;
    }
    let family = name.split('.').next().unwrap_or(name);
    if XEN_FAMILIES.contains(&family) {
        Hypervisor::Xen
    } else {
        Hypervisor::Nitro
    }
}

impl InstanceType {
    /// Its hypervisor: the catalog's value if it has one, else [`hypervisor_of`] its name.
    pub fn hypervisor(&self) -> Hypervisor {
        self.hypervisor.unwrap_or_else(|| hypervisor_of(&self.name))
    }
}

/// How far registered memory falls below nominal memory.
///
/// Registered memory = ⌊nominal × (1 − overhead)⌋ − reserved, computed in integers, where the
/// overhead is the scenario's single fraction if it gave one, else the default of the type's
/// hypervisor; a type whose registered memory the catalog knows skips the estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryOverhead {
    /// The OS/hypervisor share of nominal memory for every type, parts per million
    /// (`settings.memoryOverheadFraction`); `None` uses the hypervisor's default
    /// ([`DEFAULT_XEN_MEMORY_OVERHEAD_PPM`], [`DEFAULT_NITRO_MEMORY_OVERHEAD_PPM`]).
    pub vm_overhead_ppm: Option<u32>,
    /// `ECS_RESERVED_MEMORY`, MiB.
    pub ecs_reserved_mib: u32,
    /// The OS share of nominal memory on a Windows Server instance, parts per million, for
    /// every type (`settings.windowsMemoryOverheadFraction`, default
    /// [`DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM`]).
    pub windows_overhead_ppm: u32,
}

impl MemoryOverhead {
    /// From a fraction in `[0, 1)` (rounded to the nearest part per million) and a reserved
    /// amount; `None` if the fraction is not finite or outside that range.
    pub fn from_fraction(vm_overhead_fraction: f64, ecs_reserved: MemoryMib) -> Option<Self> {
        if !(vm_overhead_fraction.is_finite() && (0.0..1.0).contains(&vm_overhead_fraction)) {
            return None;
        }
        // In range [0, 1) so the product is in [0, 1e6] and the cast cannot truncate.
        let ppm = (vm_overhead_fraction * PPM_PER_UNIT as f64).round() as u32;
        Some(MemoryOverhead {
            vm_overhead_ppm: Some(ppm.min(PPM_PER_UNIT as u32 - 1)),
            ecs_reserved_mib: ecs_reserved.0,
            windows_overhead_ppm: DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM,
        })
    }

    /// The overhead in force for a type on `hypervisor`, parts per million.
    pub fn ppm_for(&self, hypervisor: Hypervisor) -> u32 {
        self.vm_overhead_ppm.unwrap_or(match hypervisor {
            Hypervisor::Xen => DEFAULT_XEN_MEMORY_OVERHEAD_PPM,
            // Bare metal has no hypervisor; its OS keeps what a Nitro guest's does, the
            // closest published figure (no metal type has a published registered memory).
            Hypervisor::Nitro | Hypervisor::None => DEFAULT_NITRO_MEMORY_OVERHEAD_PPM,
        })
    }
}

impl Default for MemoryOverhead {
    /// The hypervisor defaults, the Windows default and no `ECS_RESERVED_MEMORY` (§4.5).
    fn default() -> MemoryOverhead {
        MemoryOverhead {
            vm_overhead_ppm: None,
            ecs_reserved_mib: DEFAULT_ECS_RESERVED_MEMORY_MIB,
            windows_overhead_ppm: DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM,
        }
    }
}

/// Something wrong with [`CatalogOverrides`]: where (a JSON path below the overrides object)
/// and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: expected {expected}")]
pub struct CatalogProblem {
    /// JSON path suffix, e.g. `instanceTypes[2].vcpu`.
    pub path: String,
    /// What a valid value looks like, phrased so the user can fix the input.
    pub expected: String,
}

impl CatalogProblem {
    fn new(path: impl Into<String>, expected: impl Into<String>) -> CatalogProblem {
        CatalogProblem {
            path: path.into(),
            expected: expected.into(),
        }
    }
}

/// The operating system of the prices costs are computed with: Linux (the catalog also holds
/// Windows prices where its source gives them, for callers that model Windows).
pub const PRICE_OPERATING_SYSTEM: &str = "Linux";

/// The instance types and Fargate prices the simulation knows, for one Region.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    /// Every instance type offered in the Region; an [`InstanceTypeId`] is an index here.
    pub instance_types: Vec<InstanceType>,
    /// Fargate prices the billing reads.
    pub fargate: FargatePricing,
    /// The Region's whole Fargate row, each rate where known (Windows, the OS licence and
    /// the per-dimension Spot rates are here; `fargate` keeps what billing reads today).
    pub fargate_rates: FargateRates,
    /// AWS Region code, e.g. `us-east-1`.
    pub region: String,
    /// Date of the EC2 prices.
    pub ec2_prices_as_of: String,
    /// Date of the Fargate prices.
    pub fargate_prices_as_of: String,
    /// Instance types the tables know but the Region does not price, sorted.
    pub not_offered: Vec<String>,
    /// The scenario's `catalogDir` the tables came from; `None` for the embedded tables.
    pub catalog_dir: Option<String>,
    /// The scenario changed or added prices (`catalog` or `catalogFile`).
    pub overridden: bool,
}

impl Catalog {
    /// The embedded catalog for us-east-1 (the default Region): every instance type of the
    /// embedded tables with a us-east-1 Linux On-Demand price (Karpenter's generated pricing
    /// table, generated 2026-07-20; shapes, GPUs, ENIs and hypervisors from Karpenter's
    /// instance-type reference and VPC limits table; see `src/cloud/data/SOURCES.md`) and the
    /// Fargate prices of ecs-reference §7.1 with the default Spot factor of §7.3.
    ///
    /// Built once per process and cloned: a sweep validates thousands of scenarios.
    /// Karpenter's table is refreshed from the AWS Price List API; the reference warns to
    /// regenerate before trusting cents. t3/t4g are burstable and may add credit charges,
    /// which are not modelled.
    pub fn embedded_us_east_1() -> Catalog {
        static US_EAST_1: OnceLock<Catalog> = OnceLock::new();
        US_EAST_1
            .get_or_init(
                || match Catalog::for_region(tables::embedded(), DEFAULT_REGION, None) {
                    Ok(c) => c,
                    Err(e) => panic!("the embedded catalog has no {DEFAULT_REGION}: {e}"),
                },
            )
            .clone()
    }

    /// The catalog of `region` from `tables`: the instance types with a Linux On-Demand price
    /// there, in the tables' order, and the Region's Fargate rates. `catalog_dir` names the
    /// folder the tables came from (`None`: the embedded tables), for messages and reports.
    ///
    /// The error is one sentence saying what the tables lack and how to get it.
    pub fn for_region(
        tables: &Tables,
        region: &str,
        catalog_dir: Option<&str>,
    ) -> Result<Catalog, String> {
        let source = match catalog_dir {
            Some(dir) => format!("the catalog in {dir}"),
            None => "the embedded catalog".to_owned(),
        };
        let how = "build one from AWS's price list offer files with `ecsim catalog` and point \
                   catalogDir at it (README, Catalog)";
        let Some(r) = tables.regions.get(region) else {
            let known: Vec<&str> = tables.regions.keys().map(String::as_str).collect();
            return Err(format!(
                "unknown region {region:?}; expected one of {} ({source})",
                known.join(", ")
            ));
        };
        let (Some(ec2_date), false) = (&r.ec2_prices_as_of, r.ec2.is_empty()) else {
            return Err(format!(
                "{source} has no EC2 On-Demand prices for {region} (src/cloud/data/SOURCES.md \
                 says why); {how}"
            ));
        };
        let rates = r.fargate.unwrap_or_default();
        // Spot and Windows rates: the table's; for the embedded us-east-1 row, which has
        // none, the published snapshot constants of `fargate` (see its sources). Any other
        // Region needs them in its table (`ecsim catalog` reads them from the AmazonECS offer
        // file): a rate is never carried over from another Region.
        let fallback = (region == DEFAULT_REGION).then(FargatePricing::us_east_1);
        let pair = |c: Option<f64>, m: Option<f64>, f: Option<FargateRate>| match (c, m) {
            (Some(c), Some(m)) => Some(FargateRate {
                usd_per_vcpu_second: c,
                usd_per_gb_second: m,
            }),
            _ => f,
        };
        let fb = fallback.as_ref();
        let spot_x86 = pair(
            rates.spot_x86_usd_per_vcpu_second,
            rates.spot_x86_usd_per_gb_second,
            fb.map(|f| f.spot_x86),
        );
        let spot_arm = pair(
            rates.spot_arm_usd_per_vcpu_second,
            rates.spot_arm_usd_per_gb_second,
            fb.map(|f| f.spot_arm),
        );
        let windows = pair(
            rates.windows_usd_per_vcpu_second,
            rates.windows_usd_per_gb_second,
            fb.map(|f| f.windows),
        );
        let licence = rates
            .windows_licence_usd_per_vcpu_second
            .or(fb.map(|f| f.windows_usd_per_licence_vcpu_second));
        let fargate = match (
            rates.x86_usd_per_vcpu_second,
            rates.x86_usd_per_gb_second,
            rates.arm_usd_per_vcpu_second,
            rates.arm_usd_per_gb_second,
            rates.ephemeral_usd_per_gb_second,
            &r.fargate_prices_as_of,
            (spot_x86, spot_arm, windows, licence),
        ) {
            (
                Some(xc),
                Some(xm),
                Some(ac),
                Some(am),
                Some(eph),
                Some(_),
                (Some(spot_x86), Some(spot_arm), Some(windows), Some(licence)),
            ) => FargatePricing {
                x86: FargateRate {
                    usd_per_vcpu_second: xc,
                    usd_per_gb_second: xm,
                },
                arm: FargateRate {
                    usd_per_vcpu_second: ac,
                    usd_per_gb_second: am,
                },
                spot_x86,
                spot_arm,
                spot_price_factor: None,
                windows,
                windows_usd_per_licence_vcpu_second: licence,
                usd_per_extra_ephemeral_gb_second: eph,
            },
            _ => {
                return Err(format!(
                    "{source} has no Fargate Linux x86, ARM, Spot, Windows and ephemeral \
                     storage rates for {region}, or no date for them; {how} (give it the \
                     AmazonECS offer file too)"
                ))
            }
        };
        let mut instance_types = Vec::with_capacity(r.ec2.len());
        let mut not_offered = Vec::new();
        for s in &tables.instance_types {
            match r.ec2.get(&s.name) {
                Some(p) => instance_types.push(InstanceType {
                    name: s.name.clone(),
                    arch: s.arch,
                    vcpu: s.vcpu,
                    memory_mib: s.memory_mib,
                    on_demand_usd_per_hour: p.linux_usd_per_hour,
                    windows_on_demand_usd_per_hour: p.windows_usd_per_hour,
                    gpu_count: s.gpu_count,
                    gpu_memory_mib_per_gpu: s.gpu_memory_mib_per_gpu,
                    accelerator_count: s.accelerator_count,
                    max_enis: s.max_enis,
                    branch_enis: s.branch_enis,
                    trunking: s.trunking,
                    hypervisor: s.hypervisor,
                    registered_memory_mib: None,
                    ecs_awsvpc_tasks: s.ecs_awsvpc_tasks,
                    ecs_awsvpc_tasks_trunking: s.ecs_awsvpc_tasks_trunking,
                }),
                None => not_offered.push(s.name.clone()),
            }
        }
        if instance_types.len() > MAX_INSTANCE_TYPES {
            return Err(format!(
                "{source} has {} instance types in {region}; at most {MAX_INSTANCE_TYPES}",
                instance_types.len()
            ));
        }
        not_offered.sort();
        Ok(Catalog {
            instance_types,
            fargate,
            fargate_rates: rates,
            region: region.to_owned(),
            ec2_prices_as_of: ec2_date.clone(),
            fargate_prices_as_of: r.fargate_prices_as_of.clone().unwrap_or_default(),
            not_offered,
            catalog_dir: catalog_dir.map(str::to_owned),
            overridden: false,
        })
    }

    /// True if `name` is an instance type the tables know but this Region does not price
    /// (so not offered there, as far as the catalog knows).
    pub fn is_not_offered(&self, name: &str) -> bool {
        self.not_offered
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    /// The Windows (licence included) On-Demand price of `id`, USD per hour, or the sentence
    /// to show when the catalog has none (issue 12: never an invented number).
    pub fn windows_usd_per_hour(&self, id: InstanceTypeId) -> Result<f64, String> {
        let t = self.get(id);
        t.windows_on_demand_usd_per_hour.ok_or_else(|| {
            format!(
                "no Windows On-Demand price for {} in {} in the catalog (src/cloud/data/SOURCES.md \
                 says which prices are embedded); give it as \
                 catalog.instanceTypes[].windowsOnDemandUsdPerHour, or build a catalog folder \
                 from AWS's offer files with `ecsim catalog` and point catalogDir at it",
                t.name, self.region
            )
        })
    }

    /// The id of the type called `name` (exact, case-sensitive match, as EC2 spells it).
    pub fn find(&self, name: &str) -> Option<InstanceTypeId> {
        self.instance_types
            .iter()
            .position(|t| t.name == name)
            .map(InstanceTypeId::from_index)
    }

    /// The type with id `id`.
    ///
    /// # Panics
    /// If `id` did not come from this catalog (a bug: ids are resolved at validation).
    pub fn get(&self, id: InstanceTypeId) -> &InstanceType {
        assert!(
            id.index() < self.instance_types.len(),
            "{id:?} is not in the catalog"
        );
        &self.instance_types[id.index()]
    }

    /// What the ECS agent registers for an instance of type `id`.
    ///
    /// CPU = vCPU × 1024 (§4.5 \[CODE Agent `getCpu`\]).
    /// Memory = the type's known registered memory if the catalog has it, else
    /// ⌊nominal MiB × (1 − overhead)⌋ with the overhead of [`MemoryOverhead::ppm_for`] its
    /// hypervisor; then minus `ECS_RESERVED_MEMORY` (floored at 0), in integer arithmetic.
    /// With the defaults an m5.large (Nitro, 8192 MiB) registers ⌊8192 × 0.96⌋ = 7864 MiB and
    /// an m4.large (Xen) ⌊8192 × 0.978⌋ = 8011 MiB, against the 7985 MiB AWS documents.
    ///
    /// Devices: the ENIs left for `awsvpc` tasks ([`InstanceType::awsvpc_task_limit`] with
    /// the scenario's `awsvpcTrunking`), the type's GPUs ("The number of GPUs reserved for all
    /// containers in a task cannot exceed the number of available GPUs on the container
    /// instance", ECS Developer Guide, ecs-gpu.md) and its Neuron devices ("You can run as
    /// many tasks as there are chips", ecs-inference.md).
    pub fn registered_resources(
        &self,
        id: InstanceTypeId,
        overhead: MemoryOverhead,
        awsvpc_trunking: bool,
    ) -> Resources {
        self.registered_resources_on(id, overhead, awsvpc_trunking, OsFamily::Linux)
    }

    /// What the ECS agent registers for an instance of type `id` running `os`.
    ///
    /// Linux: as [`Catalog::registered_resources`]. Windows: ⌊nominal MiB × (1 − the Windows
    /// overhead)⌋ (`MemoryOverhead::windows_overhead_ppm`, whatever the hypervisor: Windows
    /// reports physical memory, see [`DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM`]), then minus
    /// `ECS_RESERVED_MEMORY`. A type's `registeredMemoryMib` is a Linux figure and is not
    /// used for Windows. An m4.large on Windows registers ⌊8192 × 0.999943⌋ = 8191 MiB, as AWS
    /// documents. Devices as on Linux (ECS's ENI table does not tell the OS apart).
    pub fn registered_resources_on(
        &self,
        id: InstanceTypeId,
        overhead: MemoryOverhead,
        awsvpc_trunking: bool,
        os: OsFamily,
    ) -> Resources {
        let t = self.get(id);
        let kept = |ppm: u32| {
            let kept_ppm = PPM_PER_UNIT - u64::from(ppm.min(1_000_000));
            let visible = u64::from(t.memory_mib) * kept_ppm / PPM_PER_UNIT;
            // visible ≤ memory_mib, a u32, so the conversion cannot fail.
            u32::try_from(visible).unwrap_or(u32::MAX)
        };
        let visible_mib = match (os.is_windows(), t.registered_memory_mib) {
            (true, _) => kept(overhead.windows_overhead_ppm),
            // A scenario-wide fraction is a deliberate choice for every type; a per-type
            // figure is more specific still, so it wins over both.
            (false, Some(known)) => known,
            (false, None) => kept(overhead.ppm_for(t.hypervisor())),
        };
        Resources::new(
            t.vcpu * CPU_UNITS_PER_VCPU,
            visible_mib.saturating_sub(overhead.ecs_reserved_mib),
        )
        .with_devices(
            t.awsvpc_task_limit(awsvpc_trunking),
            t.gpu_count,
            t.accelerator_count,
        )
    }

    /// Applies a scenario's overrides: new instance types are appended (so existing ids stay
    /// valid), existing types get their price and ENI count replaced, and Fargate rates are
    /// replaced field by field.
    ///
    /// Either every override is applied or, if any is invalid, none is and every problem is
    /// returned, each with its JSON path below the overrides object.
    pub fn apply(&mut self, overrides: &CatalogOverrides) -> Result<(), Vec<CatalogProblem>> {
        let mut problems = Vec::new();
        let mut updated = self.clone();
        for (i, o) in overrides.instance_types.iter().enumerate() {
            let path = format!("instanceTypes[{i}]");
            if let Some(j) = overrides.instance_types[..i]
                .iter()
                .position(|earlier| earlier.name == o.name)
            {
                problems.push(CatalogProblem::new(
                    format!("{path}.name"),
                    format!("a name not already overridden at instanceTypes[{j}]"),
                ));
                continue;
            }
            check_instance_type_fields(&path, o, &mut problems);
            match self.find(&o.name) {
                Some(id) => override_existing(&path, o, &mut updated.instance_types[id.index()])
                    .unwrap_or_else(|mut p| problems.append(&mut p)),
                None => match new_instance_type(&path, o) {
                    Ok(t) => updated.instance_types.push(t),
                    Err(mut p) => problems.append(&mut p),
                },
            }
        }
        if updated.instance_types.len() > MAX_INSTANCE_TYPES {
            problems.push(CatalogProblem::new(
                "instanceTypes",
                format!("at most {MAX_INSTANCE_TYPES} instance types in all, catalog included"),
            ));
        }
        if let Some(f) = &overrides.fargate {
            let path = "fargate";
            apply_rate(
                &format!("{path}.x86"),
                &f.x86,
                &mut updated.fargate.x86,
                &mut problems,
            );
            apply_rate(
                &format!("{path}.arm"),
                &f.arm,
                &mut updated.fargate.arm,
                &mut problems,
            );
            apply_rate(
                &format!("{path}.spot"),
                &f.spot,
                &mut updated.fargate.spot_x86,
                &mut problems,
            );
            apply_rate(
                &format!("{path}.spotArm"),
                &f.spot_arm,
                &mut updated.fargate.spot_arm,
                &mut problems,
            );
            apply_rate(
                &format!("{path}.windows"),
                &f.windows,
                &mut updated.fargate.windows,
                &mut problems,
            );
            if let Some(price) = f.windows_usd_per_licence_vcpu_second {
                match check_price(price) {
                    Ok(p) => updated.fargate.windows_usd_per_licence_vcpu_second = p,
                    Err(e) => problems.push(CatalogProblem::new(
                        format!("{path}.windowsUsdPerLicenceVcpuSecond"),
                        e,
                    )),
                }
            }
            if let Some(factor) = f.spot_price_factor {
                if factor.is_finite() && factor > 0.0 && factor <= 1.0 {
                    updated.fargate.spot_price_factor = Some(factor);
                } else {
                    problems.push(CatalogProblem::new(
                        format!("{path}.spotPriceFactor"),
                        "a fraction of the On-Demand price, greater than 0 and at most 1",
                    ));
                }
            }
            if let Some(price) = f.usd_per_extra_ephemeral_gb_second {
                match check_price(price) {
                    Ok(p) => updated.fargate.usd_per_extra_ephemeral_gb_second = p,
                    Err(e) => problems.push(CatalogProblem::new(
                        format!("{path}.usdPerExtraEphemeralGbSecond"),
                        e,
                    )),
                }
            }
        }
        if problems.is_empty() {
            updated.overridden |=
                !overrides.instance_types.is_empty() || overrides.fargate.is_some();
            *self = updated;
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// The largest price (per hour, or a Fargate rate per second) a scenario may give, USD.
/// Not an AWS figure: a guard so cost sums stay finite (1e308 USD/h is a finite f64, but two
/// instance-hours of it overflow and the summary printed costs as null). The dearest EC2
/// type costs a few hundred USD an hour, so 1,000,000 leaves room for any real price.
pub const MAX_PRICE_USD: f64 = 1_000_000.0;

const PRICE_EXPECTED: &str =
    "a finite price from 0 to 1000000 (USD; a larger one would overflow the cost sums)";

fn check_price(price: f64) -> Result<f64, &'static str> {
    if price.is_finite() && (0.0..=MAX_PRICE_USD).contains(&price) {
        Ok(price)
    } else {
        Err(PRICE_EXPECTED)
    }
}

/// Range checks that apply whether the type is new or existing.
fn check_instance_type_fields(
    path: &str,
    o: &InstanceTypeOverride,
    problems: &mut Vec<CatalogProblem>,
) {
    if o.name.trim().is_empty() {
        problems.push(CatalogProblem::new(
            format!("{path}.name"),
            "a non-empty instance type name such as \"m5.large\"",
        ));
    }
    if let Some(vcpu) = o.vcpu {
        if vcpu == 0 || vcpu > MAX_INSTANCE_TYPE_VCPU {
            problems.push(CatalogProblem::new(
                format!("{path}.vcpu"),
                format!("vcpu > 0 and at most {MAX_INSTANCE_TYPE_VCPU}"),
            ));
        }
    }
    if o.memory_mib == Some(0) {
        problems.push(CatalogProblem::new(
            format!("{path}.memoryMib"),
            "memoryMib > 0",
        ));
    }
    if let Some(price) = o.on_demand_usd_per_hour {
        if let Err(e) = check_price(price) {
            problems.push(CatalogProblem::new(format!("{path}.onDemandUsdPerHour"), e));
        }
    }
    if let Some(price) = o.windows_on_demand_usd_per_hour {
        if let Err(e) = check_price(price) {
            problems.push(CatalogProblem::new(
                format!("{path}.windowsOnDemandUsdPerHour"),
                e,
            ));
        }
    }
    if let (Some(registered), Some(nominal)) = (o.registered_memory_mib, o.memory_mib) {
        if registered > nominal {
            problems.push(CatalogProblem::new(
                format!("{path}.registeredMemoryMib"),
                format!("at most memoryMib ({nominal}): an instance registers no more than it has"),
            ));
        }
    }
    if o.registered_memory_mib == Some(0) {
        problems.push(CatalogProblem::new(
            format!("{path}.registeredMemoryMib"),
            "registeredMemoryMib > 0",
        ));
    }
    if o.max_enis == Some(0) {
        problems.push(CatalogProblem::new(
            format!("{path}.maxEnis"),
            "maxEnis ≥ 1 (the primary network interface counts)",
        ));
    }
}

/// Re-prices an existing type. Its shape is fixed: giving vCPU, memory or architecture is
/// accepted only if it repeats the catalog's value, so a typo cannot silently reshape a
/// well-known type.
fn override_existing(
    path: &str,
    o: &InstanceTypeOverride,
    t: &mut InstanceType,
) -> Result<(), Vec<CatalogProblem>> {
    let mut problems = Vec::new();
    let shape_expected = |field: &str, current: String| {
        CatalogProblem::new(
            format!("{path}.{field}"),
            format!(
                "{current} as in the catalog for {} (only onDemandUsdPerHour, \
                 windowsOnDemandUsdPerHour, maxEnis, awsvpcTrunkTaskLimit and registeredMemoryMib \
                 of a catalog type can change; add a type under a new name for another shape)",
                t.name
            ),
        )
    };
    if o.vcpu.is_some_and(|v| v != t.vcpu) {
        problems.push(shape_expected("vcpu", t.vcpu.to_string()));
    }
    if o.memory_mib.is_some_and(|m| m != t.memory_mib) {
        problems.push(shape_expected("memoryMib", t.memory_mib.to_string()));
    }
    if o.arch.is_some_and(|a| CpuArchitecture::from(a) != t.arch) {
        problems.push(shape_expected(
            "arch",
            format!("\"{}\"", t.arch.attribute_value()),
        ));
    }
    if let Some(registered) = o.registered_memory_mib.filter(|&m| m > t.memory_mib) {
        problems.push(CatalogProblem::new(
            format!("{path}.registeredMemoryMib"),
            format!(
                "at most {} MiB, the nominal memory of {} (found {registered}): an instance \
                 registers no more than it has",
                t.memory_mib, t.name
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(price) = o.on_demand_usd_per_hour {
        t.on_demand_usd_per_hour = price;
    }
    if let Some(enis) = o.max_enis {
        t.max_enis = Some(enis);
        // The user's ENI count replaces ECS's task figure, which was derived from the old one.
        t.ecs_awsvpc_tasks = None;
    }
    if let Some(n) = o.awsvpc_trunk_task_limit {
        t.ecs_awsvpc_tasks_trunking = Some(n);
    }
    if let Some(price) = o.windows_on_demand_usd_per_hour {
        t.windows_on_demand_usd_per_hour = Some(price);
    }
    if let Some(mib) = o.registered_memory_mib {
        t.registered_memory_mib = Some(mib);
    }
    Ok(())
}

/// A type not in the catalog: every field but `maxEnis` is required.
fn new_instance_type(
    path: &str,
    o: &InstanceTypeOverride,
) -> Result<InstanceType, Vec<CatalogProblem>> {
    let missing = |field: &str| {
        CatalogProblem::new(
            format!("{path}.{field}"),
            format!(
                "{field} for \"{}\": it is not in the embedded catalog, so vcpu, memoryMib, \
                 arch and onDemandUsdPerHour are required",
                o.name
            ),
        )
    };
    let mut problems = Vec::new();
    if o.vcpu.is_none() {
        problems.push(missing("vcpu"));
    }
    if o.memory_mib.is_none() {
        problems.push(missing("memoryMib"));
    }
    if o.arch.is_none() {
        problems.push(missing("arch"));
    }
    if o.on_demand_usd_per_hour.is_none() {
        problems.push(missing("onDemandUsdPerHour"));
    }
    match (o.vcpu, o.memory_mib, o.arch, o.on_demand_usd_per_hour) {
        (Some(vcpu), Some(memory_mib), Some(arch), Some(price)) if problems.is_empty() => {
            Ok(InstanceType {
                name: o.name.clone(),
                arch: arch.into(),
                vcpu,
                memory_mib,
                on_demand_usd_per_hour: price,
                windows_on_demand_usd_per_hour: o.windows_on_demand_usd_per_hour,
                // A type added by hand has no accelerators, trunking or hypervisor on record.
                gpu_count: 0,
                gpu_memory_mib_per_gpu: 0,
                accelerator_count: 0,
                max_enis: o.max_enis,
                branch_enis: None,
                trunking: None,
                hypervisor: None,
                registered_memory_mib: o.registered_memory_mib,
                ecs_awsvpc_tasks: None,
                ecs_awsvpc_tasks_trunking: o.awsvpc_trunk_task_limit,
            })
        }
        _ => Err(problems),
    }
}

fn apply_rate(
    path: &str,
    o: &Option<FargateRateOverride>,
    rate: &mut FargateRate,
    problems: &mut Vec<CatalogProblem>,
) {
    let Some(o) = o else { return };
    for (field, value, target) in [
        (
            "usdPerVcpuSecond",
            o.usd_per_vcpu_second,
            &mut rate.usd_per_vcpu_second,
        ),
        (
            "usdPerGbSecond",
            o.usd_per_gb_second,
            &mut rate.usd_per_gb_second,
        ),
    ] {
        if let Some(price) = value {
            match check_price(price) {
                Ok(p) => *target = p,
                Err(e) => problems.push(CatalogProblem::new(format!("{path}.{field}"), e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::overrides::{ArchitectureName, FargatePricingOverride, InstanceTypeOverride};

    use CpuArchitecture::{Arm64 as ARM, X86_64 as X86};

    /// `(name, arch, vCPU, nominal GiB, On-Demand USD/h, max ENIs)`.
    type ReferenceRow = (&'static str, CpuArchitecture, u32, u32, f64, Option<u32>);

    /// The 64 rows of ecs-reference §7.5, the table this catalog replaced; ENIs `None` where
    /// §7.5 gave "—".
    const REFERENCE_7_5: [ReferenceRow; 64] = [
        ("m5.large", X86, 2, 8, 0.096, Some(3)),
        ("m5.xlarge", X86, 4, 16, 0.192, Some(4)),
        ("m5.2xlarge", X86, 8, 32, 0.384, Some(4)),
        ("m5.4xlarge", X86, 16, 64, 0.768, Some(8)),
        ("m6i.large", X86, 2, 8, 0.096, Some(3)),
        ("m6i.xlarge", X86, 4, 16, 0.192, Some(4)),
        ("m6i.2xlarge", X86, 8, 32, 0.384, Some(4)),
        ("m6i.4xlarge", X86, 16, 64, 0.768, Some(8)),
        ("m7i.large", X86, 2, 8, 0.1008, None),
        ("m7i.xlarge", X86, 4, 16, 0.2016, None),
        ("m7i.2xlarge", X86, 8, 32, 0.4032, None),
        ("m7i.4xlarge", X86, 16, 64, 0.8064, None),
        ("m6g.large", ARM, 2, 8, 0.077, None),
        ("m6g.xlarge", ARM, 4, 16, 0.154, None),
        ("m6g.2xlarge", ARM, 8, 32, 0.308, None),
        ("m6g.4xlarge", ARM, 16, 64, 0.616, None),
        ("m7g.large", ARM, 2, 8, 0.0816, Some(3)),
        ("m7g.xlarge", ARM, 4, 16, 0.1632, Some(4)),
        ("m7g.2xlarge", ARM, 8, 32, 0.3264, Some(4)),
        ("m7g.4xlarge", ARM, 16, 64, 0.6528, Some(8)),
        ("c5.large", X86, 2, 4, 0.085, Some(3)),
        ("c5.xlarge", X86, 4, 8, 0.170, Some(4)),
        ("c5.2xlarge", X86, 8, 16, 0.340, Some(4)),
        ("c5.4xlarge", X86, 16, 32, 0.680, Some(8)),
        ("c6i.large", X86, 2, 4, 0.085, None),
        ("c6i.xlarge", X86, 4, 8, 0.170, None),
        ("c6i.2xlarge", X86, 8, 16, 0.340, None),
        ("c6i.4xlarge", X86, 16, 32, 0.680, None),
        ("c6g.large", ARM, 2, 4, 0.068, Some(3)),
        ("c6g.xlarge", ARM, 4, 8, 0.136, Some(4)),
        ("c6g.2xlarge", ARM, 8, 16, 0.272, Some(4)),
        ("c6g.4xlarge", ARM, 16, 32, 0.544, Some(8)),
        ("c7g.large", ARM, 2, 4, 0.0725, Some(3)),
        ("c7g.xlarge", ARM, 4, 8, 0.145, Some(4)),
        ("c7g.2xlarge", ARM, 8, 16, 0.290, Some(4)),
        ("c7g.4xlarge", ARM, 16, 32, 0.580, Some(8)),
        ("c7i.large", X86, 2, 4, 0.08925, None),
        ("c7i.xlarge", X86, 4, 8, 0.1785, None),
        ("c7i.2xlarge", X86, 8, 16, 0.357, None),
        ("c7i.4xlarge", X86, 16, 32, 0.714, None),
        ("r5.large", X86, 2, 16, 0.126, Some(3)),
        ("r5.xlarge", X86, 4, 32, 0.252, Some(4)),
        ("r5.2xlarge", X86, 8, 64, 0.504, Some(4)),
        ("r5.4xlarge", X86, 16, 128, 1.008, Some(8)),
        ("r6i.large", X86, 2, 16, 0.126, None),
        ("r6i.xlarge", X86, 4, 32, 0.252, None),
        ("r6i.2xlarge", X86, 8, 64, 0.504, None),
        ("r6i.4xlarge", X86, 16, 128, 1.008, None),
        ("r6g.large", ARM, 2, 16, 0.1008, Some(3)),
        ("r6g.xlarge", ARM, 4, 32, 0.2016, Some(4)),
        ("r6g.2xlarge", ARM, 8, 64, 0.4032, Some(4)),
        ("r6g.4xlarge", ARM, 16, 128, 0.8064, Some(8)),
        ("r7g.large", ARM, 2, 16, 0.1071, None),
        ("r7g.xlarge", ARM, 4, 32, 0.2142, None),
        ("r7g.2xlarge", ARM, 8, 64, 0.4284, None),
        ("r7g.4xlarge", ARM, 16, 128, 0.8568, None),
        ("t3.medium", X86, 2, 4, 0.0416, None),
        ("t3.large", X86, 2, 8, 0.0832, Some(3)),
        ("t3.xlarge", X86, 4, 16, 0.1664, Some(4)),
        ("t3.2xlarge", X86, 8, 32, 0.3328, Some(4)),
        ("t4g.medium", ARM, 2, 4, 0.0336, None),
        ("t4g.large", ARM, 2, 8, 0.0672, None),
        ("t4g.xlarge", ARM, 4, 16, 0.1344, None),
        ("t4g.2xlarge", ARM, 8, 32, 0.2688, None),
    ];

    #[test]
    fn embedded_catalog_keeps_every_reference_row() {
        let c = Catalog::embedded_us_east_1();
        // Every type of Karpenter's instance-type reference with a us-east-1 price: 1,345.
        assert_eq!(c.instance_types.len(), 1345);
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.ec2_prices_as_of, "2026-07-20");
        for (name, arch, vcpu, gib, price, enis) in REFERENCE_7_5 {
            let t = c.get(c.find(name).unwrap_or_else(|| panic!("{name} is in §7.5")));
            assert_eq!(
                (t.arch, t.vcpu, t.memory_mib, t.on_demand_usd_per_hour),
                (arch, vcpu, gib * 1024, price),
                "{name}"
            );
            // Where §7.5 gave an ENI count the VPC limits table agrees; it now fills the rest.
            if enis.is_some() {
                assert_eq!(t.max_enis, enis, "{name}");
            }
            assert!(t.max_enis.is_some(), "{name}");
        }
        let mut names: Vec<_> = c.instance_types.iter().map(|t| &t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 1345);
        // The Fargate rates are §7.1's, so a us-east-1 run bills as before.
        assert_eq!(c.fargate, FargatePricing::us_east_1());
        assert_eq!(c.fargate_prices_as_of, "2025–2026");
    }

    #[test]
    fn regions_without_data_and_types_not_offered_are_named() {
        let t = tables::embedded();
        let e = Catalog::for_region(t, "eu-west-9", None).expect_err("no such region");
        assert_eq!(
            e,
            "unknown region \"eu-west-9\"; expected one of ap-northeast-1, ap-southeast-1, \
             eu-central-1, eu-west-1, us-east-1, us-west-2 (the embedded catalog)"
        );
        let e = Catalog::for_region(t, "eu-west-1", None).expect_err("no embedded prices");
        assert!(
            e.starts_with("the embedded catalog has no EC2 On-Demand prices for eu-west-1"),
            "{e}"
        );
        assert!(e.contains("ecsim catalog"), "{e}");
        let c = Catalog::embedded_us_east_1();
        // p5e.48xlarge is in the instance-type reference but has no us-east-1 price.
        assert!(c.is_not_offered("p5e.48xlarge"));
        assert_eq!(c.find("p5e.48xlarge"), None);
        assert!(!c.is_not_offered("m5.large"));
        assert!(!c.is_not_offered("x9.nothing"));
    }

    #[test]
    fn a_missing_windows_price_is_a_sentence_not_a_number() {
        let mut c = Catalog::embedded_us_east_1();
        let m5 = c.find("m5.large").expect("in catalog");
        let e = c
            .windows_usd_per_hour(m5)
            .expect_err("no Windows prices embedded");
        assert!(
            e.starts_with("no Windows On-Demand price for m5.large in us-east-1"),
            "{e}"
        );
        let overrides = CatalogOverrides {
            instance_types: vec![InstanceTypeOverride {
                windows_on_demand_usd_per_hour: Some(0.188),
                ..type_override("m5.large")
            }],
            fargate: None,
        };
        assert_eq!(c.apply(&overrides), Ok(()));
        assert_eq!(c.windows_usd_per_hour(m5), Ok(0.188));
        assert!(c.overridden);
    }

    #[test]
    fn windows_registered_memory_reproduces_the_documented_m4_large() {
        // AWS's Windows example (DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM): an m4.large on the
        // ECS-optimized Windows AMI reports 8,589,524,992 bytes = 8,191.53 MiB, so 8191 MiB.
        // By hand: ⌊8192 × (1 − 0.000057)⌋ = ⌊8191.533⌋ = 8191; 2 vCPU × 1024 = 2048 units.
        let c = Catalog::embedded_us_east_1();
        let m4 = c.find("m4.large").expect("in catalog");
        let d = MemoryOverhead::default();
        let win = OsFamily::WindowsServer2022Full;
        assert_eq!(
            c.registered_resources_on(m4, d, false, win),
            // m4.large has 2 ENIs: ECS's table gives 1 awsvpc task (2 − the primary).
            Resources::new(2048, 8191).with_devices(1, 0, 0)
        );
        assert_eq!(8_589_524_992u64 / (1024 * 1024), 8191);
        // The same type on Linux registers the Xen estimate, ⌊8192 × 0.978⌋ = 8011 MiB: the
        // OS decides, not the type.
        assert_eq!(
            c.registered_resources_on(m4, d, false, OsFamily::Linux),
            Resources::new(2048, 8011).with_devices(1, 0, 0)
        );
        // Nitro m5.large on Windows: the same Windows figure, ⌊8192 × 0.999943⌋ = 8191 MiB
        // (Linux: 7864).
        let m5 = c.find("m5.large").expect("in catalog");
        assert_eq!(
            c.registered_resources_on(m5, d, false, win).memory,
            MemoryMib(8191)
        );
        // Overridden per OS (settings.windowsMemoryOverheadFraction 0.05): ⌊8192 × 0.95⌋ =
        // ⌊7782.4⌋ = 7782, then ECS_RESERVED_MEMORY 256 → 7526 MiB; the Linux fraction and a
        // Linux registeredMemoryMib do not apply to Windows.
        let o = MemoryOverhead {
            windows_overhead_ppm: 50_000,
            ecs_reserved_mib: 256,
            ..MemoryOverhead::from_fraction(0.2, MemoryMib(0)).expect("valid")
        };
        assert_eq!(
            c.registered_resources_on(m5, o, false, win).memory,
            MemoryMib(7526)
        );
    }

    #[test]
    fn overhead_from_a_fraction() {
        // 0.075 × 1 000 000 = 75 000 ppm, for every hypervisor.
        let karpenter =
            MemoryOverhead::from_fraction(KARPENTER_VM_MEMORY_OVERHEAD_FRACTION, MemoryMib(0))
                .expect("a fraction in [0, 1)");
        assert_eq!(karpenter.ppm_for(Hypervisor::Xen), 75_000);
        assert_eq!(karpenter.ppm_for(Hypervisor::Nitro), 75_000);
        assert_eq!(
            MemoryOverhead::default().ppm_for(Hypervisor::Xen),
            DEFAULT_XEN_MEMORY_OVERHEAD_PPM
        );
        assert_eq!(
            MemoryOverhead::default().ppm_for(Hypervisor::Nitro),
            DEFAULT_NITRO_MEMORY_OVERHEAD_PPM
        );
        assert_eq!(MemoryOverhead::from_fraction(1.0, MemoryMib(0)), None);
        assert_eq!(MemoryOverhead::from_fraction(f64::NAN, MemoryMib(0)), None);
    }

    #[test]
    fn hypervisor_by_family() {
        for xen in [
            "m4.large",
            "c4.4xlarge",
            "r4.xlarge",
            "t2.micro",
            "i3.large",
            "x1.16xlarge",
        ] {
            assert_eq!(hypervisor_of(xen), Hypervisor::Xen, "{xen}");
        }
        // i3en is a different family from i3; i3.metal and p3dn.24xlarge are Nitro sizes of
        // Xen families; unknown names default to Nitro.
        for nitro in [
            "m5.large",
            "m6i.large",
            "c7g.xlarge",
            "t3.medium",
            "a1.large",
            "i3en.large",
            "i3.metal",
            "p3dn.24xlarge",
            "z9q.large",
        ] {
            assert_eq!(hypervisor_of(nitro), Hypervisor::Nitro, "{nitro}");
        }
    }

    /// A catalog type added with only a name and shape, as a scenario would add m4/c4.
    fn with_type(c: &mut Catalog, name: &str, vcpu: u32, memory_mib: u32) -> InstanceTypeId {
        let mut o = type_override(name);
        o.vcpu = Some(vcpu);
        o.memory_mib = Some(memory_mib);
        o.arch = Some(ArchitectureName::X86_64);
        o.on_demand_usd_per_hour = Some(0.1);
        c.apply(&CatalogOverrides {
            instance_types: vec![o],
            fargate: None,
        })
        .expect("a valid new type");
        c.find(name).expect("just added")
    }

    /// Relative error of `got` against the published `published`.
    fn rel(got: MemoryMib, published: u32) -> f64 {
        (f64::from(got.0) - f64::from(published)).abs() / f64::from(published)
    }

    #[test]
    fn registered_memory_reproduces_published_values() {
        let mut c = Catalog::embedded_us_east_1();
        let d = MemoryOverhead::default();
        // Xen, 2.2 %: AWS, "Container instance memory management": an m4.large (8 GiB)
        // registers 7985 MiB. ⌊8192 × 0.978⌋ = ⌊8011.78⌋ = 8011; (8011 − 7985) / 7985 = 0.33 %.
        let m4 = with_type(&mut c, "m4.large", 2, 8192);
        let got = c.registered_resources(m4, d, false).memory;
        assert_eq!(got, MemoryMib(8011));
        assert!(rel(got, 7985) < 0.01);
        // AWS, "Amazon ECS CloudWatch metrics": c4.large (3.75 GiB = 3840 MiB) registers
        // 3768 MiB. ⌊3840 × 0.978⌋ = ⌊3755.52⌋ = 3755; (3768 − 3755) / 3768 = 0.35 %.
        let c4 = with_type(&mut c, "c4.large", 2, 3840);
        let got = c.registered_resources(c4, d, false).memory;
        assert_eq!(got, MemoryMib(3755));
        assert!(rel(got, 3768) < 0.01);
        // Same page: c4.4xlarge (30 GiB = 30720 MiB) registers 30158 MiB.
        // ⌊30720 × 0.978⌋ = ⌊30044.16⌋ = 30044; (30158 − 30044) / 30158 = 0.38 %.
        let c4x = with_type(&mut c, "c4.4xlarge", 16, 30720);
        let got = c.registered_resources(c4x, d, false).memory;
        assert_eq!(got, MemoryMib(30044));
        assert!(rel(got, 30158) < 0.01);
        // Nitro, 4 %: thewca/worldcubeassociation.org pull request 9974: an m6i.large runs two
        // tasks of 3910 MiB (so ≥ 7820 MiB) but not two of 3954 (so < 7908 MiB).
        // ⌊8192 × 0.96⌋ = ⌊7864.32⌋ = 7864, inside [7820, 7908); (7864 − 7820) / 7820 = 0.56 %.
        let m6i = c.find("m6i.large").expect("in catalog");
        let got = c.registered_resources(m6i, d, false).memory;
        assert_eq!(got, MemoryMib(7864));
        assert!((7820..7908).contains(&got.0));
        assert!(rel(got, 7820) < 0.01);
    }

    #[test]
    fn registered_resources_by_hand() {
        let c = Catalog::embedded_us_east_1();
        let m5 = c.find("m5.large").expect("in catalog");
        // CPU: 2 vCPU × 1024 = 2048 units. Memory (Nitro, 4 %): ⌊8192 × 0.96⌋ = 7864 MiB.
        // ENIs for awsvpc tasks: 3 − the primary = 2 (ECS's table: m5.large, 2 tasks).
        assert_eq!(
            c.registered_resources(m5, MemoryOverhead::default(), false),
            Resources::new(2048, 7864).with_devices(2, 0, 0)
        );
        // With ECS_RESERVED_MEMORY = 256: 7864 − 256 = 7608 MiB.
        let reserved = MemoryOverhead {
            ecs_reserved_mib: 256,
            ..MemoryOverhead::default()
        };
        assert_eq!(
            c.registered_resources(m5, reserved, false),
            Resources::new(2048, 7608).with_devices(2, 0, 0)
        );
        // A scenario-wide fraction replaces the hypervisor default: Karpenter's 7.5 % gives
        // ⌊8192 × 0.925⌋ = ⌊7577.6⌋ = 7577 MiB, as before the per-hypervisor fit.
        let karpenter =
            MemoryOverhead::from_fraction(KARPENTER_VM_MEMORY_OVERHEAD_FRACTION, MemoryMib(0))
                .expect("valid");
        assert_eq!(
            c.registered_resources(m5, karpenter, false),
            Resources::new(2048, 7577).with_devices(2, 0, 0)
        );
        // c5.large, 4 GiB: ⌊4096 × 0.96⌋ = ⌊3932.16⌋ = 3932 MiB.
        let c5 = c.find("c5.large").expect("in catalog");
        assert_eq!(
            c.registered_resources(c5, MemoryOverhead::default(), false),
            Resources::new(2048, 3932).with_devices(2, 0, 0)
        );
        // r5.4xlarge, 128 GiB: ⌊131072 × 0.96⌋ = ⌊125829.12⌋ = 125829 MiB; 16 × 1024 = 16384.
        let r5 = c.find("r5.4xlarge").expect("in catalog");
        assert_eq!(
            c.registered_resources(r5, MemoryOverhead::default(), false),
            Resources::new(16384, 125829).with_devices(7, 0, 0)
        );
        // Reserving more than there is leaves 0, not an underflow.
        let too_much = MemoryOverhead {
            ecs_reserved_mib: 1_000_000,
            ..MemoryOverhead::default()
        };
        assert_eq!(
            c.registered_resources(m5, too_much, false).memory,
            MemoryMib(0)
        );
    }

    #[test]
    fn known_registered_memory_wins() {
        let mut c = Catalog::embedded_us_east_1();
        let mut o = type_override("m5.large");
        o.registered_memory_mib = Some(7700);
        c.apply(&CatalogOverrides {
            instance_types: vec![o],
            fargate: None,
        })
        .expect("valid");
        let m5 = c.find("m5.large").expect("in catalog");
        // The type's own figure wins over both the hypervisor default and a global fraction;
        // ECS_RESERVED_MEMORY still comes off: 7700 − 100 = 7600.
        let karpenter = MemoryOverhead::from_fraction(0.075, MemoryMib(100)).expect("valid");
        assert_eq!(
            c.registered_resources(m5, karpenter, false).memory,
            MemoryMib(7600)
        );
        // A table's hypervisor wins over the name rule: m5 marked Xen gets 2.2 %.
        let mut c = Catalog::embedded_us_east_1();
        let m5 = c.find("m5.large").expect("in catalog");
        c.instance_types[m5.index()].hypervisor = Some(Hypervisor::Xen);
        assert_eq!(
            c.registered_resources(m5, MemoryOverhead::default(), false)
                .memory,
            MemoryMib(8011)
        );
        // More than the nominal memory is refused.
        let mut o = type_override("m5.large");
        o.registered_memory_mib = Some(9000);
        let err = c
            .apply(&CatalogOverrides {
                instance_types: vec![o],
                fargate: None,
            })
            .expect_err("more than 8192 MiB");
        assert_eq!(err[0].path, "instanceTypes[0].registeredMemoryMib");
    }

    fn type_override(name: &str) -> InstanceTypeOverride {
        InstanceTypeOverride {
            name: name.to_owned(),
            arch: None,
            vcpu: None,
            memory_mib: None,
            on_demand_usd_per_hour: None,
            max_enis: None,
            awsvpc_trunk_task_limit: None,
            windows_on_demand_usd_per_hour: None,
            registered_memory_mib: None,
        }
    }

    /// ENI density (issue 15), from the ECS Developer Guide, "Elastic network interface
    /// trunking": "by default a c5.large instance may have up to three ENIs attached to it.
    /// The primary network interface for the instance counts as one ... you can typically only
    /// run two such tasks"; "a c5.large instance with awsvpcTrunking enabled has an increased
    /// ENI limit of twelve" with the primary and the trunk attached, so "ten tasks".
    #[test]
    fn awsvpc_task_limits_follow_ecs_documented_figures() {
        let c = Catalog::embedded_us_east_1();
        let c5 = c.get(c.find("c5.large").expect("c5.large"));
        // 3 ENIs − 1 primary = 2; trunking: 12 − 1 primary − 1 trunk = 10.
        assert_eq!(c5.awsvpc_task_limit(false), 2);
        assert_eq!(c5.awsvpc_task_limit(true), 10);
        let reg = c.registered_resources(
            c.find("c5.large").expect("c5"),
            MemoryOverhead::default(),
            true,
        );
        assert_eq!(reg.eni, 10);
        // m6in.32xlarge has two network cards: ECS's table gives 13 tasks without trunking,
        // not the 16 − 1 of its ENI count.
        let m6in = c.get(c.find("m6in.32xlarge").expect("m6in.32xlarge"));
        assert_eq!(
            (m6in.max_enis, m6in.awsvpc_task_limit(false)),
            (Some(16), 13)
        );
        // t3.medium is not in ECS's trunking table: 3 − 1 = 2 with or without the setting.
        let t3 = c.get(c.find("t3.medium").expect("t3.medium"));
        assert_eq!(
            (t3.awsvpc_task_limit(false), t3.awsvpc_task_limit(true)),
            (2, 2)
        );
        // g4dn is not supported for trunking ("The c5n, d3, ..., g4dn ... families are not
        // supported"); g4dn.12xlarge has 8 ENIs → 7 tasks, and its 4 GPUs.
        let g4 = c.find("g4dn.12xlarge").expect("g4dn.12xlarge");
        let reg = c.registered_resources(g4, MemoryOverhead::default(), true);
        assert_eq!((reg.eni, reg.gpu, reg.neuron), (7, 4, 0));
        // inf1.6xlarge: 4 Inferentia chips (ecs-inference.md table).
        let inf1 = c.find("inf1.6xlarge").expect("inf1.6xlarge");
        assert_eq!(
            c.registered_resources(inf1, MemoryOverhead::default(), false)
                .neuron,
            4
        );
    }

    /// Issue 15 point 5: GPU and Neuron instances are priced from the same table as the
    /// rest. Of the embedded catalog's 78 types with GPUs or Neuron devices, 75 have a
    /// us-east-1 price (g4dn.12xlarge $3.912 an hour, Karpenter's table); dl2q.24xlarge,
    /// p5e.48xlarge and trn2.48xlarge have none there (SOURCES.md) and are "not offered".
    #[test]
    fn gpu_and_neuron_types_are_priced_in_us_east_1() {
        let c = Catalog::embedded_us_east_1();
        let priced: Vec<&InstanceType> = c
            .instance_types
            .iter()
            .filter(|t| t.gpu_count > 0 || t.accelerator_count > 0)
            .collect();
        assert_eq!(priced.len(), 75);
        assert!(priced.iter().all(|t| t.on_demand_usd_per_hour > 0.0));
        let g4 = c.get(c.find("g4dn.12xlarge").expect("g4dn.12xlarge"));
        assert_eq!(g4.on_demand_usd_per_hour, 3.912);
        for name in ["dl2q.24xlarge", "p5e.48xlarge", "trn2.48xlarge"] {
            assert!(c.not_offered.iter().any(|n| n == name), "{name}");
        }
    }

    #[test]
    fn overrides_set_the_trunk_limit_and_a_new_eni_count_replaces_ecs_figure() {
        let mut c = Catalog::embedded_us_east_1();
        let overrides = CatalogOverrides {
            instance_types: vec![
                InstanceTypeOverride {
                    awsvpc_trunk_task_limit: Some(30),
                    ..type_override("t3.medium")
                },
                InstanceTypeOverride {
                    max_enis: Some(5),
                    ..type_override("c5.large")
                },
            ],
            fargate: None,
        };
        c.apply(&overrides).expect("valid overrides");
        let t3 = c.get(c.find("t3.medium").expect("t3"));
        assert_eq!(t3.awsvpc_task_limit(true), 30);
        let c5 = c.get(c.find("c5.large").expect("c5"));
        // 5 − 1 = 4 without trunking; ECS's trunk figure stays.
        assert_eq!(
            (c5.awsvpc_task_limit(false), c5.awsvpc_task_limit(true)),
            (4, 10)
        );
    }

    #[test]
    fn apply_reprices_and_adds() {
        let mut c = Catalog::embedded_us_east_1();
        let overrides = CatalogOverrides {
            instance_types: vec![
                InstanceTypeOverride {
                    on_demand_usd_per_hour: Some(0.05),
                    max_enis: Some(10),
                    vcpu: Some(2),
                    ..type_override("m5.large")
                },
                InstanceTypeOverride {
                    arch: Some(ArchitectureName::Arm64),
                    vcpu: Some(64),
                    memory_mib: Some(131072),
                    on_demand_usd_per_hour: Some(2.0),
                    ..type_override("x9g.16xlarge")
                },
            ],
            fargate: Some(FargatePricingOverride {
                x86: None,
                arm: Some(FargateRateOverride {
                    usd_per_vcpu_second: Some(0.00001),
                    usd_per_gb_second: None,
                }),
                spot_price_factor: Some(0.3),
                usd_per_extra_ephemeral_gb_second: None,
                ..FargatePricingOverride::default()
            }),
        };
        assert_eq!(c.apply(&overrides), Ok(()));
        let m5 = c.get(c.find("m5.large").expect("in catalog"));
        assert_eq!((m5.on_demand_usd_per_hour, m5.max_enis), (0.05, Some(10)));
        let id = c.find("x9g.16xlarge").expect("added");
        assert_eq!(id, InstanceTypeId::from_index(1345));
        assert_eq!(c.get(id).arch, CpuArchitecture::Arm64);
        assert_eq!(c.fargate.arm.usd_per_vcpu_second, 0.00001);
        assert_eq!(c.fargate.arm.usd_per_gb_second, 0.0000009889);
        assert_eq!(c.fargate.spot_price_factor, Some(0.3));
    }

    #[test]
    fn a_price_too_large_to_sum_is_refused() {
        // 1e308 USD/h is finite, but the first sum of two instance-hours overflows to
        // infinity and summary.json printed the costs as null. Windows and Linux prices alike.
        let mut c = Catalog::embedded_us_east_1();
        let overrides = CatalogOverrides {
            instance_types: vec![
                InstanceTypeOverride {
                    windows_on_demand_usd_per_hour: Some(1e308),
                    ..type_override("m5.large")
                },
                InstanceTypeOverride {
                    on_demand_usd_per_hour: Some(2e6),
                    ..type_override("c5.large")
                },
            ],
            fargate: None,
        };
        let problems = c.apply(&overrides).expect_err("too large");
        let paths: Vec<_> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "instanceTypes[0].windowsOnDemandUsdPerHour",
                "instanceTypes[1].onDemandUsdPerHour"
            ]
        );
        // The largest price accepted still reads.
        let ok = CatalogOverrides {
            instance_types: vec![InstanceTypeOverride {
                windows_on_demand_usd_per_hour: Some(MAX_PRICE_USD),
                ..type_override("m5.large")
            }],
            fargate: None,
        };
        assert_eq!(c.apply(&ok), Ok(()));
    }

    #[test]
    fn apply_reports_every_problem_and_changes_nothing() {
        let mut c = Catalog::embedded_us_east_1();
        let before = c.clone();
        let overrides = CatalogOverrides {
            instance_types: vec![
                InstanceTypeOverride {
                    on_demand_usd_per_hour: Some(-1.0),
                    ..type_override("m5.large")
                },
                InstanceTypeOverride {
                    vcpu: Some(4),
                    ..type_override("c5.large")
                },
                InstanceTypeOverride {
                    vcpu: Some(0),
                    memory_mib: Some(1024),
                    on_demand_usd_per_hour: Some(f64::INFINITY),
                    ..type_override("x9.large")
                },
                type_override("m5.large"),
            ],
            fargate: Some(FargatePricingOverride {
                x86: Some(FargateRateOverride {
                    usd_per_vcpu_second: Some(f64::NAN),
                    usd_per_gb_second: None,
                }),
                arm: None,
                spot_price_factor: Some(1.5),
                usd_per_extra_ephemeral_gb_second: None,
                ..FargatePricingOverride::default()
            }),
        };
        let problems = c.apply(&overrides).expect_err("invalid overrides");
        let paths: Vec<_> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "instanceTypes[0].onDemandUsdPerHour",
                "instanceTypes[1].vcpu",
                "instanceTypes[2].vcpu",
                "instanceTypes[2].onDemandUsdPerHour",
                "instanceTypes[2].arch",
                "instanceTypes[3].name",
                "fargate.x86.usdPerVcpuSecond",
                "fargate.spotPriceFactor",
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "instanceTypes[0].onDemandUsdPerHour: expected a finite price from 0 to 1000000 (USD; a \
             larger one would overflow the cost sums)"
        );
        assert_eq!(c, before);
    }
}
