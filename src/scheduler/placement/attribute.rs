//! The built-in instance attributes placement can read, and the name tables that turn their
//! string values into typed ids.
//!
//! Owns `Attribute` (the subset of `attribute:ecs.*` names the simulator models, ecs-reference
//! §4.4) and `AttributeNames` (AZ and instance-type names ↔ ids).
//! It does not evaluate expressions (`expression`) nor rank instances (`strategy`).

use std::collections::BTreeMap;

use crate::cluster::ContainerInstance;
use crate::ids::{AzId, InstanceTypeId};
use crate::units::{CpuArchitecture, OsFamily};

/// A built-in instance attribute usable in `spread(...)` and in `memberOf` expressions.
///
/// ECS has more built-ins (`ecs.ami-id`, `ecs.vpc-id`, …, ecs-reference §4.4); the simulator
/// models the five that differ between its instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attribute {
    /// `attribute:ecs.availability-zone`, e.g. `us-east-1a`.
    AvailabilityZone,
    /// `attribute:ecs.instance-type`, e.g. `m5.large`.
    InstanceType,
    /// `attribute:ecs.cpu-architecture`: `x86_64` or `arm64`.
    CpuArchitecture,
    /// `attribute:ecs.os-type`: `linux` or `windows` (the agent's `OSType`,
    /// aws/amazon-ecs-agent `agent/api/ecsclient/client.go`, `osTypeAttrName`).
    OsType,
    /// `attribute:ecs.os-family`: `LINUX` or `WINDOWS_SERVER_<release>_<FULL|CORE>` (the
    /// agent's `GetOSFamily`: "LINUX" on Linux, `agent/config/config_unix.go`; the Windows
    /// form in `agent/config/os_family_windows.go`).
    OsFamily,
}

impl Attribute {
    /// All modelled attributes, in declaration order.
    pub const ALL: [Attribute; 5] = [
        Attribute::AvailabilityZone,
        Attribute::InstanceType,
        Attribute::CpuArchitecture,
        Attribute::OsType,
        Attribute::OsFamily,
    ];

    /// Parses the ECS subject text, e.g. `attribute:ecs.availability-zone`.
    ///
    /// Returns `None` for anything else, including real ECS attributes the simulator does not
    /// model, so the caller can say which names are accepted.
    pub fn parse(s: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.subject() == s)
    }

    /// The ECS subject text of the attribute.
    pub fn subject(self) -> &'static str {
        match self {
            Attribute::AvailabilityZone => "attribute:ecs.availability-zone",
            Attribute::InstanceType => "attribute:ecs.instance-type",
            Attribute::CpuArchitecture => "attribute:ecs.cpu-architecture",
            Attribute::OsType => "attribute:ecs.os-type",
            Attribute::OsFamily => "attribute:ecs.os-family",
        }
    }

    /// The typed value of this attribute on `inst`, as a small integer: the `AzId`, the
    /// `InstanceTypeId`, 0 for `x86_64` and 1 for `arm64`, 0 for `linux` and 1 for `windows`,
    /// or the family's index in [`OsFamily::ALL`].
    ///
    /// Compiled expressions and spread counters compare these integers, never strings.
    #[inline]
    pub fn value_of(self, inst: &ContainerInstance) -> u16 {
        match self {
            Attribute::AvailabilityZone => u16::from(inst.az.0),
            Attribute::InstanceType => inst.instance_type.0,
            Attribute::CpuArchitecture => arch_code(inst.arch),
            Attribute::OsType => u16::from(inst.os.is_windows()),
            Attribute::OsFamily => os_family_code(inst.os),
        }
    }
}

/// The integer code of an OS family used by [`Attribute::value_of`]: its index in
/// [`OsFamily::ALL`].
#[inline]
pub fn os_family_code(os: OsFamily) -> u16 {
    // ALL holds every variant, so the search always succeeds; 10 entries, no allocation.
    OsFamily::ALL.iter().position(|&f| f == os).unwrap_or(0) as u16
}

/// The integer code of an architecture used by [`Attribute::value_of`].
#[inline]
pub fn arch_code(arch: CpuArchitecture) -> u16 {
    match arch {
        CpuArchitecture::X86_64 => 0,
        CpuArchitecture::Arm64 => 1,
    }
}

/// The string values of an instance's attributes, as a query-language expression sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceAttributes<'a> {
    /// `ecs.availability-zone`, e.g. `us-east-1a`.
    pub availability_zone: &'a str,
    /// `ecs.instance-type`, e.g. `m5.large`.
    pub instance_type: &'a str,
    /// `ecs.cpu-architecture`.
    pub cpu_architecture: CpuArchitecture,
    /// `ecs.os-family` (and `ecs.os-type`, which follows from it).
    pub os: OsFamily,
}

impl InstanceAttributes<'_> {
    /// The string value of `attribute`.
    pub fn get(&self, attribute: Attribute) -> &str {
        match attribute {
            Attribute::AvailabilityZone => self.availability_zone,
            Attribute::InstanceType => self.instance_type,
            Attribute::CpuArchitecture => self.cpu_architecture.attribute_value(),
            Attribute::OsType => self.os.os_type(),
            Attribute::OsFamily => self.os.ecs_name(),
        }
    }
}

/// The scenario's names for AZs and instance types, indexed by their ids.
///
/// Built once at scenario validation; used to compile expressions to integer comparisons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeNames {
    azs: Vec<String>,
    instance_types: Vec<String>,
    az_by_name: BTreeMap<String, AzId>,
    type_by_name: BTreeMap<String, InstanceTypeId>,
}

impl AttributeNames {
    /// Names where `azs[i]` is `AzId(i)` and `instance_types[i]` is `InstanceTypeId(i)`.
    pub fn new(azs: Vec<String>, instance_types: Vec<String>) -> AttributeNames {
        let az_by_name = azs
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), AzId::from_index(i)))
            .collect();
        let type_by_name = instance_types
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), InstanceTypeId::from_index(i)))
            .collect();
        AttributeNames {
            azs,
            instance_types,
            az_by_name,
            type_by_name,
        }
    }

    /// The id of the AZ called `name`, if the scenario has one.
    pub fn az_id(&self, name: &str) -> Option<AzId> {
        self.az_by_name.get(name).copied()
    }

    /// The id of the instance type called `name`, if the scenario has one.
    pub fn instance_type_id(&self, name: &str) -> Option<InstanceTypeId> {
        self.type_by_name.get(name).copied()
    }

    /// The name of `az`.
    ///
    /// # Panics
    /// If `az` was not issued from this table.
    pub fn az_name(&self, az: AzId) -> &str {
        &self.azs[az.index()]
    }

    /// The name of `instance_type`.
    ///
    /// # Panics
    /// If `instance_type` was not issued from this table.
    pub fn instance_type_name(&self, instance_type: InstanceTypeId) -> &str {
        &self.instance_types[instance_type.index()]
    }

    /// The string attributes of `inst`, for evaluating an uncompiled expression.
    pub fn attributes_of(&self, inst: &ContainerInstance) -> InstanceAttributes<'_> {
        InstanceAttributes {
            availability_zone: self.az_name(inst.az),
            instance_type: self.instance_type_name(inst.instance_type),
            cpu_architecture: inst.arch,
            os: inst.os,
        }
    }

    /// The typed code of the attribute value `value`, or `None` if nothing has that value.
    pub fn value_code(&self, attribute: Attribute, value: &str) -> Option<u16> {
        match attribute {
            Attribute::AvailabilityZone => self.az_id(value).map(|a| u16::from(a.0)),
            Attribute::InstanceType => self.instance_type_id(value).map(|t| t.0),
            Attribute::CpuArchitecture => [CpuArchitecture::X86_64, CpuArchitecture::Arm64]
                .into_iter()
                .find(|a| a.attribute_value() == value)
                .map(arch_code),
            Attribute::OsType => match value {
                "linux" => Some(0),
                "windows" => Some(1),
                _ => None,
            },
            Attribute::OsFamily => OsFamily::parse(value).map(os_family_code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_parse_round_trips_and_rejects_unmodelled() {
        for a in Attribute::ALL {
            assert_eq!(Attribute::parse(a.subject()), Some(a));
        }
        assert_eq!(Attribute::parse("attribute:ecs.ami-id"), None);
        assert_eq!(Attribute::parse("ecs.availability-zone"), None);
    }

    #[test]
    fn names_resolve_both_ways() {
        let n = AttributeNames::new(
            vec!["us-east-1a".into(), "us-east-1b".into()],
            vec!["m5.large".into()],
        );
        assert_eq!(n.az_id("us-east-1b"), Some(AzId(1)));
        assert_eq!(n.az_name(AzId(0)), "us-east-1a");
        assert_eq!(n.instance_type_id("m5.large"), Some(InstanceTypeId(0)));
        assert_eq!(n.instance_type_id("m5.xlarge"), None);
        assert_eq!(n.value_code(Attribute::CpuArchitecture, "arm64"), Some(1));
        assert_eq!(n.value_code(Attribute::CpuArchitecture, "ARM64"), None);
        assert_eq!(n.value_code(Attribute::OsType, "windows"), Some(1));
        assert_eq!(n.value_code(Attribute::OsType, "Windows"), None);
        assert_eq!(
            n.value_code(Attribute::OsFamily, "WINDOWS_SERVER_2022_CORE"),
            Some(os_family_code(OsFamily::WindowsServer2022Core))
        );
        assert_eq!(n.value_code(Attribute::OsFamily, "LINUX"), Some(0));
    }
}
