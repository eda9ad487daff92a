//! Tasks that can never run: a static check, at validation, that a service's (or a Poisson
//! workload's) task fits at least one instance its capacity can launch.
//!
//! Without it such a scenario ran to the end with exit 0 and a summary of `never placed 0`
//! while the service ran none of its tasks (issue 10, point 4).
//! The check walks every (Auto Scaling group, instance type, Availability Zone) the task can
//! reach and keeps those of the task's architecture, meeting its `memberOf` constraints
//! (instance type, zone and architecture are all known before the run) and registering at
//! least the task's CPU and memory after the memory overhead, and the devices it takes (an
//! `awsvpc` task's ENI under the scenario's `awsvpcTrunking`, GPUs, Neuron devices); when
//! CPU and memory fit somewhere but a device never does, the message names the device.
//! It runs once per service or workload at validation, never during the run.
//! Trace-driven workloads are not checked here: their rows carry their own sizes, and a row
//! larger than every instance is counted as never placed at run time (see the README).

use crate::cloud::{Catalog, MemoryOverhead};
use crate::scheduler::placement::attribute::InstanceAttributes;
use crate::scheduler::placement::expression::Expr;
use crate::units::{CpuArchitecture, OsFamily, Resources, CPU_UNITS_PER_VCPU};

use super::super::AutoScalingGroupSpec;

/// What the task asks of an instance.
pub(super) struct TaskNeeds<'a> {
    /// Task definition family, for the message.
    pub family: &'a str,
    /// Task-level CPU and memory.
    pub size: Resources,
    /// `runtimePlatform.cpuArchitecture`.
    pub arch: CpuArchitecture,
    /// `runtimePlatform.operatingSystemFamily` (LINUX when not given).
    pub os: OsFamily,
    /// The `memberOf` expressions of its placement constraints.
    pub member_of: &'a [Expr],
}

/// One way the task could reach instances: an Auto Scaling group, and the capacity provider
/// it stands behind (`None` for launch type EC2, which reaches every group of the cluster).
pub(super) struct Reach<'a> {
    /// The group.
    pub asg: &'a AutoScalingGroupSpec,
    /// Its capacity provider's name, for the message.
    pub provider: Option<&'a str>,
}

/// `None` when some instance the task can reach holds it; otherwise why none does, in the
/// scenario's words (task size, the largest instance and its registered size).
pub(super) fn why_never_placed(
    task: &TaskNeeds<'_>,
    reach: &[Reach<'_>],
    catalog: &Catalog,
    azs: &[String],
    (overhead, awsvpc_trunking): (MemoryOverhead, bool),
) -> Option<String> {
    // One provider is named; several (or launch type EC2) are "its capacity".
    let scope = match reach {
        [Reach {
            provider: Some(p), ..
        }] => format!("capacity provider {p:?}"),
        _ => "its capacity".to_string(),
    };
    if reach.is_empty() {
        return Some(format!(
            "no Auto Scaling group backs its capacity, so no instance could ever hold task definition {:?}",
            task.family
        ));
    }
    // Instances register their group's OS: a task of another OS never lands there.
    let of_os: Vec<&Reach<'_>> = reach.iter().filter(|r| r.asg.os == task.os).collect();
    if of_os.is_empty() {
        let mut have: Vec<&str> = reach.iter().map(|r| r.asg.os.ecs_name()).collect();
        have.sort_unstable();
        have.dedup();
        return Some(format!(
            "task definition {:?} runs on {} instances (runtimePlatform.operatingSystemFamily, LINUX when not given), but {scope} launches only {} instances (the Auto Scaling groups' osFamily); make the two agree",
            task.family,
            task.os.ecs_name(),
            have.join(", ")
        ));
    }
    let mut of_arch = 0usize;
    // The largest allowed instance by (CPU, memory), with where it comes from.
    let mut largest: Option<(Resources, &str, Option<&str>)> = None;
    let mut arches: Vec<CpuArchitecture> = Vec::new();
    // Among instances with room for the task's CPU and memory, the most of each device
    // (ENIs, GPUs, Neuron devices) and the first type offering that many, for a message
    // naming the device that is short.
    let mut devices: Option<[(u32, &str); 3]> = None;
    for r in of_os {
        for &t in &r.asg.instance_types {
            let ty = catalog.get(t);
            if !arches.contains(&ty.arch) {
                arches.push(ty.arch);
            }
            if ty.arch != task.arch {
                continue;
            }
            of_arch += 1;
            let registered =
                catalog.registered_resources_on(t, overhead, awsvpc_trunking, r.asg.os);
            for az in &r.asg.availability_zones {
                let attrs = InstanceAttributes {
                    availability_zone: azs.get(az.index()).map_or("", String::as_str),
                    instance_type: &ty.name,
                    cpu_architecture: ty.arch,
                    os: r.asg.os,
                };
                if !task.member_of.iter().all(|e| e.matches(&attrs)) {
                    continue;
                }
                if registered.fits(task.size) {
                    return None;
                }
                if Resources::new(registered.cpu.0, registered.memory.0)
                    .fits(Resources::new(task.size.cpu.0, task.size.memory.0))
                {
                    let d = devices.get_or_insert([(0, ""); 3]);
                    for (slot, n) in
                        d.iter_mut()
                            .zip([registered.eni, registered.gpu, registered.neuron])
                    {
                        if n > slot.0 || slot.1.is_empty() {
                            *slot = (n.max(slot.0), ty.name.as_str());
                        }
                    }
                }
                let key = (registered.cpu, registered.memory);
                if largest.map_or(true, |(l, _, _)| key > (l.cpu, l.memory)) {
                    largest = Some((registered, ty.name.as_str(), r.provider));
                }
            }
        }
    }
    if of_arch == 0 {
        let have = arches
            .iter()
            .map(|a| a.attribute_value())
            .collect::<Vec<_>>()
            .join(", ");
        return Some(format!(
            "task definition {:?} runs on {} instances, but {scope} launches only {have} instance types",
            task.family,
            task.arch.attribute_value()
        ));
    }
    let Some((reg, name, provider)) = largest else {
        return Some(format!(
            "no instance {scope} can launch meets the memberOf placement constraints ({})",
            task.member_of
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    };
    let via = match provider {
        Some(p) if reach.len() > 1 => format!(" (capacity provider {p:?})"),
        _ => String::new(),
    };
    if let Some(d) = devices {
        // CPU and memory fit somewhere: a device is short. ECS's placement reasons name
        // the resource (RESOURCE:ENI, RESOURCE:GPU); so does this.
        let need = [task.size.eni, task.size.gpu, task.size.neuron];
        let what = [
            "ENIs for awsvpc tasks (RESOURCE:ENI)",
            "GPUs (RESOURCE:GPU)",
            "Neuron devices (Inferentia/Trainium chips)",
        ];
        let short: Vec<String> = (0..3)
            .filter(|&i| need[i] > d[i].0)
            .map(|i| {
                let (most, ty) = d[i];
                let hint = if i == 0 && awsvpc_trunking {
                    ""
                } else if i == 0 {
                    " (settings.awsvpcTrunking \"enabled\" raises it on the types ECS supports)"
                } else {
                    ""
                };
                format!(
                    "it needs {} {}, and the most an instance with room for its CPU and memory offers is {most} ({ty}){hint}",
                    need[i], what[i]
                )
            })
            .collect();
        return Some(format!(
            "task definition {:?}: {}",
            task.family,
            short.join("; ")
        ));
    }
    Some(format!(
        "task definition {:?} needs {} and {} MiB, more than any instance {scope} can launch; the largest is {name}{via}, which registers {} and {} MiB",
        task.family,
        cpu_words(task.size),
        task.size.memory.0,
        cpu_words(reg),
        reg.memory.0,
    ))
}

/// `4096 CPU units (4 vCPU)`: ECS's units and the vCPUs users size instances by.
fn cpu_words(r: Resources) -> String {
    let vcpu = f64::from(r.cpu.0) / f64::from(CPU_UNITS_PER_VCPU);
    format!("{} CPU units ({vcpu} vCPU)", r.cpu.0)
}
