//! Placement constraints (ecs-reference §4.4): binding filters applied after the resource
//! filter.
//!
//! Owns `PlacementConstraint` and the check of one candidate against a request's constraints
//! and architecture.
//! It does not parse expressions (`expression`) nor choose among the survivors (`strategy`).

use crate::cluster::ContainerInstance;
use crate::ids::Owner;
use crate::units::{CpuArchitecture, OsFamily};

use super::expression::CompiledExpr;

/// A binding placement constraint. Unlike strategies, a task whose constraints no instance
/// meets is not placed (ecs-reference §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementConstraint {
    /// `distinctInstance`: no other task of the same group on the instance.
    DistinctInstance,
    /// `memberOf(expression)`, compiled against the scenario's attribute names.
    MemberOf(CompiledExpr),
}

/// Why an instance that has room was still not a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mismatch {
    /// Its `ecs.cpu-architecture` differs from the task's `runtimePlatform`.
    Architecture,
    /// Its `ecs.os-family` differs from the task's `runtimePlatform.operatingSystemFamily`.
    OsFamily,
    /// It fails `distinctInstance` or a `memberOf` expression.
    Constraint,
}

/// Checks `inst` against the task architecture, operating system and constraints; resources
/// and status are the caller's business.
///
/// The operating system must be the very family the instance registered: a Windows container
/// runs only on a host of its own Windows Server release (process isolation, which the ECS
/// agent uses), and a Linux task never on Windows nor the reverse. ECS documents no looser
/// match (e.g. a CORE task on a FULL host), so the model asks for equality. \[DERIVED\]
#[inline]
pub fn check(
    inst: &ContainerInstance,
    arch: Option<CpuArchitecture>,
    os: OsFamily,
    group: Owner,
    constraints: &[PlacementConstraint],
) -> Result<(), Mismatch> {
    if arch.is_some_and(|a| a != inst.arch) {
        return Err(Mismatch::Architecture);
    }
    if os != inst.os {
        return Err(Mismatch::OsFamily);
    }
    let ok = constraints.iter().all(|c| match c {
        PlacementConstraint::DistinctInstance => inst.group_count(group) == 0,
        PlacementConstraint::MemberOf(e) => e.matches(inst),
    });
    if ok {
        Ok(())
    } else {
        Err(Mismatch::Constraint)
    }
}
