//! `EntrySet`: the ordered set of packed `u64` entries behind the placement index's
//! free-memory and free-CPU orders.
//!
//! Owns only the container: a sorted `Vec` while the set is small, a `BTreeSet` once it is
//! large. Every reservation and release moves one entry in one of these sets (a remove and an
//! insert), and most sets are small — one free-CPU class of one pool in one AZ — where a
//! binary search and a short memmove cost a fraction of two B-tree descents with node
//! rebalancing (issue 13: `move_entries` was a tenth of an M/M/c run). Large sets (tens of
//! thousands of instances in one partition) stay B-trees, so an update stays O(log n) there.
//! It knows nothing of what the entries mean (see `placer`).

use std::collections::{btree_set, BTreeSet};
use std::ops::RangeFrom;

/// Sets up to this many entries are a sorted `Vec`; one more and it becomes a B-tree.
/// \[DERIVED\] ecsim's choice: an insert or remove then moves at most 4 KiB, about what two
/// B-tree descents cost, and a 1,000-instance cluster over 3 AZs keeps its sets small.
#[cfg(not(test))]
const SMALL_MAX: usize = 512;
/// In unit tests the switch comes at 3 entries, so the placer's proptest, whose clusters
/// have at most 40 instances, runs its index on both forms and across the switch.
#[cfg(test)]
const SMALL_MAX: usize = 3;

/// A B-tree shrinking below this many entries becomes a `Vec` again; the gap to
/// [`SMALL_MAX`] keeps a set near the threshold from switching at every update.
#[cfg(not(test))]
const LARGE_MIN: usize = SMALL_MAX / 4;
#[cfg(test)]
const LARGE_MIN: usize = 2;

/// An ordered set of entries with the slice of `BTreeSet`'s interface the placer uses.
#[derive(Clone, Debug)]
pub(crate) enum EntrySet {
    /// Sorted ascending, no duplicates.
    Small(Vec<u64>),
    Large(BTreeSet<u64>),
}

impl Default for EntrySet {
    fn default() -> EntrySet {
        EntrySet::Small(Vec::new())
    }
}

/// An ascending walk over an [`EntrySet`].
pub(crate) enum Iter<'a> {
    Small(std::slice::Iter<'a, u64>),
    Large(btree_set::Range<'a, u64>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a u64;

    #[inline]
    fn next(&mut self) -> Option<&'a u64> {
        match self {
            Iter::Small(it) => it.next(),
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
                        *self = EntrySet::Large(v.iter().copied().collect());
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
                let found = s.remove(e);
                if s.len() < LARGE_MIN {
                    *self = EntrySet::Small(s.iter().copied().collect());
                }
                found
            }
        }
    }

    /// Replaces `old` by `new` (which must not be there unless equal to `old`); false, and
    /// nothing changed, if `old` was not there. In a small set the entries between the two
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
                let found = s.remove(&old);
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
            EntrySet::Large(s) => s.contains(e),
        }
    }

    /// The number of entries (for the placer's consistency check).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match self {
            EntrySet::Small(v) => v.len(),
            EntrySet::Large(s) => s.len(),
        }
    }

    /// True if the set holds no entry.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            EntrySet::Small(v) => v.is_empty(),
            EntrySet::Large(s) => s.is_empty(),
        }
    }

    /// The entries at or above `range.start`, ascending.
    #[inline]
    pub(crate) fn range(&self, range: RangeFrom<u64>) -> Iter<'_> {
        match self {
            EntrySet::Small(v) => Iter::Small(v[v.partition_point(|&x| x < range.start)..].iter()),
            EntrySet::Large(s) => Iter::Large(s.range(range)),
        }
    }

    /// True while the set is a B-tree (for tests of the switch).
    #[cfg(test)]
    pub(crate) fn is_large(&self) -> bool {
        matches!(self, EntrySet::Large(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Inserts growing the set past the switch, then removes (with some inserts mixed
        /// in) shrinking it back: every answer is a `BTreeSet`'s.
        #[test]
        fn behaves_as_a_btree_set(
            grow in prop::collection::vec(0u64..4_000, 0..1_200),
            shrink in prop::collection::vec((0usize..10_000, any::<bool>(), 0u64..4_000), 0..1_200),
            from in 0u64..4_000,
        ) {
            let mut set = EntrySet::default();
            let mut reference = BTreeSet::new();
            let check = |set: &EntrySet, reference: &BTreeSet<u64>| {
                assert_eq!(set.len(), reference.len());
                assert_eq!(set.is_empty(), reference.is_empty());
                assert_eq!(set.contains(&from), reference.contains(&from));
                assert!(set.range(from..).copied().eq(reference.range(from..).copied()));
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
    fn switches_to_a_btree_above_small_max_and_back_below_large_min() {
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
        // At LARGE_MIN it is still a B-tree: the switch back waits for one fewer.
        assert_eq!(set.len(), LARGE_MIN);
        assert!(set.is_large());
        assert!(set.remove(&(((SMALL_MAX - LARGE_MIN) as u64 + 1) * 3)));
        assert!(!set.is_large());
        assert_eq!(set.len(), LARGE_MIN - 1);
        let want: Vec<u64> = ((SMALL_MAX - LARGE_MIN + 2) as u64..=SMALL_MAX as u64)
            .map(|e| e * 3)
            .collect();
        assert_eq!(set.range(0..).copied().collect::<Vec<_>>(), want);
        assert_eq!(set.range(want[0]..).count(), want.len());
        assert_eq!(set.range(want[0] + 1..).count(), want.len() - 1);
        assert!(!set.remove(&1));
    }
}
