//! Which capacity provider the next task of a strategy goes to (`base` then `weight`).
//!
//! \[DOC\] ecs-reference §2.1: `base` tasks go to the one provider that has a base; after that,
//! tasks are shared in proportion to `weight` (weights 1 and 4 ⇒ one task on A for every four
//! on B). AWS does not document which individual task goes where as counts change; we use the
//! \[DERIVED\] rule of §2.1: fill the base first, then give the next task to the provider
//! furthest below its weighted share (largest remainder), ties to the earlier item.

use crate::scenario::StrategyItem;

/// The index in `items` of the provider for the next task, given how many tasks each item's
/// provider holds now (`counts[i]` for `items[i]`).
///
/// Returns `None` only if no item has a weight and every base is met, which validation rules
/// out (at least one weight must be positive).
pub fn choose(items: &[StrategyItem], counts: &[u32]) -> Option<usize> {
    debug_assert_eq!(items.len(), counts.len());
    // Base first.
    for (i, it) in items.iter().enumerate() {
        if counts[i] < it.base {
            return Some(i);
        }
    }
    // Then the item whose next task keeps it closest to its share: minimise
    // (tasks beyond base + 1) / weight, compared exactly as cross products.
    let mut best: Option<(usize, u64, u64)> = None;
    for (i, it) in items.iter().enumerate() {
        if it.weight == 0 {
            continue;
        }
        let beyond = u64::from(counts[i].saturating_sub(it.base)) + 1;
        let w = u64::from(it.weight);
        match best {
            None => best = Some((i, beyond, w)),
            Some((_, bb, bw)) => {
                if beyond * bw < bb * w {
                    best = Some((i, beyond, w));
                }
            }
        }
    }
    best.map(|(i, _, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CapacityProviderId;

    fn item(p: u16, base: u32, weight: u32) -> StrategyItem {
        StrategyItem {
            capacity_provider: CapacityProviderId(p),
            base,
            weight,
        }
    }

    fn assign(items: &[StrategyItem], n: usize) -> Vec<u32> {
        let mut counts = vec![0; items.len()];
        for _ in 0..n {
            let i = choose(items, &counts).unwrap();
            counts[i] += 1;
        }
        counts
    }

    #[test]
    fn weights_one_to_four_as_the_aws_example() {
        // [DOC] §2.1: weights 1 (A) and 4 (B) ⇒ for every task on A, four go on B.
        let items = [item(0, 0, 1), item(1, 0, 4)];
        assert_eq!(assign(&items, 5), vec![1, 4]);
        assert_eq!(assign(&items, 50), vec![10, 40]);
    }

    #[test]
    fn base_first_then_weights() {
        // Base 2 on A, then A:B = 1:1 for the rest: 10 tasks → A 2 + 4, B 4.
        let items = [item(0, 2, 1), item(1, 0, 1)];
        assert_eq!(assign(&items, 2), vec![2, 0]);
        assert_eq!(assign(&items, 10), vec![6, 4]);
    }

    #[test]
    fn zero_weight_gets_only_its_base() {
        let items = [item(0, 3, 0), item(1, 0, 1)];
        assert_eq!(assign(&items, 10), vec![3, 7]);
    }
}
