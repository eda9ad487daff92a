//! Which instances an Auto Scaling group terminates when its desired capacity drops.
//!
//! EC2 Auto Scaling's default termination policy, in AWS's order: (1) pick the AZ with the
//! most instances that has at least one instance not protected from scale-in; within it
//! (2) prefer instances with the oldest launch template or configuration, (3) then the ones
//! closest to the next billing hour, (4) then pick at random.
//!
//! We model steps (1) and (4): every ASG in the simulation has one launch template, so (2)
//! never separates instances, and we do not model the billing-hour step (3). The random pick
//! draws from the caller's generator, so the result is deterministic for a given generator
//! state (callers pass the `Scaling` stream).
//!
//! Protection comes from managed termination protection (ecs-reference §1.7): with it, ECS
//! protects every instance that runs a non-daemon task, so only empty instances may be
//! chosen. Without it the ASG may terminate instances that still run tasks: emptiness is
//! not a preference of the default policy, and we do not make it one.

use std::collections::BTreeMap;

use rand::Rng;

use crate::engine::{SimRng, SimTime};
use crate::ids::AzId;

/// One instance the ASG could terminate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Its Availability Zone.
    pub az: AzId,
    /// When it was launched. Not used by the default policy as modelled (see the module
    /// docs); kept for policies that order by age.
    pub launched_at: SimTime,
    /// Runs no non-daemon task.
    pub empty: bool,
}

/// Chooses up to `count` instances to terminate among `candidates` (every live instance of
/// the ASG: protected ones count for the AZ balance) and returns their indices in
/// `candidates`, in the order chosen.
///
/// Each pick takes the AZ with the most remaining candidates among the AZs that still have
/// an unprotected one (ties broken at random: AWS does not say), then an unprotected
/// candidate of that AZ at random. With `protect_non_empty` (managed termination
/// protection) only empty candidates are unprotected, so fewer than `count` may come back.
/// Cost: O(candidates + count × AZs).
pub fn choose_victims(
    candidates: &[Candidate],
    count: usize,
    protect_non_empty: bool,
    rng: &mut SimRng,
) -> Vec<usize> {
    struct Zone {
        /// Candidates still in the AZ, protected or not.
        total: usize,
        /// Indices of its unprotected candidates not yet chosen.
        eligible: Vec<usize>,
    }
    let mut zones: BTreeMap<AzId, Zone> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        let z = zones.entry(c.az).or_insert(Zone {
            total: 0,
            eligible: Vec::new(),
        });
        z.total += 1;
        if c.empty || !protect_non_empty {
            z.eligible.push(i);
        }
    }
    let mut zones: Vec<Zone> = zones.into_values().collect();
    let mut victims = Vec::with_capacity(count.min(candidates.len()));
    let mut tied: Vec<usize> = Vec::with_capacity(zones.len());
    while victims.len() < count {
        let Some(most) = zones
            .iter()
            .filter(|z| !z.eligible.is_empty())
            .map(|z| z.total)
            .max()
        else {
            break;
        };
        tied.clear();
        tied.extend(
            zones
                .iter()
                .enumerate()
                .filter(|(_, z)| !z.eligible.is_empty() && z.total == most)
                .map(|(i, _)| i),
        );
        let zone = if tied.len() == 1 {
            &mut zones[tied[0]]
        } else {
            &mut zones[tied[rng.gen_range(0..tied.len())]]
        };
        let pick = rng.gen_range(0..zone.eligible.len());
        victims.push(zone.eligible.swap_remove(pick));
        zone.total -= 1;
    }
    victims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, Stream};

    fn rng() -> SimRng {
        RngStreams::new(1).stream(Stream::Scaling)
    }

    fn cand(az: u8, empty: bool) -> Candidate {
        Candidate {
            az: AzId(az),
            launched_at: SimTime::ZERO,
            empty,
        }
    }

    fn per_az(candidates: &[Candidate], victims: &[usize]) -> Vec<usize> {
        let mut counts = vec![0; 3];
        for &v in victims {
            counts[candidates[v].az.index()] += 1;
        }
        counts
    }

    #[test]
    fn protection_picks_only_empty_instances() {
        let c = [
            cand(0, false),
            cand(0, true),
            cand(1, false),
            cand(1, true),
            cand(2, false),
        ];
        let mut v = choose_victims(&c, 4, true, &mut rng());
        v.sort_unstable();
        assert_eq!(v, [1, 3]);
    }

    #[test]
    fn protected_instances_still_count_for_az_balance() {
        // AZ 0: 3 busy + 1 empty (4 instances); AZ 1: 2 empty. AWS picks the AZ with the
        // most instances that has an unprotected one: AZ 0's empty instance first.
        let c = [
            cand(0, false),
            cand(0, false),
            cand(0, false),
            cand(0, true),
            cand(1, true),
            cand(1, true),
        ];
        assert_eq!(choose_victims(&c, 1, true, &mut rng()), [3]);
        let mut v = choose_victims(&c, 3, true, &mut rng());
        v.sort_unstable();
        assert_eq!(v, [3, 4, 5]);
    }

    #[test]
    fn without_protection_the_largest_az_loses_first_and_busy_ones_may_go() {
        // AZ 0: 4 busy, AZ 1: 2 empty. Emptiness is no preference.
        let c = [
            cand(0, false),
            cand(0, false),
            cand(0, false),
            cand(0, false),
            cand(1, true),
            cand(1, true),
        ];
        let v = choose_victims(&c, 2, false, &mut rng());
        assert_eq!(per_az(&c, &v), [2, 0, 0]);
        // 4/2 → 3/2 → 2/2 → (tie) → 1/1 whichever AZ the tie picks.
        let v = choose_victims(&c, 4, false, &mut rng());
        assert_eq!(per_az(&c, &v), [3, 1, 0]);
        // More than there are: everyone, each once.
        let mut v = choose_victims(&c, 10, false, &mut rng());
        v.sort_unstable();
        assert_eq!(v, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn balanced_azs_stay_balanced() {
        let c: Vec<Candidate> = (0..30).map(|i| cand((i % 3) as u8, false)).collect();
        let v = choose_victims(&c, 12, false, &mut rng());
        assert_eq!(per_az(&c, &v), [4, 4, 4]);
    }

    #[test]
    fn deterministic_for_a_given_seed() {
        let c: Vec<Candidate> = (0..40).map(|i| cand((i % 3) as u8, i % 4 == 0)).collect();
        let a = choose_victims(&c, 7, false, &mut rng());
        let b = choose_victims(&c, 7, false, &mut rng());
        assert_eq!(a, b);
        let other = choose_victims(
            &c,
            7,
            false,
            &mut RngStreams::new(2).stream(Stream::Scaling),
        );
        assert_ne!(a, other);
        assert_eq!(
            choose_victims(&c, 0, false, &mut rng()),
            Vec::<usize>::new()
        );
    }
}
