//! Savings Plans and Reserved Instances, applied hour by hour to the usage the meters recorded.
//!
//! Owns the commitment model (what a scenario's `commitments[]` resolve to), the hour-by-hour
//! application in AWS's order, and the per-hour and total figures of the report.
//! It runs after the simulation, on the On-Demand-eligible usage per hour that
//! [`super::Billing::usage_mark`] marks: it changes what usage costs, never how the cluster
//! behaves (DESIGN.md, "the decision layer").
//!
//! AWS's order, from the Savings Plans User Guide page "Understanding how Savings Plans apply
//! to your AWS usage" (<https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html>;
//! address checked: third-party FinOps notes cite it under that title for the order of
//! application). The rule it supports, in our words: in each hour, Reserved Instances take
//! the usage first, then EC2 Instance Savings Plans, then Compute Savings Plans, and a plan
//! spends its commitment on the usage it discounts most before the usage it discounts less;
//! the hourly commitment is charged whether the hour used it or not, and what is left over
//! does not carry to the next hour.
//!
//! Only On-Demand usage is eligible: Spot instances and Fargate Spot keep their price.
//! Savings Plans rates are fractions of On-Demand given in the scenario. No rate snapshot is
//! shipped: no public repository committing Savings Plans offer-file extracts for the six
//! Regions could be found (searched: "discountedRate", "discountedUsageType",
//! "ComputeSavingsPlans" extracts, ec2instances.info `instances.json` copies, which are from
//! before Savings Plans existed or absent), and rates are not invented, so a rate is required.
//! It deliberately knows nothing of events or meters: it sees hours of usage.

/// Hourly normalisation factor of an instance size, for Reserved Instance size flexibility.
/// Source: Amazon EC2 User Guide, "How Reserved Instance discounts are applied", normalisation
/// factor table (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/apply_ri.html>; the
/// title as AWS re:Post's "regional-flexible-ri" article links it): nano 0.25, micro 0.5,
/// small 1, medium 2, large 4, xlarge 8, then 8 per "x" (2xlarge 16, …). The same factors
/// appear in the Cost Explorer API's `CoverageNormalizedUnits` (an xlarge is 8 units, a
/// 2xlarge 16). The rule they support, in our words: a regional Linux RI with shared tenancy
/// covers any size of its family in its Region, by units, so one large RI covers two mediums
/// and two large RIs together cover an xlarge (AWS Knowledge Center, "How do Amazon EC2
/// Reserved Instances that are size-flexible apply to my AWS bill?",
/// <https://aws.amazon.com/premiumsupport/knowledge-center/ri-size-flexibility/>).
/// `metal` sizes have a factor that depends on the family; they get `None` here, so an RI
/// cannot name them and flexible RIs never cover them.
pub fn normalization_factor(size: &str) -> Option<f64> {
    match size {
        "nano" => Some(0.25),
        "micro" => Some(0.5),
        "small" => Some(1.0),
        "medium" => Some(2.0),
        "large" => Some(4.0),
        "xlarge" => Some(8.0),
        _ => {
            let n: u32 = size.strip_suffix("xlarge")?.parse().ok()?;
            (n >= 2).then(|| 8.0 * f64::from(n))
        }
    }
}

/// `m5.large` → (`m5`, `large`).
pub fn family_and_size(instance_type: &str) -> Option<(&str, &str)> {
    instance_type.split_once('.')
}

/// Term of a commitment, when the scenario gives none: metadata only (the rate given is what
/// prices usage). Source: the AWS Savings Plans API (`DescribeSavingsPlansOfferings`: a
/// plan's `durationSeconds` is one or three years) and the Savings Plans documentation home
/// (<https://docs.aws.amazon.com/savingsplans>: "a one-year or three-year term"); one year is
/// the shorter, the usual first purchase.
pub const DEFAULT_TERM: &str = "1yr";
/// Payment option when the scenario gives none: metadata only. Source: as [`DEFAULT_TERM`]
/// (All, Partial or No Upfront); No Upfront is the one whose hourly fee is the whole price.
pub const DEFAULT_PAYMENT_OPTION: &str = "NoUpfront";

/// What a commitment covers and how.
#[derive(Clone, Debug, PartialEq)]
pub enum CommitmentKind {
    /// Any EC2 family, any region, and Fargate.
    ComputeSavingsPlan {
        /// Savings Plans price of EC2 usage as a fraction of On-Demand.
        ec2_rate: f64,
        /// Savings Plans price of Fargate usage as a fraction of On-Demand.
        fargate_rate: f64,
    },
    /// One instance family in one region.
    Ec2InstanceSavingsPlan {
        /// The family, e.g. `m5`.
        family: String,
        /// Savings Plans price as a fraction of On-Demand.
        rate: f64,
    },
    /// Regional Linux Reserved Instances with size flexibility (Standard or Convertible).
    ReservedInstances {
        /// Family of the reserved type.
        family: String,
        /// Normalised units reserved per hour: count × factor of the reserved size.
        units: f64,
        /// Effective hourly price of the reservation (all instances), upfront amortised.
        hourly_usd: f64,
        /// Convertible rather than Standard (metadata: both apply the same way).
        convertible: bool,
    },
}

/// One commitment of the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Commitment {
    /// How the report names it: `commitments[i]` and its type.
    pub label: String,
    /// Savings Plans: the hourly commitment, USD at Savings Plans prices. RIs: the fee.
    pub hourly_usd: f64,
    /// Term, metadata.
    pub term: String,
    /// Payment option, metadata.
    pub payment_option: String,
    /// What it covers.
    pub kind: CommitmentKind,
}

impl Commitment {
    /// 0 for RIs, 1 for EC2 Instance SPs, 2 for Compute SPs: AWS's order.
    fn rank(&self) -> u8 {
        match self.kind {
            CommitmentKind::ReservedInstances { .. } => 0,
            CommitmentKind::Ec2InstanceSavingsPlan { .. } => 1,
            CommitmentKind::ComputeSavingsPlan { .. } => 2,
        }
    }
}

/// One instance type's On-Demand usage in an hour.
#[derive(Clone, Debug, PartialEq)]
pub struct Ec2Usage {
    /// Instance type name, e.g. `m5.large`.
    pub instance_type: String,
    /// Instance-hours used in the hour (billing minimums included where they fell).
    pub instance_hours: f64,
    /// The On-Demand price, USD per instance-hour.
    pub on_demand_usd_per_hour: f64,
}

/// The eligible (On-Demand) usage of one hour, and what the hour spent besides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourUsage {
    /// Start of the hour, seconds from the start of the run.
    pub start_s: f64,
    /// The hour's length as a fraction of an hour (the last one may be shorter).
    pub fraction: f64,
    /// On-Demand EC2 usage per instance type, by name.
    pub ec2: Vec<Ec2Usage>,
    /// On-Demand Fargate cost, USD.
    pub fargate_on_demand_usd: f64,
    /// Cost no commitment can cover (Spot, Fargate Spot), USD.
    pub ineligible_usd: f64,
}

/// One hour after commitments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourResult {
    /// Start of the hour, seconds from the start of the run.
    pub start_s: f64,
    /// The hour's length as a fraction of an hour.
    pub fraction: f64,
    /// What the hour would have cost without commitments, USD.
    pub without_commitments_usd: f64,
    /// Commitment fees of the hour (paid used or not), USD.
    pub commitment_usd: f64,
    /// On-Demand cost left after commitments (the spill), USD.
    pub on_demand_usd: f64,
    /// Cost no commitment can cover (Spot), USD.
    pub ineligible_usd: f64,
    /// `commitment_usd + on_demand_usd + ineligible_usd`.
    pub effective_usd: f64,
    /// On-Demand-equivalent cost covered by commitments, USD.
    pub covered_on_demand_usd: f64,
    /// Eligible On-Demand-equivalent cost, USD.
    pub eligible_on_demand_usd: f64,
    /// Per commitment, the fraction of it used (0..=1).
    pub utilization: Vec<f64>,
}

/// The whole run after commitments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommitmentsResult {
    /// Hour by hour.
    pub hours: Vec<HourResult>,
}

/// A usage line being covered: remaining On-Demand-equivalent USD, and how to convert.
struct Line {
    family: String,
    factor: Option<f64>,
    usd_per_hour: f64,
    /// Remaining uncovered On-Demand USD.
    remaining_usd: f64,
    fargate: bool,
}

/// Applies `commitments` to each hour of `usage` in AWS's order.
///
/// RIs cover normalised units of their family, the smallest sizes first. This order is our
/// reading of the EC2 User Guide page of [`normalization_factor`] and was not confirmed by the
/// search of AWS's pages we could do; it matters only for an RI that covers part of an hour
/// spread over several sizes, where the units covered (and so the cost) are the same
/// whichever size goes first, since On-Demand prices within a family scale with the factor.
/// Savings Plans cover On-Demand-equivalent dollars at `rate` each: a plan with `C` USD/h
/// left covers `C / rate` of On-Demand cost. Between plans of one type, the highest
/// discount (lowest rate) goes first; within a Compute SP, the usage with the highest
/// discount (EC2 or Fargate, lowest rate) goes first.
pub fn apply(commitments: &[Commitment], usage: &[HourUsage]) -> CommitmentsResult {
    // Order once: type rank, then the best discount first, then scenario order (stable).
    let mut order: Vec<usize> = (0..commitments.len()).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&commitments[a], &commitments[b]);
        ca.rank()
            .cmp(&cb.rank())
            .then(best_rate(ca).total_cmp(&best_rate(cb)))
    });
    let hours = usage
        .iter()
        .map(|h| apply_hour(commitments, &order, h))
        .collect();
    CommitmentsResult { hours }
}

/// The lowest price fraction a commitment offers (RIs: their fee per On-Demand is unknown
/// up front, and they are alone in their rank, so 0 keeps scenario order among them).
fn best_rate(c: &Commitment) -> f64 {
    match c.kind {
        CommitmentKind::ComputeSavingsPlan {
            ec2_rate,
            fargate_rate,
        } => ec2_rate.min(fargate_rate),
        CommitmentKind::Ec2InstanceSavingsPlan { rate, .. } => rate,
        CommitmentKind::ReservedInstances { .. } => 0.0,
    }
}

fn apply_hour(commitments: &[Commitment], order: &[usize], h: &HourUsage) -> HourResult {
    let mut lines: Vec<Line> = h
        .ec2
        .iter()
        .map(|u| {
            let (family, size) =
                family_and_size(&u.instance_type).unwrap_or((&u.instance_type, ""));
            Line {
                family: family.to_string(),
                factor: normalization_factor(size),
                usd_per_hour: u.on_demand_usd_per_hour,
                remaining_usd: u.instance_hours * u.on_demand_usd_per_hour,
                fargate: false,
            }
        })
        .collect();
    lines.push(Line {
        family: String::new(),
        factor: None,
        usd_per_hour: 0.0,
        remaining_usd: h.fargate_on_demand_usd,
        fargate: true,
    });
    let eligible: f64 = lines.iter().map(|l| l.remaining_usd).sum();
    let mut utilization = vec![0.0; commitments.len()];
    let mut fees = 0.0;
    for &i in order {
        let c = &commitments[i];
        // A partial last hour pays its part of the fee and offers its part of the cover.
        let fee = c.hourly_usd * h.fraction;
        fees += fee;
        utilization[i] = match &c.kind {
            CommitmentKind::ReservedInstances { family, units, .. } => {
                let capacity = units * h.fraction;
                let mut left = capacity;
                let mut idx: Vec<usize> = (0..lines.len())
                    .filter(|&k| !lines[k].fargate && &lines[k].family == family)
                    .filter(|&k| lines[k].factor.is_some())
                    .collect();
                idx.sort_by(|&a, &b| {
                    let (fa, fb) = (lines[a].factor, lines[b].factor);
                    fa.unwrap_or(0.0).total_cmp(&fb.unwrap_or(0.0))
                });
                for k in idx {
                    let l = &mut lines[k];
                    let factor = l.factor.unwrap_or(0.0);
                    if l.usd_per_hour <= 0.0 || factor <= 0.0 {
                        continue;
                    }
                    // Units still On-Demand on this line: instance-hours × factor.
                    let units_here = l.remaining_usd / l.usd_per_hour * factor;
                    let take = units_here.min(left);
                    l.remaining_usd -= take / factor * l.usd_per_hour;
                    left -= take;
                }
                used_fraction(capacity - left, capacity)
            }
            CommitmentKind::Ec2InstanceSavingsPlan { family, rate } => {
                let mut idx: Vec<usize> = (0..lines.len())
                    .filter(|&k| !lines[k].fargate && &lines[k].family == family)
                    .collect();
                let used = cover(&mut lines, &mut idx, fee, |_| *rate);
                used_fraction(used, fee)
            }
            CommitmentKind::ComputeSavingsPlan {
                ec2_rate,
                fargate_rate,
            } => {
                let mut idx: Vec<usize> = (0..lines.len()).collect();
                let (e, f) = (*ec2_rate, *fargate_rate);
                let used = cover(&mut lines, &mut idx, fee, |l| if l.fargate { f } else { e });
                used_fraction(used, fee)
            }
        };
    }
    let on_demand: f64 = lines.iter().map(|l| l.remaining_usd.max(0.0)).sum();
    let without = eligible + h.ineligible_usd;
    HourResult {
        start_s: h.start_s,
        fraction: h.fraction,
        without_commitments_usd: without,
        commitment_usd: fees,
        on_demand_usd: on_demand,
        ineligible_usd: h.ineligible_usd,
        effective_usd: fees + on_demand + h.ineligible_usd,
        covered_on_demand_usd: (eligible - on_demand).max(0.0),
        eligible_on_demand_usd: eligible,
        utilization,
    }
}

/// A Savings Plan with `budget` USD (at SP prices) covers the lines of `idx`, the lowest rate
/// first (ties: line order, which is instance type name order, then Fargate). Returns the
/// budget used.
fn cover(lines: &mut [Line], idx: &mut [usize], budget: f64, rate: impl Fn(&Line) -> f64) -> f64 {
    idx.sort_by(|&a, &b| rate(&lines[a]).total_cmp(&rate(&lines[b])));
    let mut left = budget;
    for &k in idx.iter() {
        let r = rate(&lines[k]);
        if left <= 0.0 || r <= 0.0 {
            continue;
        }
        let l = &mut lines[k];
        // Covering x USD of On-Demand costs x × r of the commitment.
        let spend = (l.remaining_usd * r).min(left);
        l.remaining_usd -= spend / r;
        left -= spend;
    }
    budget - left
}

fn used_fraction(used: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        (used / capacity).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Totals over the hours, for `summary.json`'s `cost.commitments`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct CommitmentsSummary {
    /// What the window would have cost without commitments (the summary's `totalUsd`).
    pub without_commitments_usd: f64,
    /// Fees of all commitments over the window, used or not.
    pub commitment_usd: f64,
    /// On-Demand cost left after commitments.
    pub on_demand_spill_usd: f64,
    /// Spot and Fargate Spot cost, which commitments never cover.
    pub ineligible_usd: f64,
    /// What the window costs with commitments.
    pub effective_usd: f64,
    /// `without_commitments_usd − effective_usd` (negative when commitments lose money).
    pub savings_usd: f64,
    /// Covered share of the eligible On-Demand-equivalent cost, %.
    pub coverage_pct: f64,
    /// Per commitment, in scenario order.
    pub by_commitment: Vec<CommitmentTotal>,
}

/// One commitment over the window.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct CommitmentTotal {
    /// `commitments[i] <type>`.
    pub name: String,
    /// Term (metadata).
    pub term: String,
    /// Payment option (metadata).
    pub payment_option: String,
    /// Fees paid over the window.
    pub fee_usd: f64,
    /// Used share of the commitment, % (hour-weighted).
    pub utilization_pct: f64,
}

impl CommitmentsResult {
    /// Sums the hours; floats rounded as the summary rounds (`round`).
    pub fn summary(&self, commitments: &[Commitment], round: fn(f64) -> f64) -> CommitmentsSummary {
        let mut s = CommitmentsSummary::default();
        let (mut covered, mut eligible) = (0.0, 0.0);
        let mut used = vec![0.0; commitments.len()];
        let mut span = 0.0;
        for h in &self.hours {
            s.without_commitments_usd += h.without_commitments_usd;
            s.commitment_usd += h.commitment_usd;
            s.on_demand_spill_usd += h.on_demand_usd;
            s.ineligible_usd += h.ineligible_usd;
            s.effective_usd += h.effective_usd;
            covered += h.covered_on_demand_usd;
            eligible += h.eligible_on_demand_usd;
            // Weight each hour's utilisation by its length (the last one may be partial).
            let w = h.fraction;
            span += w;
            for (u, x) in used.iter_mut().zip(&h.utilization) {
                *u += x * w;
            }
        }
        s.savings_usd = s.without_commitments_usd - s.effective_usd;
        s.coverage_pct = if eligible > 0.0 {
            100.0 * covered / eligible
        } else {
            0.0
        };
        s.by_commitment = commitments
            .iter()
            .zip(&used)
            .map(|(c, u)| CommitmentTotal {
                name: c.label.clone(),
                term: c.term.clone(),
                payment_option: c.payment_option.clone(),
                fee_usd: round(c.hourly_usd * span),
                utilization_pct: round(if span > 0.0 { 100.0 * u / span } else { 0.0 }),
            })
            .collect();
        s.without_commitments_usd = round(s.without_commitments_usd);
        s.commitment_usd = round(s.commitment_usd);
        s.on_demand_spill_usd = round(s.on_demand_spill_usd);
        s.ineligible_usd = round(s.ineligible_usd);
        s.effective_usd = round(s.effective_usd);
        s.savings_usd = round(s.savings_usd);
        s.coverage_pct = round(s.coverage_pct);
        s
    }

    /// The cumulative fees and effective cost at the end of each hour, for the cost chart.
    pub fn cumulative(&self) -> Vec<crate::report::CommitmentHourPoint> {
        let (mut fees, mut effective) = (0.0, 0.0);
        self.hours
            .iter()
            .map(|h| {
                fees += h.commitment_usd;
                effective += h.effective_usd;
                crate::report::CommitmentHourPoint {
                    end_s: h.start_s + h.fraction * 3600.0,
                    fees_usd: fees,
                    effective_usd: effective,
                }
            })
            .collect()
    }

    /// `commitments.csv`: one row per hour.
    pub fn csv(&self, commitments: &[Commitment]) -> String {
        let mut out = String::from(
            "hour_start_s,without_commitments_usd,commitment_usd,on_demand_spill_usd,ineligible_usd,effective_usd,coverage_pct",
        );
        for c in commitments {
            out.push_str(&format!(",utilization_pct {}", c.label.replace(',', ";")));
        }
        out.push('\n');
        for h in &self.hours {
            let coverage = if h.eligible_on_demand_usd > 0.0 {
                100.0 * h.covered_on_demand_usd / h.eligible_on_demand_usd
            } else {
                0.0
            };
            out.push_str(&format!(
                "{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.4}",
                h.start_s,
                h.without_commitments_usd,
                h.commitment_usd,
                h.on_demand_usd,
                h.ineligible_usd,
                h.effective_usd,
                coverage
            ));
            for u in &h.utilization {
                out.push_str(&format!(",{:.4}", 100.0 * u));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    fn hour(ec2: &[(&str, f64, f64)], fargate: f64) -> HourUsage {
        HourUsage {
            start_s: 0.0,
            fraction: 1.0,
            ec2: ec2
                .iter()
                .map(|&(t, h, p)| Ec2Usage {
                    instance_type: t.to_string(),
                    instance_hours: h,
                    on_demand_usd_per_hour: p,
                })
                .collect(),
            fargate_on_demand_usd: fargate,
            ineligible_usd: 0.0,
        }
    }

    fn compute_sp(hourly: f64, ec2_rate: f64, fargate_rate: f64) -> Commitment {
        Commitment {
            label: "sp".into(),
            hourly_usd: hourly,
            term: DEFAULT_TERM.into(),
            payment_option: DEFAULT_PAYMENT_OPTION.into(),
            kind: CommitmentKind::ComputeSavingsPlan {
                ec2_rate,
                fargate_rate,
            },
        }
    }

    #[test]
    fn normalization_factors_follow_the_table() {
        close(normalization_factor("nano").unwrap(), 0.25);
        close(normalization_factor("micro").unwrap(), 0.5);
        close(normalization_factor("small").unwrap(), 1.0);
        close(normalization_factor("medium").unwrap(), 2.0);
        close(normalization_factor("large").unwrap(), 4.0);
        close(normalization_factor("xlarge").unwrap(), 8.0);
        close(normalization_factor("2xlarge").unwrap(), 16.0);
        close(normalization_factor("24xlarge").unwrap(), 192.0);
        assert_eq!(normalization_factor("metal"), None);
        assert_eq!(normalization_factor("1xlarge"), None);
    }

    #[test]
    fn an_under_used_savings_plan_is_paid_in_full() {
        // 1 m5.large-hour at 0.096 USD On-Demand; a 0.10 USD/h Compute SP at 0.70 of OD.
        // Covering it all costs 0.096 × 0.70 = 0.0672 of the 0.10: utilisation 67.2 %.
        // Effective: the 0.10 fee, no spill = 0.10, dearer than the 0.096 On-Demand.
        let r = apply(
            &[compute_sp(0.10, 0.70, 0.80)],
            &[hour(&[("m5.large", 1.0, 0.096)], 0.0)],
        );
        let h = &r.hours[0];
        close(h.commitment_usd, 0.10);
        close(h.on_demand_usd, 0.0);
        close(h.effective_usd, 0.10);
        close(h.without_commitments_usd, 0.096);
        close(h.utilization[0], 0.672);
        close(h.covered_on_demand_usd, 0.096);
    }

    #[test]
    fn usage_above_the_commitment_spills_to_on_demand() {
        // 4 m5.large-hours at 0.096 = 0.384 USD On-Demand; a 0.14 USD/h SP at 0.70 covers
        // 0.14 / 0.70 = 0.20 USD of On-Demand; spill 0.384 − 0.20 = 0.184.
        // Effective 0.14 + 0.184 = 0.324; utilisation 100 %; coverage 0.20 / 0.384.
        let r = apply(
            &[compute_sp(0.14, 0.70, 0.80)],
            &[hour(&[("m5.large", 4.0, 0.096)], 0.0)],
        );
        let h = &r.hours[0];
        close(h.on_demand_usd, 0.184);
        close(h.effective_usd, 0.324);
        close(h.utilization[0], 1.0);
        close(h.covered_on_demand_usd, 0.20);
        close(h.eligible_on_demand_usd, 0.384);
    }

    #[test]
    fn a_compute_plan_is_shared_between_ec2_and_fargate_best_discount_first() {
        // EC2: 2 c5.large-hours at 0.085 = 0.17 USD OD, SP rate 0.66 (34 % off).
        // Fargate: 0.20 USD OD, SP rate 0.80 (20 % off).
        // 0.20 USD/h commitment: EC2 first (higher discount): 0.17 × 0.66 = 0.1122 used,
        // 0.0878 left covers 0.0878 / 0.80 = 0.10975 of Fargate; Fargate spill
        // 0.20 − 0.10975 = 0.09025. Effective 0.20 + 0.09025 = 0.29025 (vs 0.37).
        let r = apply(
            &[compute_sp(0.20, 0.66, 0.80)],
            &[hour(&[("c5.large", 2.0, 0.085)], 0.20)],
        );
        let h = &r.hours[0];
        close(h.on_demand_usd, 0.09025);
        close(h.effective_usd, 0.29025);
        close(h.utilization[0], 1.0);
        close(h.without_commitments_usd, 0.37);
    }

    #[test]
    fn a_size_flexible_ri_covers_smaller_sizes_of_its_family() {
        // 1 m5.xlarge RI = 8 units; 2 m5.large-hours = 2 × 4 = 8 units: all covered.
        // Fee 0.121 USD/h; no spill; utilisation 100 %. A third m5.large-hour spills 0.096.
        let ri = Commitment {
            label: "ri".into(),
            hourly_usd: 0.121,
            term: "1yr".into(),
            payment_option: "NoUpfront".into(),
            kind: CommitmentKind::ReservedInstances {
                family: "m5".into(),
                units: 8.0,
                hourly_usd: 0.121,
                convertible: false,
            },
        };
        let r = apply(
            std::slice::from_ref(&ri),
            &[
                hour(&[("m5.large", 2.0, 0.096)], 0.0),
                hour(&[("m5.large", 3.0, 0.096)], 0.0),
                // Another family is never covered: 1 c5.large-hour stays On-Demand, and the
                // RI is paid unused.
                hour(&[("c5.large", 1.0, 0.085)], 0.0),
            ],
        );
        close(r.hours[0].on_demand_usd, 0.0);
        close(r.hours[0].effective_usd, 0.121);
        close(r.hours[0].utilization[0], 1.0);
        close(r.hours[1].on_demand_usd, 0.096);
        close(r.hours[1].effective_usd, 0.121 + 0.096);
        close(r.hours[2].on_demand_usd, 0.085);
        close(r.hours[2].utilization[0], 0.0);
        close(r.hours[2].effective_usd, 0.121 + 0.085);
    }

    #[test]
    fn ris_apply_before_instance_plans_before_compute_plans() {
        // 2 m5.large-hours (0.192 OD) + Fargate 0.10 OD.
        // Listed in the reverse of AWS's order, they still apply RI → EC2 Instance SP →
        // Compute SP: the m5.large RI (4 units) covers 1 hour (0.096); the m5 Instance SP,
        // 0.05 USD/h at 0.60, covers 0.05 / 0.60 = 0.08333… of the other 0.096, leaving
        // 0.012666…; the Compute SP, 0.09 USD/h at EC2 0.70 and Fargate 0.80, covers EC2
        // first (0.012666… × 0.70 = 0.008866…), then 0.081133… / 0.80 = 0.101416… ≥ 0.10
        // of Fargate: it all. Spill 0; Compute SP used 0.008866… + 0.08 = 0.088866….
        let cs = compute_sp(0.09, 0.70, 0.80);
        let isp = Commitment {
            label: "isp".into(),
            hourly_usd: 0.05,
            term: "1yr".into(),
            payment_option: "NoUpfront".into(),
            kind: CommitmentKind::Ec2InstanceSavingsPlan {
                family: "m5".into(),
                rate: 0.60,
            },
        };
        let ri = Commitment {
            label: "ri".into(),
            hourly_usd: 0.06,
            term: "1yr".into(),
            payment_option: "NoUpfront".into(),
            kind: CommitmentKind::ReservedInstances {
                family: "m5".into(),
                units: 4.0,
                hourly_usd: 0.06,
                convertible: true,
            },
        };
        let r = apply(&[cs, isp, ri], &[hour(&[("m5.large", 2.0, 0.096)], 0.10)]);
        let h = &r.hours[0];
        close(h.on_demand_usd, 0.0);
        close(h.utilization[2], 1.0);
        close(h.utilization[1], 1.0);
        let left = 0.096 - 0.05 / 0.60;
        close(h.utilization[0], (left * 0.70 + 0.10 * 0.80) / 0.09);
        close(h.effective_usd, 0.09 + 0.05 + 0.06);
    }

    #[test]
    fn a_partial_last_hour_pays_its_part() {
        // Half an hour: fee 0.5 × 0.10 = 0.05, covering 0.05 / 0.70 of On-Demand.
        let mut u = hour(&[("m5.large", 0.5, 0.096)], 0.0);
        u.fraction = 0.5;
        let r = apply(&[compute_sp(0.10, 0.70, 0.80)], &[u]);
        close(r.hours[0].commitment_usd, 0.05);
        close(r.hours[0].utilization[0], 0.048 * 0.70 / 0.05);
    }
}
