//! The discrete-event core: simulated time, the event queue and seeded random streams.
//!
//! This module knows nothing about ECS.
//! It is generic over the event type, so the model (`crate::simulation`) defines one closed
//! `enum Event` and handles it in one `match`.
//! It never touches the filesystem, the wall clock or stdout.
//!
//! # Ordering guarantee
//!
//! Events are delivered in increasing `(time, seq)` order, where `seq` is a counter assigned
//! when the event is *scheduled*.
//! Two events due at the same millisecond are therefore delivered in the order they were
//! scheduled, whatever the heap's internal layout.
//! Time never goes backwards: scheduling an event in the past is a bug and panics.
//! Together with [`rng::RngStreams`] this makes a run a pure function of the scenario and its seed.

pub mod prefetch;
pub mod queue;
pub mod rng;
pub mod time;

pub use queue::EventQueue;
pub use rng::{RngStreams, SimRng, Stream};
pub use time::{SimDuration, SimTime};
