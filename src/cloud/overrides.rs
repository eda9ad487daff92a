//! The scenario's catalog overrides: serde types that mirror the JSON exactly.
//!
//! Owns the `catalog` part of the scenario format (new instance types, re-priced types,
//! Fargate rates) and reading it from a standalone JSON file.
//! It deliberately does not validate values: [`Catalog::apply`](crate::cloud::Catalog::apply)
//! does, and reports every problem with its JSON path.
//! [`load_overrides`] is the one function in `cloud` that touches the filesystem; the
//! conventions keep I/O in the binary, so the integrator may prefer [`parse_overrides`] there.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::units::CpuArchitecture;

/// Changes to the embedded catalog.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CatalogOverrides {
    /// Types to add (a name not in the catalog) or re-price (a name in it).
    #[serde(default)]
    pub instance_types: Vec<InstanceTypeOverride>,
    /// Fargate prices to replace.
    #[serde(default)]
    pub fargate: Option<FargatePricingOverride>,
}

/// One instance type to add or re-price, by name.
///
/// A new type must give `vcpu`, `memoryMib`, `arch` and `onDemandUsdPerHour`; an existing
/// one may change only `onDemandUsdPerHour`, `windowsOnDemandUsdPerHour`, `maxEnis`,
/// `awsvpcTrunkTaskLimit` and `registeredMemoryMib`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstanceTypeOverride {
    /// EC2 API name, e.g. `m5.large`.
    pub name: String,
    /// CPU architecture.
    #[serde(default)]
    pub arch: Option<ArchitectureName>,
    /// vCPUs.
    #[serde(default)]
    pub vcpu: Option<u32>,
    /// Nominal memory, MiB.
    #[serde(default)]
    pub memory_mib: Option<u32>,
    /// Linux On-Demand price, USD per hour.
    #[serde(default)]
    pub on_demand_usd_per_hour: Option<f64>,
    /// Maximum network interfaces, the primary included.
    #[serde(default)]
    pub max_enis: Option<u32>,
    /// `awsvpc` tasks an instance of this type holds with the `awsvpcTrunking` account
    /// setting on (ECS's "task limit with ENI trunking"), for a type ECS's table in the
    /// catalog lacks.
    #[serde(default)]
    pub awsvpc_trunk_task_limit: Option<u32>,
    /// Windows (licence included) On-Demand price, USD per hour.
    #[serde(default)]
    pub windows_on_demand_usd_per_hour: Option<f64>,
    /// Memory an instance of this type registers with ECS (`ECS_RESERVED_MEMORY` not yet
    /// taken off), MiB, when it is known (`aws ecs describe-container-instances`, its
    /// `registeredResources` MEMORY); replaces the estimate from the hypervisor's overhead.
    #[serde(default)]
    pub registered_memory_mib: Option<u32>,
}

/// An architecture as the JSON spells it: `x86_64`/`arm64` (the `ecs.cpu-architecture`
/// attribute values) or `X86_64`/`ARM64` (as `runtimePlatform` spells them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum ArchitectureName {
    /// 64-bit x86.
    #[serde(rename = "x86_64", alias = "X86_64")]
    X86_64,
    /// 64-bit ARM (Graviton).
    #[serde(rename = "arm64", alias = "ARM64")]
    Arm64,
}

impl From<ArchitectureName> for CpuArchitecture {
    fn from(a: ArchitectureName) -> CpuArchitecture {
        match a {
            ArchitectureName::X86_64 => CpuArchitecture::X86_64,
            ArchitectureName::Arm64 => CpuArchitecture::Arm64,
        }
    }
}

/// Fargate prices to replace; absent fields keep the catalog's value.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FargatePricingOverride {
    /// Linux/x86 rates.
    #[serde(default)]
    pub x86: Option<FargateRateOverride>,
    /// Linux/ARM rates.
    #[serde(default)]
    pub arm: Option<FargateRateOverride>,
    /// Fargate Spot Linux/x86 rates (replacing the published Spot table's).
    #[serde(default)]
    pub spot: Option<FargateRateOverride>,
    /// Fargate Spot Linux/ARM rates.
    #[serde(default)]
    pub spot_arm: Option<FargateRateOverride>,
    /// Fargate Spot price as a fraction of On-Demand, in (0, 1], for both dimensions and
    /// architectures: replaces the Spot rates.
    #[serde(default)]
    pub spot_price_factor: Option<f64>,
    /// Windows/x86 On-Demand rates, without the licence fee.
    #[serde(default)]
    pub windows: Option<FargateRateOverride>,
    /// The Windows OS licence fee, USD per vCPU-second.
    #[serde(default)]
    pub windows_usd_per_licence_vcpu_second: Option<f64>,
    /// USD per GB-second of ephemeral storage above the included 20 GiB.
    #[serde(default)]
    pub usd_per_extra_ephemeral_gb_second: Option<f64>,
}

/// One architecture's Fargate rates to replace.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FargateRateOverride {
    /// USD per vCPU-second.
    #[serde(default)]
    pub usd_per_vcpu_second: Option<f64>,
    /// USD per GB-second.
    #[serde(default)]
    pub usd_per_gb_second: Option<f64>,
}

/// Why catalog overrides could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OverridesError {
    /// The file could not be read.
    #[error("cannot read catalog overrides from {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The text is not valid overrides JSON.
    #[error(
        "invalid catalog overrides in {} at line {line}, column {column}: {message}",
        path.display()
    )]
    Parse {
        /// The file (or the name the caller gave the text).
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// serde's description, e.g. an unknown field and the expected ones.
        message: String,
    },
}

/// Parses overrides from JSON text; `origin` names the text in errors.
pub fn parse_overrides(json: &str, origin: &Path) -> Result<CatalogOverrides, OverridesError> {
    // A catalogFile saved by a Windows tool starts with a UTF-8 byte order mark, which
    // carries no data and which serde_json rejects.
    let json = json.strip_prefix('\u{FEFF}').unwrap_or(json);
    serde_json::from_str(json).map_err(|e| OverridesError::Parse {
        path: origin.to_path_buf(),
        line: e.line(),
        column: e.column(),
        // In JSON terms ("a whole number", not "u32"), like the scenario's own messages.
        message: crate::scenario::words::plain(&strip_position(&e.to_string())),
    })
}

/// Reads and parses an overrides JSON file.
pub fn load_overrides(path: &Path) -> Result<CatalogOverrides, OverridesError> {
    let text = std::fs::read_to_string(path).map_err(|source| OverridesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_overrides(&text, path)
}

/// serde_json appends " at line L column C" to its messages; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn parses_camel_case() {
        let json = r#"{
            "instanceTypes": [
                {"name": "m5.large", "onDemandUsdPerHour": 0.05},
                {"name": "x1.big", "arch": "ARM64", "vcpu": 4, "memoryMib": 8192,
                 "onDemandUsdPerHour": 0.2, "maxEnis": 4}
            ],
            "fargate": {"spotPriceFactor": 0.3, "x86": {"usdPerGbSecond": 0.000001}}
        }"#;
        let o = parse_overrides(json, Path::new("inline")).expect("valid overrides");
        assert_eq!(o.instance_types.len(), 2);
        assert_eq!(o.instance_types[1].arch, Some(ArchitectureName::Arm64));
        assert_eq!(o.instance_types[1].memory_mib, Some(8192));
        let f = o.fargate.expect("fargate given");
        assert_eq!(f.spot_price_factor, Some(0.3));
        assert_eq!(f.x86.and_then(|r| r.usd_per_gb_second), Some(0.000001));
    }

    #[test]
    fn load_names_file_line_and_column() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        // The unknown field `cpu` starts on line 3.
        write!(
            file,
            "{{\n  \"instanceTypes\": [\n    {{\"name\": \"a\", \"cpu\": 2}}\n  ]\n}}\n"
        )
        .expect("write temp file");
        let err = load_overrides(file.path()).expect_err("unknown field");
        match &err {
            OverridesError::Parse { line, message, .. } => {
                assert_eq!(*line, 3);
                assert!(message.contains("unknown field `cpu`"), "{message}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
        let shown = err.to_string();
        assert!(
            shown.contains(&file.path().display().to_string()),
            "{shown}"
        );
        assert!(shown.contains("line 3, column"), "{shown}");
    }

    #[test]
    fn load_reports_a_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent.json");
        let err = load_overrides(&path).expect_err("no such file");
        assert!(matches!(err, OverridesError::Read { .. }));
        assert!(err
            .to_string()
            .starts_with("cannot read catalog overrides from "));
    }
}
