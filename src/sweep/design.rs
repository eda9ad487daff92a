//! Which points a sweep runs, and which shard runs which point.
//!
//! A point is one level index per parameter. The grid lists every combination in odometer
//! order (the last parameter changes fastest), so point indices read like the nested loops a
//! person would write. Random and Latin hypercube designs draw from their own PCG64 stream
//! seeded from the sweep's seed, so the same file gives the same points on every machine;
//! a point drawn twice is kept once (the first time), since running it again would only
//! repeat the same common random numbers.
//!
//! Shards: point `p` belongs to shard `p mod N`. Round-robin spreads the expensive corners
//! of a grid over every shard, and the assignment is a pure function of (sweep, I, N).

use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::file::{Design, Plan};

/// Mixed into the sweep seed for the design's stream, so the design's draws never coincide
/// with a replica's ("sweep-dn" in ASCII).
const DESIGN_STREAM: u64 = 0x7377_6565_702d_646e;

/// The points of `plan`'s design, in point order: one level index per parameter.
pub fn points(plan: &Plan) -> Vec<Vec<u32>> {
    let sizes: Vec<u32> = plan
        .parameters
        .iter()
        .map(|p| p.levels.len() as u32)
        .collect();
    match plan.design {
        Design::Grid => grid(&sizes),
        Design::Random(c) => {
            let mut rng = Pcg64::seed_from_u64(plan.seed ^ DESIGN_STREAM);
            dedup(
                (0..c.count)
                    .map(|_| sizes.iter().map(|&s| rng.gen_range(0..s)).collect())
                    .collect(),
            )
        }
        Design::LatinHypercube(c) => latin_hypercube(&sizes, c.count, plan.seed),
    }
}

/// Every combination, last parameter fastest.
pub fn grid(sizes: &[u32]) -> Vec<Vec<u32>> {
    if sizes.contains(&0) {
        return Vec::new();
    }
    let total: u64 = sizes.iter().map(|&s| u64::from(s)).product();
    let mut out = Vec::with_capacity(total as usize);
    let mut cur = vec![0u32; sizes.len()];
    for _ in 0..total {
        out.push(cur.clone());
        for d in (0..sizes.len()).rev() {
            cur[d] += 1;
            if cur[d] < sizes[d] {
                break;
            }
            cur[d] = 0;
        }
    }
    out
}

/// A Latin hypercube over the levels: for each parameter, the `count` points take the
/// strata 0..count in a random order, and stratum k maps to level ⌊(k + u)·L / count⌋ with u
/// uniform in [0, 1): each level gets count/L points (±1), and the parameters are paired at
/// random.
pub fn latin_hypercube(sizes: &[u32], count: u64, seed: u64) -> Vec<Vec<u32>> {
    let mut rng = Pcg64::seed_from_u64(seed ^ DESIGN_STREAM ^ 1);
    let n = count as usize;
    let mut columns: Vec<Vec<u32>> = Vec::with_capacity(sizes.len());
    for &levels in sizes {
        let mut strata: Vec<u64> = (0..count).collect();
        strata.shuffle(&mut rng);
        columns.push(
            strata
                .into_iter()
                .map(|k| {
                    let u: f64 = rng.gen();
                    let x = (k as f64 + u) * f64::from(levels) / count as f64;
                    (x.floor() as u32).min(levels.saturating_sub(1))
                })
                .collect(),
        );
    }
    dedup(
        (0..n)
            .map(|i| columns.iter().map(|c| c[i]).collect())
            .collect(),
    )
}

/// Keeps the first occurrence of each point, in order.
fn dedup(points: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
    let mut seen = BTreeSet::new();
    points
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

/// Whether point `index` belongs to shard `shard` of `shards`.
pub fn in_shard(index: u64, shard: u32, shards: u32) -> bool {
    index % u64::from(shards) == u64::from(shard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::file::Design;

    #[test]
    fn grid_is_odometer_order() {
        assert_eq!(
            grid(&[2, 3]),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(grid(&[3]).len(), 3);
        assert!(grid(&[2, 0]).is_empty());
    }

    #[test]
    fn latin_hypercube_covers_each_level_evenly_and_is_seeded() {
        let a = latin_hypercube(&[4, 5], 20, 7);
        assert_eq!(a, latin_hypercube(&[4, 5], 20, 7));
        assert_ne!(a, latin_hypercube(&[4, 5], 20, 8));
        // Before dedup each of the 4 levels gets exactly 20 / 4 = 5 points; after dedup a
        // level can only lose points, never gain.
        for level in 0..4 {
            let k = a.iter().filter(|p| p[0] == level).count();
            assert!((1..=5).contains(&k), "level {level}: {k}");
        }
        assert!(a.iter().all(|p| p[0] < 4 && p[1] < 5));
    }

    fn plan(design: Design, levels: &[usize]) -> Plan {
        use super::super::file::{Level, Parameter, Search};
        Plan {
            name: "t".into(),
            description: String::new(),
            base_file: "(inline)".into(),
            base: "{}".into(),
            seed: 11,
            replicas: 1,
            parameters: levels
                .iter()
                .enumerate()
                .map(|(i, &n)| Parameter {
                    name: format!("p{i}"),
                    levels: (0..n)
                        .map(|k| Level {
                            label: k.to_string(),
                            set: vec![],
                        })
                        .collect(),
                })
                .collect(),
            design,
            points: 0,
            grid_points: 0,
            objective: "cost.total_usd".into(),
            constraints: vec![],
            search: Search::Full,
            figures: vec!["cost.total_usd".into()],
        }
    }

    #[test]
    fn random_designs_are_seeded_in_range_and_without_repeats() {
        use super::super::file::Count;
        let a = points(&plan(Design::Random(Count { count: 50 }), &[3, 4]));
        assert_eq!(
            a,
            points(&plan(Design::Random(Count { count: 50 }), &[3, 4]))
        );
        // 50 draws from 12 combinations: every combination appears (the chance that one is
        // missed is 12 x (11/12)^50 = 0.16 %, and the seed is fixed), each once.
        assert_eq!(a.len(), 12);
        assert!(a.iter().all(|p| p[0] < 3 && p[1] < 4));
        let mut seen = a.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), a.len());
        assert_eq!(points(&plan(Design::Grid, &[3, 4])).len(), 12);
    }

    #[test]
    fn shards_partition_the_points() {
        for n in 1..5u32 {
            for p in 0..50u64 {
                assert_eq!((0..n).filter(|&i| in_shard(p, i, n)).count(), 1);
            }
        }
    }
}
