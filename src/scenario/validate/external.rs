//! `externalInstances[]` and `launchType: EXTERNAL`: ECS Anywhere.
//!
//! What AWS documents, and what is refused here in the scenario's words (Amazon ECS
//! Developer Guide, "Amazon ECS clusters for external instances",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere.html>, and
//! "Running workloads on external instances",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere-runtask.html>):
//!
//! - an external instance is a server or VM registered to one cluster through SSM; it has
//!   no Auto Scaling group and ECS never launches or replaces one, so a group is a fixed
//!   `count`;
//! - a task runs there only with `launchType: EXTERNAL`, and its task definition must list
//!   `EXTERNAL` in `requiresCompatibilities`;
//! - capacity providers cannot be used for external instances ("Amazon ECS capacity
//!   providers": "You cannot use capacity providers for tasks that run on external container
//!   instances"): `launchType` and `capacityProviderStrategy` are exclusive anyway, and no
//!   provider can name an external group;
//! - no Elastic Load Balancing and no `awsvpc` network mode on external instances (the
//!   considerations of the first page): a service with `loadBalancers` and an `EXTERNAL`
//!   task definition with `networkMode: awsvpc` are refused.
//!
//! Each group becomes an instance type of its own in the scenario's catalog (its name is the
//! group's with " (external)", its price the Anywhere fee plus the machine's cost) and an
//! [`AutoScalingGroupSpec`] with [`ExternalGroup`] set, appended after the real groups, so the
//! simulation's instance lifecycle, placement, billing meters and fault models serve it.

use super::super::file::{ExternalInstanceGroupFile, Lenient};
use super::super::{AutoScalingGroupSpec, ExternalGroup, LaunchTarget, TaskDefinition};
use super::Validator;
use crate::cloud::{Catalog, InstanceType};
use crate::defaults;
use crate::ids::AzId;
use crate::units::{CpuArchitecture, Resources, CPU_UNITS_PER_VCPU};

/// Most vCPUs of one external machine. \[DERIVED\] a sanity bound (the largest EC2 type has
/// 896): a typo such as 16000 is refused rather than modelled.
const MAX_EXTERNAL_VCPU: i64 = 4096;

/// Most memory of one external machine, MiB (32 TiB, the largest EC2 type's order).
const MAX_EXTERNAL_MEMORY_MIB: i64 = 32 * 1024 * 1024;

/// Suffix of the catalog name each group's instance type gets: never an EC2 type's name.
pub(crate) const EXTERNAL_TYPE_SUFFIX: &str = " (external)";

/// The external groups that validated, and whether every group did.
#[derive(Debug, Default)]
pub(super) struct Groups {
    /// Each valid group: its spec (instance type not assigned yet) and its shape.
    pub valid: Vec<(AutoScalingGroupSpec, CpuArchitecture, u32, u32)>,
    /// True when every group validated, so `valid` is all the cluster has.
    pub complete: bool,
}

/// Reads every group; problems at `externalInstances[i].…`.
pub(super) fn groups(
    v: &mut Validator,
    raw: &[Lenient<ExternalInstanceGroupFile>],
    default_reserved_mib: Option<u32>,
    asg_names: &[String],
) -> Groups {
    let mut out = Groups {
        valid: Vec::new(),
        complete: true,
    };
    for (i, item) in raw.iter().enumerate() {
        let path = format!("externalInstances[{i}]");
        let Some(g) = v.lenient(&path, item) else {
            out.complete = false;
            continue;
        };
        match group(v, &path, g, default_reserved_mib) {
            Some(spec) => {
                let name = &spec.0.name;
                if out.valid.iter().any(|x| &x.0.name == name) || asg_names.contains(name) {
                    v.problem(
                        format!("{path}.name"),
                        format!("{name:?} is already the name of another group (external or Auto Scaling); give each group its own name"),
                    );
                    out.complete = false;
                } else {
                    out.valid.push(spec);
                }
            }
            None => out.complete = false,
        }
    }
    out
}

fn group(
    v: &mut Validator,
    path: &str,
    g: &ExternalInstanceGroupFile,
    default_reserved_mib: Option<u32>,
) -> Option<(AutoScalingGroupSpec, CpuArchitecture, u32, u32)> {
    let before = v.problems.len();
    let name = g.name.trim();
    if name.is_empty() {
        v.problem(format!("{path}.name"), "expected a non-empty group name");
    }
    let max_count = i64::from(defaults::MAX_EXTERNAL_INSTANCES_PER_GROUP);
    if !(1..=max_count).contains(&g.count) {
        v.problem(
            format!("{path}.count"),
            format!("expected 1 to {max_count} instances, found {}", g.count),
        );
    }
    if !(1..=MAX_EXTERNAL_VCPU).contains(&g.vcpu) {
        v.problem(
            format!("{path}.vcpu"),
            format!("expected 1 to {MAX_EXTERNAL_VCPU} vCPUs, found {}", g.vcpu),
        );
    }
    if !(1..=MAX_EXTERNAL_MEMORY_MIB).contains(&g.memory_mib) {
        v.problem(
            format!("{path}.memoryMib"),
            format!(
                "expected the memory the machine's OS reports, 1 to {MAX_EXTERNAL_MEMORY_MIB} MiB, found {}",
                g.memory_mib
            ),
        );
    }
    let reserved = match g.ecs_reserved_memory_mib {
        Some(r) if r < 0 || r >= g.memory_mib.max(1) => {
            v.problem(
                format!("{path}.ecsReservedMemoryMib"),
                format!(
                    "expected 0 or more MiB and less than memoryMib ({}), found {r}",
                    g.memory_mib
                ),
            );
            0
        }
        Some(r) => r,
        // The settings' own problem (if any) is reported there.
        None => i64::from(default_reserved_mib.unwrap_or(0)),
    };
    if g.ecs_reserved_memory_mib.is_none() && reserved >= g.memory_mib && g.memory_mib > 0 {
        v.problem(
            format!("{path}.memoryMib"),
            format!(
                "settings.reservedMemoryMib ({reserved}) leaves nothing of {} MiB to register; give a larger memoryMib or this group's ecsReservedMemoryMib",
                g.memory_mib
            ),
        );
    }
    let arch = match g.cpu_architecture.as_deref() {
        None | Some("X86_64") => CpuArchitecture::X86_64,
        Some("ARM64") => CpuArchitecture::Arm64,
        Some(o) => {
            v.problem(
                format!("{path}.cpuArchitecture"),
                format!("expected \"X86_64\" or \"ARM64\" (the architectures ECS Anywhere supports), found {o:?}"),
            );
            CpuArchitecture::X86_64
        }
    };
    let price = |v: &mut Validator, key: &str, x: Option<f64>, default: f64| match x {
        Some(p) if !p.is_finite() || !(0.0..=1e6).contains(&p) => {
            v.problem(
                format!("{path}.{key}"),
                format!("expected USD per hour from 0 to 1000000, found {p}"),
            );
            default
        }
        Some(p) => p,
        None => default,
    };
    let fee = price(
        v,
        "anywhereUsdPerInstanceHour",
        g.anywhere_usd_per_instance_hour,
        defaults::ECS_ANYWHERE_USD_PER_INSTANCE_HOUR,
    );
    let machine = price(v, "machineUsdPerHour", g.machine_usd_per_hour, 0.0);
    if v.problems.len() > before {
        return None;
    }
    // In range above, so these conversions cannot fail.
    let count = u32::try_from(g.count).ok()?;
    let vcpu = u32::try_from(g.vcpu).ok()?;
    let memory = u32::try_from(g.memory_mib).ok()?;
    let reserved = u32::try_from(reserved).ok()?;
    // No ENIs, GPUs or Neuron devices: awsvpc is refused on external instances, and their
    // devices are not modelled.
    let registered = Resources::new(vcpu * CPU_UNITS_PER_VCPU, memory - reserved);
    let spec = AutoScalingGroupSpec {
        name: name.to_string(),
        // Assigned when the group's instance type joins the catalog (`finish`).
        instance_types: Vec::new(),
        // No AZ: the zone index only keys the placement index (see `finish`).
        availability_zones: vec![AzId(0)],
        min_size: count,
        max_size: count,
        desired_capacity: count,
        spot: false,
        price_factor: 1.0,
        capacity_provider: None,
        // External groups are Linux machines here (ECS Anywhere also takes Windows Server
        // hosts; not modelled): their catalog type is priced at fee + machine as a Linux price.
        os: crate::units::OsFamily::Linux,
        managed_instances: false,
        external: Some(ExternalGroup {
            registered,
            anywhere_usd_per_instance_hour: fee,
            machine_usd_per_hour: machine,
        }),
    };
    Some((spec, arch, vcpu, memory))
}

/// Adds each group's instance type to `catalog` and returns the groups' specs, to be
/// appended after the Auto Scaling groups.
///
/// External instances have no Availability Zone (ECS sets `ecs.availability-zone` from EC2
/// instance metadata, which an on-premises machine does not have). Inside the model they
/// carry the cluster's first zone index, which only keys the placement index: they are
/// reached through their own pool (launch type EXTERNAL) and nothing else, AZ outages and
/// rebalancing skip them, and their events never name a zone.
pub(super) fn finish(catalog: &mut Catalog, groups: Groups) -> Vec<AutoScalingGroupSpec> {
    let mut out = Vec::with_capacity(groups.valid.len());
    for (mut spec, arch, vcpu, memory) in groups.valid {
        let Some(ext) = spec.external else {
            continue;
        };
        let id = crate::ids::InstanceTypeId::from_index(catalog.instance_types.len());
        catalog.instance_types.push(InstanceType {
            name: format!("{}{EXTERNAL_TYPE_SUFFIX}", spec.name),
            arch,
            vcpu,
            memory_mib: memory,
            on_demand_usd_per_hour: ext.anywhere_usd_per_instance_hour + ext.machine_usd_per_hour,
            windows_on_demand_usd_per_hour: None,
            gpu_count: 0,
            gpu_memory_mib_per_gpu: 0,
            accelerator_count: 0,
            max_enis: None,
            branch_enis: None,
            trunking: None,
            ecs_awsvpc_tasks: None,
            ecs_awsvpc_tasks_trunking: None,
            hypervisor: None,
            registered_memory_mib: Some(ext.registered.memory.0),
        });
        spec.instance_types = vec![id];
        out.push(spec);
    }
    out
}

/// `launchType: EXTERNAL` for a service or workload at `path` whose task definition is `td`.
pub(super) fn launch(
    v: &mut Validator,
    path: &str,
    td: &TaskDefinition,
    groups: &Groups,
) -> Option<LaunchTarget> {
    if !td.external_compatible {
        v.problem(
            format!("{path}.taskDefinition"),
            format!("task definition {:?} is not EXTERNAL-compatible; add \"EXTERNAL\" to its requiresCompatibilities to run it on external instances", td.family),
        );
    }
    if groups.complete && groups.valid.is_empty() {
        v.problem(
            format!("{path}.launchType"),
            "launchType \"EXTERNAL\" places tasks on external instances only, and the scenario has none; add an externalInstances group or use \"EC2\" or \"FARGATE\"",
        );
    }
    let arch_ok = !groups.complete
        || groups.valid.is_empty()
        || groups.valid.iter().any(|(g, arch, _, _)| {
            *arch == td.arch
                && g.external.is_some_and(|e| {
                    e.registered.cpu >= td.size.cpu && e.registered.memory >= td.size.memory
                })
        });
    if !arch_ok {
        v.problem(
            path.to_string(),
            format!(
                "no external instance can ever hold task definition {:?} ({} CPU units, {} MiB, {}): every group is smaller after ECS_RESERVED_MEMORY or of another architecture",
                td.family,
                td.size.cpu.0,
                td.size.memory.0,
                td.arch.attribute_value()
            ),
        );
    }
    Some(LaunchTarget::External)
}
