//! Typed ids: indices into the `Vec`s that hold each kind of entity.
//!
//! Distinct newtypes so a `TaskId` can never index the instance table.
//! Names from the scenario are resolved to these once, at validation; the hot path never
//! looks anything up by string.

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            /// The index this id stands for.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the entity at `index`.
            ///
            /// # Panics
            /// If `index` does not fit the id's width: a scenario limit should have caught it.
            #[inline]
            pub fn from_index(index: usize) -> Self {
                $name(<$inner>::try_from(index).expect(concat!(stringify!($name), " overflow"))) // ok: limits are validated first
            }
        }
    };
}

typed_id!(
    /// A container instance (an EC2 instance registered to the cluster).
    InstanceId(u32)
);
/// A task (one run of a task definition): its number and its slot in the live-task table.
///
/// `.0` is the task's number, its rank in creation order from 0 over the whole run: what
/// outputs print ("task 42 stopped") and what "newest first" compares, so ids order exactly
/// as they did when they were indices into a table of every task ever created. `.1` is the
/// slot the task occupies in `scheduler::task::TaskTable` while it lives; slots are reused
/// once a task is STOPPED, so memory follows live tasks (issue 13). The number tags the
/// slot's occupant: an id whose number no longer matches its slot's names a task that is
/// gone (`TaskTable::is_current`), like an event for a STOPPED task.
///
/// Two `u32`s rather than one `u64`, so an `Event` carrying a task id stays 12 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub u32, pub u32);

impl TaskId {
    /// The id of task number `number` in table slot `slot`.
    #[inline]
    pub fn new(number: u32, slot: u32) -> Self {
        TaskId(number, slot)
    }

    /// The task's slot in the live-task table (not its number: print `.0` for that).
    #[inline]
    pub fn index(self) -> usize {
        self.1 as usize
    }
}
typed_id!(
    /// A service.
    ServiceId(u16)
);
typed_id!(
    /// A task definition.
    TaskDefId(u16)
);
typed_id!(
    /// A capacity provider associated with the cluster (ASG-backed, FARGATE or FARGATE_SPOT).
    CapacityProviderId(u16)
);
typed_id!(
    /// An EC2 Auto Scaling group.
    AsgId(u16)
);
typed_id!(
    /// An Availability Zone used by the scenario.
    AzId(u8)
);
typed_id!(
    /// An EC2 instance type in the catalog.
    InstanceTypeId(u16)
);
typed_id!(
    /// A batch workload (a stream of RunTask submissions).
    WorkloadId(u16)
);

/// Who a task belongs to: a service or a batch workload. Cost and counts are broken down by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// A task started by the service scheduler.
    Service(ServiceId),
    /// A standalone task started by RunTask for a batch workload.
    Workload(WorkloadId),
}
