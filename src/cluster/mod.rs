//! The cluster's EC2 capacity: container instances, Auto Scaling groups and Availability Zones.
//!
//! Owns the state of each instance (its lifecycle and what is reserved on it) and of each
//! ASG (its size and launch template).
//! It does not decide where tasks go (that is `scheduler::placement`) nor what anything costs
//! (`billing`).

pub mod auto_scaling_group;
pub mod container_instance;
pub mod inline_list;
pub mod termination;

pub use auto_scaling_group::AutoScalingGroup;
pub use container_instance::{ContainerInstance, InstanceStatus};
pub use inline_list::InlineList;

/// The tasks bound to one instance, in binding order (`swap_remove` on release), as the
/// simulation keeps them: inline up to 15, so reading or updating an instance's tasks
/// costs one aligned 128-byte block (the pair of lines x86 cores prefetch together) and no
/// pointer chase to a heap buffer of its own (issue 13). Dereferences to its
/// [`InlineList`], so it reads as a `Vec` of `TaskId`.
/// \[DERIVED\] ecsim's choice: 15 task ids and the length fill the 128 bytes.
#[derive(Clone, Debug, Default)]
#[repr(C, align(128))]
pub struct InstanceTasks(InlineList<crate::ids::TaskId, 15>);

impl std::ops::Deref for InstanceTasks {
    type Target = InlineList<crate::ids::TaskId, 15>;

    #[inline]
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for InstanceTasks {
    #[inline]
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl IntoIterator for InstanceTasks {
    type Item = crate::ids::TaskId;
    type IntoIter = std::vec::IntoIter<crate::ids::TaskId>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl inline_list::Filler for crate::ids::TaskId {
    const FILL: Self = crate::ids::TaskId(u32::MAX, u32::MAX);
}

#[cfg(test)]
mod tests {
    /// One 128-byte block per instance, never straddling a third line.
    #[test]
    fn instance_tasks_fill_one_aligned_block() {
        assert_eq!(std::mem::size_of::<super::InstanceTasks>(), 128);
        assert_eq!(std::mem::align_of::<super::InstanceTasks>(), 128);
    }
}
