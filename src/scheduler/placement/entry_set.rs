//! `EntrySet`: the ordered set of packed `u64` entries behind the placement index's
//! free-memory and free-CPU orders.
//!
//! Owns only the container. An entry is `value << 32 | id` (see `placer`); the set keeps two
//! forms:
//! - a sorted `Vec` while the set is small: every reservation and release moves one entry in
//!   one of these sets, and most sets are small (one free-CPU class of one pool in one AZ),
//!   where a binary search and a short memmove cost a fraction of two B-tree descents with
//!   node rebalancing (issue 13: `move_entries` was a tenth of an M/M/c run);
//! - once large, the entries grouped by value, each group's ids in a [`Group`]: a sorted
//!   `Vec` of ids while short, a bitmap over instance ids once long and dense enough.
//!
//! Why groups and bitmaps (issue 13): the large sets were `BTreeSet`s, and at 100,000
//! instances their updates were the largest cost that grows with the cluster (about 35 ns
//! an event more than at 1,000, `perf` on `benches/scale`): a set of 30,000 instances spans
//! thousands of B-tree nodes, and each update descended to a leaf that had left the cache,
//! twice (remove, insert). Free capacity takes few distinct values (tasks come in a few
//! sizes, instances in a few types), so the groups are few and their map stays in cache,
//! and a bitmap update is one bit in one line.
//! It knows nothing of what the entries mean (see `placer`).

use std::collections::{btree_map, BTreeMap};
use std::ops::RangeFrom;

/// Sets up to this many entries are a sorted `Vec`; one more and they group by value.
/// \[DERIVED\] ecsim's choice: an insert or remove then moves at most 4 KiB, about what two
/// B-tree descents cost, and a 1,000-instance cluster over 3 AZs keeps its sets small.
#[cfg(not(test))]
const SMALL_MAX: usize = 512;
/// In unit tests the switch comes at 3 entries, so the placer's proptest, whose clusters
/// have at most 40 instances, runs its index on both forms and across the switch.
#[cfg(test)]
const SMALL_MAX: usize = 3;

/// A grouped set shrinking below this many entries becomes a `Vec` again; the gap to
/// [`SMALL_MAX`] keeps a set near the threshold from switching at every update.
#[cfg(not(test))]
const LARGE_MIN: usize = SMALL_MAX / 4;
#[cfg(test)]
const LARGE_MIN: usize = 2;

/// A group of more ids than this becomes a bitmap, if dense enough (see [`Group`]).
/// \[DERIVED\] ecsim's choice: an insert or remove moves at most 1 KiB of ids.
#[cfg(not(test))]
const IDS_MAX: usize = 256;
#[cfg(test)]
const IDS_MAX: usize = 3;

/// A bitmap group of fewer ids than this becomes a `Vec` again.
#[cfg(not(test))]
const IDS_MIN: usize = IDS_MAX / 4;
#[cfg(test)]
const IDS_MIN: usize = 2;

/// A group becomes a bitmap only while its bitmap's words number at most this many times
/// its ids (the bitmap is then at most 8 times the `Vec`'s 4 bytes an id), and goes back to
/// a `Vec` above [`SPARSE_WORDS_PER_ID`]: so the bitmaps' memory stays proportional to the
/// entries whatever the ids (issue 13: memory follows live work, never ids × groups).
const DENSE_WORDS_PER_ID: usize = 4;
/// See [`DENSE_WORDS_PER_ID`].
const SPARSE_WORDS_PER_ID: usize = 16;

/// An ordered set of entries with the slice of `BTreeSet`'s interface the placer uses.
#[derive(Clone, Debug)]
pub(crate) enum EntrySet {
    /// Sorted ascending, no duplicates.
    Small(Vec<u64>),
    /// Grouped by value.
    Large(Grouped),
}

impl Default for EntrySet {
    fn default() -> EntrySet {
        EntrySet::Small(Vec::new())
    }
}

/// The value half of an entry.
#[inline]
fn value_of(e: u64) -> u32 {
    (e >> 32) as u32
}

/// The id half of an entry.
#[inline]
fn id_of(e: u64) -> u32 {
    e as u32
}

/// The large form: the ids of each value, values ascending.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grouped {
    groups: BTreeMap<u32, Group>,
    len: usize,
}

/// The ids of one value.
#[derive(Clone, Debug)]
enum Group {
    /// Sorted ascending, no duplicates.
    Ids(Vec<u32>),
    Bits(IdBits),
}

/// A set of ids as one bit per id from 0, with a summary bit per non-zero word so a search
/// skips empty stretches 4,096 ids at a time.
#[derive(Clone, Debug, Default)]
struct IdBits {
    words: Vec<u64>,
    /// Bit `w % 64` of `summary[w / 64]` is set iff `words[w]` is not zero.
    summary: Vec<u64>,
    len: usize,
}

impl IdBits {
    fn from_sorted(ids: &[u32]) -> IdBits {
        let mut bits = IdBits::default();
        for &id in ids {
            bits.insert(id);
        }
        bits
    }

    /// The words a bitmap holding up to `max_id` needs.
    fn words_for(max_id: u32) -> usize {
        max_id as usize / 64 + 1
    }

    #[inline]
    fn insert(&mut self, id: u32) -> bool {
        let (w, bit) = (id as usize / 64, 1u64 << (id % 64));
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
            self.summary.resize(w / 64 + 1, 0);
        }
        if self.words[w] & bit != 0 {
            return false;
        }
        self.words[w] |= bit;
        self.summary[w / 64] |= 1 << (w % 64);
        self.len += 1;
        true
    }

    #[inline]
    fn remove(&mut self, id: u32) -> bool {
        let (w, bit) = (id as usize / 64, 1u64 << (id % 64));
        match self.words.get_mut(w) {
            Some(word) if *word & bit != 0 => {
                *word &= !bit;
                if *word == 0 {
                    self.summary[w / 64] &= !(1 << (w % 64));
                }
                self.len -= 1;
                true
            }
            _ => false,
        }
    }

    #[cfg(test)]
    fn contains(&self, id: u32) -> bool {
        self.words
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// The least id in the set at or above `from`.
    #[inline]
    fn next_from(&self, from: u64) -> Option<u32> {
        let w = usize::try_from(from / 64).ok()?;
        let word = *self.words.get(w)?;
        let here = word & (u64::MAX << (from % 64));
        if here != 0 {
            return Some((w * 64) as u32 + here.trailing_zeros());
        }
        // The next non-zero word after `w`, from the summary.
        let next = w + 1;
        let (mut s, bit) = (next / 64, next % 64);
        let mut mask = u64::MAX << bit;
        while let Some(&sum) = self.summary.get(s) {
            let m = sum & mask;
            if m != 0 {
                let w = s * 64 + m.trailing_zeros() as usize;
                return Some((w * 64) as u32 + self.words[w].trailing_zeros());
            }
            s += 1;
            mask = u64::MAX;
        }
        None
    }

    fn to_sorted(&self) -> Vec<u32> {
        let mut ids = Vec::with_capacity(self.len);
        let mut from = 0u64;
        while let Some(id) = self.next_from(from) {
            ids.push(id);
            from = u64::from(id) + 1;
        }
        ids
    }
}

impl Group {
    fn len(&self) -> usize {
        match self {
            Group::Ids(v) => v.len(),
            Group::Bits(b) => b.len,
        }
    }

    #[inline]
    fn insert(&mut self, id: u32) -> bool {
        // An id far above a bitmap's would grow it past its bound: a list first, so the
        // bitmap never holds more than `SPARSE_WORDS_PER_ID` words an id, even briefly.
        if let Group::Bits(b) = self {
            let words = IdBits::words_for(id);
            if words > b.words.len() && words > SPARSE_WORDS_PER_ID * (b.len + 1) {
                *self = Group::Ids(b.to_sorted());
            }
        }
        let added = match self {
            Group::Ids(v) => match v.binary_search(&id) {
                Ok(_) => false,
                Err(at) => {
                    v.insert(at, id);
                    true
                }
            },
            Group::Bits(b) => b.insert(id),
        };
        if let Group::Ids(v) = self {
            let max = v.last().copied().unwrap_or(0);
            if v.len() > IDS_MAX && IdBits::words_for(max) <= DENSE_WORDS_PER_ID * v.len() {
                *self = Group::Bits(IdBits::from_sorted(v));
            }
        }
        added
    }

    #[inline]
    fn remove(&mut self, id: u32) -> bool {
        match self {
            Group::Ids(v) => match v.binary_search(&id) {
                Ok(at) => {
                    v.remove(at);
                    true
                }
                Err(_) => false,
            },
            Group::Bits(b) => {
                let found = b.remove(id);
                if b.len < IDS_MIN || b.words.len() > SPARSE_WORDS_PER_ID * b.len {
                    *self = Group::Ids(b.to_sorted());
                }
                found
            }
        }
    }

    #[cfg(test)]
    fn contains(&self, id: u32) -> bool {
        match self {
            Group::Ids(v) => v.binary_search(&id).is_ok(),
            Group::Bits(b) => b.contains(id),
        }
    }

    /// The ids at or above `from`, ascending.
    #[inline]
    fn iter_from(&self, from: u32) -> GroupIter<'_> {
        match self {
            Group::Ids(v) => GroupIter::Ids(v[v.partition_point(|&x| x < from)..].iter()),
            Group::Bits(bits) => GroupIter::Bits {
                bits,
                next: u64::from(from),
            },
        }
    }
}

impl Grouped {
    fn from_sorted(entries: &[u64]) -> Grouped {
        let mut g = Grouped::default();
        for &e in entries {
            g.insert(e);
        }
        g
    }

    fn to_sorted(&self) -> Vec<u64> {
        RangeIter::new(self, 0).collect()
    }

    #[inline]
    fn insert(&mut self, e: u64) -> bool {
        let added = self
            .groups
            .entry(value_of(e))
            .or_insert_with(|| Group::Ids(Vec::new()))
            .insert(id_of(e));
        self.len += usize::from(added);
        added
    }

    #[inline]
    fn remove(&mut self, e: u64) -> bool {
        let btree_map::Entry::Occupied(mut group) = self.groups.entry(value_of(e)) else {
            return false;
        };
        let found = group.get_mut().remove(id_of(e));
        if group.get().len() == 0 {
            group.remove();
        }
        self.len -= usize::from(found);
        found
    }
}

/// An ascending walk over the ids of one group.
enum GroupIter<'a> {
    Ids(std::slice::Iter<'a, u32>),
    Bits { bits: &'a IdBits, next: u64 },
}

impl Iterator for GroupIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            GroupIter::Ids(it) => it.next().copied(),
            GroupIter::Bits { bits, next } => {
                let id = bits.next_from(*next)?;
                *next = u64::from(id) + 1;
                Some(id)
            }
        }
    }
}

/// An ascending walk over a [`Grouped`] set from an entry on.
pub(crate) struct RangeIter<'a> {
    groups: btree_map::Range<'a, u32, Group>,
    current: Option<(u32, GroupIter<'a>)>,
}

impl<'a> RangeIter<'a> {
    fn new(set: &'a Grouped, from: u64) -> RangeIter<'a> {
        let mut groups = set.groups.range(value_of(from)..);
        let current = groups.next().map(|(&v, g)| {
            // Within the first group, only ids at or above `from`'s (if it is `from`'s value).
            let start = if v == value_of(from) { id_of(from) } else { 0 };
            (v, g.iter_from(start))
        });
        RangeIter { groups, current }
    }
}

impl Iterator for RangeIter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        loop {
            let (value, ids) = self.current.as_mut()?;
            if let Some(id) = ids.next() {
                return Some((u64::from(*value) << 32) | u64::from(id));
            }
            self.current = self.groups.next().map(|(&v, g)| (v, g.iter_from(0)));
        }
    }
}

/// An ascending walk over an [`EntrySet`].
pub(crate) enum Iter<'a> {
    Small(std::slice::Iter<'a, u64>),
    Large(RangeIter<'a>),
}

impl Iterator for Iter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        match self {
            Iter::Small(it) => it.next().copied(),
            Iter::Large(it) => it.next(),
        }
    }
}

impl EntrySet {
    /// Adds `e`; false if it was already there.
    #[inline]
    pub(crate) fn insert(&mut self, e: u64) -> bool {
        match self {
            EntrySet::Small(v) => match v.binary_search(&e) {
                Ok(_) => false,
                Err(at) => {
                    v.insert(at, e);
                    if v.len() > SMALL_MAX {
                        *self = EntrySet::Large(Grouped::from_sorted(v));
                    }
                    true
                }
            },
            EntrySet::Large(s) => s.insert(e),
        }
    }

    /// Removes `e`; false if it was not there.
    #[inline]
    pub(crate) fn remove(&mut self, e: &u64) -> bool {
        match self {
            EntrySet::Small(v) => match v.binary_search(e) {
                Ok(at) => {
                    v.remove(at);
                    true
                }
                Err(_) => false,
            },
            EntrySet::Large(s) => {
                let found = s.remove(*e);
                if s.len < LARGE_MIN {
                    *self = EntrySet::Small(s.to_sorted());
                }
                found
            }
        }
    }

    /// Replaces `old` by `new`; false, and nothing changed, if `old` was not there.
    /// `new` must not be in the set unless it is `old` (the placer moves one instance's
    /// entry, so it never is; a small set would otherwise hold it twice). In a small set the entries between the two
    /// positions shift by one, a single move instead of a remove's and an insert's.
    #[inline]
    pub(crate) fn replace(&mut self, old: u64, new: u64) -> bool {
        match self {
            EntrySet::Small(v) => {
                let Ok(at) = v.binary_search(&old) else {
                    return false;
                };
                if new > old {
                    // Entries above `old` and below `new` shift down one place.
                    let to = at + v[at + 1..].partition_point(|&x| x < new);
                    v[at..=to].rotate_left(1);
                    v[to] = new;
                } else {
                    let to = v[..at].partition_point(|&x| x < new);
                    v[to..=at].rotate_right(1);
                    v[to] = new;
                }
                debug_assert!(v.windows(2).all(|w| w[0] < w[1]), "replace broke the order");
                true
            }
            EntrySet::Large(s) => {
                let found = s.remove(old);
                if found {
                    s.insert(new);
                }
                found
            }
        }
    }

    /// True if `e` is in the set (for the placer's consistency check).
    #[cfg(test)]
    pub(crate) fn contains(&self, e: &u64) -> bool {
        match self {
            EntrySet::Small(v) => v.binary_search(e).is_ok(),
            EntrySet::Large(s) => s
                .groups
                .get(&value_of(*e))
                .is_some_and(|g| g.contains(id_of(*e))),
        }
    }

    /// The number of entries (for the placer's consistency check).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match self {
            EntrySet::Small(v) => v.len(),
            EntrySet::Large(s) => s.len,
        }
    }

    /// True if the set holds no entry.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            EntrySet::Small(v) => v.is_empty(),
            EntrySet::Large(s) => s.len == 0,
        }
    }

    /// The entries at or above `range.start`, ascending.
    #[inline]
    pub(crate) fn range(&self, range: RangeFrom<u64>) -> Iter<'_> {
        match self {
            EntrySet::Small(v) => Iter::Small(v[v.partition_point(|&x| x < range.start)..].iter()),
            EntrySet::Large(s) => Iter::Large(RangeIter::new(s, range.start)),
        }
    }

    /// The least id that `accept` takes among the entries at or above `from`, counting only
    /// ids below `below` (if given); `accept` is asked only about such ids.
    ///
    /// Entries are ordered by value first, so a small set is walked whole. A large set
    /// walks each value's ids in id order and stops at the first taken (issue 13: chains
    /// that rank nothing, `[]` and `[spread(AZ)]`, want the lowest-id candidate, and the
    /// whole walk was a pass over every instance of the set per placement).
    #[inline]
    pub(crate) fn lowest_id(
        &self,
        from: u64,
        below: Option<u32>,
        mut accept: impl FnMut(u32) -> bool,
    ) -> Option<u32> {
        let mut best = below;
        let mut found = None;
        match self {
            EntrySet::Small(v) => {
                for &e in &v[v.partition_point(|&x| x < from)..] {
                    let id = id_of(e);
                    if best.is_some_and(|b| id >= b) {
                        continue;
                    }
                    if accept(id) {
                        (best, found) = (Some(id), Some(id));
                    }
                }
            }
            EntrySet::Large(s) => {
                for (&value, group) in s.groups.range(value_of(from)..) {
                    let start = if value == value_of(from) {
                        id_of(from)
                    } else {
                        0
                    };
                    for id in group.iter_from(start) {
                        if best.is_some_and(|b| id >= b) {
                            break;
                        }
                        if accept(id) {
                            (best, found) = (Some(id), Some(id));
                            break;
                        }
                    }
                }
            }
        }
        found
    }

    /// True while the set is grouped (for tests of the switch).
    #[cfg(test)]
    pub(crate) fn is_large(&self) -> bool {
        matches!(self, EntrySet::Large(_))
    }

    /// True if some group of the set is a bitmap (for tests that the bitmaps are exercised).
    #[cfg(test)]
    fn has_bitmap(&self) -> bool {
        match self {
            EntrySet::Small(_) => false,
            EntrySet::Large(s) => s.groups.values().any(|g| matches!(g, Group::Bits(_))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// An entry of one of a few values (as free capacity takes), ids up to 1,500.
    fn entry() -> impl Strategy<Value = u64> {
        (0u64..5, 0u64..1_500).prop_map(|(v, id)| (v << 32) | id)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Inserts growing the set past the switch, then removes (with some inserts mixed
        /// in) shrinking it back: every answer is a `BTreeSet`'s.
        #[test]
        fn behaves_as_a_btree_set(
            grow in prop::collection::vec(entry(), 0..1_200),
            shrink in prop::collection::vec((0usize..10_000, any::<bool>(), entry()), 0..1_200),
            from in entry(),
        ) {
            let mut set = EntrySet::default();
            let mut reference = BTreeSet::new();
            let check = |set: &EntrySet, reference: &BTreeSet<u64>| {
                assert_eq!(set.len(), reference.len());
                assert_eq!(set.is_empty(), reference.is_empty());
                assert_eq!(set.contains(&from), reference.contains(&from));
                assert!(set.range(from..).eq(reference.range(from..).copied()));
                assert!(set.range(0..).eq(reference.iter().copied()));
                // The lowest id at or above `from`, below a bound, that an arbitrary rule
                // takes (here: ids not divisible by 3), as a walk of the reference finds it.
                let below = id_of(from) / 2 + 7;
                for bound in [None, Some(below)] {
                    let want = reference
                        .range(from..)
                        .map(|&e| id_of(e))
                        .filter(|&id| id % 3 != 0 && bound.is_none_or(|b| id < b))
                        .min();
                    assert_eq!(set.lowest_id(from, bound, |id| id % 3 != 0), want);
                }
            };
            for e in grow {
                prop_assert_eq!(set.insert(e), reference.insert(e));
                prop_assert_eq!(set.is_large(), reference.len() > SMALL_MAX || set.is_large());
            }
            check(&set, &reference);
            for (k, also_insert, e) in shrink {
                // Some updates move an entry: replace, as a reservation does.
                if k % 3 == 0 {
                    let old = reference.iter().nth(k % reference.len().max(1)).copied().unwrap_or(e);
                    if !reference.contains(&e) || e == old {
                        let had = reference.remove(&old);
                        if had {
                            reference.insert(e);
                        }
                        prop_assert_eq!(set.replace(old, e), had);
                        check(&set, &reference);
                    }
                }
                let victim = reference.iter().nth(k % reference.len().max(1)).copied().unwrap_or(e);
                prop_assert_eq!(set.remove(&victim), reference.remove(&victim));
                prop_assert!(!set.remove(&victim));
                if also_insert && k % 4 == 0 {
                    prop_assert_eq!(set.insert(e), reference.insert(e));
                }
                check(&set, &reference);
            }
        }
    }

    #[test]
    fn groups_become_bitmaps_when_long_and_dense_and_lists_again_when_short_or_sparse() {
        let mut set = EntrySet::default();
        // One value, ids 0, 2, 4, …: dense enough for a bitmap past IDS_MAX.
        for id in 0..=(IDS_MAX as u64 + SMALL_MAX as u64) {
            assert!(set.insert((7 << 32) | (id * 2)));
        }
        assert!(set.is_large() && set.has_bitmap());
        assert_eq!(set.range(((7 << 32) | 3)..).next(), Some((7 << 32) | 4));
        assert_eq!(set.range((8 << 32)..).next(), None);
        // A second value holding a few ids far apart stays a list: too sparse for a bitmap.
        for id in [100_000u64, 200_000, 300_000, 400_000, 500_000] {
            assert!(set.insert((9 << 32) | id));
        }
        assert_eq!(set.range((8 << 32)..).next(), Some((9 << 32) | 100_000));
        assert_eq!(set.range(((9 << 32) | 100_001)..).count(), 4);
        let want: Vec<u64> = (0..=(IDS_MAX as u64 + SMALL_MAX as u64))
            .map(|id| (7 << 32) | (id * 2))
            .chain([100_000u64, 200_000, 300_000, 400_000, 500_000].map(|id| (9 << 32) | id))
            .collect();
        assert_eq!(set.range(0..).collect::<Vec<_>>(), want);
        // One id far above the rest would make the bitmap 16 times sparser than allowed:
        // the group is a list again, and the order is unchanged.
        let far = (7u64 << 32) | u64::from(u32::MAX);
        assert!(set.insert(far));
        assert!(!set.has_bitmap());
        assert!(set.remove(&far));
        let len = IDS_MAX as u64 + SMALL_MAX as u64 + 1;
        // Back to a bitmap on the next insert: dense again.
        assert!(set.insert((7 << 32) | (len * 2)));
        assert!(set.has_bitmap());
        assert!(set.remove(&((7 << 32) | (len * 2))));
        // Emptied down to below IDS_MIN, the bitmap is a list again.
        for id in 0..=(IDS_MAX as u64 + SMALL_MAX as u64 - IDS_MIN as u64 + 1) {
            assert!(set.remove(&((7 << 32) | (id * 2))));
        }
        assert!(!set.has_bitmap());
        assert!(!set.remove(&((7 << 32) | 1)));
    }

    #[test]
    fn switches_to_groups_above_small_max_and_back_below_large_min() {
        let mut set = EntrySet::default();
        for e in 0..=SMALL_MAX as u64 {
            assert!(!set.is_large());
            assert!(set.insert(e * 3));
        }
        assert!(set.is_large());
        assert!(!set.insert(0));
        for e in 0..=(SMALL_MAX - LARGE_MIN) as u64 {
            assert!(set.remove(&(e * 3)));
        }
        // At LARGE_MIN it is still grouped: the switch back waits for one fewer.
        assert_eq!(set.len(), LARGE_MIN);
        assert!(set.is_large());
        assert!(set.remove(&(((SMALL_MAX - LARGE_MIN) as u64 + 1) * 3)));
        assert!(!set.is_large());
        assert_eq!(set.len(), LARGE_MIN - 1);
        let want: Vec<u64> = ((SMALL_MAX - LARGE_MIN + 2) as u64..=SMALL_MAX as u64)
            .map(|e| e * 3)
            .collect();
        assert_eq!(set.range(0..).collect::<Vec<_>>(), want);
        assert_eq!(set.range(want[0]..).count(), want.len());
        assert_eq!(set.range(want[0] + 1..).count(), want.len() - 1);
        assert!(!set.remove(&1));
    }
}
