//! The reference placement: look at every instance, rank every candidate.
//!
//! Owns `general_scan`, the plain definition of ECS placement the indexed paths of
//! [`Placer`](super::Placer) must reproduce, and `Selector`, the streaming "best so far" both
//! use so that they share one tie-breaking rule.
//! It keeps no index and makes no attempt to be fast (O(instances) per placement).

use rand::Rng;

use crate::cluster::ContainerInstance;
use crate::engine::SimRng;
use crate::ids::InstanceId;

use super::failure::{diagnose, PlacementFailure};
use super::strategy::{rank_key, PlacementStrategy, SpreadCounts, SpreadField, MAX_STRATEGY_RULES};
use super::PlacementRequest;

/// Places `req` by scanning all of `instances`. Pure: reserves nothing.
///
/// Spread counts are taken over every instance of the pool, whatever its status or free
/// room, because ECS balances the group's running tasks, and tasks on a draining instance are
/// still running (ecs-reference §4.2–4.3).
///
/// # Errors
/// Why nothing was chosen.
///
/// # Panics
/// If the chain has more than [`MAX_STRATEGY_RULES`] rules (the validator enforces it).
pub fn general_scan(
    req: &PlacementRequest,
    instances: &[ContainerInstance],
    rng: &mut SimRng,
) -> Result<InstanceId, PlacementFailure> {
    let mut sel = Selector::new(req.strategy);
    let mut counts = SpreadCounts::default();
    for a in sel.spread_attributes() {
        for inst in instances.iter().filter(|i| req.pool.contains(i)) {
            counts.add(a, inst, inst.group_count(req.group));
        }
    }
    for inst in instances.iter().filter(|i| req.is_candidate(i)) {
        sel.offer(req, inst, &counts);
    }
    sel.finish(rng).ok_or_else(|| diagnose(req, instances))
}

/// The best candidate seen so far under a strategy chain.
///
/// Rules before the first `Random` give a lexicographic key (lower is better). Without
/// `Random` the lowest key wins and the lowest id breaks ties; with it, every candidate tied
/// on the key is kept and one is drawn uniformly, from the id-sorted list so the draw does not
/// depend on the order candidates were offered in.
#[derive(Debug)]
pub(crate) struct Selector<'c> {
    chain: &'c [PlacementStrategy],
    /// Rules that produce a key: those before the first `Random`.
    key_len: usize,
    has_random: bool,
    best_key: [u64; MAX_STRATEGY_RULES],
    best: Option<InstanceId>,
    tied: Vec<InstanceId>,
}

impl<'c> Selector<'c> {
    pub(crate) fn new(chain: &'c [PlacementStrategy]) -> Selector<'c> {
        assert!(
            chain.len() <= MAX_STRATEGY_RULES,
            "{} placement strategy rules, ECS allows {MAX_STRATEGY_RULES}: the validator should have refused",
            chain.len()
        );
        let random_at = chain.iter().position(|s| *s == PlacementStrategy::Random);
        Selector {
            chain,
            key_len: random_at.unwrap_or(chain.len()),
            has_random: random_at.is_some(),
            best_key: [0; MAX_STRATEGY_RULES],
            best: None,
            tied: Vec::new(),
        }
    }

    /// The attributes spread on by rules that produce a key, deduplicated.
    pub(crate) fn spread_attributes(&self) -> Vec<super::Attribute> {
        let mut out = Vec::new();
        for s in &self.chain[..self.key_len] {
            if let PlacementStrategy::Spread(SpreadField::Attribute(a)) = s {
                if !out.contains(a) {
                    out.push(*a);
                }
            }
        }
        out
    }

    /// Considers candidate `inst` (which must be feasible).
    #[inline]
    pub(crate) fn offer(
        &mut self,
        req: &PlacementRequest,
        inst: &ContainerInstance,
        counts: &SpreadCounts,
    ) {
        let mut key = [0u64; MAX_STRATEGY_RULES];
        for (k, rule) in key.iter_mut().zip(&self.chain[..self.key_len]) {
            *k = rank_key(*rule, inst, req.need, req.group, counts);
        }
        let Some(best) = self.best else {
            self.set_best(key, inst.id);
            return;
        };
        match key[..self.key_len].cmp(&self.best_key[..self.key_len]) {
            std::cmp::Ordering::Less => self.set_best(key, inst.id),
            std::cmp::Ordering::Equal => {
                if self.has_random {
                    self.tied.push(inst.id);
                }
                if inst.id < best {
                    self.best = Some(inst.id);
                }
            }
            std::cmp::Ordering::Greater => {}
        }
    }

    fn set_best(&mut self, key: [u64; MAX_STRATEGY_RULES], id: InstanceId) {
        self.best_key = key;
        self.best = Some(id);
        if self.has_random {
            self.tied.clear();
            self.tied.push(id);
        }
    }

    /// The winner, drawing once from `rng` if the chain has `Random` and there is a candidate.
    pub(crate) fn finish(mut self, rng: &mut SimRng) -> Option<InstanceId> {
        if self.has_random && !self.tied.is_empty() {
            self.tied.sort_unstable();
            let i = rng.gen_range(0..self.tied.len());
            return Some(self.tied[i]);
        }
        self.best
    }
}
