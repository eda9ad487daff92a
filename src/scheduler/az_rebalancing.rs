//! Availability Zone rebalancing of a service (`availabilityZoneRebalancing`): when a
//! service's tasks are spread unevenly over its zones, and what moves even them out.
//!
//! Owns the pure rules: which services can use it ([`Eligibility`]), when a spread counts
//! as balanced ([`is_balanced`]) and which task moves a rebalancing step makes
//! ([`plan_moves`]). It does not start or stop tasks (`simulation::rebalance` does, through
//! the service scheduler's own placement and scale-in choice).
//!
//! Source of every rule here: Amazon ECS Developer Guide, "Balancing an Amazon ECS service
//! across Availability Zones",
//! <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html>.

/// Why a service cannot use AZ rebalancing; `None` from [`Eligibility::refusal`] when it can.
///
/// \[DOC\] "You can't use Availability Zone rebalancing with services that meet any of the
/// following criteria: Uses the Daemon strategy; Uses the EXTERNAL launch type; Uses 100% for
/// the maximumPercent value; Uses a Classic Load Balancer; Uses the
/// attribute:ecs.availability-zone as a task placement constraint."
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `schedulingStrategy: DAEMON`.
    Daemon,
    /// `launchType: EXTERNAL` (ECS Anywhere: external instances have no Availability Zone).
    External,
    /// `deploymentConfiguration.maximumPercent` of 100.
    MaximumPercent100,
    /// A `loadBalancers` entry naming a Classic Load Balancer (`loadBalancerName`, no
    /// `targetGroupArn`).
    ClassicLoadBalancer,
    /// A `memberOf` constraint on `attribute:ecs.availability-zone`.
    AzConstraint,
}

impl Refusal {
    /// Why ECS does not rebalance such a service, as `--explain` says it.
    pub fn words(self) -> &'static str {
        match self {
            Refusal::Daemon => "ECS does not rebalance a DAEMON service",
            Refusal::External => "ECS does not rebalance a service of launch type EXTERNAL (external instances have no zone)",
            Refusal::MaximumPercent100 => "ECS does not rebalance a service whose maximumPercent is 100 (a move starts a task before it stops one)",
            Refusal::ClassicLoadBalancer => "ECS does not rebalance a service behind a Classic Load Balancer",
            Refusal::AzConstraint => "ECS does not rebalance a service with a placement constraint on attribute:ecs.availability-zone",
        }
    }

    /// What the validator says, in the scenario's words.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Daemon => "a DAEMON service cannot use Availability Zone rebalancing (ECS refuses it); set it to \"DISABLED\" or leave it out",
            Refusal::External => "a service with launchType EXTERNAL cannot use Availability Zone rebalancing (ECS refuses it: external instances have no zone); set it to \"DISABLED\" or leave it out",
            Refusal::MaximumPercent100 => "Availability Zone rebalancing needs deploymentConfiguration.maximumPercent above 100 (it starts a task before it stops one; ECS refuses 100); raise maximumPercent or set it to \"DISABLED\"",
            Refusal::ClassicLoadBalancer => "a service behind a Classic Load Balancer cannot use Availability Zone rebalancing (ECS refuses it); set it to \"DISABLED\"",
            Refusal::AzConstraint => "a service with a placement constraint on attribute:ecs.availability-zone cannot use Availability Zone rebalancing (ECS refuses it); set it to \"DISABLED\"",
        }
    }
}

/// What decides whether a service may use AZ rebalancing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eligibility {
    /// `schedulingStrategy: DAEMON`.
    pub daemon: bool,
    /// `launchType: EXTERNAL`.
    pub external: bool,
    /// `deploymentConfiguration.maximumPercent` in force.
    pub maximum_percent: u32,
    /// A Classic Load Balancer is attached.
    pub classic_load_balancer: bool,
    /// A placement constraint tests `attribute:ecs.availability-zone`.
    pub az_constraint: bool,
    /// The first placement strategy is `spread(attribute:ecs.availability-zone)`, or there
    /// is none (the service default spreads over zones first; Fargate spreads over zones).
    pub spreads_over_zones_first: bool,
}

impl Eligibility {
    /// The first reason ECS refuses the setting, if any.
    pub fn refusal(&self) -> Option<Refusal> {
        if self.daemon {
            Some(Refusal::Daemon)
        } else if self.external {
            Some(Refusal::External)
        } else if self.maximum_percent <= 100 {
            Some(Refusal::MaximumPercent100)
        } else if self.classic_load_balancer {
            Some(Refusal::ClassicLoadBalancer)
        } else if self.az_constraint {
            Some(Refusal::AzConstraint)
        } else {
            None
        }
    }

    /// True when rebalancing would act: not refused, and zones spread first.
    ///
    /// \[DOC\] "Availability Zone rebalancing works in the following configurations: Services
    /// that use the Replica strategy; Services that specify Availability Zone spread as the
    /// first task placement strategy, or do not specify a placement strategy." and "It's
    /// important to note that Availability Zone rebalancing won't work if the first strategy
    /// in the placement strategy array is not an Availability Zone spread component."
    pub fn works(&self) -> bool {
        self.refusal().is_none() && self.spreads_over_zones_first
    }

    /// The setting when the scenario gives none.
    ///
    /// \[DOC\] "Starting September 5, 2025, Amazon ECS enables Availability Zone rebalancing
    /// for all services that are eligible for the feature." and "For create service requests,
    /// when no value is specified for AvailabilityZoneRebalancing, Amazon ECS defaults the
    /// value to ENABLED." A scenario describes services as created today, so an eligible one
    /// gets [`crate::defaults::AZ_REBALANCING_DEFAULT_ENABLED`]; any other gets DISABLED.
    pub fn default_enabled(&self) -> bool {
        crate::defaults::AZ_REBALANCING_DEFAULT_ENABLED && self.works()
    }
}

/// True when the live tasks per zone are as even as the desired count allows.
///
/// \[DOC\] "Amazon ECS determines an imbalance in the number of tasks running in each
/// Availability Zone by dividing the service's desired task count by the number of configured
/// Availability Zones. If the desired task count doesn't divide evenly, Amazon ECS distributes
/// the remainder of tasks evenly across the configured Availability Zones." With the total
/// fixed, that is: every zone holds ⌊n/z⌋ or ⌈n/z⌉ tasks, i.e. the largest and smallest
/// counts differ by at most one. Only zones with `usable[z]` count. O(zones).
pub fn is_balanced(counts: &[u32], usable: &[bool]) -> bool {
    let mut lo = u32::MAX;
    let mut hi = 0;
    for (z, &c) in counts.iter().enumerate() {
        if usable.get(z).copied().unwrap_or(false) {
            lo = lo.min(c);
            hi = hi.max(c);
        }
    }
    lo == u32::MAX || hi - lo <= 1
}

/// One task move of a rebalancing step: start a task in `to`, then stop one in `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    /// The zone with the most tasks.
    pub from: usize,
    /// The zone with the fewest.
    pub to: usize,
}

/// The moves that even out `counts` over the `usable` zones, at most `limit` of them, in
/// order: each takes a task from the zone with the most and gives one to the zone with the
/// fewest (ties to the lowest zone index), until the spread is balanced.
///
/// \[DOC\] "Starts tasks in Availability Zones with the fewest number of running tasks; Stops
/// the tasks in Availability Zones with the largest number of running tasks." Each move
/// lowers the sum of squares of the counts, so the loop ends; O(moves × zones).
pub fn plan_moves(counts: &[u32], usable: &[bool], limit: u32) -> Vec<Move> {
    let mut c = counts.to_vec();
    let mut out = Vec::new();
    while (out.len() as u32) < limit {
        let mut lo: Option<usize> = None;
        let mut hi: Option<usize> = None;
        for z in 0..c.len() {
            if !usable.get(z).copied().unwrap_or(false) {
                continue;
            }
            if lo.map_or(true, |l| c[z] < c[l]) {
                lo = Some(z);
            }
            if hi.map_or(true, |h| c[z] > c[h]) {
                hi = Some(z);
            }
        }
        let (Some(to), Some(from)) = (lo, hi) else {
            break;
        };
        if c[from] - c[to] <= 1 {
            break;
        }
        c[from] -= 1;
        c[to] += 1;
        out.push(Move { from, to });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL3: [bool; 3] = [true, true, true];

    #[test]
    fn the_documented_examples_are_balanced_or_not() {
        // "desired count of two tasks configured for two Availability Zones ... A balanced
        // distribution would be one task per Availability Zone. If there are two tasks in
        // Availability Zone 1 and zero tasks in Availability Zone 2, Amazon ECS would initiate
        // rebalancing by starting a task in Availability Zone 2 before stopping a task in
        // Availability Zone 1."
        assert!(is_balanced(&[1, 1], &[true, true]));
        assert!(!is_balanced(&[2, 0], &[true, true]));
        assert_eq!(
            plan_moves(&[2, 0], &[true, true], 10),
            vec![Move { from: 0, to: 1 }]
        );
        // "desired count of three tasks configured for two Availability Zones ... one task in
        // Availability Zone 1 and two tasks in Availability Zone 2" is balanced.
        assert!(is_balanced(&[1, 2], &[true, true]));
        // "five tasks configured for three Availability Zones ... one task in Availability
        // Zone 1 and two tasks each in Availability Zones 2 and 3."
        assert!(is_balanced(&[1, 2, 2], &ALL3));
        assert!(!is_balanced(&[3, 2, 0], &ALL3));
    }

    #[test]
    fn six_tasks_left_on_two_zones_need_two_moves_into_the_third() {
        // After an outage of zone 0 the service runs 0/3/3; 6 / 3 = 2 per zone.
        let m = plan_moves(&[0, 3, 3], &ALL3, 10);
        assert_eq!(m, vec![Move { from: 1, to: 0 }, Move { from: 2, to: 0 }]);
        // With room for one extra task only (the limit), one move per step.
        assert_eq!(plan_moves(&[0, 3, 3], &ALL3, 1).len(), 1);
        // 0/4/2 (the az-outage scenario's spread): two moves, both from zone 1.
        assert_eq!(
            plan_moves(&[0, 4, 2], &ALL3, 10),
            vec![Move { from: 1, to: 0 }, Move { from: 1, to: 0 }]
        );
    }

    #[test]
    fn zones_that_are_not_usable_are_left_out() {
        // Zone 0 is down: 0/3/3 over the two zones that are up is balanced.
        assert!(is_balanced(&[0, 3, 3], &[false, true, true]));
        assert!(plan_moves(&[0, 3, 3], &[false, true, true], 10).is_empty());
        // No usable zone: nothing to balance.
        assert!(is_balanced(&[4, 0], &[false, false]));
    }

    #[test]
    fn only_ecs_refusals_refuse_and_only_zone_spread_first_works() {
        let ok = Eligibility {
            daemon: false,
            external: false,
            maximum_percent: 200,
            classic_load_balancer: false,
            az_constraint: false,
            spreads_over_zones_first: true,
        };
        assert_eq!(ok.refusal(), None);
        assert!(ok.works() && ok.default_enabled());
        let binpack = Eligibility {
            spreads_over_zones_first: false,
            ..ok
        };
        assert_eq!(binpack.refusal(), None);
        assert!(!binpack.works() && !binpack.default_enabled());
        let max100 = Eligibility {
            maximum_percent: 100,
            ..ok
        };
        assert_eq!(max100.refusal(), Some(Refusal::MaximumPercent100));
        // "Uses the EXTERNAL launch type" is refused.
        assert_eq!(
            Eligibility {
                external: true,
                ..ok
            }
            .refusal(),
            Some(Refusal::External)
        );
        assert!(!max100.default_enabled());
        assert_eq!(
            Eligibility { daemon: true, ..ok }.refusal(),
            Some(Refusal::Daemon)
        );
        assert_eq!(
            Eligibility {
                classic_load_balancer: true,
                ..ok
            }
            .refusal(),
            Some(Refusal::ClassicLoadBalancer)
        );
        assert_eq!(
            Eligibility {
                az_constraint: true,
                ..ok
            }
            .refusal(),
            Some(Refusal::AzConstraint)
        );
    }
}
