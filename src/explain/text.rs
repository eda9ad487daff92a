//! A decision as readable text: what `ecsim explain` prints and what `report.html` shows in
//! its explanations section. Pure: `&Record → String`.

use std::fmt::Write;

use super::managed_instances::{usd, ConsolidationTrace, ManagedInstancesLaunchTrace};
use super::placement::PlacementTrace;
use super::rebalancing::{AzRebalancingTrace, ZoneTasks};
use super::scaling::{AlarmTrace, ManagedScalingTrace, ServiceScalingTrace};
use super::{Decision, FaultTrace, Record, StrategyTrace};

/// `1h02m03s` for a simulated time.
pub fn hms(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60)
}

fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The title line of a record, e.g. "#12 at 0h05m00s: placement of task 17 (web)".
pub fn title(r: &Record) -> String {
    let what = match &r.decision {
        Decision::Placement(p) if p.chosen.is_some() => "placement",
        Decision::Placement(_) => "placement failed",
        Decision::CapacityProviderStrategy(_) => "capacity provider strategy",
        Decision::ServiceScaling(_) => "service auto scaling",
        Decision::ScheduledAction(_) => "scheduled action",
        Decision::ManagedScaling(_) => "managed scaling",
        Decision::NeverPlaced(_) => "never placed",
        Decision::Fault(_) => "fault",
        Decision::ManagedInstancesLaunch(_) => "Managed Instances launch",
        Decision::ManagedInstancesConsolidation(_) => "Managed Instances consolidation",
        Decision::AzRebalancing(_) => "AZ rebalancing",
        Decision::LimitReached { .. } => "trace limit reached",
    };
    let about = match r.task {
        Some(t) => format!("task {t} ({})", r.subject),
        None => r.subject.clone(),
    };
    format!("#{} at {}: {what}, {about}", r.id, hms(r.time_s))
}

/// The whole explanation of a record.
pub fn render(r: &Record) -> String {
    let mut out = title(r);
    out.push('\n');
    if let Some(e) = r.event {
        let _ = writeln!(out, "  logged as events.jsonl line {e}");
    }
    match &r.decision {
        Decision::Placement(p) => placement(&mut out, p),
        Decision::CapacityProviderStrategy(s) => strategy(&mut out, s),
        Decision::ServiceScaling(s) => service(&mut out, s),
        Decision::ScheduledAction(s) => {
            let _ = writeln!(
                out,
                "  {} sets the desired count {} → {}\n  cause: {}",
                s.policy, s.from, s.to, s.cause
            );
        }
        Decision::ManagedScaling(m) => managed(&mut out, m),
        Decision::NeverPlaced(n) => {
            let _ = writeln!(out, "  {}\n  reason: {}", n.outcome, n.reason);
            if let Some(p) = &n.placement {
                placement(&mut out, p);
            }
        }
        Decision::Fault(f) => fault(&mut out, f),
        Decision::ManagedInstancesLaunch(l) => mi_launch(&mut out, l),
        Decision::ManagedInstancesConsolidation(c) => consolidation(&mut out, c),
        Decision::AzRebalancing(r) => rebalancing(&mut out, r),
        Decision::LimitReached { limit, left_out } => {
            let _ = writeln!(
                out,
                "  settings.explainLimit ({limit}) was reached for {}: later ones are not traced",
                left_out.join(", ")
            );
        }
    }
    out
}

fn placement(out: &mut String, p: &PlacementTrace) {
    // Devices only when the task takes some, so other traces read as before.
    let mut devices = String::new();
    for (n, one, many) in [
        (p.need_eni, "ENI", "ENIs"),
        (p.need_gpu, "GPU", "GPUs"),
        (p.need_neuron, "Neuron device", "Neuron devices"),
    ] {
        if n > 0 {
            let _ = write!(devices, ", {n} {}", if n == 1 { one } else { many });
        }
    }
    let _ = writeln!(
        out,
        "  task needs {} CPU units{devices} and {} MiB; pool: {}; {} instance{} considered",
        p.need_cpu,
        p.need_memory_mib,
        p.pool,
        p.instances,
        if p.instances == 1 { "" } else { "s" }
    );
    out.push_str("  filters:\n");
    for f in &p.filters {
        let ex = if f.examples.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.examples.join(", "))
        };
        let _ = writeln!(
            out,
            "    {:<44} removed {:>4}, left {:>4}{ex}",
            f.filter, f.removed, f.left
        );
    }
    let _ = writeln!(out, "    ({})", p.not_modelled);
    if !p.strategy.is_empty() {
        out.push_str("  strategy:\n");
        for s in &p.strategy {
            let _ = writeln!(out, "    {} → {} left", s.rule, s.kept);
            for d in &s.detail {
                let _ = writeln!(out, "      {d}");
            }
        }
    }
    match (&p.chosen, &p.reason) {
        (Some(c), _) => {
            let _ = writeln!(out, "  chosen: {c}");
        }
        (None, Some(r)) => {
            let _ = writeln!(out, "  not placed: {r}");
        }
        (None, None) => {
            out.push_str("  not placed\n");
        }
    }
}

fn strategy(out: &mut String, s: &StrategyTrace) {
    for (i, it) in s.items.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} {}: base {}, weight {}, {} task{} before this one",
            if i == s.chosen { "→" } else { " " },
            it.capacity_provider,
            it.base,
            it.weight,
            it.tasks,
            if it.tasks == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "  rule: {}", s.rule);
}

fn alarm(out: &mut String, a: &AlarmTrace) {
    let dps: Vec<String> = a
        .datapoints
        .iter()
        .map(|d| d.map_or("missing".to_string(), num))
        .collect();
    let _ = writeln!(
        out,
        "      alarm {}: metric {} {}, datapoints [{}]: {} breaching, needs {} of {} → {}",
        a.name,
        a.comparison,
        num(a.threshold),
        dps.join(", "),
        a.breaching,
        a.datapoints_to_alarm,
        a.evaluation_periods,
        a.state
    );
}

fn service(out: &mut String, s: &ServiceScalingTrace) {
    let _ = writeln!(
        out,
        "  {} s period; running {}, desired {}, min capacity {}, max capacity {}",
        s.period_s, s.running, s.desired, s.min_capacity, s.max_capacity
    );
    for p in &s.policies {
        let _ = writeln!(out, "    policy {} ({}, {}):", p.policy, p.kind, p.metric);
        for a in &p.alarms {
            alarm(out, a);
        }
        if let Some(pr) = &p.proposal {
            let _ = writeln!(out, "      scale {}: {}", pr.direction, pr.formula);
            if let Some(st) = &pr.step {
                let _ = writeln!(
                    out,
                    "      step: {} {} − threshold {} = {}, in step {}: {} {:+} on base {}",
                    st.aggregation,
                    num(st.aggregate),
                    num(st.threshold),
                    num(st.difference),
                    st.interval,
                    st.adjustment_type,
                    st.adjustment,
                    st.base
                );
            }
            if pr.clamped != pr.computed {
                let _ = writeln!(
                    out,
                    "      clamped to [{}, {}]: {}",
                    s.min_capacity, s.max_capacity, pr.clamped
                );
            }
        }
        let _ = writeln!(out, "      cooldown: {}", p.cooldown);
        let _ = writeln!(out, "      verdict: {}", p.verdict);
    }
    let _ = writeln!(out, "  combined: {}", s.combination);
    if let Some(a) = &s.activity {
        let _ = writeln!(
            out,
            "  activity: desired count {} → {} by {}\n  cause: {}",
            a.from, a.to, a.policy, a.cause
        );
    }
}

fn managed(out: &mut String, m: &ManagedScalingTrace) {
    let _ = writeln!(
        out,
        "  N = {} instances, {} task{} PROVISIONING",
        m.n,
        m.provisioning_tasks,
        if m.provisioning_tasks == 1 { "" } else { "s" }
    );
    if let Some(b) = &m.binpack {
        let _ = writeln!(
            out,
            "  binpack of the PROVISIONING tasks: {}{}; into the free room of the instances, then new instances of the largest type: c = {} new; step clamps [minimumScalingStepSize {}, maximumScalingStepSize {}] → add {}",
            b.groups.join(", "),
            if b.incompatible > 0 {
                format!(" ({} too large for the smallest type, left out)", b.incompatible)
            } else {
                String::new()
            },
            b.calculated,
            b.minimum_scaling_step_size,
            b.maximum_scaling_step_size,
            b.add
        );
    }
    let _ = writeln!(out, "  {}", m.m_rule);
    let _ = writeln!(
        out,
        "  CapacityProviderReservation = M {} ÷ N {} × 100 = {} (target {})",
        m.m,
        m.n,
        num(m.reservation),
        m.target_capacity
    );
    for a in &m.alarms {
        alarm(out, a);
    }
    let _ = writeln!(out, "  warm-up: {}", m.warm_up);
    let _ = writeln!(out, "  scale-in hold: {}", m.scale_in_hold);
    let _ = writeln!(out, "  {}", m.formula);
    let _ = writeln!(
        out,
        "  desired capacity {} (MinSize {}, MaxSize {}): {}",
        m.desired, m.min_size, m.max_size, m.outcome
    );
    if let Some(a) = &m.activity {
        let _ = writeln!(out, "  cause: {}", a.cause);
    }
}

fn fault(out: &mut String, f: &FaultTrace) {
    let _ = writeln!(out, "  what failed: {}", f.what);
    if !f.instances_lost.is_empty() {
        let _ = writeln!(out, "  instances lost: {}", f.instances_lost.join(", "));
    }
    let tasks: Vec<String> = f.tasks_lost.iter().map(|t| format!("task {t}")).collect();
    let _ = writeln!(
        out,
        "  tasks lost: {}{}",
        f.tasks_lost_count,
        if tasks.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                tasks.join(", "),
                if f.tasks_lost_count as usize > tasks.len() {
                    ", …"
                } else {
                    ""
                }
            )
        }
    );
    if let Some(r) = &f.stopped_reason {
        let _ = writeln!(out, "  stopped reason: {r}");
    }
    if !f.instances_launched.is_empty() {
        let _ = writeln!(
            out,
            "  replacement instances launched: {}",
            f.instances_launched.join(", ")
        );
    }
    if !f.tasks_started.is_empty() {
        let t: Vec<String> = f
            .tasks_started
            .iter()
            .map(|t| format!("task {t}"))
            .collect();
        let _ = writeln!(out, "  tasks started at once: {}", t.join(", "));
    }
    let _ = writeln!(out, "  {}", f.note);
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn task_list(ts: &[u32], count: u32) -> String {
    let mut l: Vec<String> = ts.iter().map(|t| format!("task {t}")).collect();
    if count as usize > ts.len() {
        l.push("…".into());
    }
    l.join(", ")
}

fn mi_launch(out: &mut String, l: &ManagedInstancesLaunchTrace) {
    let _ = writeln!(
        out,
        "  {} waiting ({}); {} matched instanceRequirements; room to launch {}",
        plural(l.waiting_tasks, "task", "tasks"),
        task_list(&l.tasks, l.waiting_tasks),
        plural(l.types_matched, "type", "types"),
        l.launch_limit
    );
    for s in &l.shapes {
        let _ = writeln!(
            out,
            "    {} × {} CPU units, {} MiB ({}): {} on pending instances, {} on free ACTIVE room, {} left",
            s.waiting, s.cpu, s.memory_mib, s.architecture, s.on_pending, s.on_active, s.left
        );
    }
    let _ = writeln!(
        out,
        "  {} no pending or ACTIVE instance could take",
        plural(l.left, "task", "tasks")
    );
    for (i, r) in l.rounds.iter().enumerate() {
        let _ = writeln!(
            out,
            "  instance {}: {} still waiting, {}; {} of another architecture, {} too small for any of them",
            i + 1,
            r.waiting,
            r.architecture,
            r.other_architecture,
            r.hold_none
        );
        for c in &r.candidates {
            let mark = if r.chosen.as_deref() == Some(c.instance_type.as_str()) {
                "→"
            } else {
                " "
            };
            let _ = writeln!(
                out,
                "    {mark} {:<14} EC2 ${}/h + fee ${}/h, holds {:>3} → ${} per task",
                c.instance_type,
                usd(c.ec2_usd_per_hour),
                usd(c.fee_usd_per_hour),
                c.tasks_held,
                usd(c.usd_per_task)
            );
        }
        if r.more > 0 {
            let _ = writeln!(out, "      (and {} more, none cheaper per task)", r.more);
        }
        let _ = writeln!(out, "    {}", r.rule);
    }
    if l.instances_chosen as usize > l.rounds.len() {
        let _ = writeln!(
            out,
            "  (the selection repeated for {} more instance{})",
            l.instances_chosen as usize - l.rounds.len(),
            if l.instances_chosen as usize - l.rounds.len() == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if !l.launched.is_empty() {
        let _ = writeln!(out, "  launched: {}", l.launched.join(", "));
    }
    let _ = writeln!(out, "  {}", l.outcome);
}

fn consolidation(out: &mut String, c: &ConsolidationTrace) {
    let _ = writeln!(
        out,
        "  {} ACTIVE; scaleInAfter {} s; under-utilized below {} % of both CPU and memory reserved",
        plural(c.instances, "instance", "instances"),
        c.scale_in_after_s,
        num(c.threshold_percent)
    );
    if c.idle_count > 0 {
        let _ = writeln!(
            out,
            "  idle for scaleInAfter, terminated: {}{}",
            c.idle_terminated.join(", "),
            if c.idle_count as usize > c.idle_terminated.len() {
                format!(" (… {} in all)", c.idle_count)
            } else {
                String::new()
            }
        );
    }
    for k in &c.candidates {
        let mark = if c.drained.as_deref() == Some(k.instance.as_str()) {
            "→"
        } else {
            " "
        };
        let _ = writeln!(
            out,
            "    {mark} {} ({}): {}, CPU {} % and memory {} % reserved: {}",
            k.instance,
            k.instance_type,
            plural(k.tasks, "task", "tasks"),
            num(k.cpu_reserved_percent),
            num(k.memory_reserved_percent),
            k.verdict
        );
    }
    if c.more > 0 {
        let _ = writeln!(out, "      (and {} more under the threshold)", c.more);
    }
    let _ = writeln!(out, "  {}", c.outcome);
}

fn zone_tasks(out: &mut String, verb: &str, z: &[ZoneTasks]) {
    for t in z {
        let _ = writeln!(
            out,
            "  {verb} in {}: {} ({})",
            t.zone,
            t.count,
            task_list(&t.tasks, t.count)
        );
    }
}

fn rebalancing(out: &mut String, r: &AzRebalancingTrace) {
    let zones: Vec<String> = r
        .zones
        .iter()
        .map(|z| match &z.left_out {
            None => format!("{} {}", z.zone, z.tasks),
            Some(why) => format!("{} {} (left out: {why})", z.zone, z.tasks),
        })
        .collect();
    let _ = writeln!(
        out,
        "  {}: desired {}, tasks per zone: {}",
        r.action,
        r.desired,
        zones.join(", ")
    );
    if !r.room_rule.is_empty() {
        let _ = writeln!(out, "  {}", r.room_rule);
    }
    zone_tasks(out, "started", &r.started);
    zone_tasks(out, "stopped", &r.stopped);
    let _ = writeln!(out, "  {}", r.reason);
}
