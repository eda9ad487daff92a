//! The scenario file exactly as JSON has it: serde types, nothing resolved, nothing defaulted.
//!
//! Field names follow the ECS and Auto Scaling APIs wherever AWS has the concept
//! (`taskDefinitions[].cpu`, `services[].desiredCount`, `capacityProviderStrategy`, …), so a
//! user can paste what they already have.
//! Every struct denies unknown fields: a typo must be an error, not a silent default.
//! Array elements are read leniently ([`Lenient`]), so one bad service does not hide the
//! problems of the next: the validator reports them all.

use serde::{Deserialize, Deserializer};

use super::duration::Duration;

/// A value that failed to deserialise keeps its error (with the path inside the element),
/// so the validator can report it and go on with the other elements.
#[derive(Debug)]
pub struct Lenient<T>(pub Result<T, Rejected>);

/// An element that did not deserialise: why, and the JSON as written, so the validator can
/// still read the name it defines and stay silent about references to it (the element's
/// own problem is the one to fix).
#[derive(Debug)]
pub struct Rejected {
    /// `path: message` inside the element (or just the message), in the scenario's words.
    pub message: String,
    /// The element as written.
    pub value: serde_json::Value,
}

impl<T> Lenient<T> {
    /// The string at `key` of an element that did not deserialise (its name, typically).
    pub fn rejected_name(&self, key: &str) -> Option<&str> {
        match &self.0 {
            Ok(_) => None,
            Err(r) => r.value.get(key).and_then(serde_json::Value::as_str),
        }
    }
}

/// serde_path_to_error's error as `path: message` in the scenario's words (just the
/// message when the path is the value itself).
pub(crate) fn path_message<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> String {
    let path = e.path().to_string();
    let inner = super::words::plain(&e.into_inner().to_string());
    if path == "." {
        inner
    } else {
        format!("{path}: {inner}")
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        // Deserialising from a borrowed value keeps `value` for the rejection.
        Ok(Lenient(
            serde_path_to_error::deserialize::<_, T>(&value).map_err(|e| Rejected {
                message: path_message(e),
                value: value.clone(),
            }),
        ))
    }
}

/// The whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioFile {
    /// Scenario name; the default output folder is `results/<name>/`.
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: Option<String>,
    /// Root seed of every random stream (`--seed` overrides it).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Simulated time span.
    pub duration: Duration,
    /// The cluster.
    pub cluster: Lenient<ClusterFile>,
    /// Capacity providers (ASG-backed ones; FARGATE and FARGATE_SPOT exist implicitly).
    #[serde(default)]
    pub capacity_providers: Vec<Lenient<CapacityProviderFile>>,
    /// EC2 Auto Scaling groups.
    #[serde(default)]
    pub auto_scaling_groups: Vec<Lenient<AutoScalingGroupFile>>,
    /// `externalInstances` (ecsim's own): groups of ECS Anywhere external instances
    /// (on-premises servers or VMs registered to the cluster).
    #[serde(default)]
    pub external_instances: Vec<Lenient<ExternalInstanceGroupFile>>,
    /// Task definitions.
    #[serde(default)]
    pub task_definitions: Vec<Lenient<TaskDefinitionFile>>,
    /// Long-running services.
    #[serde(default)]
    pub services: Vec<Lenient<ServiceFile>>,
    /// Batch workloads: streams of RunTask submissions.
    #[serde(default)]
    pub workloads: Vec<Lenient<WorkloadFile>>,
    /// Catalog overrides given inline (prices, new instance types).
    #[serde(default)]
    pub catalog: Option<Lenient<crate::cloud::CatalogOverrides>>,
    /// Catalog overrides read from a JSON file (relative to the scenario file).
    #[serde(default)]
    pub catalog_file: Option<String>,
    /// `region` (ecsim's own): the AWS Region whose prices and instance types apply
    /// (default `us-east-1`).
    #[serde(default)]
    pub region: Option<String>,
    /// `catalogDir` (ecsim's own): a folder of catalog tables written by `ecsim catalog`
    /// (relative to the scenario file), used instead of the embedded tables.
    #[serde(default)]
    pub catalog_dir: Option<String>,
    /// Model settings and AWS defaults to override.
    #[serde(default)]
    pub settings: Option<Lenient<SettingsFile>>,
    /// `faults` (ecsim's own): failures to inject.
    #[serde(default)]
    pub faults: Option<Lenient<FaultsFile>>,
    /// `commitments` (ecsim's own): Savings Plans and Reserved Instances applied to the
    /// usage after the run.
    #[serde(default)]
    pub commitments: Vec<Lenient<CommitmentFile>>,
    /// Named variants of this scenario for `ecsim compare`: read and applied by
    /// [`super::variants`], ignored by the validator of the base.
    #[serde(default)]
    pub variants: Option<serde::de::IgnoredAny>,
}

/// `cluster`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterFile {
    /// `clusterName`.
    pub cluster_name: String,
    /// The Availability Zones of the cluster's subnets (ecsim-specific: ECS takes them from
    /// the VPC). Fargate tasks and ASGs use these.
    pub availability_zones: Vec<String>,
    /// Capacity providers associated with the cluster (`capacityProviders`); may name
    /// `FARGATE` and `FARGATE_SPOT`.
    #[serde(default)]
    pub capacity_providers: Vec<String>,
    /// `defaultCapacityProviderStrategy`.
    #[serde(default)]
    pub default_capacity_provider_strategy: Vec<StrategyItemFile>,
}

/// One `capacityProviderStrategy` item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StrategyItemFile {
    /// `capacityProvider`.
    pub capacity_provider: String,
    /// `base` (default 0).
    #[serde(default)]
    pub base: Option<i64>,
    /// `weight` (default 0 via the API, as AWS).
    #[serde(default)]
    pub weight: Option<i64>,
}

/// One capacity provider: ecsim's fields, or a `capacityProviders[]` element of
/// `aws ecs describe-capacity-providers` as printed ([`CAPACITY_PROVIDER_AWS_ONLY`] set aside).
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct CapacityProviderFile {
    /// `name`.
    pub name: String,
    /// `autoScalingGroupProvider` (exactly one of it and `managedInstancesProvider`).
    #[serde(default)]
    pub auto_scaling_group_provider: Option<AutoScalingGroupProviderFile>,
    /// `managedInstancesProvider`: Amazon ECS Managed Instances.
    #[serde(default)]
    pub managed_instances_provider: Option<ManagedInstancesProviderFile>,
    /// `managementFee` (ecsim's own, with `managedInstancesProvider`): the Managed Instances
    /// management fee, which ecsim has no table of.
    #[serde(default)]
    pub management_fee: Option<ManagementFeeFile>,
    /// `optimizationModel` (ecsim's own, with `managedInstancesProvider`): the modelling
    /// constants of the infrastructure optimization and the provider's size cap.
    #[serde(default)]
    pub optimization_model: Option<OptimizationModelFile>,
    /// The AWS-only fields present, set aside unread (listed once by `validate`).
    #[serde(skip)]
    pub aws_ignored: Vec<String>,
    /// Of those, the ones in [`NOT_MODELLED`] that hold a value (not `[]`, `{}` or `null`).
    #[serde(skip)]
    pub aws_not_modelled: Vec<String>,
}

/// `autoScalingGroupProvider`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoScalingGroupProviderFile {
    /// `autoScalingGroupArn`: here, the `autoScalingGroupName` of one of `autoScalingGroups`
    /// (an ARN ending in `/<name>` is accepted too).
    pub auto_scaling_group_arn: String,
    /// `managedTerminationProtection`: `ENABLED` or `DISABLED` (AWS default DISABLED).
    #[serde(default)]
    pub managed_termination_protection: Option<String>,
    /// `managedDraining`: `ENABLED` or `DISABLED` (AWS default ENABLED).
    #[serde(default)]
    pub managed_draining: Option<String>,
    /// `managedScaling`.
    #[serde(default)]
    pub managed_scaling: Option<ManagedScalingFile>,
}

/// `ManagedInstancesProvider` of the ECS API (CreateCapacityProvider).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedInstancesProviderFile {
    /// `infrastructureRoleArn`: read and ignored (IAM is not modelled).
    #[serde(default)]
    pub infrastructure_role_arn: Option<String>,
    /// `propagateTags`: read and ignored.
    #[serde(default)]
    pub propagate_tags: Option<String>,
    /// `instanceLaunchTemplate`.
    pub instance_launch_template: InstanceLaunchTemplateFile,
    /// `infrastructureOptimization`.
    #[serde(default)]
    pub infrastructure_optimization: Option<InfrastructureOptimizationFile>,
    /// `autoRepairConfiguration`: read and ignored.
    #[serde(default)]
    pub auto_repair_configuration: Option<serde::de::IgnoredAny>,
}

/// `InstanceLaunchTemplate` of the ECS API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstanceLaunchTemplateFile {
    /// `ec2InstanceProfileArn`: read and ignored.
    #[serde(default)]
    pub ec2_instance_profile_arn: Option<String>,
    /// `networkConfiguration`: read and ignored (subnets are the cluster's zones).
    #[serde(default)]
    pub network_configuration: Option<serde::de::IgnoredAny>,
    /// `storageConfiguration`: read and ignored.
    #[serde(default)]
    pub storage_configuration: Option<serde::de::IgnoredAny>,
    /// `monitoring`: read and ignored.
    #[serde(default)]
    pub monitoring: Option<String>,
    /// `fipsEnabled`: read and ignored.
    #[serde(default)]
    pub fips_enabled: Option<bool>,
    /// `capacityOptionType`: `ON_DEMAND` (the default; `SPOT` is not modelled).
    #[serde(default)]
    pub capacity_option_type: Option<String>,
    /// `instanceRequirements`.
    pub instance_requirements: InstanceRequirementsFile,
}

/// A `{min, max}` range of the EC2 `InstanceRequirements`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RangeFile {
    /// `min`.
    #[serde(default)]
    pub min: Option<f64>,
    /// `max`.
    #[serde(default)]
    pub max: Option<f64>,
}

/// `InstanceRequirementsRequest` (the fields that decide which catalog types qualify).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstanceRequirementsFile {
    /// `vCpuCount` (required by AWS: `min`).
    pub v_cpu_count: RangeFile,
    /// `memoryMiB` (required by AWS: `min`).
    #[serde(rename = "memoryMiB")]
    pub memory_mib: RangeFile,
    /// `memoryGiBPerVCpu`.
    #[serde(default, rename = "memoryGiBPerVCpu")]
    pub memory_gib_per_v_cpu: Option<RangeFile>,
    /// `acceleratorCount`.
    #[serde(default)]
    pub accelerator_count: Option<RangeFile>,
    /// `cpuManufacturers`.
    #[serde(default)]
    pub cpu_manufacturers: Vec<String>,
    /// `instanceGenerations`.
    #[serde(default)]
    pub instance_generations: Vec<String>,
    /// `allowedInstanceTypes`.
    #[serde(default)]
    pub allowed_instance_types: Vec<String>,
    /// `excludedInstanceTypes`.
    #[serde(default)]
    pub excluded_instance_types: Vec<String>,
    /// `bareMetal`.
    #[serde(default)]
    pub bare_metal: Option<String>,
    /// `burstablePerformance`.
    #[serde(default)]
    pub burstable_performance: Option<String>,
}

/// `InfrastructureOptimization` of the ECS API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InfrastructureOptimizationFile {
    /// `scaleInAfter`, seconds: −1 disables, 0–3600, absent for the default.
    #[serde(default)]
    pub scale_in_after: Option<i64>,
}

/// `optimizationModel` (ecsim's own): what AWS does not publish about Managed Instances.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OptimizationModelFile {
    /// How often idle and under-used instances are looked for (default 5 minutes).
    #[serde(default)]
    pub period: Option<Duration>,
    /// Under-used: less than this percentage of both CPU and memory reserved (default 50).
    #[serde(default)]
    pub underutilized_reserved_percent: Option<f64>,
    /// Most instances the provider runs at once (default 5,000).
    #[serde(default)]
    pub max_instances: Option<i64>,
}

/// `managementFee` (ecsim's own): exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagementFeeFile {
    /// A fraction of each type's On-Demand price.
    #[serde(default)]
    pub fraction_of_on_demand: Option<f64>,
    /// USD per hour by instance type name.
    #[serde(default)]
    pub usd_per_hour: Option<std::collections::BTreeMap<String, f64>>,
}

/// `ManagedScaling` of the ECS API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedScalingFile {
    /// `status`.
    #[serde(default)]
    pub status: Option<String>,
    /// `targetCapacity`.
    #[serde(default)]
    pub target_capacity: Option<i64>,
    /// `minimumScalingStepSize`.
    #[serde(default)]
    pub minimum_scaling_step_size: Option<i64>,
    /// `maximumScalingStepSize`.
    #[serde(default)]
    pub maximum_scaling_step_size: Option<i64>,
    /// `instanceWarmupPeriod`.
    #[serde(default)]
    pub instance_warmup_period: Option<Duration>,
}

/// One EC2 Auto Scaling group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoScalingGroupFile {
    /// `autoScalingGroupName`.
    pub auto_scaling_group_name: String,
    /// Instance types (the first is launched; several model a mixed-instances override list).
    pub instance_types: Vec<String>,
    /// AZs (default: all of the cluster's).
    #[serde(default)]
    pub availability_zones: Option<Vec<String>>,
    /// `minSize`.
    pub min_size: i64,
    /// `maxSize`.
    pub max_size: i64,
    /// `desiredCapacity` (default `minSize`).
    #[serde(default)]
    pub desired_capacity: Option<i64>,
    /// `on-demand` (default) or `spot`.
    #[serde(default)]
    pub purchase_option: Option<String>,
    /// Spot price as a fraction of on-demand (default in `cloud`).
    #[serde(default)]
    pub spot_price_factor: Option<f64>,
    /// `osFamily` (ecsim's): the operating system of the group's AMI, as its instances
    /// register it in `ecs.os-family` — `LINUX` (default) for the ECS-optimized Amazon Linux
    /// AMIs, `WINDOWS_SERVER_2022_FULL` for the ECS-optimized Windows Server 2022 Full AMI,
    /// and so on. EC2 has no such field on a group: it follows from the launch template's AMI.
    #[serde(default)]
    pub os_family: Option<String>,
}

/// One `externalInstances[]` group: `count` identical external instances (ECS Anywhere),
/// registered for the whole run. ECS has no Auto Scaling group nor Availability Zone for them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExternalInstanceGroupFile {
    /// The group's name (reports and events use it).
    pub name: String,
    /// How many instances the group registers.
    pub count: i64,
    /// vCPUs of each machine (the agent registers 1,024 CPU units per vCPU).
    pub vcpu: i64,
    /// Memory the machine's OS reports, MiB (the agent registers it less `ECS_RESERVED_MEMORY`).
    pub memory_mib: i64,
    /// `X86_64` (default) or `ARM64`.
    #[serde(default)]
    pub cpu_architecture: Option<String>,
    /// `ECS_RESERVED_MEMORY` on these machines, MiB (default: `settings.reservedMemoryMib`).
    #[serde(default)]
    pub ecs_reserved_memory_mib: Option<i64>,
    /// The owner's cost of one machine, USD per hour (default 0: only the Anywhere fee).
    #[serde(default)]
    pub machine_usd_per_hour: Option<f64>,
    /// The ECS Anywhere fee per instance-hour (default
    /// [`ECS_ANYWHERE_USD_PER_INSTANCE_HOUR`](crate::defaults::ECS_ANYWHERE_USD_PER_INSTANCE_HOUR)).
    #[serde(default)]
    pub anywhere_usd_per_instance_hour: Option<f64>,
}

/// A task definition (the fields capacity depends on): ecsim's fields, or the
/// `taskDefinition` object of `aws ecs describe-task-definition` as printed
/// ([`TASK_DEFINITION_AWS_ONLY`] set aside).
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct TaskDefinitionFile {
    /// `family`.
    pub family: String,
    /// Task-level `cpu`: `"512"`, `512`, or `"0.5 vCPU"`.
    #[serde(default)]
    pub cpu: Option<serde_json::Value>,
    /// Task-level `memory`: `"1024"`, `1024`, or `"1 GB"`.
    #[serde(default)]
    pub memory: Option<serde_json::Value>,
    /// `runtimePlatform`.
    #[serde(default)]
    pub runtime_platform: Option<RuntimePlatformFile>,
    /// `requiresCompatibilities` (`EC2`, `FARGATE`, `EXTERNAL`).
    #[serde(default)]
    pub requires_compatibilities: Option<Vec<String>>,
    /// `networkMode`: `awsvpc` (one ENI per task on EC2), `bridge` (the EC2 default), `host`,
    /// `none`, or Windows' `default`.
    #[serde(default)]
    pub network_mode: Option<String>,
    /// `containerDefinitions`: only `cpu`, `memory` and `memoryReservation` (to size a task
    /// that has no task-level values), `resourceRequirements` (GPUs) and
    /// `linuxParameters.devices` (Neuron devices) are read; every other key is ignored.
    #[serde(default)]
    pub container_definitions: Option<Vec<serde_json::Value>>,
    /// `placementConstraints`: `memberOf` only, as AWS allows in a task definition.
    #[serde(default)]
    pub placement_constraints: Option<Vec<PlacementConstraintFile>>,
    /// `ecsim` (ecsim's own): modelling knobs of this task definition.
    #[serde(default)]
    pub ecsim: Option<TaskDefinitionEcsimFile>,
    /// `ephemeralStorage`: Fargate task storage (`sizeInGiB`, 21–200).
    #[serde(default)]
    pub ephemeral_storage: Option<EphemeralStorageFile>,
    /// The AWS-only fields present, set aside unread (listed once by `validate`).
    #[serde(skip)]
    pub aws_ignored: Vec<String>,
    /// Of those, the ones in [`NOT_MODELLED`] that hold a value (not `[]`, `{}` or `null`).
    #[serde(skip)]
    pub aws_not_modelled: Vec<String>,
}

/// A task definition's `ecsim` object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaskDefinitionEcsimFile {
    /// `startFailureProbability`: chance that a task of this definition fails before RUNNING
    /// (a bad image, a crash at start), to exercise the deployment circuit breaker.
    #[serde(default)]
    pub start_failure_probability: Option<f64>,
}

/// `ephemeralStorage`, as AWS spells it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EphemeralStorageFile {
    /// `sizeInGiB`: the task's total ephemeral storage, GiB.
    #[serde(rename = "sizeInGiB")]
    pub size_in_gib: u32,
}

/// `runtimePlatform`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuntimePlatformFile {
    /// `cpuArchitecture`: `X86_64` or `ARM64`.
    #[serde(default)]
    pub cpu_architecture: Option<String>,
    /// `operatingSystemFamily`: `LINUX` (default) or a Windows Server family.
    #[serde(default)]
    pub operating_system_family: Option<String>,
}

/// One `placementStrategy` item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlacementStrategyFile {
    /// `binpack`, `spread` or `random`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cpu`/`memory` for binpack; `instanceId`/`host`/`attribute:…` for spread.
    #[serde(default)]
    pub field: Option<String>,
}

/// One `placementConstraints` item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlacementConstraintFile {
    /// `distinctInstance` or `memberOf`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Cluster query language expression for `memberOf`.
    #[serde(default)]
    pub expression: Option<String>,
}

/// A service: ecsim's fields, or a `services[]` element of `aws ecs describe-services` as
/// printed ([`SERVICE_AWS_ONLY`] set aside).
#[derive(Debug, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceFile {
    /// `serviceName`.
    pub service_name: String,
    /// `taskDefinition`: a family from `taskDefinitions` (`family:revision` accepted).
    pub task_definition: String,
    /// `desiredCount`: required for a REPLICA service; a DAEMON service's is derived by ECS
    /// (one per qualifying instance), so one given there (describe-services prints it) is
    /// not read.
    #[serde(default)]
    pub desired_count: Option<i64>,
    /// `launchType`: `EC2`, `FARGATE` or `EXTERNAL`.
    #[serde(default)]
    pub launch_type: Option<String>,
    /// `capacityProviderStrategy`.
    #[serde(default)]
    pub capacity_provider_strategy: Option<Vec<StrategyItemFile>>,
    /// `placementStrategy`.
    #[serde(default)]
    pub placement_strategy: Option<Vec<PlacementStrategyFile>>,
    /// `placementConstraints`.
    #[serde(default)]
    pub placement_constraints: Option<Vec<PlacementConstraintFile>>,
    /// `schedulingStrategy`: `REPLICA` (the default) or `DAEMON`.
    #[serde(default)]
    pub scheduling_strategy: Option<String>,
    /// `load`.
    #[serde(default)]
    pub load: Option<LoadFile>,
    /// `autoScaling`.
    #[serde(default)]
    pub auto_scaling: Option<AutoScalingFile>,
    /// `deploymentConfiguration`.
    #[serde(default)]
    pub deployment_configuration: Option<DeploymentConfigurationFile>,
    /// `deploymentController`.
    #[serde(default)]
    pub deployment_controller: Option<DeploymentControllerFile>,
    /// `healthCheckGracePeriodSeconds`.
    #[serde(default)]
    pub health_check_grace_period_seconds: Option<i64>,
    /// `loadBalancers`: only whether there is one (its health check decides when a new task
    /// counts as healthy in a deployment).
    #[serde(default)]
    pub load_balancers: Option<Vec<serde_json::Value>>,
    /// `codeDeploy` (ecsim's own): the CodeDeploy deployment group's settings for a
    /// `CODE_DEPLOY` service.
    #[serde(default)]
    pub code_deploy: Option<CodeDeployFile>,
    /// `deploymentSchedule` (ecsim's own): when the service deploys.
    #[serde(default)]
    pub deployment_schedule: Option<Vec<Lenient<DeploymentScheduleFile>>>,
    /// `availabilityZoneRebalancing`: `ENABLED` or `DISABLED`; absent, ENABLED when the
    /// service is eligible (AWS's default for new services since September 2025).
    #[serde(default)]
    pub availability_zone_rebalancing: Option<String>,
    /// The AWS-only fields present, set aside unread (listed once by `validate`).
    #[serde(skip)]
    pub aws_ignored: Vec<String>,
    /// Of those, the ones in [`NOT_MODELLED`] that hold a value (not `[]`, `{}` or `null`).
    #[serde(skip)]
    pub aws_not_modelled: Vec<String>,
}

/// `deploymentConfiguration`, with AWS's field names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeploymentConfigurationFile {
    /// `minimumHealthyPercent`.
    #[serde(default)]
    pub minimum_healthy_percent: Option<i64>,
    /// `maximumPercent`.
    #[serde(default)]
    pub maximum_percent: Option<i64>,
    /// `deploymentCircuitBreaker`.
    #[serde(default)]
    pub deployment_circuit_breaker: Option<CircuitBreakerFile>,
    /// `strategy`: `ROLLING` or `BLUE_GREEN`.
    #[serde(default)]
    pub strategy: Option<String>,
    /// `bakeTimeInMinutes` (BLUE_GREEN).
    #[serde(default)]
    pub bake_time_in_minutes: Option<i64>,
    /// `alarms`: accepted (pasted services carry it); CloudWatch alarm rollback is not modelled.
    #[serde(default)]
    pub alarms: Option<serde_json::Value>,
    /// `lifecycleHooks`: accepted; hooks take no time in the model.
    #[serde(default)]
    pub lifecycle_hooks: Option<serde_json::Value>,
    /// `canaryConfiguration`: read only to say the CANARY strategy is not modelled.
    #[serde(default)]
    pub canary_configuration: Option<serde_json::Value>,
    /// `linearConfiguration`: read only to say the LINEAR strategy is not modelled.
    #[serde(default)]
    pub linear_configuration: Option<serde_json::Value>,
}

/// `deploymentCircuitBreaker`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CircuitBreakerFile {
    /// `enable`.
    pub enable: bool,
    /// `rollback`.
    pub rollback: bool,
}

/// `deploymentController`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeploymentControllerFile {
    /// `type`: `ECS` or `CODE_DEPLOY`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `codeDeploy` (ecsim's own, with CodeDeploy's field names).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CodeDeployFile {
    /// `deploymentConfigName`, e.g. `CodeDeployDefault.ECSCanary10Percent5Minutes`.
    #[serde(default)]
    pub deployment_config_name: Option<String>,
    /// `terminationWaitTimeInMinutes`.
    #[serde(default)]
    pub termination_wait_time_in_minutes: Option<i64>,
}

/// One `deploymentSchedule` entry: at a time, or on a schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeploymentScheduleFile {
    /// `at`: time after the start.
    #[serde(default)]
    pub at: Option<Duration>,
    /// `schedule`: `rate(…)`, `cron(…)` or `at(…)`, as scheduled actions.
    #[serde(default)]
    pub schedule: Option<String>,
    /// `taskDefinition`: the task definition to deploy; absent = the current one (a new
    /// revision of the same size, or a forced new deployment).
    #[serde(default)]
    pub task_definition: Option<String>,
}

/// The request load on a service (ecsim's own).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadFile {
    /// `trace`.
    #[serde(default)]
    pub trace: Option<RateTraceFile>,
    /// `points`.
    #[serde(default)]
    pub points: Option<Vec<RatePointFile>>,
    /// `repeatEvery`.
    #[serde(default)]
    pub repeat_every: Option<Duration>,
    /// `requestsPerTaskPerSecond`.
    pub requests_per_task_per_second: f64,
    /// `baselineCpuPercent`.
    #[serde(default)]
    pub baseline_cpu_percent: Option<f64>,
    /// `baselineMemoryPercent`.
    #[serde(default)]
    pub baseline_memory_percent: Option<f64>,
    /// `memoryPercentAtCapacity`.
    #[serde(default)]
    pub memory_percent_at_capacity: Option<f64>,
}

/// The JSON object read into `RateTraceFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateTraceFile {
    /// `format`.
    pub format: String,
    /// `path`.
    pub path: String,
    /// `scale`.
    #[serde(default)]
    pub scale: Option<f64>,
    /// `shift`.
    #[serde(default)]
    pub shift: Option<Duration>,
    /// `windowStart`.
    #[serde(default)]
    pub window_start: Option<serde_json::Value>,
    /// `windowEnd`.
    #[serde(default)]
    pub window_end: Option<serde_json::Value>,
    /// `repeat`.
    #[serde(default)]
    pub repeat: Option<bool>,
    /// `bucket`.
    #[serde(default)]
    pub bucket: Option<Duration>,
}

/// The JSON object read into `RatePointFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RatePointFile {
    /// `at`.
    pub at: Duration,
    /// `requestsPerSecond`.
    #[serde(default)]
    pub requests_per_second: Option<f64>,
    /// `requestsPerMinute`.
    #[serde(default)]
    pub requests_per_minute: Option<f64>,
}

/// Application Auto Scaling for the service: `RegisterScalableTarget` + `PutScalingPolicy` +
/// `PutScheduledAction`, with the API's field names in camelCase.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AutoScalingFile {
    /// `minCapacity`.
    pub min_capacity: i64,
    /// `maxCapacity`.
    pub max_capacity: i64,
    /// `policies`.
    #[serde(default)]
    pub policies: Vec<Lenient<ScalingPolicyFile>>,
    /// `scheduledActions`.
    #[serde(default)]
    pub scheduled_actions: Vec<Lenient<ScheduledActionFile>>,
}

/// The JSON object read into `ScalingPolicyFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingPolicyFile {
    /// `policyName`.
    pub policy_name: String,
    /// `policyType`.
    pub policy_type: String,
    /// `targetTrackingScalingPolicyConfiguration`.
    #[serde(default)]
    pub target_tracking_scaling_policy_configuration: Option<TargetTrackingFile>,
    /// `stepScalingPolicyConfiguration`.
    #[serde(default)]
    pub step_scaling_policy_configuration: Option<StepScalingFile>,
    /// The CloudWatch alarm that invokes a step scaling policy.
    #[serde(default)]
    pub alarm: Option<AlarmFile>,
}

/// The JSON object read into `TargetTrackingFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TargetTrackingFile {
    /// `targetValue`.
    pub target_value: f64,
    /// `predefinedMetricSpecification`.
    pub predefined_metric_specification: PredefinedMetricFile,
    /// `scaleOutCooldown`.
    #[serde(default)]
    pub scale_out_cooldown: Option<Duration>,
    /// `scaleInCooldown`.
    #[serde(default)]
    pub scale_in_cooldown: Option<Duration>,
    /// `disableScaleIn`.
    #[serde(default)]
    pub disable_scale_in: Option<bool>,
}

/// The JSON object read into `PredefinedMetricFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PredefinedMetricFile {
    /// `predefinedMetricType`.
    pub predefined_metric_type: String,
    /// `resourceLabel`.
    #[serde(default)]
    pub resource_label: Option<String>,
}

/// The JSON object read into `StepScalingFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StepScalingFile {
    /// `adjustmentType`.
    pub adjustment_type: String,
    /// `stepAdjustments`.
    pub step_adjustments: Vec<StepAdjustmentFile>,
    /// `minAdjustmentMagnitude`.
    #[serde(default)]
    pub min_adjustment_magnitude: Option<i64>,
    /// `cooldown`.
    #[serde(default)]
    pub cooldown: Option<Duration>,
    /// `metricAggregationType`.
    #[serde(default)]
    pub metric_aggregation_type: Option<String>,
}

/// The JSON object read into `StepAdjustmentFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StepAdjustmentFile {
    /// `metricIntervalLowerBound`.
    #[serde(default)]
    pub metric_interval_lower_bound: Option<f64>,
    /// `metricIntervalUpperBound`.
    #[serde(default)]
    pub metric_interval_upper_bound: Option<f64>,
    /// `scalingAdjustment`.
    pub scaling_adjustment: i64,
}

/// The JSON object read into `AlarmFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlarmFile {
    /// `metricName`.
    pub metric_name: String,
    /// `threshold`.
    pub threshold: f64,
    /// `comparisonOperator`.
    pub comparison_operator: String,
    /// `evaluationPeriods`.
    #[serde(default)]
    pub evaluation_periods: Option<i64>,
    /// `datapointsToAlarm`.
    #[serde(default)]
    pub datapoints_to_alarm: Option<i64>,
}

/// The JSON object read into `ScheduledActionFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScheduledActionFile {
    /// `scheduledActionName`.
    pub scheduled_action_name: String,
    /// `schedule`.
    pub schedule: String,
    /// `scalableTargetAction`.
    pub scalable_target_action: ScalableTargetActionFile,
}

/// The JSON object read into `ScalableTargetActionFile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalableTargetActionFile {
    /// `minCapacity`.
    #[serde(default)]
    pub min_capacity: Option<i64>,
    /// `maxCapacity`.
    #[serde(default)]
    pub max_capacity: Option<i64>,
}

/// A batch workload: where its RunTask submissions come from and how they launch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadFile {
    /// Name, used in reports.
    pub name: String,
    /// Task definition; trace rows override its `cpu` and `memory` (as RunTask overrides do).
    pub task_definition: String,
    /// Where submissions come from.
    pub source: SourceFile,
    /// `launchType`.
    #[serde(default)]
    pub launch_type: Option<String>,
    /// `capacityProviderStrategy`.
    #[serde(default)]
    pub capacity_provider_strategy: Option<Vec<StrategyItemFile>>,
    /// `placementStrategy`.
    #[serde(default)]
    pub placement_strategy: Option<Vec<PlacementStrategyFile>>,
    /// `placementConstraints`.
    #[serde(default)]
    pub placement_constraints: Option<Vec<PlacementConstraintFile>>,
}

/// The source of a workload: exactly one of the keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum SourceFile {
    /// The ecsim batch CSV format.
    Csv(TraceFileRef),
    /// Alibaba cluster-trace-v2017 `batch_task` table.
    Alibaba(AlibabaFile),
    /// Standard Workload Format (Parallel Workloads Archive).
    Swf(SwfFile),
    /// Alibaba cluster-trace-gpu-v2023 pod list (`openb_pod_list_*.csv`).
    AlibabaGpu(AlibabaGpuFile),
    /// Poisson arrivals.
    Poisson(PoissonFile),
}

/// A trace path (relative to the scenario file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TraceFileRef {
    /// Path.
    pub path: String,
}

/// Alibaba reader options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlibabaFile {
    /// Path.
    pub path: String,
    /// Machine memory that `plan_mem = 1.0` stands for.
    #[serde(default)]
    pub machine_memory_mib: Option<u32>,
    /// Replay one job in N (jobs whose id is a multiple of N).
    #[serde(default)]
    pub job_sample: Option<u32>,
}

/// Alibaba GPU v2023 pod-list reader options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlibabaGpuFile {
    /// Path.
    pub path: String,
    /// `pod_phase` values to replay (default `Running`, `Succeeded`, `Failed`).
    #[serde(default)]
    pub phases: Option<Vec<String>>,
    /// `all` (default), `gpu` (pods with `num_gpu` ≥ 1) or `cpuOnly` (`num_gpu` 0).
    #[serde(default)]
    pub pods: Option<String>,
    /// The trace time that becomes simulated time 0 (default 0).
    #[serde(default)]
    pub origin: Option<Duration>,
    /// `trimToWindow` (default) or `clampSubmit`: what to do with pods created before `origin`.
    #[serde(default)]
    pub before_origin: Option<String>,
    /// Replay one pod in N (data rows whose 0-based index is a multiple of N).
    #[serde(default)]
    pub pod_sample: Option<u32>,
}

/// SWF reader options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SwfFile {
    /// Path.
    pub path: String,
    /// CPU units per processor.
    #[serde(default)]
    pub cpu_units_per_processor: Option<u32>,
    /// Memory per processor (the format has none).
    #[serde(default)]
    pub memory_mib_per_processor: Option<u32>,
    /// Processors per ECS task; larger jobs become several tasks.
    #[serde(default)]
    pub processors_per_task: Option<u32>,
}

/// Poisson arrival options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PoissonFile {
    /// Mean arrivals per hour.
    pub rate_per_hour: f64,
    /// Task run time distribution.
    pub duration: LatencyFile,
    /// Tasks per submission (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// First arrival not before this (default 0).
    #[serde(default)]
    pub start: Option<Duration>,
    /// No arrivals after this (default: the scenario duration).
    #[serde(default)]
    pub end: Option<Duration>,
}

/// A distribution of durations: a plain duration (fixed) or exactly one of the keys.
#[derive(Debug)]
pub enum LatencyFile {
    /// `"40s"` or `40`.
    Fixed(Duration),
    /// `{"uniform": {...}}` and friends.
    Shaped(LatencyShape),
}

/// Not `#[serde(untagged)]`: an untagged enum answers every mistake with "data did not
/// match any variant of untagged enum LatencyFile". A string or number is a duration (so
/// `-3` says it is negative), an object is a shape (so a wrong key is named).
impl<'de> Deserialize<'de> for LatencyFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        match &value {
            serde_json::Value::Object(_) => serde_path_to_error::deserialize(&value)
                .map(LatencyFile::Shaped)
                .map_err(|e| D::Error::custom(path_message(e))),
            serde_json::Value::String(_) | serde_json::Value::Number(_) => {
                Duration::deserialize(&value)
                    .map(LatencyFile::Fixed)
                    .map_err(|e| D::Error::custom(super::words::plain(&e.to_string())))
            }
            other => Err(D::Error::custom(format!(
                "expected a duration such as \"40s\" or one of {{\"fixed\": ...}}, {{\"uniform\": {{\"min\": ..., \"max\": ...}}}}, {{\"logNormal\": {{\"median\": ..., \"sigma\": ...}}}}, {{\"exponential\": {{\"mean\": ...}}}}; found {other}"
            ))),
        }
    }
}

/// The shaped distributions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum LatencyShape {
    /// `{"fixed": "40s"}`.
    Fixed(Duration),
    /// `{"uniform": {"min": "10s", "max": "45s"}}`.
    Uniform {
        /// Shortest.
        min: Duration,
        /// Longest.
        max: Duration,
    },
    /// `{"logNormal": {"median": "35s", "sigma": 0.4}}`.
    #[serde(rename_all = "camelCase")]
    LogNormal {
        /// Median.
        median: Duration,
        /// Shape.
        sigma: f64,
    },
    /// `{"exponential": {"mean": "10m"}}`.
    Exponential {
        /// Mean.
        mean: Duration,
    },
}

/// Model settings; each overrides an AWS default or a modelling choice.
/// Switches for the \[UNCERTAIN\] points of cluster auto scaling (ecs-reference §1).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedScalingSettingsFile {
    /// `emptyClusterValue`.
    #[serde(default)]
    pub empty_cluster_value: Option<String>,
    /// `stepMode`.
    #[serde(default)]
    pub step_mode: Option<String>,
    /// `scaleOutDatapoints`.
    #[serde(default)]
    pub scale_out_datapoints: Option<u32>,
    /// `scaleInDatapoints`.
    #[serde(default)]
    pub scale_in_datapoints: Option<u32>,
    /// `scaleInHoldAfterScaleOut`.
    #[serde(default)]
    pub scale_in_hold_after_scale_out: Option<Duration>,
    /// `maxScaleInFraction`.
    #[serde(default)]
    pub max_scale_in_fraction: Option<f64>,
}

/// The JSON object read into `SettingsFile`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsFile {
    /// EC2 launch until the instance is `running` (billing starts).
    #[serde(default)]
    pub instance_running_latency: Option<LatencyFile>,
    /// `running` until the ECS agent has registered (ACTIVE).
    #[serde(default)]
    pub agent_registration_latency: Option<LatencyFile>,
    /// EC2 task PENDING → RUNNING (image pull and container start).
    #[serde(default)]
    pub ec2_task_start_latency: Option<LatencyFile>,
    /// Fargate PROVISIONING (ENI attachment) before the image pull starts.
    #[serde(default)]
    pub fargate_provisioning_latency: Option<LatencyFile>,
    /// Fargate image pull start → RUNNING.
    #[serde(default)]
    pub fargate_task_start_latency: Option<LatencyFile>,
    /// STOPPING → STOPPED (SIGTERM to exit, deprovisioning).
    #[serde(default)]
    pub task_stop_latency: Option<LatencyFile>,
    /// How long a task waits in PROVISIONING for capacity before it is stopped.
    #[serde(default)]
    pub provisioning_timeout: Option<Duration>,
    /// `drainingTimeout`.
    #[serde(default)]
    pub draining_timeout: Option<Duration>,
    /// `spotInstanceDraining`: the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING.
    #[serde(default)]
    pub spot_instance_draining: Option<bool>,
    /// `stopTimeout`: SIGTERM to SIGKILL (Fargate Spot interruptions).
    #[serde(default)]
    pub stop_timeout: Option<Duration>,
    /// `taskRetryFirstDelay`: the service scheduler's first back-off after a failed start.
    #[serde(default)]
    pub task_retry_first_delay: Option<Duration>,
    /// `taskRetryMaxDelay`: its cap.
    #[serde(default)]
    pub task_retry_max_delay: Option<Duration>,
    /// Wall-clock time of simulated time zero, `YYYY-MM-DDThh:mm:ssZ` (for cron schedules).
    #[serde(default)]
    pub start_time: Option<String>,
    /// `targetTrackingAlarmHighDatapoints`.
    #[serde(default)]
    pub target_tracking_alarm_high_datapoints: Option<u32>,
    /// `targetTrackingAlarmLowDatapoints`.
    #[serde(default)]
    pub target_tracking_alarm_low_datapoints: Option<u32>,
    /// `targetTrackingAlarmLowRatio`.
    #[serde(default)]
    pub target_tracking_alarm_low_ratio: Option<f64>,
    /// `managedScaling`.
    #[serde(default)]
    pub managed_scaling: Option<ManagedScalingSettingsFile>,
    /// Tasks in PROVISIONING per cluster (service quota).
    #[serde(default)]
    pub provisioning_tasks_per_cluster: Option<u32>,
    /// Whether Fargate offers the 32 vCPU task sizes (default true).
    #[serde(default)]
    pub fargate_large_sizes: Option<bool>,
    /// `awsvpcTrunking`: the ECS account setting, `"enabled"` or `"disabled"` (AWS's default).
    #[serde(default)]
    pub awsvpc_trunking: Option<String>,
    /// Fraction of nominal memory the OS and hypervisor keep, for every type; absent, each
    /// type's hypervisor default.
    #[serde(default)]
    pub memory_overhead_fraction: Option<f64>,
    /// `ECS_RESERVED_MEMORY`.
    #[serde(default)]
    pub reserved_memory_mib: Option<u32>,
    /// Fraction of nominal memory Windows Server keeps from the ECS agent, for every type;
    /// absent, `cloud::DEFAULT_WINDOWS_MEMORY_OVERHEAD_PPM`.
    #[serde(default)]
    pub windows_memory_overhead_fraction: Option<f64>,
    /// Fargate task launch rate: token bucket burst.
    #[serde(default)]
    pub fargate_launch_burst: Option<u32>,
    /// Fargate task launch rate: sustained tasks per second.
    #[serde(default)]
    pub fargate_launch_rate_per_second: Option<u32>,
    /// Tasks per `RunTask` call (AWS: at most 10).
    #[serde(default)]
    pub run_task_max_count: Option<u32>,
    /// `RunTask` API token bucket: burst, calls.
    #[serde(default)]
    pub run_task_burst: Option<u32>,
    /// `RunTask` API token bucket: sustained calls per second.
    #[serde(default)]
    pub run_task_rate_per_second: Option<u32>,
    /// How often the service scheduler reconciles when nothing else wakes it.
    #[serde(default)]
    pub service_scheduler_interval: Option<Duration>,
    /// `metricDelay`: end of a 60 s metric period until service auto scaling acts on it.
    #[serde(default)]
    pub metric_delay: Option<Duration>,
    /// `highResolutionMetricDelay`: the same for 20 s datapoints.
    #[serde(default)]
    pub high_resolution_metric_delay: Option<Duration>,
    /// `cpuBeyondReservation`: EC2 tasks without a task-level `cpu` may use spare instance
    /// CPU (true by default).
    #[serde(default)]
    pub cpu_beyond_reservation: Option<bool>,
    /// Queued tasks examined per placement pass (backfill window).
    #[serde(default)]
    pub placement_backfill_window: Option<u32>,
    /// Stop the run with an error after this many events.
    #[serde(default)]
    pub max_events: Option<u64>,
    /// Keep at most this many records in events.jsonl.
    #[serde(default)]
    pub event_log_limit: Option<u32>,
    /// Keep at most this many decisions in explain.jsonl (`ecsim run --explain`).
    #[serde(default)]
    pub explain_limit: Option<u64>,
    /// `start`: `"warm"` (services begin with their desired count RUNNING) or `"cold"`.
    #[serde(default)]
    pub start: Option<String>,
    /// `measureFrom`: the warm-up left out of every figure of the summary.
    #[serde(default)]
    pub measure_from: Option<Duration>,
    /// Refuse a scenario estimated to ask for more work items (tasks alive at once, instances
    /// launched, request-rate steps), and stop a run that holds more tasks and instances.
    #[serde(default)]
    pub max_work: Option<u64>,
    /// Refuse `--replicas N` when the Monte Carlo accumulators are estimated above this.
    #[serde(default)]
    pub max_replica_memory_mib: Option<u64>,
    /// `deploymentHealthyAfter`: how long a new task of a service without a load balancer
    /// runs before a deployment counts it healthy (AWS: 40 s).
    #[serde(default)]
    pub deployment_healthy_after: Option<Duration>,
    /// `azRebalancingInterval`: the pace of AZ rebalancing (a modelling choice, 60 s).
    #[serde(default)]
    pub az_rebalancing_interval: Option<Duration>,
}

/// `faults`: every fault model is off unless listed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultsFile {
    /// Instance failures (hardware, status checks), per scope.
    #[serde(default)]
    pub instance_failures: Vec<InstanceFailureFile>,
    /// Scheduled AZ outages.
    #[serde(default)]
    pub az_outages: Vec<AzOutageFile>,
    /// Random AZ outages.
    #[serde(default)]
    pub random_az_outages: Option<RandomAzOutagesFile>,
    /// EC2 Spot interruptions of Spot instances.
    #[serde(default)]
    pub spot_interruptions: Option<SpotInterruptionsFile>,
    /// Fargate Spot interruptions of FARGATE_SPOT tasks.
    #[serde(default)]
    pub fargate_spot_interruptions: Option<FargateSpotInterruptionsFile>,
    /// Scheduled Fargate Spot capacity shortages.
    #[serde(default)]
    pub fargate_spot_shortages: Vec<ShortageFile>,
    /// Random Fargate Spot capacity shortages.
    #[serde(default)]
    pub random_fargate_spot_shortages: Option<RandomShortagesFile>,
    /// Task crashes, per service or workload.
    #[serde(default)]
    pub task_crashes: Vec<TaskCrashFile>,
}

/// One instance failure model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstanceFailureFile {
    /// Only instances behind this capacity provider.
    #[serde(default)]
    pub capacity_provider: Option<String>,
    /// Only instances of this type.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// Exponential time to failure with this mean.
    #[serde(default)]
    pub mtbf: Option<Duration>,
    /// Weibull time to failure.
    #[serde(default)]
    pub weibull: Option<WeibullFile>,
    /// Failures at these times (one instance in scope each, chosen at random).
    #[serde(default)]
    pub at: Option<Vec<Duration>>,
}

/// `weibull`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeibullFile {
    /// `shape` (k): below 1 infant mortality, above 1 wear-out.
    pub shape: f64,
    /// `scale` (λ).
    pub scale: Duration,
}

/// One scheduled AZ outage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AzOutageFile {
    /// `availabilityZone`.
    pub availability_zone: String,
    /// `start`.
    pub start: Duration,
    /// `duration`.
    pub duration: Duration,
}

/// One scheduled Fargate Spot shortage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ShortageFile {
    /// `start`.
    pub start: Duration,
    /// `duration`.
    pub duration: Duration,
}

/// `randomFargateSpotShortages`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RandomShortagesFile {
    /// `ratePerDay`: shortage onsets per day.
    pub rate_per_day: f64,
    /// `duration`: a distribution.
    pub duration: LatencyFile,
}

/// `randomAzOutages`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RandomAzOutagesFile {
    /// `ratePerAzYear`.
    pub rate_per_az_year: f64,
    /// `duration`: a distribution.
    pub duration: LatencyFile,
}

/// `spotInterruptions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpotInterruptionsFile {
    /// `ratePerInstanceHour`.
    #[serde(default)]
    pub rate_per_instance_hour: Option<f64>,
    /// `at`: interruption notices at these times (one Spot instance each, at random).
    #[serde(default)]
    pub at: Option<Vec<Duration>>,
}

/// `fargateSpotInterruptions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FargateSpotInterruptionsFile {
    /// `ratePerTaskHour`.
    pub rate_per_task_hour: f64,
}

/// One task crash model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaskCrashFile {
    /// `service` name.
    #[serde(default)]
    pub service: Option<String>,
    /// `workload` name.
    #[serde(default)]
    pub workload: Option<String>,
    /// `ratePerTaskHour`: crashes of a RUNNING task.
    #[serde(default)]
    pub rate_per_task_hour: Option<f64>,
    /// `crashAtStartProbability`: a task fails before RUNNING (a bad deployment).
    #[serde(default)]
    pub crash_at_start_probability: Option<f64>,
}

/// One `commitments[]` element: a Savings Plan or Reserved Instances.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CommitmentFile {
    /// `ComputeSavingsPlan`, `EC2InstanceSavingsPlan`, `StandardReservedInstance` or
    /// `ConvertibleReservedInstance`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Savings Plans: the hourly commitment, USD.
    #[serde(default)]
    pub hourly_commitment_usd: Option<f64>,
    /// Compute Savings Plans: the SP price of EC2 usage as a fraction of On-Demand.
    #[serde(default)]
    pub ec2_rate: Option<f64>,
    /// Compute Savings Plans: the SP price of Fargate usage as a fraction of On-Demand.
    #[serde(default)]
    pub fargate_rate: Option<f64>,
    /// EC2 Instance Savings Plans: the SP price as a fraction of On-Demand.
    #[serde(default)]
    pub rate: Option<f64>,
    /// EC2 Instance Savings Plans: the instance family, e.g. `m5`.
    #[serde(default)]
    pub instance_family: Option<String>,
    /// Reserved Instances: the reserved type, e.g. `m5.xlarge`.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// Reserved Instances: how many.
    #[serde(default)]
    pub instance_count: Option<u32>,
    /// Reserved Instances: effective hourly price of one instance (upfront amortised), USD.
    #[serde(default)]
    pub effective_hourly_usd: Option<f64>,
    /// `1yr` or `3yr` (metadata).
    #[serde(default)]
    pub term: Option<String>,
    /// `NoUpfront`, `PartialUpfront` or `AllUpfront` (metadata).
    #[serde(default)]
    pub payment_option: Option<String>,
    /// The Region the commitment was bought in, e.g. `us-east-1`: when given it must be the
    /// scenario's (an EC2 Instance Savings Plan and a regional RI apply in their Region only).
    #[serde(default)]
    pub region: Option<String>,
}

/// Fields of the ECS `TaskDefinition` response object (what `describe-task-definition` prints
/// under `taskDefinition`) that ecsim does not declare: read-only bookkeeping, and settings
/// with no effect on capacity in the model. They are set aside, not rejected, so a pasted
/// task definition validates; any other unknown key is still an error.
/// Source: Amazon ECS API Reference, "TaskDefinition" data type and "DescribeTaskDefinition"
/// response syntax, <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html>.
/// `inferenceAccelerators` is listed as not modelled (see [`NOT_MODELLED`]); `tags` sits beside `taskDefinition` in the response, not in it.
pub const TASK_DEFINITION_AWS_ONLY: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "compatibilities",
    "requiresAttributes",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "taskRoleArn",
    "executionRoleArn",
    "volumes",
    "inferenceAccelerators",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "enableFaultInjection",
];

/// Fields of the ECS `Service` response object (a `services[]` element of
/// `describe-services`) that ecsim does not declare: state, history, networking and
/// deployment settings the model has no use for.
/// Source: Amazon ECS API Reference, "Service" data type and "DescribeServices" response
/// syntax, <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html>.
pub const SERVICE_AWS_ONLY: &[&str] = &[
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "platformVersion",
    "platformFamily",
    "deployments",
    "taskSets",
    "events",
    "createdAt",
    "createdBy",
    "roleArn",
    "serviceRegistries",
    "networkConfiguration",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "resourceManagementType",
    "tags",
];

/// Fields of the ECS `CapacityProvider` response object (a `capacityProviders[]` element of
/// `describe-capacity-providers`) that ecsim does not declare.
/// Source: Amazon ECS API Reference, "CapacityProvider" data type and
/// "DescribeCapacityProviders" response syntax,
/// <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProvider.html>.
/// The nested `autoScalingGroupProvider` and its `managedScaling` hold only fields ecsim
/// reads, so they need no list.
pub const CAPACITY_PROVIDER_AWS_ONLY: &[&str] = &[
    "capacityProviderArn",
    "cluster",
    "status",
    "updateStatus",
    "updateStatusReason",
    "tags",
    "type",
];

/// AWS fields that change what AWS does but that the model does not represent, with why;
/// `validate` names them apart from the merely read-only ones, so nobody mistakes them for
/// bookkeeping.
pub const NOT_MODELLED: &[(&str, &str)] = &[(
    "inferenceAccelerators",
    "Elastic Inference accelerators are not modelled; Inferentia chips are mapped with linuxParameters.devices",
)];

/// Removes the keys of `aws_only` present in `value` (an object) and returns them, in the
/// list's order so the message does not depend on the map's, with the [`NOT_MODELLED`] ones
/// that hold a value apart (an empty `placementConstraints: []` asks nothing of placement).
fn set_aside(value: &mut serde_json::Value, aws_only: &[&str]) -> (Vec<String>, Vec<String>) {
    let (mut ignored, mut not_modelled) = (Vec::new(), Vec::new());
    let Some(map) = value.as_object_mut() else {
        return (ignored, not_modelled);
    };
    for key in aws_only {
        let Some(v) = map.remove(*key) else { continue };
        let empty = match &v {
            serde_json::Value::Null => true,
            serde_json::Value::Array(a) => a.is_empty(),
            serde_json::Value::Object(o) => o.is_empty(),
            _ => false,
        };
        if !empty && NOT_MODELLED.iter().any(|(k, _)| k == key) {
            not_modelled.push((*key).to_string());
        } else {
            ignored.push((*key).to_string());
        }
    }
    (ignored, not_modelled)
}

/// `Deserialize` for a type that may be pasted from AWS CLI output: its AWS-only keys are set
/// aside into `aws_ignored`, then the derived (`remote = "Self"`) code reads the rest with
/// `deny_unknown_fields`, so a typo in one of ecsim's fields is still an error at its path.
macro_rules! pasted {
    ($t:ty, $list:expr) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error;
                let mut value = serde_json::Value::deserialize(d)?;
                let (ignored, not_modelled) = set_aside(&mut value, $list);
                let mut track = serde_path_to_error::Track::new();
                let inner = serde_path_to_error::Deserializer::new(&value, &mut track);
                match <$t>::deserialize(inner) {
                    Ok(mut t) => {
                        t.aws_ignored = ignored;
                        t.aws_not_modelled = not_modelled;
                        Ok(t)
                    }
                    Err(e) => Err(D::Error::custom(path_message(
                        serde_path_to_error::Error::new(track.path(), e),
                    ))),
                }
            }
        }
    };
}

pasted!(TaskDefinitionFile, TASK_DEFINITION_AWS_ONLY);
pasted!(ServiceFile, SERVICE_AWS_ONLY);
pasted!(CapacityProviderFile, CAPACITY_PROVIDER_AWS_ONLY);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A key on an AWS-only list is set aside before ecsim's fields are read, so a key on
    /// both would be silently dropped rather than read. Each listed key must be unknown to
    /// the derived (`remote = "Self"`) parser, which sees the object as written.
    #[test]
    fn aws_only_lists_never_hide_an_ecsim_field() {
        for key in TASK_DEFINITION_AWS_ONLY {
            let v = json!({ "family": "f", (*key): 1 });
            let e = TaskDefinitionFile::deserialize(&v).err();
            assert!(
                e.is_some_and(|e| e.to_string().contains("unknown field")),
                "{key}"
            );
        }
        for key in SERVICE_AWS_ONLY {
            let v =
                json!({ "serviceName": "s", "taskDefinition": "f", "desiredCount": 1, (*key): 1 });
            let e = ServiceFile::deserialize(&v).err();
            assert!(
                e.is_some_and(|e| e.to_string().contains("unknown field")),
                "{key}"
            );
        }
        for key in CAPACITY_PROVIDER_AWS_ONLY {
            let v = json!({ "name": "p", "autoScalingGroupProvider": { "autoScalingGroupArn": "a" }, (*key): 1 });
            let e = CapacityProviderFile::deserialize(&v).err();
            assert!(
                e.is_some_and(|e| e.to_string().contains("unknown field")),
                "{key}"
            );
        }
        // Every not-modelled field is one of the task definition's set-aside fields.
        for (key, _) in NOT_MODELLED {
            assert!(TASK_DEFINITION_AWS_ONLY.contains(key), "{key}");
        }
    }

    /// Through the public `Deserialize`, the same keys are set aside and named, in the list's
    /// order, and a non-empty not-modelled field is named apart.
    #[test]
    fn pasted_keys_are_set_aside_in_list_order() {
        let v = json!({
            "family": "f", "status": "ACTIVE", "taskDefinitionArn": "arn",
            "inferenceAccelerators": [{ "deviceName": "d", "deviceType": "eia2.medium" }],
            "ephemeralStorage": { "sizeInGiB": 30 },
            "volumes": []
        });
        let t: TaskDefinitionFile = serde_json::from_value(v).unwrap();
        // `volumes` has no effect on capacity; a not-modelled field that asks for something is
        // named apart; ephemeralStorage is read (issue 15 point 4).
        assert_eq!(t.aws_ignored, ["taskDefinitionArn", "status", "volumes"]);
        assert_eq!(t.aws_not_modelled, ["inferenceAccelerators"]);
        assert_eq!(t.ephemeral_storage.map(|e| e.size_in_gib), Some(30));
    }
}
