//! `Placer`: an index over Active container instances and per-group task counters that lets
//! placement avoid looking at every instance.
//!
//! Owns the index (per pool key and AZ: Active instances ordered by free memory, by free CPU
//! — kept only for `binpack(cpu)`, see [`Placer::track_binpack_cpu`] — and by id), the
//! per-group per-AZ task counters, and the search paths that use them. Pools and groups are
//! reached through dense slots (`slot_of`, `group_slot`), the free orders are
//! `EntrySet`s (a sorted `Vec` while small), both so that the index updates of every
//! reservation and release stay cheap (issue 13).
//! It does not own instances: the caller keeps the `ContainerInstance` table and must route
//! every reservation change through [`Placer::reserve`] / [`Placer::release`], and every
//! Active transition through [`Placer::add_instance`] / [`Placer::remove_instance`].
//!
//! **Invariant:** an instance is in the index iff it was added and not removed since, and its
//! index entries carry its current free CPU and memory.
//! **Invariant:** `group_count_in_az(g, az)` equals the sum of `group_count(g)` over every
//! instance in `az`, whatever its status.
//!
//! Search paths, all returning exactly what [`general_scan`](super::general_scan) returns:
//! - `[binpack(x)]` and `[spread(AZ), binpack(x)]`: walk AZs by fewest group tasks, range-scan
//!   the free-`x` set upward from the need; the first instance passing the rest of the filter
//!   is that set's binpack winner.
//! - `[spread(instanceId)]` and `[spread(AZ), spread(instanceId)]` (the service default):
//!   for a group the index tracks, walk the best AZs' `(tasks of the group, id)` sets from
//!   the start: the first candidate wins, so the walk passes only instances that do not fit,
//!   never the ones that merely hold a task of the group already; for other groups, the
//!   first candidate in id order holding no task of the group, else a ranking.
//! - `[]` and `[spread(AZ)]`: nothing ranks within an AZ level, so the lowest-id candidate of
//!   the best level wins; walk the occupied free-memory classes that may fit and keep the
//!   lowest id, checking only entries below the best so far.
//! - anything else: rank every candidate with enough memory, restricted to the best AZs when
//!   the chain starts with `spread(AZ)`.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::ContainerInstance;
use crate::engine::SimRng;
use crate::ids::{AzId, CapacityProviderId, InstanceId, Owner};
use crate::units::Resources;

use super::attribute::Attribute;
use super::entry_set::EntrySet;
use super::failure::{diagnose, PlacementFailure};
use super::scan::Selector;
use super::strategy::{BinpackField, PlacementStrategy, SpreadCounts, SpreadField};
use super::{PlacementRequest, Pool};

/// AZs whose per-placement counts fit on the stack; more (a scenario may list up to 255)
/// fall back to the heap. \[DERIVED\] ecsim's choice: AWS Regions have 3 to 6 AZs.
const INLINE_AZS: usize = 8;

/// Free-CPU classes of `by_memory`: [0, 256), [256, 512), [512, 1024), … doubling, the last
/// open-ended.
const CPU_CLASSES: usize = 8;

/// The free-CPU class of an instance with `free_cpu` units free.
fn cpu_class(free_cpu: u32) -> usize {
    if free_cpu < 256 {
        0
    } else {
        ((free_cpu / 256).ilog2() as usize + 1).min(CPU_CLASSES - 1)
    }
}

/// True when class `k` may hold an instance with at least `need_cpu` free: the definition
/// the searches' mask (`k >= cpu_class(need_cpu)`, see `AzIndex::memory_sets`) is tested
/// against.
#[cfg(test)]
fn class_may_fit(k: usize, need_cpu: u32) -> bool {
    // Class k holds free CPU below 256 << k (the last class is unbounded).
    k + 1 == CPU_CLASSES || (256u64 << k) > u64::from(need_cpu)
}

/// The capacity provider an instance's ASG is behind, or `None`: the index's partition key.
/// External instances (ECS Anywhere) have no provider and take [`EXTERNAL_POOL_KEY`].
type PoolKey = Option<CapacityProviderId>;

/// The pool key of external instances: past every real provider id (a scenario has at most
/// a few hundred providers), so the launch type EC2 range stops below it.
const EXTERNAL_POOL_KEY: PoolKey = Some(CapacityProviderId(u16::MAX));

/// The index partition `inst` belongs to.
#[inline]
fn pool_key(inst: &ContainerInstance) -> PoolKey {
    if inst.external {
        EXTERNAL_POOL_KEY
    } else {
        debug_assert!(inst.capacity_provider != EXTERNAL_POOL_KEY);
        inst.capacity_provider
    }
}

/// The dense slot of a pool key in [`Placer::pools`] and the task counters: external
/// instances 0, instances without a provider 1, provider `cp` at `cp + 2`. Provider ids are
/// small and dense, so every reservation finds its partition by indexing a `Vec` instead
/// of descending a B-tree (issue 13: those lookups were a visible share of each one), and
/// launch type EC2 covers the slots from 1 up.
#[inline]
fn slot_of(key: PoolKey) -> usize {
    match key {
        k if k == EXTERNAL_POOL_KEY => 0,
        None => 1,
        Some(cp) => usize::from(cp.0) + 2,
    }
}

/// The slot of the partition `inst` belongs to.
#[inline]
fn pool_slot(inst: &ContainerInstance) -> usize {
    slot_of(pool_key(inst))
}

/// The slots a pool covers, clipped to the `len` slots that exist.
fn slot_range(pool: Pool, len: usize) -> std::ops::Range<usize> {
    let (from, to) = match pool {
        // Launch type EC2 reaches every instance but the external ones.
        Pool::Cluster => (1, usize::MAX),
        Pool::CapacityProvider(cp) => (slot_of(Some(cp)), slot_of(Some(cp)) + 1),
        Pool::External => (0, 1),
    };
    from.min(len)..to.min(len)
}

/// The dense slot of a group in the per-group tables: services even, workloads odd, so a
/// counter lookup on every reservation is an index, not a B-tree descent (issue 13).
#[inline]
fn group_slot(group: Owner) -> usize {
    match group {
        Owner::Service(s) => 2 * s.index(),
        Owner::Workload(w) => 2 * w.index() + 1,
    }
}

/// A `spread(instanceId)` set's key: the group, the pool slot and the AZ index.
type SpreadKey = (Owner, usize, usize);

/// An index entry `(value, id)` — free memory or CPU, or a group's tasks in the spread
/// sets — packed into one `u64`, value in the high half: it orders exactly as the pair, and
/// one integer compare is what each B-tree step then costs (issue 13: the tuple compares were
/// a visible share of every reservation's index update).
type Entry = u64;

/// The entry of instance `id` with `value` (free quantity or tasks of a group).
#[inline]
fn entry(value: u32, id: InstanceId) -> Entry {
    (u64::from(value) << 32) | u64::from(id.0)
}

/// The `(value, id)` of an entry.
#[inline]
fn unpack(e: Entry) -> (u32, InstanceId) {
    ((e >> 32) as u32, InstanceId(e as u32))
}

/// The Active instances of one pool key in one AZ.
#[derive(Clone, Debug, Default)]
struct AzIndex {
    /// By free memory, split by free-CPU class (see [`cpu_class`]), so a search for memory
    /// skips whole classes of instances whose CPU is too short.
    by_memory: [EntrySet; CPU_CLASSES],
    /// Bit `k` set iff `by_memory[k]` is not empty, so a search visits only the occupied
    /// classes that may fit instead of testing all eight (issue 13: that loop, three AZs
    /// times eight classes, was a sixth of each binpack placement).
    occupied: u8,
    /// By free CPU; kept only when the placer was asked to
    /// ([`Placer::track_binpack_cpu`]), empty otherwise.
    by_cpu: EntrySet,
    by_id: BTreeSet<InstanceId>,
}

impl AzIndex {
    /// The non-empty free-memory sets whose instances may have `need_cpu` CPU free, in
    /// class order. The classes that may fit are those from `need_cpu`'s own class up
    /// (a class that may fit is followed only by classes that may).
    #[inline]
    fn memory_sets(&self, need_cpu: u32) -> impl Iterator<Item = &EntrySet> {
        let mut bits = self.occupied & (u8::MAX << cpu_class(need_cpu));
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                &self.by_memory[k]
            })
        })
    }

    /// Adds `e` to class `k` of the free-memory order; false if it was there.
    #[inline]
    fn memory_insert(&mut self, k: usize, e: Entry) -> bool {
        self.occupied |= 1 << k;
        self.by_memory[k].insert(e)
    }

    /// Removes `e` from class `k` of the free-memory order; false if it was not there.
    #[inline]
    fn memory_remove(&mut self, k: usize, e: Entry) -> bool {
        let found = self.by_memory[k].remove(&e);
        if self.by_memory[k].is_empty() {
            self.occupied &= !(1 << k);
        }
        found
    }
}

/// The shape of a strategy chain, deciding the search path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `[binpack(x)]` or `[spread(AZ), binpack(x)]`.
    Binpack {
        spread_az: bool,
        field: BinpackField,
    },
    /// `[spread(instanceId)]` or `[spread(AZ), spread(instanceId)]`.
    SpreadInstance { spread_az: bool },
    /// `[]` or `[spread(AZ)]`: no rule ranks instances within an AZ level, so the
    /// lowest-id candidate of the level wins (the tie rule of [`Selector`]).
    LowestId { spread_az: bool },
    /// Anything else.
    General { spread_az: bool },
}

const SPREAD_AZ: PlacementStrategy =
    PlacementStrategy::Spread(SpreadField::Attribute(Attribute::AvailabilityZone));

impl Shape {
    fn of(chain: &[PlacementStrategy]) -> Shape {
        let spread_az = chain.first() == Some(&SPREAD_AZ);
        let rest = if spread_az { &chain[1..] } else { chain };
        match rest {
            [PlacementStrategy::Binpack(field)] => Shape::Binpack {
                spread_az,
                field: *field,
            },
            [PlacementStrategy::Spread(SpreadField::InstanceId)] => {
                Shape::SpreadInstance { spread_az }
            }
            [] => Shape::LowestId { spread_az },
            _ => Shape::General { spread_az },
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Instances the `spread(instanceId)` walks looked at, for tests that bound the walk.
    static SPREAD_VISITS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one instance looked at by a `spread(instanceId)` walk (in tests; nothing otherwise).
#[inline]
fn spread_visit() {
    #[cfg(test)]
    SPREAD_VISITS.with(|v| v.set(v.get() + 1));
}

/// The placement index. See the module documentation for its invariants.
#[derive(Clone, Debug)]
pub struct Placer {
    az_count: usize,
    /// Per pool slot (see [`slot_of`]), per AZ; empty for a slot no instance ever had.
    pools: Vec<Vec<AzIndex>>,
    /// `indexed[id]` is true while the instance is in the index.
    indexed: Vec<bool>,
    /// Tasks per group slot (see [`group_slot`]), per pool slot, per AZ, over instances of
    /// any status; an empty vector where the group never had a task.
    group_az: Vec<Vec<Vec<u32>>>,
    /// Per (group, pool key, AZ), for a tracked group: every indexed instance of that pool
    /// and AZ as (tasks of the group, id), those with none included, in the
    /// `spread(instanceId)` order, so its first candidate is the winner.
    ///
    /// A key is created when the group first has a task on an indexed instance there, and
    /// kept: a group never placed in a pool (a Fargate service, a service on another
    /// provider) costs nothing, and without a key no indexed instance there holds a task of
    /// the group, so the pool's `by_id` order is already the spread order.
    spread: BTreeMap<SpreadKey, BTreeSet<Entry>>,
    /// The groups `spread` is kept for (those placed with `spread(instanceId)`); others
    /// pay nothing for it and are ranked by a scan instead.
    spread_groups: BTreeSet<Owner>,
    /// `spread_groups` by group slot, for the test on every reservation and release.
    spread_tracked: Vec<bool>,
    /// Whether `AzIndex::by_cpu` is kept. Only `binpack(cpu)` searches it, and keeping it
    /// was two of the four B-tree updates of every reservation and release (issue 13), so a
    /// run without that strategy does not pay for it; without it `binpack(cpu)` ranks the
    /// candidates instead (the same answer).
    cpu_order: bool,
}

impl Placer {
    /// An empty index for a cluster spanning `az_count` AZs (`AzId(0)..AzId(az_count)`).
    pub fn new(az_count: usize) -> Placer {
        Placer {
            az_count,
            pools: Vec::new(),
            indexed: Vec::new(),
            group_az: Vec::new(),
            spread: BTreeMap::new(),
            spread_groups: BTreeSet::new(),
            spread_tracked: Vec::new(),
            cpu_order: false,
        }
    }

    /// Keeps the free-CPU order (call before any instance is added): `binpack(cpu)`
    /// placements then range-scan it instead of ranking every candidate. Each reservation
    /// and release pays two more B-tree updates for it.
    pub fn track_binpack_cpu(&mut self) {
        assert!(
            self.indexed.iter().all(|&x| !x),
            "track_binpack_cpu must be called before instances are added"
        );
        self.cpu_order = true;
    }

    /// Keeps the `spread(instanceId)` index for `group` (call before any instance is added):
    /// its placements with that strategy then cost O(log n) instead of a scan.
    pub fn track_spread(&mut self, group: Owner) {
        assert!(
            self.indexed.iter().all(|&x| !x),
            "track_spread must be called before instances are added"
        );
        self.spread_groups.insert(group);
        let g = group_slot(group);
        if self.spread_tracked.len() <= g {
            self.spread_tracked.resize(g + 1, false);
        }
        self.spread_tracked[g] = true;
    }

    /// True if the `spread(instanceId)` index is kept for `group`.
    #[inline]
    fn tracks_spread(&self, group: Owner) -> bool {
        self.spread_tracked
            .get(group_slot(group))
            .copied()
            .unwrap_or(false)
    }

    /// The instance became Active: it is now a candidate.
    ///
    /// # Panics
    /// If it is already indexed or its AZ is outside `0..az_count`.
    pub fn add_instance(&mut self, inst: &ContainerInstance) {
        assert!(
            inst.az.index() < self.az_count,
            "{:?} outside the cluster's AZs",
            inst.az
        );
        let i = inst.id.index();
        if self.indexed.len() <= i {
            self.indexed.resize(i + 1, false);
        }
        assert!(
            !self.indexed[i],
            "{:?} added to the placement index twice",
            inst.id
        );
        self.indexed[i] = true;
        self.insert_entries(inst);
        // One entry per tracked group with a set here: O(groups × log n), not O(n).
        let groups: Vec<Owner> = self.spread_groups.iter().copied().collect();
        for g in groups {
            let n = inst.group_count(g);
            let key = (g, pool_slot(inst), inst.az.index());
            if n > 0 && !self.spread.contains_key(&key) {
                self.create_spread_set(key);
            }
            if let Some(set) = self.spread.get_mut(&key) {
                set.insert(entry(n, inst.id));
            }
        }
        self.az_index_mut(inst).by_id.insert(inst.id);
    }

    /// The instance left Active (draining or terminated): it stops being a candidate. Its
    /// tasks still count towards spread until they are released.
    ///
    /// # Panics
    /// If it is not indexed.
    pub fn remove_instance(&mut self, inst: &ContainerInstance) {
        assert!(
            self.is_indexed(inst.id),
            "{:?} removed but not indexed",
            inst.id
        );
        self.indexed[inst.id.index()] = false;
        self.remove_entries(inst);
        for &g in &self.spread_groups {
            let key = (g, pool_slot(inst), inst.az.index());
            if let Some(set) = self.spread.get_mut(&key) {
                set.remove(&entry(inst.group_count(g), inst.id));
            }
        }
        self.az_index_mut(inst).by_id.remove(&inst.id);
    }

    /// Reserves `need` for a task of `group` on `inst`, keeping the index and counters right.
    /// Works on instances that are not Active too (only the counters change then).
    ///
    /// # Panics
    /// If the task does not fit (see [`ContainerInstance::reserve`]).
    pub fn reserve(&mut self, inst: &mut ContainerInstance, need: Resources, group: Owner) {
        let indexed = self.is_indexed(inst.id);
        let before = inst.free();
        inst.reserve(need, group);
        if indexed {
            self.move_entries(inst, before);
            // An untracked group (a binpack workload) skips the count: a walk of the
            // instance's group list.
            if self.tracks_spread(group) {
                let n = inst.group_count(group);
                self.spread_move(group, inst, n - 1, n);
            }
        }
        let (g, p, az_count) = (group_slot(group), pool_slot(inst), self.az_count);
        if self.group_az.len() <= g {
            self.group_az.resize_with(g + 1, Vec::new);
        }
        let per_pool = &mut self.group_az[g];
        if per_pool.len() <= p {
            per_pool.resize_with(p + 1, Vec::new);
        }
        let counts = &mut per_pool[p];
        if counts.is_empty() {
            counts.resize(az_count, 0);
        }
        counts[inst.az.index()] += 1;
    }

    /// Releases what a task of `group` reserved on `inst` (the task left, also on draining
    /// instances).
    ///
    /// # Panics
    /// If nothing of that group was reserved there (see [`ContainerInstance::release`]).
    pub fn release(&mut self, inst: &mut ContainerInstance, need: Resources, group: Owner) {
        let indexed = self.is_indexed(inst.id);
        let before = inst.free();
        inst.release(need, group);
        if indexed {
            self.move_entries(inst, before);
            // An untracked group (a binpack workload) skips the count: a walk of the
            // instance's group list.
            if self.tracks_spread(group) {
                let n = inst.group_count(group);
                self.spread_move(group, inst, n + 1, n);
            }
        }
        let counts = self
            .group_az
            .get_mut(group_slot(group))
            .and_then(|per_pool| per_pool.get_mut(pool_slot(inst)))
            .filter(|c| !c.is_empty())
            .expect("released a task of a group never reserved"); // ok: invariant
        counts[inst.az.index()] -= 1;
    }

    /// Tasks of `group` on instances in `az`, over every instance whatever its status.
    pub fn group_count_in_az(&self, group: Owner, az: AzId) -> u32 {
        // Every pool slot, the external one included.
        self.group_az
            .get(group_slot(group))
            .into_iter()
            .flatten()
            .filter_map(|v| v.get(az.index()))
            .sum()
    }

    /// Chooses an instance for `req`. Pure: reserves nothing.
    ///
    /// `instances` is the whole instance table, indexed by `InstanceId`.
    /// Returns what [`general_scan`](super::general_scan) would, faster.
    ///
    /// # Errors
    /// Why nothing was chosen.
    pub fn place(
        &self,
        req: &PlacementRequest,
        instances: &[ContainerInstance],
        rng: &mut SimRng,
    ) -> Result<InstanceId, PlacementFailure> {
        self.find(req, instances, rng)
            .ok_or_else(|| diagnose(req, instances))
    }

    /// [`Placer::place`] without the reason when nothing fits, for callers that drop it:
    /// the reason is a pass over every instance of the pool (issue 13: a queued task retried
    /// on a full cluster paid it on every try). Same decisions and random draws as `place`.
    pub fn find(
        &self,
        req: &PlacementRequest,
        instances: &[ContainerInstance],
        rng: &mut SimRng,
    ) -> Option<InstanceId> {
        let shape = match Shape::of(req.strategy) {
            // Without the free-CPU order, rank: the same winner, found by a scan.
            Shape::Binpack {
                spread_az,
                field: BinpackField::Cpu,
            } if !self.cpu_order => Shape::General { spread_az },
            shape => shape,
        };
        if shape == (Shape::LowestId { spread_az: false }) {
            // One AZ level and no rank: no counts, no AZ order, no selector.
            let found = self.lowest_id_in(req, None, instances);
            #[cfg(debug_assertions)]
            if found.is_none() {
                super::failure::diagnose_uncounted(req, instances);
            }
            return found;
        }
        let (Shape::Binpack { spread_az, .. }
        | Shape::SpreadInstance { spread_az }
        | Shape::LowestId { spread_az }
        | Shape::General { spread_az }) = shape;
        // Per-AZ counts and the AZ order on the stack for the usual handful of AZs: two heap
        // allocations per placement were 7 % of an M/M/c run (issue 13).
        let mut counts_inline = [0u32; INLINE_AZS];
        let mut order_inline = [(0u32, 0usize); INLINE_AZS];
        let (mut counts_heap, mut order_heap) = (Vec::new(), Vec::new());
        let (az_counts, order): (&mut [u32], &mut [(u32, usize)]) = if self.az_count <= INLINE_AZS {
            (
                &mut counts_inline[..self.az_count],
                &mut order_inline[..self.az_count],
            )
        } else {
            counts_heap.resize(self.az_count, 0);
            order_heap.resize(self.az_count, (0, 0));
            (&mut counts_heap[..], &mut order_heap[..])
        };
        // The counts order the AZs under spread(AZ) and feed the general path's ranking; a
        // plain binpack or spread(instanceId) never reads them (all AZs tie at one level),
        // so their counter lookup is skipped.
        if spread_az || matches!(shape, Shape::General { .. }) {
            self.pool_az_counts_into(req.group, req.pool, az_counts);
        }
        let az_counts: &[u32] = az_counts;
        for (az, o) in order.iter_mut().enumerate() {
            *o = (if spread_az { az_counts[az] } else { 0 }, az);
        }
        order.sort_unstable();
        let order: &[(u32, usize)] = order;
        // Spread counts for the general path: AZ from the counters, other attributes need a
        // pass over the pool (rare chains; still O(instances) like the scan it replaces).
        let mut counts = SpreadCounts::default();
        if let Shape::General { .. } = shape {
            let sel = Selector::new(req.strategy);
            for a in sel.spread_attributes() {
                if a == Attribute::AvailabilityZone {
                    counts.by_attribute[a as usize] = az_counts.to_vec();
                } else {
                    for inst in instances.iter().filter(|i| req.pool.contains(i)) {
                        counts.add(a, inst, inst.group_count(req.group));
                    }
                }
            }
        }
        // AZs with equal counts tie on the spread key, so they are searched together.
        let mut start = 0;
        while start < order.len() {
            let level = order[start].0;
            let end = start
                + order[start..]
                    .iter()
                    .take_while(|(c, _)| *c == level)
                    .count();
            let azs = &order[start..end];
            start = end;
            let found = match shape {
                Shape::Binpack { field, .. } => self.binpack_in(req, field, azs, instances),
                Shape::SpreadInstance { .. } if self.tracks_spread(req.group) => {
                    self.least_loaded_in(req, azs, instances)
                }
                Shape::SpreadInstance { .. } => self
                    .first_empty_in(req, azs, instances)
                    .or_else(|| self.rank_in(req, azs, instances, &counts, rng)),
                Shape::LowestId { .. } => self.lowest_id_in(req, Some(azs), instances),
                Shape::General { .. } => self.rank_in(req, azs, instances, &counts, rng),
            };
            if let Some(id) = found {
                return Some(id);
            }
        }
        // In debug builds, check what `diagnose` asserts: no instance was a candidate.
        #[cfg(debug_assertions)]
        super::failure::diagnose_uncounted(req, instances);
        None
    }

    /// The binpack winner among `azs`: least free `field` at or above the need, then lowest id.
    fn binpack_in(
        &self,
        req: &PlacementRequest,
        field: BinpackField,
        azs: &[(u32, usize)],
        instances: &[ContainerInstance],
    ) -> Option<InstanceId> {
        let mut best: Option<(u32, InstanceId)> = None;
        for per_az in self.pools_in(req.pool).map(|(_, v)| v) {
            for &(_, az) in azs {
                let idx = &per_az[az];
                let need = match field {
                    BinpackField::Cpu => req.need.cpu.0,
                    BinpackField::Memory => req.need.memory.0,
                };
                let mut search = |set: &EntrySet| {
                    for (free, id) in set.range(entry(need, InstanceId(0))..).map(unpack) {
                        if best.is_some_and(|b| (free, id) >= b) {
                            break;
                        }
                        if req.is_candidate(&instances[id.index()]) {
                            best = Some((free, id));
                            break;
                        }
                    }
                };
                // Empty sets are skipped: a range search costs a descent even on an empty
                // tree's root, and most classes of most AZs are empty (issue 13).
                match field {
                    BinpackField::Cpu if !idx.by_cpu.is_empty() => search(&idx.by_cpu),
                    BinpackField::Cpu => {}
                    BinpackField::Memory => idx.memory_sets(req.need.cpu.0).for_each(search),
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// The lowest-id candidate among `azs` (every AZ when `None`): the winner of a chain
    /// that ranks nothing within an AZ level (issue 13: the M/M/c workload has no strategy,
    /// and ranking its candidates with the general path was a quarter of the run).
    ///
    /// Walks the free-memory sets from the need upward, as the ranking did, but an entry
    /// whose id is not below the best so far is passed without the candidate check, and
    /// nothing is ranked, counted or sorted; in a large set, each free-memory value's ids
    /// are walked in id order, so the walk stops at the value's first candidate
    /// ([`EntrySet::lowest_id`]) instead of passing every instance.
    fn lowest_id_in(
        &self,
        req: &PlacementRequest,
        azs: Option<&[(u32, usize)]>,
        instances: &[ContainerInstance],
    ) -> Option<InstanceId> {
        let mut best: Option<InstanceId> = None;
        let from = entry(req.need.memory.0, InstanceId(0));
        let mut search = |idx: &AzIndex| {
            for set in idx.memory_sets(req.need.cpu.0) {
                let below = best.map(|b| b.0);
                let found = set.lowest_id(from, below, |id| {
                    req.is_candidate(&instances[InstanceId(id).index()])
                });
                if let Some(id) = found {
                    best = Some(InstanceId(id));
                }
            }
        };
        for per_az in self.pools_in(req.pool).map(|(_, v)| v) {
            match azs {
                Some(azs) => azs.iter().for_each(|&(_, az)| search(&per_az[az])),
                None => per_az.iter().for_each(&mut search),
            }
        }
        best
    }

    /// The lowest-id candidate among `azs` holding no task of the group: the winner of
    /// `spread(instanceId)` within one AZ level, when there is one. For groups the index
    /// does not track (it walks past every instance holding a task of the group).
    fn first_empty_in(
        &self,
        req: &PlacementRequest,
        azs: &[(u32, usize)],
        instances: &[ContainerInstance],
    ) -> Option<InstanceId> {
        let mut best: Option<InstanceId> = None;
        for per_az in self.pools_in(req.pool).map(|(_, v)| v) {
            for &(_, az) in azs {
                for &id in &per_az[az].by_id {
                    if best.is_some_and(|b| id >= b) {
                        break;
                    }
                    spread_visit();
                    let inst = &instances[id.index()];
                    if inst.group_count(req.group) == 0 && req.is_candidate(inst) {
                        best = Some(id);
                        break;
                    }
                }
            }
        }
        best
    }

    /// The candidate among `azs` with the fewest tasks of the group, then the lowest id: the
    /// winner of `spread(instanceId)` for a tracked group. The walk from the start of each
    /// set passes only instances that are not candidates (too full, constrained out).
    fn least_loaded_in(
        &self,
        req: &PlacementRequest,
        azs: &[(u32, usize)],
        instances: &[ContainerInstance],
    ) -> Option<InstanceId> {
        let mut best: Option<(u32, InstanceId)> = None;
        for (key, per_az) in self.pools_in(req.pool) {
            for &(_, az) in azs {
                let Some(set) = self.spread.get(&(req.group, key, az)) else {
                    // No set: no indexed instance here holds a task of the group, so every
                    // one counts 0 and id order is the spread order.
                    for &id in &per_az[az].by_id {
                        if best.is_some_and(|b| (0, id) >= b) {
                            break;
                        }
                        spread_visit();
                        if req.is_candidate(&instances[id.index()]) {
                            best = Some((0, id));
                            break;
                        }
                    }
                    continue;
                };
                for (n, id) in set.iter().map(|&e| unpack(e)) {
                    if best.is_some_and(|b| (n, id) >= b) {
                        break;
                    }
                    spread_visit();
                    if req.is_candidate(&instances[id.index()]) {
                        best = Some((n, id));
                        break;
                    }
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// Keeps `spread` in step when an indexed instance's count of tracked `group` goes from
    /// `old` to `new`.
    fn spread_move(&mut self, group: Owner, inst: &ContainerInstance, old: u32, new: u32) {
        debug_assert!(self.tracks_spread(group));
        let key = (group, pool_slot(inst), inst.az.index());
        if !self.spread.contains_key(&key) {
            // The group's first task on an indexed instance here (old is 0: a holder would
            // have created the set).
            self.create_spread_set(key);
        }
        if let Some(set) = self.spread.get_mut(&key) {
            let was = set.remove(&entry(old, inst.id));
            debug_assert!(was, "{:?} missing from its spread set", inst.id);
            set.insert(entry(new, inst.id));
        }
    }

    /// Creates the `spread(instanceId)` set of `key` with every indexed instance of its pool
    /// and AZ at 0 tasks: right only while none holds a task of the group, which is when the
    /// callers create it. O(instances there), once per (group, pool, AZ) over a run.
    fn create_spread_set(&mut self, key: SpreadKey) {
        let (_, pool, az) = key;
        let set = self
            .pools
            .get(pool)
            .and_then(|v| v.get(az))
            .map(|a| a.by_id.iter().map(|&id| entry(0, id)).collect())
            .unwrap_or_default();
        self.spread.insert(key, set);
    }

    /// Ranks every candidate in `azs` with the full chain.
    fn rank_in(
        &self,
        req: &PlacementRequest,
        azs: &[(u32, usize)],
        instances: &[ContainerInstance],
        counts: &SpreadCounts,
        rng: &mut SimRng,
    ) -> Option<InstanceId> {
        let mut sel = Selector::new(req.strategy);
        for per_az in self.pools_in(req.pool).map(|(_, v)| v) {
            for &(_, az) in azs {
                // Only instances with enough free memory and CPU can be candidates.
                for set in per_az[az].memory_sets(req.need.cpu.0) {
                    for e in set.range(entry(req.need.memory.0, InstanceId(0))..) {
                        let (_, id) = unpack(e);
                        let inst = &instances[id.index()];
                        if req.is_candidate(inst) {
                            sel.offer(req, inst, counts);
                        }
                    }
                }
            }
        }
        sel.finish(rng)
    }

    /// Tasks of `group` per AZ over the instances of `pool`.
    /// Adds up `group`'s tasks per AZ over `pool` into `out` (one entry per AZ, zeroed).
    fn pool_az_counts_into(&self, group: Owner, pool: Pool, out: &mut [u32]) {
        let Some(per_pool) = self.group_az.get(group_slot(group)) else {
            return;
        };
        for v in &per_pool[slot_range(pool, per_pool.len())] {
            for (o, n) in out.iter_mut().zip(v) {
                *o += n;
            }
        }
    }

    /// The partitions of `pool` that hold instances, with their slots, in slot order.
    fn pools_in(&self, pool: Pool) -> impl Iterator<Item = (usize, &Vec<AzIndex>)> {
        let range = slot_range(pool, self.pools.len());
        let from = range.start;
        self.pools[range]
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(move |(k, v)| (from + k, v))
    }

    fn is_indexed(&self, id: InstanceId) -> bool {
        self.indexed.get(id.index()).copied().unwrap_or(false)
    }

    #[inline]
    fn az_index_mut(&mut self, inst: &ContainerInstance) -> &mut AzIndex {
        let slot = pool_slot(inst);
        if self.pools.len() <= slot {
            self.pools.resize_with(slot + 1, Vec::new);
        }
        let per_az = &mut self.pools[slot];
        if per_az.is_empty() {
            per_az.resize_with(self.az_count, AzIndex::default);
        }
        &mut per_az[inst.az.index()]
    }

    fn insert_entries(&mut self, inst: &ContainerInstance) {
        let free = inst.free();
        let cpu_order = self.cpu_order;
        let idx = self.az_index_mut(inst);
        let fresh = idx.memory_insert(cpu_class(free.cpu.0), entry(free.memory.0, inst.id))
            & (!cpu_order || idx.by_cpu.insert(entry(free.cpu.0, inst.id)));
        assert!(fresh, "{:?} indexed twice", inst.id);
    }

    /// Moves the entries of `inst`, whose free room was `before`, to its free room now: the
    /// same as removing and inserting, with one lookup of its AZ index instead of two.
    fn move_entries(&mut self, inst: &ContainerInstance, before: Resources) {
        let free = inst.free();
        let cpu_order = self.cpu_order;
        let idx = self.az_index_mut(inst);
        let (from, to) = (cpu_class(before.cpu.0), cpu_class(free.cpu.0));
        let (old, new) = (
            entry(before.memory.0, inst.id),
            entry(free.memory.0, inst.id),
        );
        // Within one class (most reservations: a task rarely moves free CPU across a
        // power of two) the entry is moved in place, one shift instead of two.
        let found = if from == to {
            idx.by_memory[from].replace(old, new)
        } else {
            let found = idx.memory_remove(from, old);
            idx.memory_insert(to, new);
            found
        } & (!cpu_order
            || idx
                .by_cpu
                .replace(entry(before.cpu.0, inst.id), entry(free.cpu.0, inst.id)));
        assert!(
            found,
            "{:?} index entry stale: its reservation changed outside the Placer",
            inst.id
        );
    }

    fn remove_entries(&mut self, inst: &ContainerInstance) {
        let free = inst.free();
        let cpu_order = self.cpu_order;
        let idx = self.az_index_mut(inst);
        let found = idx.memory_remove(cpu_class(free.cpu.0), entry(free.memory.0, inst.id))
            & (!cpu_order || idx.by_cpu.remove(&entry(free.cpu.0, inst.id)));
        assert!(
            found,
            "{:?} index entry stale: its reservation changed outside the Placer",
            inst.id
        );
    }

    /// Asserts the index matches `instances`: for tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self, instances: &[ContainerInstance]) {
        let mut entries = 0;
        for inst in instances {
            let free = inst.free();
            if self.is_indexed(inst.id) {
                entries += 1;
                let idx = &self.pools[pool_slot(inst)][inst.az.index()];
                assert!(
                    idx.by_memory[cpu_class(free.cpu.0)].contains(&entry(free.memory.0, inst.id))
                );
                assert_eq!(
                    idx.by_cpu.contains(&entry(free.cpu.0, inst.id)),
                    self.cpu_order
                );
                assert!(idx.by_id.contains(&inst.id));
            }
        }
        let total: usize = self.pools.iter().flatten().map(|a| a.by_id.len()).sum();
        assert_eq!(total, entries);
        let mut spread_entries = 0;
        for inst in instances.iter().filter(|i| self.is_indexed(i.id)) {
            for &g in &self.spread_groups {
                let n = inst.group_count(g);
                let key = (g, pool_slot(inst), inst.az.index());
                match self.spread.get(&key) {
                    Some(set) => {
                        spread_entries += 1;
                        assert!(set.contains(&entry(n, inst.id)));
                    }
                    // No set: nobody indexed there holds a task of the group.
                    None => assert_eq!(n, 0, "{:?} holds {g:?} but has no spread set", inst.id),
                }
            }
        }
        assert_eq!(
            self.spread.values().map(BTreeSet::len).sum::<usize>(),
            spread_entries
        );
        let total: usize = self
            .pools
            .iter()
            .flatten()
            .inspect(|a| {
                for (k, set) in a.by_memory.iter().enumerate() {
                    assert_eq!(a.occupied & (1 << k) != 0, !set.is_empty(), "class {k}");
                }
            })
            .map(|a| a.by_memory.iter().map(EntrySet::len).sum::<usize>())
            .sum();
        assert_eq!(total, entries);
        let mut by_group: BTreeMap<(Owner, usize), u32> = BTreeMap::new();
        for inst in instances {
            for &(g, n) in &inst.group_counts {
                *by_group.entry((g, inst.az.index())).or_default() += n;
            }
        }
        for (&(g, az), &n) in &by_group {
            assert_eq!(self.group_count_in_az(g, AzId::from_index(az)), n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;
    use crate::ids::ServiceId;
    use crate::scheduler::placement::test_support::Cluster;
    use crate::scheduler::placement::{
        parse, service_default_strategy, AttributeNames, Mismatch, PlacementConstraint,
        PlacementFailure,
    };
    use crate::units::CpuArchitecture;
    use proptest::prelude::*;

    const SVC: Owner = Owner::Service(ServiceId(0));
    const OTHER: Owner = Owner::Service(ServiceId(1));
    const BINPACK_MEM: [PlacementStrategy; 1] = [PlacementStrategy::Binpack(BinpackField::Memory)];
    const AZ_BINPACK: [PlacementStrategy; 2] =
        [SPREAD_AZ, PlacementStrategy::Binpack(BinpackField::Memory)];
    const BIG: Resources = Resources::new(4096, 15_000);

    fn rng() -> SimRng {
        RngStreams::new(7).stream(crate::engine::Stream::Placement)
    }

    fn req<'a>(
        need: Resources,
        strategy: &'a [PlacementStrategy],
        constraints: &'a [PlacementConstraint],
    ) -> PlacementRequest<'a> {
        PlacementRequest {
            need,
            group: SVC,
            os: crate::units::OsFamily::Linux,
            arch: None,
            pool: Pool::Cluster,
            strategy,
            constraints,
        }
    }

    fn names() -> AttributeNames {
        AttributeNames::new(
            vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            vec!["m5.xlarge".into(), "t3.large".into(), "m6g.large".into()],
        )
    }

    /// g4dn.12xlarge: 48 vCPU, 192 GiB, 4 GPUs (ECS Developer Guide, ecs-gpu.md table), 7
    /// ENIs for awsvpc tasks (8 − the primary). "The number of GPUs reserved for all
    /// containers in a task cannot exceed the number of available GPUs on the container
    /// instance": 4 one-GPU tasks fit, the 5th waits although CPU and memory are plentiful.
    #[test]
    fn gpus_are_reserved_whole_and_the_fifth_task_waits() {
        let mut c = Cluster::new(1);
        let g4dn = Resources::new(48 * 1024, 188_743).with_devices(7, 4, 0);
        let gpu_id = c.add(0, 0, g4dn);
        let one_gpu = Resources::new(1024, 4096).with_devices(0, 1, 0);
        let mut g = rng();
        for strategy in [&BINPACK_MEM[..], &AZ_BINPACK[..], &[][..]] {
            let r = req(one_gpu, strategy, &[]);
            assert_eq!(c.place(&r, &mut g), Ok(gpu_id));
        }
        let r = req(one_gpu, &BINPACK_MEM, &[]);
        for _ in 0..4 {
            assert_eq!(c.place_reserve(&r, &mut g), Ok(gpu_id));
        }
        // 4 − 4 = 0 GPUs left; 44 vCPU and ~172 GiB still free.
        assert_eq!(
            c.place(&r, &mut g),
            Err(PlacementFailure::Insufficient {
                closest: gpu_id,
                cpu: false,
                memory: false,
                device: Some(super::super::Device::Gpu),
            })
        );
        // A task without GPUs may still use the GPU instance (ECS: "Your clusters can
        // contain a mix of GPU and non-GPU container instances"; nothing reserves them).
        let plain = req(Resources::new(1024, 4096), &BINPACK_MEM, &[]);
        assert_eq!(c.place(&plain, &mut g), Ok(gpu_id));
        // One GPU task leaving frees its GPU for the next.
        c.release(gpu_id, one_gpu, SVC);
        assert_eq!(c.place(&r, &mut g), Ok(gpu_id));
    }

    /// A GPU task on a cluster of m5.large (no GPU) is refused for its GPU, ECS's
    /// `RESOURCE:GPU`, and the service event names the GPUs.
    #[test]
    fn a_gpu_task_is_refused_on_instances_without_gpus() {
        let mut c = Cluster::new(1);
        let m5 = c.add(0, 0, Resources::new(2048, 7864).with_devices(2, 0, 0));
        let r = req(
            Resources::new(512, 1024).with_devices(0, 1, 0),
            &BINPACK_MEM,
            &[],
        );
        let f = c.place(&r, &mut rng()).unwrap_err();
        assert_eq!(
            f,
            PlacementFailure::Insufficient {
                closest: m5,
                cpu: false,
                memory: false,
                device: Some(super::super::Device::Gpu),
            }
        );
        assert!(f
            .ecs_reason()
            .ends_with("i-00000000 has insufficient GPUs available."));
    }

    /// ECS Developer Guide, "Elastic network interface trunking": a c5.large (2 vCPU,
    /// 4 GiB) has 3 ENIs, the primary counts, so 2 awsvpc tasks; with awsvpcTrunking its
    /// limit is 12, less the primary and the trunk: 10. Tasks of 0.125 vCPU and 256 MiB would
    /// fit 15 by memory (3932 / 256), so the ENIs decide.
    #[test]
    fn awsvpc_tasks_are_limited_by_enis_not_cpu() {
        for (enis, expected) in [(2u32, 2usize), (10, 10)] {
            let mut c = Cluster::new(1);
            let a = c.add(0, 0, Resources::new(2048, 3932).with_devices(enis, 0, 0));
            let b = c.add(0, 0, Resources::new(2048, 3932).with_devices(enis, 0, 0));
            let r = req(
                Resources::new(128, 256).with_devices(1, 0, 0),
                &BINPACK_MEM,
                &[],
            );
            let mut g = rng();
            let placed: Vec<InstanceId> = (0..2 * expected)
                .map(|_| c.place_reserve(&r, &mut g).unwrap())
                .collect();
            assert_eq!(placed.iter().filter(|&&i| i == a).count(), expected);
            assert_eq!(placed.iter().filter(|&&i| i == b).count(), expected);
            let f = c.place(&r, &mut g).unwrap_err();
            assert!(
                f.ecs_reason().ends_with("has insufficient ENIs available."),
                "{f:?}"
            );
            // A bridge task (no ENI) still fits beside them.
            let bridge = req(Resources::new(128, 256), &BINPACK_MEM, &[]);
            assert!(c.place(&bridge, &mut g).is_ok());
        }
    }

    #[test]
    fn binpack_fills_one_instance_before_the_next() {
        let mut c = Cluster::new(1);
        for _ in 0..3 {
            c.add(0, 0, BIG);
        }
        let need = Resources::new(1024, 3000);
        let r = req(need, &BINPACK_MEM, &[]);
        let mut g = rng();
        // 15,000 / 3,000 = 5 tasks fill instance 0 exactly, then instance 1 takes the next 5.
        let placed: Vec<u32> = (0..10)
            .map(|_| c.place_reserve(&r, &mut g).unwrap().0)
            .collect();
        // CPU runs out first: 4096 / 1024 = 4 tasks per instance.
        assert_eq!(placed, vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
        c.placer.assert_consistent(&c.instances);
    }

    #[test]
    fn binpack_prefers_the_tightest_fit_not_the_lowest_id() {
        let mut c = Cluster::new(2);
        let _roomy = c.add(0, 0, BIG);
        let tight = c.add(1, 1, Resources::new(2048, 4000));
        let r = req(Resources::new(512, 3500), &BINPACK_MEM, &[]);
        assert_eq!(c.place(&r, &mut rng()), Ok(tight));
        let cpu = [PlacementStrategy::Binpack(BinpackField::Cpu)];
        let r = req(Resources::new(512, 3500), &cpu, &[]);
        assert_eq!(c.place(&r, &mut rng()), Ok(tight));
    }

    /// Issue 13: filling an empty cluster under the service default used to walk past every
    /// instance already holding a task of the service (quadratic: about n²/6 looks over
    /// three AZs, 1.5 million for 3,000 instances). Now each placement looks at one instance
    /// per tied AZ, at most three here.
    #[test]
    fn spread_instance_fill_looks_at_few_instances_per_placement() {
        const N: u32 = 3_000;
        let mut c = Cluster::new(3);
        for i in 0..N {
            c.add((i % 3) as u8, 0, BIG);
        }
        let r = req(Resources::new(256, 512), service_default_strategy(), &[]);
        let mut g = rng();
        SPREAD_VISITS.with(|v| v.set(0));
        let mut placed = Vec::new();
        for _ in 0..N {
            let id = c.placer.place(&r, &c.instances, &mut g).unwrap();
            c.reserve(id, r.need, SVC);
            placed.push(id);
        }
        let visits = SPREAD_VISITS.with(std::cell::Cell::get);
        assert!(visits <= 3 * u64::from(N), "{visits} instances looked at");
        // And the decisions are spread's: every instance got exactly one task.
        placed.sort_unstable();
        placed.dedup();
        assert_eq!(placed.len(), N as usize);
        // The next round starts again from the lowest id with one task, in AZ order.
        assert_eq!(c.place(&r, &mut g), Ok(InstanceId(0)));
        c.placer.assert_consistent(&c.instances);

        // The counter sees the old walk: a group the index does not track still takes it
        // (Cluster tracks services 0..300), and looks at about N²/6 instances.
        let untracked = Owner::Service(ServiceId(1_000));
        let r = PlacementRequest {
            group: untracked,
            ..r
        };
        SPREAD_VISITS.with(|v| v.set(0));
        for _ in 0..N {
            let id = c.placer.place(&r, &c.instances, &mut g).unwrap();
            c.reserve(id, r.need, untracked);
        }
        let visits = SPREAD_VISITS.with(std::cell::Cell::get);
        assert!(visits > 100 * u64::from(N), "{visits} instances looked at");
    }

    #[test]
    fn spread_az_keeps_az_counts_within_one() {
        for chain in [&AZ_BINPACK[..], service_default_strategy()] {
            let mut c = Cluster::new(3);
            // Uneven AZs: 5, 2 and 3 instances.
            for az in [0, 0, 0, 0, 0, 1, 1, 2, 2, 2] {
                c.add(az, 0, BIG);
            }
            let r = req(Resources::new(256, 512), chain, &[]);
            let mut g = rng();
            for n in 1..=30u32 {
                c.place_reserve(&r, &mut g).unwrap();
                let counts: Vec<u32> = (0..3)
                    .map(|az| c.placer.group_count_in_az(SVC, AzId(az)))
                    .collect();
                let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                assert!(hi - lo <= 1, "after {n} tasks: {counts:?}");
                assert_eq!(counts.iter().sum::<u32>(), n);
            }
            c.placer.assert_consistent(&c.instances);
        }
    }

    #[test]
    fn spread_instance_balances_tasks_per_instance() {
        let mut c = Cluster::new(2);
        for az in [0, 1, 0, 1, 0] {
            c.add(az, 0, BIG);
        }
        // Another group's tasks must not count.
        c.reserve(InstanceId(0), Resources::new(128, 128), OTHER);
        let host = [PlacementStrategy::Spread(SpreadField::InstanceId)];
        let r = req(Resources::new(128, 256), &host, &[]);
        let mut g = rng();
        let first: Vec<u32> = (0..5)
            .map(|_| c.place_reserve(&r, &mut g).unwrap().0)
            .collect();
        // One task each, in id order (lowest id breaks ties).
        assert_eq!(first, vec![0, 1, 2, 3, 4]);
        for _ in 0..12 {
            c.place_reserve(&r, &mut g).unwrap();
        }
        let per: Vec<u32> = c.instances.iter().map(|i| i.group_count(SVC)).collect();
        // 17 tasks over 5 instances: 4 or 3 each.
        assert!(per.iter().all(|&n| n == 3 || n == 4), "{per:?}");
    }

    #[test]
    fn service_default_prefers_empty_az_then_empty_instance() {
        let mut c = Cluster::new(2);
        let a0 = c.add(0, 0, BIG);
        let a1 = c.add(0, 0, BIG);
        let b0 = c.add(1, 0, BIG);
        let b1 = c.add(1, 0, BIG);
        let small = Resources::new(128, 128);
        c.reserve(a0, small, SVC);
        c.reserve(b0, small, SVC);
        c.reserve(b0, small, SVC);
        // AZ 0 has 1 task, AZ 1 has 2: AZ 0 wins, and in it the empty a1.
        let r = req(small, service_default_strategy(), &[]);
        assert_eq!(c.place(&r, &mut rng()), Ok(a1));
        c.reserve(a1, small, SVC);
        c.reserve(a1, small, SVC);
        // AZ 0: 3, AZ 1: 2 → AZ 1, where b1 is empty.
        assert_eq!(c.place(&r, &mut rng()), Ok(b1));
    }

    #[test]
    fn draining_instances_keep_counting_for_spread_but_take_nothing() {
        let mut c = Cluster::new(2);
        let a = c.add(0, 0, BIG);
        let b = c.add(1, 0, BIG);
        let a2 = c.add(0, 0, BIG);
        let small = Resources::new(128, 128);
        c.reserve(a, small, SVC);
        c.drain(a);
        // The task on draining `a` still puts AZ 0 ahead, so AZ 1 (b) wins.
        let r = req(small, &AZ_BINPACK, &[]);
        assert_eq!(c.place(&r, &mut rng()), Ok(b));
        c.reserve(b, small, SVC);
        // AZs tie at 1: binpack over both; a is draining so a2 or b. b has less free memory.
        assert_eq!(c.place(&r, &mut rng()), Ok(b));
        c.release(a, small, SVC);
        assert_eq!(c.placer.group_count_in_az(SVC, AzId(0)), 0);
        assert_eq!(c.place(&r, &mut rng()), Ok(a2));
        c.placer.assert_consistent(&c.instances);
    }

    #[test]
    fn capacity_provider_pool_excludes_other_instances() {
        let mut c = Cluster::new(1);
        let _none = c.add_full(
            0,
            0,
            CpuArchitecture::X86_64,
            Resources::new(512, 512),
            None,
        );
        let cp1 = c.add_full(0, 0, CpuArchitecture::X86_64, BIG, Some(1));
        let _cp2 = c.add_full(
            0,
            0,
            CpuArchitecture::X86_64,
            Resources::new(512, 512),
            Some(2),
        );
        let mut r = req(Resources::new(256, 256), &BINPACK_MEM, &[]);
        // The cluster pool takes the tightest instance, id 0.
        assert_eq!(c.place(&r, &mut rng()), Ok(InstanceId(0)));
        r.pool = Pool::CapacityProvider(CapacityProviderId(1));
        assert_eq!(c.place(&r, &mut rng()), Ok(cp1));
        r.pool = Pool::CapacityProvider(CapacityProviderId(9));
        assert_eq!(c.place(&r, &mut rng()), Err(PlacementFailure::NoInstances));
    }

    #[test]
    fn external_instances_are_reached_by_launch_type_external_only() {
        let mut c = Cluster::new(1);
        // The external instance is the tightest fit and has the lowest id: launch type EC2
        // would take it under binpack if the cluster pool reached it.
        let ext = c.add_external(0, 0, CpuArchitecture::X86_64, Resources::new(512, 512));
        let ec2 = c.add(0, 0, BIG);
        let cp1 = c.add_full(0, 0, CpuArchitecture::X86_64, BIG, Some(1));
        let mut r = req(Resources::new(256, 256), &BINPACK_MEM, &[]);
        // Launch type EC2: the tightest EC2 instance, never the external one.
        assert_eq!(c.place(&r, &mut rng()), Ok(ec2));
        r.pool = Pool::CapacityProvider(CapacityProviderId(1));
        assert_eq!(c.place(&r, &mut rng()), Ok(cp1));
        r.pool = Pool::External;
        assert_eq!(c.place(&r, &mut rng()), Ok(ext));
        // Full external capacity: EXTERNAL waits, though EC2 has room.
        c.reserve(ext, Resources::new(512, 512), Owner::Service(ServiceId(0)));
        assert!(c.place(&r, &mut rng()).is_err());
        // And the EC2 counters never see the external instance's tasks.
        r.pool = Pool::Cluster;
        assert_eq!(c.place(&r, &mut rng()), Ok(ec2));
    }

    #[test]
    fn constraints_are_never_violated() {
        let n = names();
        let mut c = Cluster::new(3);
        for i in 0..30u32 {
            let (ty, arch) = match i % 3 {
                0 => (0, CpuArchitecture::X86_64),
                1 => (1, CpuArchitecture::X86_64),
                _ => (2, CpuArchitecture::Arm64),
            };
            c.add_full(((i + i / 3) % 3) as u8, ty, arch, BIG, None);
        }
        let exprs = [
            "attribute:ecs.availability-zone in [us-east-1a, us-east-1c]",
            "attribute:ecs.instance-type == t3.large or attribute:ecs.cpu-architecture != arm64",
            "not (attribute:ecs.availability-zone == us-east-1c) and attribute:ecs.cpu-architecture == arm64",
        ];
        let mut g = rng();
        for (k, text) in exprs.iter().enumerate() {
            let e = parse(text).unwrap();
            let cons = [PlacementConstraint::MemberOf(e.compile(&n))];
            for chain in [
                &AZ_BINPACK[..],
                service_default_strategy(),
                &[PlacementStrategy::Random],
            ] {
                let mut r = req(Resources::new(128, 128), chain, &cons);
                r.group = Owner::Service(ServiceId(10 + k as u16));
                for _ in 0..20 {
                    let id = c.place_reserve(&r, &mut g).unwrap();
                    let inst = &c.instances[id.index()];
                    assert!(e.matches(&n.attributes_of(inst)), "{text}: {id:?}");
                }
            }
        }
        // distinctInstance: 30 instances take 30 tasks, the 31st is refused.
        let cons = [PlacementConstraint::DistinctInstance];
        let mut r = req(Resources::new(1, 1), service_default_strategy(), &cons);
        r.group = OTHER;
        let mut seen = BTreeSet::new();
        for _ in 0..30 {
            assert!(seen.insert(c.place_reserve(&r, &mut g).unwrap()));
        }
        assert!(matches!(
            c.place(&r, &mut g),
            Err(PlacementFailure::Unmatched {
                mismatch: Mismatch::Constraint,
                ..
            })
        ));
        // Architecture: arm64 tasks land only on arm64 instances.
        r.constraints = &[];
        r.arch = Some(CpuArchitecture::Arm64);
        for _ in 0..10 {
            let id = c.place_reserve(&r, &mut g).unwrap();
            assert_eq!(c.instances[id.index()].arch, CpuArchitecture::Arm64);
        }
        c.placer.assert_consistent(&c.instances);
    }

    #[test]
    fn random_is_uniformish_and_deterministic_per_seed() {
        let mut c = Cluster::new(2);
        for az in [0, 1, 0, 1] {
            c.add(az, 0, BIG);
        }
        let chain = [PlacementStrategy::Random];
        let r = req(Resources::new(1, 1), &chain, &[]);
        let draw = |seed: u64| -> Vec<u32> {
            let mut g = RngStreams::new(seed).stream(crate::engine::Stream::Placement);
            (0..4000).map(|_| c.place(&r, &mut g).unwrap().0).collect()
        };
        let a = draw(1);
        assert_eq!(a, draw(1));
        assert_ne!(a, draw(2));
        let mut hist = [0u32; 4];
        for id in &a {
            hist[*id as usize] += 1;
        }
        // Expected 1000 each; sd = sqrt(4000 * 0.25 * 0.75) ≈ 27, so ±150 is > 5 sd.
        assert!(hist.iter().all(|&h| (850..=1150).contains(&h)), "{hist:?}");

        // Random after spread(AZ) draws only within the best AZ.
        c.reserve(InstanceId(1), Resources::new(1, 1), SVC);
        let chain = [SPREAD_AZ, PlacementStrategy::Random];
        let r = req(Resources::new(1, 1), &chain, &[]);
        let mut g = rng();
        let ids: BTreeSet<u32> = (0..200).map(|_| c.place(&r, &mut g).unwrap().0).collect();
        assert_eq!(ids, BTreeSet::from([0, 2]));
    }

    #[test]
    fn failure_reasons() {
        let mut g = rng();
        let empty = Cluster::new(1);
        let r = req(Resources::new(1, 1), &BINPACK_MEM, &[]);
        assert_eq!(empty.place(&r, &mut g), Err(PlacementFailure::NoInstances));

        let mut c = Cluster::new(1);
        c.add(0, 0, Resources::new(1024, 1000));
        c.add(0, 0, Resources::new(1024, 3000));
        c.add(0, 0, Resources::new(512, 8000));
        // Needs 1024 CPU and 4000 MiB: instance 1 lacks memory only (25% short), instance 0
        // lacks memory only (75% short), instance 2 lacks CPU only (50% short): 1 is closest.
        let r = req(Resources::new(1024, 4000), &BINPACK_MEM, &[]);
        let f = c.place(&r, &mut g).unwrap_err();
        assert_eq!(
            f,
            PlacementFailure::Insufficient {
                closest: InstanceId(1),
                cpu: false,
                memory: true,
                device: None,
            }
        );
        assert!(f.ecs_reason().ends_with(
            "The closest matching container-instance i-00000001 has insufficient memory available."
        ));
        // Needs 2048 CPU and 100 MiB: all lack CPU; 0 and 1 are 50% short, 2 is 75%: 0.
        let r = req(Resources::new(2048, 100), &BINPACK_MEM, &[]);
        assert_eq!(
            c.place(&r, &mut g),
            Err(PlacementFailure::Insufficient {
                closest: InstanceId(0),
                cpu: true,
                memory: false,
                device: None,
            })
        );
        // Only x86 instances: an arm64 task is missing the attribute.
        let mut r = req(Resources::new(1, 1), &BINPACK_MEM, &[]);
        r.arch = Some(CpuArchitecture::Arm64);
        assert_eq!(
            c.place(&r, &mut g),
            Err(PlacementFailure::Unmatched {
                closest: InstanceId(0),
                mismatch: Mismatch::Architecture
            })
        );
        // memberOf naming an AZ nobody is in.
        let cons = [PlacementConstraint::MemberOf(
            parse("attribute:ecs.availability-zone == us-east-1b")
                .unwrap()
                .compile(&names()),
        )];
        let r = req(Resources::new(1, 1), &BINPACK_MEM, &cons);
        assert!(c
            .place(&r, &mut g)
            .unwrap_err()
            .ecs_reason()
            .ends_with("i-00000000 did not match a placement constraint."));
    }

    /// A random cluster and request, described by plain numbers so proptest can shrink them.
    #[derive(Clone, Debug)]
    struct Case {
        az_count: usize,
        /// (az, type, arch arm?, cpu vcpus, memory GiB, capacity provider (3: an external
        /// instance), status)
        instances: Vec<(u8, u16, bool, u32, u32, u8, u8)>,
        /// (instance, group, cpu, memory) reservations, skipped when they do not fit.
        tasks: Vec<(usize, u16, u32, u32)>,
        /// Tasks released again: indices into the placed tasks.
        releases: Vec<usize>,
        need: (u32, u32),
        group: u16,
        arch: u8,
        pool: u8,
        chain: u8,
        constraints: u8,
        seed: u64,
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            1usize..4,
            prop::collection::vec(
                (
                    0u8..3,
                    0u16..3,
                    any::<bool>(),
                    1u32..5,
                    1u32..9,
                    0u8..4,
                    0u8..10,
                ),
                0..40,
            ),
            prop::collection::vec((0usize..40, 0u16..3, 0u32..2048, 0u32..4096), 0..80),
            prop::collection::vec(0usize..80, 0..10),
            (0u32..3000, 0u32..6000),
            (0u16..3, 0u8..3, 0u8..4),
            (0u8..13, 0u8..16, any::<u64>()),
        )
            .prop_map(
                |(
                    az_count,
                    instances,
                    tasks,
                    releases,
                    need,
                    (group, arch, pool),
                    (chain, constraints, seed),
                )| Case {
                    az_count,
                    instances,
                    tasks,
                    releases,
                    need,
                    group,
                    arch,
                    pool,
                    chain,
                    constraints,
                    seed,
                },
            )
    }

    fn chain_of(k: u8) -> Vec<PlacementStrategy> {
        use PlacementStrategy::{Binpack, Random, Spread};
        let cpu = Binpack(BinpackField::Cpu);
        let mem = Binpack(BinpackField::Memory);
        let host = Spread(SpreadField::InstanceId);
        let ty = Spread(SpreadField::Attribute(Attribute::InstanceType));
        match k {
            0 => vec![mem],
            1 => vec![cpu],
            2 => vec![SPREAD_AZ, mem],
            3 => vec![SPREAD_AZ, cpu],
            4 => service_default_strategy().to_vec(),
            5 => vec![host],
            6 => vec![],
            12 => vec![SPREAD_AZ],
            7 => vec![Random],
            8 => vec![SPREAD_AZ, Random],
            9 => vec![ty, host, mem],
            10 => vec![mem, cpu],
            _ => vec![SPREAD_AZ, host, Random],
        }
    }

    fn run_case(case: &Case) {
        let n = names();
        // Half the cases without the free-CPU order: binpack(cpu) is then ranked by a scan,
        // which must give the same answers.
        let mut c = Cluster::with_cpu_order(case.az_count, case.seed % 2 == 0);
        for &(az, ty, arm, vcpu, gib, cp, _) in &case.instances {
            let arch = if arm {
                CpuArchitecture::Arm64
            } else {
                CpuArchitecture::X86_64
            };
            let az = az % case.az_count as u8;
            if cp == 3 {
                // An external instance (ECS Anywhere): its own pool key.
                c.add_external(az, ty, arch, Resources::new(vcpu * 1024, gib * 1000));
                continue;
            }
            let cp = if cp == 0 { None } else { Some(u16::from(cp)) };
            c.add_full(az, ty, arch, Resources::new(vcpu * 1024, gib * 1000), cp);
        }
        // Some instances run Windows (status byte 8 or 9), so the OS filter is searched past
        // as the index sees it.
        for (k, &(.., status)) in case.instances.iter().enumerate() {
            if status >= 8 {
                c.instances[k].os = crate::units::OsFamily::WindowsServer2022Full;
            }
        }
        let mut placed = Vec::new();
        for &(i, g, cpu, mem) in &case.tasks {
            if c.instances.is_empty() {
                break;
            }
            let id = InstanceId::from_index(i % c.instances.len());
            let need = Resources::new(cpu, mem);
            if c.instances[id.index()].free().fits(need) {
                let group = Owner::Service(ServiceId(g));
                c.reserve(id, need, group);
                placed.push((id, need, group));
            }
        }
        // Drain some instances after they got tasks, so counters cover non-Active ones.
        for (k, &(.., status)) in case.instances.iter().enumerate() {
            if status == 0 {
                c.drain(InstanceId::from_index(k));
            }
        }
        let mut released = BTreeSet::new();
        for &r in &case.releases {
            if !placed.is_empty() && released.insert(r % placed.len()) {
                let (id, need, group) = placed[r % placed.len()];
                c.release(id, need, group);
            }
        }
        c.placer.assert_consistent(&c.instances);

        let chain = chain_of(case.chain);
        let mut cons = Vec::new();
        if case.constraints & 1 != 0 {
            cons.push(PlacementConstraint::DistinctInstance);
        }
        if case.constraints & 2 != 0 {
            let e = parse("attribute:ecs.availability-zone != us-east-1b").unwrap();
            cons.push(PlacementConstraint::MemberOf(e.compile(&n)));
        }
        if case.constraints & 4 != 0 {
            let e = parse("attribute:ecs.instance-type in [m5.xlarge, m6g.large] or not attribute:ecs.cpu-architecture == arm64").unwrap();
            cons.push(PlacementConstraint::MemberOf(e.compile(&n)));
        }
        if case.constraints & 8 != 0 {
            let e = parse("attribute:ecs.os-type == windows or attribute:ecs.os-family != LINUX")
                .unwrap();
            cons.push(PlacementConstraint::MemberOf(e.compile(&n)));
        }
        let req = PlacementRequest {
            need: Resources::new(case.need.0, case.need.1),
            group: Owner::Service(ServiceId(case.group)),
            // One request in three is a Windows task.
            os: if case.seed % 3 == 0 {
                crate::units::OsFamily::WindowsServer2022Full
            } else {
                crate::units::OsFamily::Linux
            },
            arch: match case.arch {
                0 => None,
                1 => Some(CpuArchitecture::X86_64),
                _ => Some(CpuArchitecture::Arm64),
            },
            pool: if case.pool == 0 {
                Pool::Cluster
            } else if case.pool == 3 {
                Pool::External
            } else {
                Pool::CapacityProvider(CapacityProviderId(u16::from(case.pool)))
            },
            strategy: &chain,
            constraints: &cons,
        };
        let mut g = RngStreams::new(case.seed).stream(crate::engine::Stream::Placement);
        // Several placements in a row, reserving each, so the index is exercised as it moves.
        for _ in 0..4 {
            let mut g2 = g.clone();
            let mut g3 = g.clone();
            let fast = c.placer.place(&req, &c.instances, &mut g);
            let slow = crate::scheduler::placement::general_scan(&req, &c.instances, &mut g2);
            assert_eq!(fast, slow, "seed {}", case.seed);
            // `find` is `place` without the reason: same answer, same draws.
            let found = c.placer.find(&req, &c.instances, &mut g3);
            assert_eq!(found, fast.as_ref().ok().copied(), "seed {}", case.seed);
            assert_eq!(g3, g, "seed {}: find drew differently", case.seed);
            match fast {
                Ok(id) => {
                    assert!(req.is_candidate(&c.instances[id.index()]));
                    c.reserve(id, req.need, req.group);
                }
                Err(_) => break,
            }
        }
        c.placer.assert_consistent(&c.instances);
    }

    #[test]
    fn the_free_cpu_order_is_kept_only_when_asked_for() {
        for cpu_order in [false, true] {
            let mut c = Cluster::with_cpu_order(2, cpu_order);
            let a = c.add(0, 0, BIG);
            let b = c.add(1, 0, BIG);
            c.reserve(a, Resources::new(1024, 2048), SVC);
            c.release(a, Resources::new(1024, 2048), SVC);
            c.reserve(b, Resources::new(512, 1024), OTHER);
            let kept: usize = c
                .placer
                .pools
                .iter()
                .flatten()
                .map(|x| x.by_cpu.len())
                .sum();
            assert_eq!(kept, if cpu_order { 2 } else { 0 });
            c.placer.assert_consistent(&c.instances);
            // binpack(cpu) answers the same either way: b has less CPU free.
            let chain = [PlacementStrategy::Binpack(BinpackField::Cpu)];
            let req = PlacementRequest {
                need: Resources::new(256, 256),
                group: SVC,
                arch: None,
                os: crate::units::OsFamily::Linux,
                pool: Pool::Cluster,
                strategy: &chain,
                constraints: &[],
            };
            assert_eq!(c.placer.place(&req, &c.instances, &mut rng()), Ok(b));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn indexed_placement_equals_general_scan(case in case()) {
            run_case(&case);
        }
    }
}

#[cfg(test)]
mod cpu_class_tests {
    use super::{class_may_fit, cpu_class, CPU_CLASSES};

    #[test]
    fn classes_double_from_256() {
        assert_eq!(cpu_class(0), 0);
        assert_eq!(cpu_class(255), 0);
        assert_eq!(cpu_class(256), 1);
        assert_eq!(cpu_class(511), 1);
        assert_eq!(cpu_class(512), 2);
        assert_eq!(cpu_class(1023), 2);
        assert_eq!(cpu_class(1024), 3);
        assert_eq!(cpu_class(16_384), 7);
        assert_eq!(cpu_class(u32::MAX), CPU_CLASSES - 1);
    }

    #[test]
    fn the_classes_that_may_fit_are_those_from_the_needs_own_class_up() {
        // `AzIndex::memory_sets` relies on it to mask the classes in one shift.
        for need in (0..40_000)
            .step_by(17)
            .chain([255, 256, 511, 512, 1023, 1024, u32::MAX])
        {
            for k in 0..CPU_CLASSES {
                assert_eq!(
                    class_may_fit(k, need),
                    k >= cpu_class(need),
                    "need {need} class {k}"
                );
            }
        }
    }

    #[test]
    fn a_class_is_skipped_only_when_every_member_is_too_small() {
        // Class 2 holds 512..1024: it may fit 1023 but never 1024.
        assert!(class_may_fit(2, 1023));
        assert!(!class_may_fit(2, 1024));
        assert!(class_may_fit(3, 1024));
        // The last class is open-ended.
        assert!(class_may_fit(CPU_CLASSES - 1, u32::MAX));
        // Exhaustively: an instance with free >= need is never in a skipped class.
        for need in (0..20_000).step_by(97) {
            for free in (need..need + 5_000).step_by(31) {
                assert!(
                    class_may_fit(cpu_class(free), need),
                    "free {free} need {need}"
                );
            }
        }
    }
}
