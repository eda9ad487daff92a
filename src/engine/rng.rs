//! One root seed, one independent random stream per subsystem.
//!
//! Each subsystem draws from its own stream, derived from `(seed, stream)`.
//! Turning on a fault model therefore does not change the workload that is replayed, and
//! adding a draw in placement does not shift the latencies.
//!
//! The generator is PCG64 (`rand_pcg::Pcg64`), chosen over `rand::rngs::StdRng` because its
//! output is fixed by its specification: `StdRng` may change algorithm between `rand`
//! releases, which would silently change every golden file.

use rand::SeedableRng;
use rand_pcg::Pcg64;

/// The generator every subsystem uses.
pub type SimRng = Pcg64;

/// The named streams. Adding one appends a variant; existing streams keep their sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// Generated arrivals and durations of synthetic workloads.
    Workload,
    /// Launch, start and stop latencies of instances and tasks.
    Latency,
    /// The `random` placement strategy and random tie-breaks.
    Placement,
    /// Fault models (instance loss, Spot interruption, task crashes).
    Faults,
    /// Scaling decisions that involve chance (e.g. which instance to terminate).
    Scaling,
}

impl Stream {
    /// A stable name mixed into the stream's seed.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Workload => "workload",
            Stream::Latency => "latency",
            Stream::Placement => "placement",
            Stream::Faults => "faults",
            Stream::Scaling => "scaling",
        }
    }
}

/// Derives the per-subsystem generators from one root seed.
#[derive(Clone, Copy, Debug)]
pub struct RngStreams {
    seed: u64,
}

impl RngStreams {
    /// Streams for the run with root `seed`.
    pub fn new(seed: u64) -> Self {
        RngStreams { seed }
    }

    /// The root seed, printed at the top of every report.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The generator for `stream`. Calling it twice gives two identical generators.
    pub fn stream(&self, stream: Stream) -> SimRng {
        self.named(stream.name(), 0)
    }

    /// A generator for a named sub-stream, e.g. one per workload (`index` distinguishes them).
    pub fn named(&self, name: &str, index: u64) -> SimRng {
        self.named_hash(stream_hash(name), index)
    }

    /// [`RngStreams::named`] with the name already hashed by [`stream_hash`] (for hot paths
    /// that derive a generator per entity): the same generator, without rehashing the name.
    pub fn named_hash(&self, name_hash: u64, index: u64) -> SimRng {
        // SplitMix64 finalisation of (seed, name, index): cheap, stable across platforms and
        // Rust versions, and well mixed.
        let h = name_hash;
        let a = splitmix64(self.seed ^ splitmix64(h ^ splitmix64(index)));
        let b = splitmix64(a ^ 0x9e37_79b9_7f4a_7c15);
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..16].copy_from_slice(&b.to_le_bytes());
        bytes[16..24].copy_from_slice(&splitmix64(b).to_le_bytes());
        bytes[24..].copy_from_slice(&splitmix64(a.rotate_left(17)).to_le_bytes());
        Pcg64::from_seed(bytes)
    }
}

/// FNV-1a hash of a stream name, as [`RngStreams::named`] uses it; `const`, so hot paths can
/// hash their names at compile time.
pub const fn stream_hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let s = RngStreams::new(42);
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream(Stream::Workload), |r, _| Some(r.gen()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream(Stream::Workload), |r, _| Some(r.gen()))
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(s.stream(Stream::Faults), |r, _| Some(r.gen()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let other_seed: u64 = RngStreams::new(43).stream(Stream::Workload).gen();
        assert_ne!(a[0], other_seed);
    }

    #[test]
    fn pinned_first_draw_guards_against_silent_generator_changes() {
        // If this changes, every golden file changes: a reviewed change only.
        let first: u64 = RngStreams::new(1).stream(Stream::Workload).gen();
        assert_eq!(first, 11_315_049_261_613_374_357);
    }
}
