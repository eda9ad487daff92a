//! `InlineList`: a short list kept inside its owner, spilling to the heap only when long.
//!
//! Per-instance lists (an instance's tasks, its tasks per group) are read and written on
//! every task placed and released. As a `Vec`, each is a pointer to a buffer of its own
//! somewhere in the heap, so at 50,000 instances every such access is a cache miss more
//! than the instance itself (issue 13: `Vec` buffers were the largest source of D1 misses
//! per event in `ContainerInstance::release` and `task_stopped`). Kept inline, the list
//! shares its owner's cache lines, and an instance costs no heap allocation.
//!
//! It behaves as a `Vec` for every operation it offers: `push` appends, `swap_remove`
//! moves the last element into the hole, iteration is in that order. Outputs that follow
//! a list's order are therefore the same as with a `Vec`.

use std::ops::{Deref, DerefMut};

/// A value that fills the unused inline slots (never read as an element).
pub trait Filler: Copy {
    /// The filler value.
    const FILL: Self;
}

/// Up to `N` elements inline; past that, every element in one heap `Vec`.
#[derive(Clone, Debug)]
pub enum InlineList<T: Filler, const N: usize> {
    /// At most `N` elements, the first `len` of `items`.
    Inline {
        /// Elements in use.
        len: u8,
        /// The elements, then fillers.
        items: [T; N],
    },
    /// More than `N` elements were held at once: the list lives on the heap from then on
    /// (until it empties), as a `Vec` would.
    Heap(Vec<T>),
}

impl<T: Filler, const N: usize> Default for InlineList<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Filler, const N: usize> InlineList<T, N> {
    /// An empty list; allocates nothing.
    pub const fn new() -> Self {
        const { assert!(N <= u8::MAX as usize, "the inline length is a u8") };
        InlineList::Inline {
            len: 0,
            items: [T::FILL; N],
        }
    }

    /// Appends `x`, as `Vec::push`.
    #[inline]
    pub fn push(&mut self, x: T) {
        match self {
            InlineList::Inline { len, items } => {
                let n = usize::from(*len);
                if n < N {
                    items[n] = x;
                    *len += 1;
                } else {
                    let mut v = Vec::with_capacity(2 * N + 1);
                    v.extend_from_slice(&items[..]);
                    v.push(x);
                    *self = InlineList::Heap(v);
                }
            }
            InlineList::Heap(v) => v.push(x),
        }
    }

    /// Removes and returns the element at `i`, the last taking its place, as
    /// `Vec::swap_remove`. An emptied heap list goes back inline.
    ///
    /// # Panics
    /// If `i` is out of bounds.
    #[inline]
    pub fn swap_remove(&mut self, i: usize) -> T {
        match self {
            InlineList::Inline { len, items } => {
                let n = usize::from(*len);
                assert!(i < n, "swap_remove index {i} out of bounds (len {n})");
                let x = items[i];
                items[i] = items[n - 1];
                items[n - 1] = T::FILL;
                *len -= 1;
                x
            }
            InlineList::Heap(v) => {
                let x = v.swap_remove(i);
                if v.is_empty() {
                    *self = Self::new();
                }
                x
            }
        }
    }

    /// Appends every element of `iter`, in order.
    pub fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.push(x);
        }
    }
}

impl<T: Filler, const N: usize> Deref for InlineList<T, N> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            InlineList::Inline { len, items } => &items[..usize::from(*len)],
            InlineList::Heap(v) => v,
        }
    }
}

impl<T: Filler, const N: usize> DerefMut for InlineList<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            InlineList::Inline { len, items } => &mut items[..usize::from(*len)],
            InlineList::Heap(v) => v,
        }
    }
}

impl<'a, T: Filler, const N: usize> IntoIterator for &'a InlineList<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Filler, const N: usize> IntoIterator for InlineList<T, N> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    /// The elements in order (copied out; not on a hot path).
    fn into_iter(self) -> Self::IntoIter {
        match self {
            InlineList::Inline { len, items } => {
                let mut v = Vec::with_capacity(usize::from(len));
                v.extend_from_slice(&items[..usize::from(len)]);
                v.into_iter()
            }
            InlineList::Heap(v) => v.into_iter(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Filler for u32 {
        const FILL: u32 = u32::MAX;
    }

    /// Every operation against a `Vec` doing the same, across the inline/heap boundary
    /// both ways: same elements in the same order after each step.
    #[test]
    fn behaves_as_a_vec_across_the_spill() {
        let mut list: InlineList<u32, 3> = InlineList::new();
        let mut vec: Vec<u32> = Vec::new();
        // A fixed pseudo-random walk of pushes and removals reaching 7 elements.
        let mut x = 12345u32;
        for step in 0..400u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let push = vec.is_empty() || (vec.len() < 7 && (x >> 16) % 3 != 0);
            if push {
                list.push(step);
                vec.push(step);
            } else {
                let i = (x >> 8) as usize % vec.len();
                assert_eq!(list.swap_remove(i), vec.swap_remove(i));
            }
            assert_eq!(&list[..], &vec[..], "step {step}");
            if vec.len() > 3 {
                assert!(matches!(list, InlineList::Heap(_)));
            }
            if vec.is_empty() {
                assert!(matches!(list, InlineList::Inline { .. }));
            }
        }
        list.extend([1, 2, 3, 4]);
        vec.extend([1, 2, 3, 4]);
        assert_eq!(list.clone().into_iter().collect::<Vec<_>>(), vec);
        assert_eq!((&list).into_iter().copied().collect::<Vec<_>>(), vec);
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn swap_remove_past_the_end_panics_like_a_vec() {
        let mut list: InlineList<u32, 3> = InlineList::new();
        list.push(1);
        list.swap_remove(1);
    }
}
