//! Availability Zone rebalancing traces: per-zone task counts, which zones counted, the
//! moves and the `maximumPercent` arithmetic that bounded them, the tasks started and
//! stopped, and why a check did not act.
//!
//! Owns `AzRebalancingTrace` and `zones_trace`/`room_rule`, pure functions over the counts
//! the check decided on. It decides nothing: the moves are `scheduler::az_rebalancing`'s.

use serde::{Deserialize, Serialize};

/// One rebalancing check of a service that acted or was held back, or the note saying why
/// a service does not rebalance at all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AzRebalancingTrace {
    /// What the check did: "started tasks", "stopped tasks", "balanced", "blocked",
    /// "interrupted" or "not eligible".
    pub action: String,
    /// The service's desired count.
    pub desired: u32,
    /// Its live tasks per zone, every zone of the cluster.
    pub zones: Vec<ZoneTrace>,
    /// `deploymentConfiguration.maximumPercent`.
    pub maximum_percent: u32,
    /// How many new tasks the headroom above the desired count allows at once, with its
    /// arithmetic; empty when the check did not get that far.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub room_rule: String,
    /// Moves that would balance the counted zones (unbounded).
    pub moves_to_balance: u32,
    /// Moves this step planned (bounded by the room); `started` says how many started.
    pub moves: u32,
    /// Tasks started, per zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub started: Vec<ZoneTasks>,
    /// Tasks stopped, per zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<ZoneTasks>,
    /// Why, in words.
    pub reason: String,
}

/// One zone in a check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneTrace {
    /// The zone's name.
    pub zone: String,
    /// The service's live tasks there.
    pub tasks: u32,
    /// True when the zone counts in the balance.
    pub counted: bool,
    /// Why it does not count: "down" or "not covered by the service's capacity".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<String>,
}

/// Tasks started or stopped in one zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneTasks {
    /// The zone's name.
    pub zone: String,
    /// How many.
    pub count: u32,
    /// Up to [`super::LIST_LIMIT`] of them, by number.
    pub tasks: Vec<u32>,
}

/// The zones of a check: `counts[z]` live tasks in zone `names[z]`, `covered[z]` when the
/// service's capacity reaches the zone, `down[z]` when it is in an outage.
pub fn zones_trace(
    names: &[String],
    counts: &[u32],
    covered: &[bool],
    down: &[bool],
) -> Vec<ZoneTrace> {
    names
        .iter()
        .enumerate()
        .map(|(z, name)| {
            let covered = covered.get(z).copied().unwrap_or(false);
            let down = down.get(z).copied().unwrap_or(false);
            let left_out = if !covered {
                Some("not covered by the service's capacity".to_string())
            } else if down {
                Some("down".to_string())
            } else {
                None
            };
            ZoneTrace {
                zone: name.clone(),
                tasks: counts.get(z).copied().unwrap_or(0),
                counted: left_out.is_none(),
                left_out,
            }
        })
        .collect()
}

/// The `maximumPercent` arithmetic: `maximum` is `floor(desired × maximumPercent ÷ 100)`
/// (`scheduler::deployment::maximum_tasks`), the room is what it leaves above the desired
/// count, and the step plans `min(room, moves to balance)` moves.
pub fn room_rule(desired: u32, maximum_percent: u32, maximum: u32, needed: u32) -> String {
    let room = maximum.saturating_sub(desired);
    format!(
        "maximumPercent {maximum_percent} % of desired {desired} = {maximum} tasks at most (rounded down), so {maximum} − {desired} = {room} new task{} may run before the surplus stops; {needed} move{} would balance the zones, so the step plans {}",
        if room == 1 { "" } else { "s" },
        if needed == 1 { "" } else { "s" },
        room.min(needed)
    )
}

/// Started or stopped tasks per zone, zones in cluster order.
pub fn zone_tasks(names: &[String], by_zone: &[(usize, Vec<u32>)]) -> Vec<ZoneTasks> {
    by_zone
        .iter()
        .map(|(z, ts)| ZoneTasks {
            zone: names.get(*z).cloned().unwrap_or_else(|| "no zone".into()),
            count: ts.len() as u32,
            tasks: ts.iter().copied().take(super::LIST_LIMIT).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six tasks on two of three zones, maximumPercent 150: floor(6 × 150 ÷ 100) = 9 at
    /// most, room 9 − 6 = 3, and two moves balance 3/3/0 into 2/2/2, so two.
    #[test]
    fn the_room_rule_shows_its_arithmetic() {
        let r = room_rule(6, 150, 9, 2);
        assert!(
            r.starts_with("maximumPercent 150 % of desired 6 = 9 tasks at most (rounded down), so 9 − 6 = 3 new tasks"),
            "{r}"
        );
        assert!(
            r.ends_with("2 moves would balance the zones, so the step plans 2"),
            "{r}"
        );
        // floor(3 × 120 ÷ 100) = 3: no room at all.
        assert!(room_rule(3, 120, 3, 1).contains("3 − 3 = 0 new tasks"));
    }

    #[test]
    fn zones_say_why_they_are_left_out() {
        let names = ["a".to_string(), "b".to_string(), "c".to_string()];
        let z = zones_trace(
            &names,
            &[3, 0, 2],
            &[true, true, false],
            &[false, true, false],
        );
        assert!(z[0].counted && z[0].left_out.is_none());
        assert_eq!(z[1].left_out.as_deref(), Some("down"));
        assert_eq!(
            z[2].left_out.as_deref(),
            Some("not covered by the service's capacity")
        );
        assert_eq!(z[2].tasks, 2);
    }
}
