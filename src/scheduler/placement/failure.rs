//! Why a task could not be placed, in terms rich enough to write ECS's service event text.
//!
//! Owns `PlacementFailure`, the diagnosis run only after a search came back empty, and the
//! message text.
//! It does not decide what happens to the unplaced task (it stays PENDING or PROVISIONING;
//! that is the scheduler's business, ecs-reference §4.1 and §8).

use crate::cluster::ContainerInstance;
use crate::ids::InstanceId;
use crate::units::Resources;

use super::constraint::{self, Mismatch};
use super::{instance_display_id, PlacementRequest};

/// A device ECS places whole, short on an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// An elastic network interface for an `awsvpc` task.
    Eni,
    /// A GPU.
    Gpu,
    /// An AWS Neuron device (Inferentia or Trainium chip).
    Neuron,
}

impl Device {
    /// ECS's failure reason for the resource (`RESOURCE:ENI`, `RESOURCE:GPU`: the
    /// `failures[].reason` of RunTask, "RESOURCE:\*" in ECS's API failure reasons). ECS
    /// does not place Neuron devices itself (ecs-inference.md); the model's own label says so.
    pub fn reason_code(self) -> &'static str {
        match self {
            Device::Eni => "RESOURCE:ENI",
            Device::Gpu => "RESOURCE:GPU",
            Device::Neuron => "Neuron devices (linuxParameters.devices)",
        }
    }

    /// The resource in a service event's words.
    pub fn words(self) -> &'static str {
        match self {
            Device::Eni => "ENIs",
            Device::Gpu => "GPUs",
            Device::Neuron => "Neuron devices",
        }
    }

    /// The first device `free` lacks for `need`, in the order GPU, ENI, Neuron.
    pub fn first_short(free: Resources, need: Resources) -> Option<Device> {
        if need.gpu > free.gpu {
            Some(Device::Gpu)
        } else if need.eni > free.eni {
            Some(Device::Eni)
        } else if need.neuron > free.neuron {
            Some(Device::Neuron)
        } else {
            None
        }
    }
}

/// Why no instance was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementFailure {
    /// The pool has no Active instance at all.
    NoInstances,
    /// Every instance meeting the constraints lacks CPU or memory; `closest` lacks the least.
    Insufficient {
        /// The instance that came closest (fewest resources short, then smallest relative
        /// shortfall, then lowest id).
        closest: InstanceId,
        /// It has too few free CPU units.
        cpu: bool,
        /// It has too little free memory.
        memory: bool,
        /// The first device it lacks (GPU, then ENI, then Neuron), if any.
        device: Option<Device>,
    },
    /// No Active instance of the pool meets the architecture and constraints.
    Unmatched {
        /// An instance that fails them: the lowest id among those with room, else the lowest.
        closest: InstanceId,
        /// What it fails.
        mismatch: Mismatch,
    },
}

impl PlacementFailure {
    /// The tail of ECS's service event after "service X was unable to place a task because ".
    ///
    /// When the closest instance lacks both CPU and memory, only memory is named: ECS reports
    /// one resource per instance and which one it picks is not documented (ecs-reference has
    /// no source for it). A device is named only when CPU and memory are not short, in the
    /// same words ("insufficient GPUs available"); ECS's exact event text for devices is not
    /// in ecs-reference either.
    pub fn ecs_reason(&self) -> String {
        const HEAD: &str = "no container instance met all of its requirements.";
        match *self {
            PlacementFailure::NoInstances => {
                format!("{HEAD} Reason: No Container Instances were found in your cluster.")
            }
            PlacementFailure::Insufficient {
                closest,
                memory,
                cpu,
                device,
            } => {
                let what = match device {
                    Some(d) if !memory && !cpu => d.words(),
                    _ if memory => "memory",
                    _ => "CPU units",
                };
                format!(
                    "{HEAD} The closest matching container-instance {} has insufficient {what} available.",
                    instance_display_id(closest)
                )
            }
            PlacementFailure::Unmatched { closest, mismatch } => {
                let what = match mismatch {
                    // ECS checks the platform as attributes the task requires
                    // (`ecs.cpu-architecture`, `ecs.os-family`), so both read the same.
                    Mismatch::Architecture | Mismatch::OsFamily => {
                        "is missing an attribute required by your task"
                    }
                    Mismatch::Constraint => "did not match a placement constraint",
                };
                format!(
                    "{HEAD} The closest matching container-instance {} {what}.",
                    instance_display_id(closest)
                )
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Calls of [`diagnose`] on this thread, for tests that bound how often a run pays for it.
    pub(crate) static DIAGNOSE_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Explains why `req` has no candidate among `instances`.
///
/// Resources are filtered first in ECS (§4.1), but an instance in the wrong AZ is not "close",
/// so the closest instance is sought among those meeting the constraints; only when none does
/// is the failure reported as a constraint mismatch.
///
/// # Panics
/// If some instance is a candidate after all: the search that called this is broken.
pub fn diagnose(req: &PlacementRequest, instances: &[ContainerInstance]) -> PlacementFailure {
    #[cfg(test)]
    DIAGNOSE_CALLS.with(|c| c.set(c.get() + 1));
    diagnose_uncounted(req, instances)
}

/// [`diagnose`] without the test counter: `Placer::find`'s debug-build check calls this, so
/// tests count only the reasons a run asks for.
pub(crate) fn diagnose_uncounted(
    req: &PlacementRequest,
    instances: &[ContainerInstance],
) -> PlacementFailure {
    let mut any_active = false;
    // (resources short, relative shortfall in per-mille, id, cpu short, memory short, device)
    #[allow(clippy::type_complexity)]
    let mut closest: Option<(u8, u64, InstanceId, bool, bool, Option<Device>)> = None;
    // (lacks room, id, mismatch): prefer instances that have room.
    let mut unmatched: Option<(bool, InstanceId, Mismatch)> = None;
    let per_mille = |short: u32, need: u32| {
        if short == 0 {
            0
        } else {
            u64::from(short) * 1000 / u64::from(need)
        }
    };
    for inst in instances
        .iter()
        .filter(|i| req.pool.contains(i) && i.accepts_tasks())
    {
        any_active = true;
        let free = inst.free();
        let cpu_short = req.need.cpu.0.saturating_sub(free.cpu.0);
        let mem_short = req.need.memory.0.saturating_sub(free.memory.0);
        let short = req.need.saturating_sub(free);
        let device_shorts = [
            (short.eni, req.need.eni),
            (short.gpu, req.need.gpu),
            (short.neuron, req.need.neuron),
        ];
        let lacks_room = !free.fits(req.need);
        match constraint::check(inst, req.arch, req.os, req.group, req.constraints) {
            Err(m) => {
                let cand = (lacks_room, inst.id, m);
                if unmatched.map_or(true, |u| (cand.0, cand.1) < (u.0, u.1)) {
                    unmatched = Some(cand);
                }
            }
            Ok(()) => {
                assert!(
                    lacks_room,
                    "placement found no candidate but {:?} is one",
                    inst.id
                );
                let devices_short = device_shorts.iter().filter(|(s, _)| *s > 0).count() as u8;
                let cand = (
                    u8::from(cpu_short > 0) + u8::from(mem_short > 0) + devices_short,
                    per_mille(cpu_short, req.need.cpu.0)
                        + per_mille(mem_short, req.need.memory.0)
                        + device_shorts
                            .iter()
                            .map(|&(s, n)| per_mille(s, n))
                            .sum::<u64>(),
                    inst.id,
                    cpu_short > 0,
                    mem_short > 0,
                    Device::first_short(free, req.need),
                );
                if closest.map_or(true, |c| (cand.0, cand.1, cand.2) < (c.0, c.1, c.2)) {
                    closest = Some(cand);
                }
            }
        }
    }
    if !any_active {
        return PlacementFailure::NoInstances;
    }
    if let Some((_, _, id, cpu, memory, device)) = closest {
        return PlacementFailure::Insufficient {
            closest: id,
            cpu,
            memory,
            device,
        };
    }
    let (_, id, mismatch) = unmatched.expect("an active instance is either matched or not"); // ok: any_active
    PlacementFailure::Unmatched {
        closest: id,
        mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_ecs_wording() {
        assert_eq!(
            PlacementFailure::NoInstances.ecs_reason(),
            "no container instance met all of its requirements. Reason: No Container Instances were found in your cluster."
        );
        assert_eq!(
            PlacementFailure::Insufficient {
                closest: InstanceId(3),
                cpu: false,
                memory: true,
                device: None,
            }
            .ecs_reason(),
            "no container instance met all of its requirements. The closest matching container-instance i-00000003 has insufficient memory available."
        );
        assert!(PlacementFailure::Insufficient {
            closest: InstanceId(3),
            cpu: true,
            memory: false,
            device: Some(Device::Gpu),
        }
        .ecs_reason()
        .ends_with("i-00000003 has insufficient CPU units available."));
        // A device is named when CPU and memory fit.
        assert!(PlacementFailure::Insufficient {
            closest: InstanceId(3),
            cpu: false,
            memory: false,
            device: Some(Device::Gpu),
        }
        .ecs_reason()
        .ends_with("i-00000003 has insufficient GPUs available."));
        assert!(PlacementFailure::Unmatched {
            closest: InstanceId(16),
            mismatch: Mismatch::Constraint
        }
        .ecs_reason()
        .ends_with("i-00000010 did not match a placement constraint."));
        assert!(PlacementFailure::Unmatched {
            closest: InstanceId(1),
            mismatch: Mismatch::Architecture
        }
        .ecs_reason()
        .ends_with("is missing an attribute required by your task."));
        // The OS family is a required attribute too (ecs.os-family), so it reads the same.
        assert!(PlacementFailure::Unmatched {
            closest: InstanceId(2),
            mismatch: Mismatch::OsFamily
        }
        .ecs_reason()
        .ends_with("i-00000002 is missing an attribute required by your task."));
    }
}
