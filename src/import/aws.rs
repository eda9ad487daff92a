//! Serde types for the AWS CLI responses `ecsim import` reads: only the fields it maps.
//!
//! These mirror AWS's response shapes (field names and nesting as the API references print
//! them: camelCase for ECS, PascalCase for EC2 Auto Scaling, Application Auto Scaling and
//! CloudWatch). Unlike the scenario's own types they do **not** deny unknown fields: AWS adds
//! fields every year, and a response from a newer CLI must still import. What these types do
//! not name is not read; `super::map` says in the mapping report which of the read-only
//! fields that matter for a planner (running counts, deployments, …) it ignored and why.

use serde::Deserialize;

/// `aws ecs describe-clusters` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeClusters {
    /// `clusters`.
    pub clusters: Vec<Cluster>,
    /// `failures`: clusters that could not be described.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// One `failures` item of an ECS describe call.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// `arn`.
    #[serde(default)]
    pub arn: Option<String>,
    /// `reason`, e.g. `MISSING`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A `Cluster`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// `clusterArn`.
    #[serde(default)]
    pub cluster_arn: Option<String>,
    /// `clusterName`.
    pub cluster_name: String,
    /// `capacityProviders`.
    #[serde(default)]
    pub capacity_providers: Vec<String>,
    /// `defaultCapacityProviderStrategy`.
    #[serde(default)]
    pub default_capacity_provider_strategy: Vec<StrategyItem>,
    /// `settings` (`containerInsights`): reported as ignored.
    #[serde(default)]
    pub settings: Vec<NameValue>,
    /// `attachments` (the managed scaling `as_policy` attachments): reported as ignored.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// `{ "name": …, "value": … }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NameValue {
    /// `name`.
    pub name: String,
    /// `value`.
    #[serde(default)]
    pub value: Option<String>,
}

/// A cluster `Attachment`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// `type`, e.g. `as_policy`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// A `CapacityProviderStrategyItem`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyItem {
    /// `capacityProvider`.
    pub capacity_provider: String,
    /// `weight`.
    #[serde(default)]
    pub weight: Option<i64>,
    /// `base`.
    #[serde(default)]
    pub base: Option<i64>,
}

/// `aws ecs describe-services` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeServices {
    /// `services`.
    pub services: Vec<Service>,
    /// `failures`.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// A `Service`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// `serviceName`.
    pub service_name: String,
    /// `clusterArn`.
    #[serde(default)]
    pub cluster_arn: Option<String>,
    /// `status`: `ACTIVE`, `DRAINING` or `INACTIVE`.
    #[serde(default)]
    pub status: Option<String>,
    /// `taskDefinition`: an ARN.
    pub task_definition: String,
    /// `desiredCount`.
    pub desired_count: i64,
    /// `runningCount`.
    #[serde(default)]
    pub running_count: Option<i64>,
    /// `launchType`.
    #[serde(default)]
    pub launch_type: Option<String>,
    /// `capacityProviderStrategy`.
    #[serde(default)]
    pub capacity_provider_strategy: Vec<StrategyItem>,
    /// `placementStrategy`.
    #[serde(default)]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// `placementConstraints`.
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// `schedulingStrategy`.
    #[serde(default)]
    pub scheduling_strategy: Option<String>,
    /// `loadBalancers`: only counted, for the report.
    #[serde(default)]
    pub load_balancers: Vec<serde_json::Value>,
    /// `availabilityZoneRebalancing`: absent for a service that never set it.
    #[serde(default)]
    pub availability_zone_rebalancing: Option<String>,
}

/// A `PlacementStrategy`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementStrategy {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `field`.
    #[serde(default)]
    pub field: Option<String>,
}

/// A `PlacementConstraint` (services) or `TaskDefinitionPlacementConstraint`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementConstraint {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `expression`.
    #[serde(default)]
    pub expression: Option<String>,
}

/// `aws ecs describe-task-definition` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeTaskDefinition {
    /// `taskDefinition`.
    pub task_definition: TaskDefinition,
}

/// A `TaskDefinition`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// `taskDefinitionArn`.
    #[serde(default)]
    pub task_definition_arn: Option<String>,
    /// `family`.
    pub family: String,
    /// `revision`.
    #[serde(default)]
    pub revision: Option<i64>,
    /// `cpu` (a string of CPU units in the response).
    #[serde(default)]
    pub cpu: Option<String>,
    /// `memory` (a string of MiB in the response).
    #[serde(default)]
    pub memory: Option<String>,
    /// `networkMode`.
    #[serde(default)]
    pub network_mode: Option<String>,
    /// `requiresCompatibilities`.
    #[serde(default)]
    pub requires_compatibilities: Option<Vec<String>>,
    /// `runtimePlatform`.
    #[serde(default)]
    pub runtime_platform: Option<RuntimePlatform>,
    /// `placementConstraints` (task definition level).
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// `containerDefinitions`.
    #[serde(default)]
    pub container_definitions: Vec<ContainerDefinition>,
    /// `ephemeralStorage` (`sizeInGiB`).
    #[serde(default)]
    pub ephemeral_storage: Option<serde_json::Value>,
}

/// `runtimePlatform`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimePlatform {
    /// `cpuArchitecture`.
    #[serde(default)]
    pub cpu_architecture: Option<String>,
    /// `operatingSystemFamily`.
    #[serde(default)]
    pub operating_system_family: Option<String>,
}

/// A `ContainerDefinition`: the sizes ECS adds up when the task has no task-level size.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `cpu` (CPU units).
    #[serde(default)]
    pub cpu: Option<u64>,
    /// `memory` (hard limit, MiB).
    #[serde(default)]
    pub memory: Option<u64>,
    /// `memoryReservation` (soft limit, MiB).
    #[serde(default)]
    pub memory_reservation: Option<u64>,
    /// `resourceRequirements` (`GPU`, `InferenceAccelerator`).
    #[serde(default)]
    pub resource_requirements: Vec<ResourceRequirement>,
}

/// A `ResourceRequirement`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirement {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `value`.
    #[serde(default)]
    pub value: Option<String>,
}

/// `aws ecs describe-capacity-providers` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeCapacityProviders {
    /// `capacityProviders`.
    pub capacity_providers: Vec<CapacityProvider>,
}

/// A `CapacityProvider`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProvider {
    /// `name`.
    pub name: String,
    /// `status`.
    #[serde(default)]
    pub status: Option<String>,
    /// `autoScalingGroupProvider` (absent for `FARGATE` and `FARGATE_SPOT`).
    #[serde(default)]
    pub auto_scaling_group_provider: Option<AutoScalingGroupProvider>,
}

/// `autoScalingGroupProvider`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingGroupProvider {
    /// `autoScalingGroupArn`.
    pub auto_scaling_group_arn: String,
    /// `managedScaling`.
    #[serde(default)]
    pub managed_scaling: Option<ManagedScaling>,
    /// `managedTerminationProtection`.
    #[serde(default)]
    pub managed_termination_protection: Option<String>,
    /// `managedDraining`.
    #[serde(default)]
    pub managed_draining: Option<String>,
}

/// `managedScaling`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedScaling {
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
    /// `instanceWarmupPeriod` (seconds).
    #[serde(default)]
    pub instance_warmup_period: Option<i64>,
}

/// `aws autoscaling describe-auto-scaling-groups` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutoScalingGroups {
    /// `AutoScalingGroups`.
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
}

/// An `AutoScalingGroup`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutoScalingGroup {
    /// `AutoScalingGroupName`.
    pub auto_scaling_group_name: String,
    /// `LaunchTemplate`.
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateSpecification>,
    /// `MixedInstancesPolicy`.
    #[serde(default)]
    pub mixed_instances_policy: Option<MixedInstancesPolicy>,
    /// `LaunchConfigurationName` (legacy; its instance type is not in this output).
    #[serde(default)]
    pub launch_configuration_name: Option<String>,
    /// `MinSize`.
    pub min_size: i64,
    /// `MaxSize`.
    pub max_size: i64,
    /// `DesiredCapacity`.
    pub desired_capacity: i64,
    /// `AvailabilityZones`.
    #[serde(default)]
    pub availability_zones: Vec<String>,
    /// `Instances`: their types are a fallback when no launch template data is given.
    #[serde(default)]
    pub instances: Vec<AsgInstance>,
}

/// One of an ASG's `Instances`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsgInstance {
    /// `InstanceType`.
    #[serde(default)]
    pub instance_type: Option<String>,
}

/// A `LaunchTemplateSpecification`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateSpecification {
    /// `LaunchTemplateId`.
    #[serde(default)]
    pub launch_template_id: Option<String>,
    /// `LaunchTemplateName`.
    #[serde(default)]
    pub launch_template_name: Option<String>,
    /// `Version`: a number, `$Latest` or `$Default`.
    #[serde(default)]
    pub version: Option<String>,
}

/// `MixedInstancesPolicy`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MixedInstancesPolicy {
    /// `LaunchTemplate`.
    #[serde(default)]
    pub launch_template: Option<MixedLaunchTemplate>,
    /// `InstancesDistribution`.
    #[serde(default)]
    pub instances_distribution: Option<InstancesDistribution>,
}

/// `MixedInstancesPolicy.LaunchTemplate`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MixedLaunchTemplate {
    /// `LaunchTemplateSpecification`.
    #[serde(default)]
    pub launch_template_specification: Option<LaunchTemplateSpecification>,
    /// `Overrides`.
    #[serde(default)]
    pub overrides: Vec<Override>,
}

/// One `Overrides` item.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Override {
    /// `InstanceType`.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// `WeightedCapacity`.
    #[serde(default)]
    pub weighted_capacity: Option<String>,
    /// `InstanceRequirements` (attribute-based selection; not modelled).
    #[serde(default)]
    pub instance_requirements: Option<serde_json::Value>,
}

/// `InstancesDistribution`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstancesDistribution {
    /// `OnDemandBaseCapacity` (AWS default 0).
    #[serde(default)]
    pub on_demand_base_capacity: Option<i64>,
    /// `OnDemandPercentageAboveBaseCapacity` (AWS default 100).
    #[serde(default)]
    pub on_demand_percentage_above_base_capacity: Option<i64>,
}

/// `aws ec2 describe-launch-template-versions` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLaunchTemplateVersions {
    /// `LaunchTemplateVersions`.
    pub launch_template_versions: Vec<LaunchTemplateVersion>,
}

/// A `LaunchTemplateVersion`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateVersion {
    /// `LaunchTemplateId`.
    #[serde(default)]
    pub launch_template_id: Option<String>,
    /// `LaunchTemplateName`.
    #[serde(default)]
    pub launch_template_name: Option<String>,
    /// `VersionNumber`.
    #[serde(default)]
    pub version_number: Option<i64>,
    /// `DefaultVersion`.
    #[serde(default)]
    pub default_version: Option<bool>,
    /// `LaunchTemplateData`.
    #[serde(default)]
    pub launch_template_data: Option<LaunchTemplateData>,
}

/// `LaunchTemplateData`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    /// `InstanceType`.
    #[serde(default)]
    pub instance_type: Option<String>,
}

/// `aws application-autoscaling describe-scalable-targets` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScalableTargets {
    /// `ScalableTargets`.
    pub scalable_targets: Vec<ScalableTarget>,
}

/// A `ScalableTarget`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalableTarget {
    /// `ServiceNamespace`.
    pub service_namespace: String,
    /// `ResourceId`: `service/<cluster>/<service>` for ECS.
    pub resource_id: String,
    /// `ScalableDimension`.
    pub scalable_dimension: String,
    /// `MinCapacity`.
    pub min_capacity: i64,
    /// `MaxCapacity`.
    pub max_capacity: i64,
}

/// `aws application-autoscaling describe-scaling-policies` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScalingPolicies {
    /// `ScalingPolicies`.
    pub scaling_policies: Vec<ScalingPolicy>,
}

/// A `ScalingPolicy`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingPolicy {
    /// `PolicyARN`.
    #[serde(rename = "PolicyARN", default)]
    pub policy_arn: Option<String>,
    /// `PolicyName`.
    pub policy_name: String,
    /// `ServiceNamespace`.
    pub service_namespace: String,
    /// `ResourceId`.
    pub resource_id: String,
    /// `PolicyType`: `TargetTrackingScaling`, `StepScaling` or `PredictiveScaling`.
    pub policy_type: String,
    /// `TargetTrackingScalingPolicyConfiguration`.
    #[serde(default)]
    pub target_tracking_scaling_policy_configuration: Option<TargetTracking>,
    /// `StepScalingPolicyConfiguration`.
    #[serde(default)]
    pub step_scaling_policy_configuration: Option<StepScaling>,
    /// `Alarms`: the CloudWatch alarms that invoke the policy (names only).
    #[serde(default)]
    pub alarms: Vec<AlarmRef>,
}

/// `TargetTrackingScalingPolicyConfiguration`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetTracking {
    /// `TargetValue`.
    pub target_value: f64,
    /// `PredefinedMetricSpecification`.
    #[serde(default)]
    pub predefined_metric_specification: Option<PredefinedMetric>,
    /// `CustomizedMetricSpecification` (not modelled).
    #[serde(default)]
    pub customized_metric_specification: Option<serde_json::Value>,
    /// `ScaleOutCooldown` (seconds).
    #[serde(default)]
    pub scale_out_cooldown: Option<i64>,
    /// `ScaleInCooldown` (seconds).
    #[serde(default)]
    pub scale_in_cooldown: Option<i64>,
    /// `DisableScaleIn`.
    #[serde(default)]
    pub disable_scale_in: Option<bool>,
}

/// `PredefinedMetricSpecification`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PredefinedMetric {
    /// `PredefinedMetricType`.
    pub predefined_metric_type: String,
    /// `ResourceLabel`.
    #[serde(default)]
    pub resource_label: Option<String>,
}

/// `StepScalingPolicyConfiguration`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepScaling {
    /// `AdjustmentType`.
    pub adjustment_type: String,
    /// `StepAdjustments`.
    #[serde(default)]
    pub step_adjustments: Vec<StepAdjustment>,
    /// `MinAdjustmentMagnitude`.
    #[serde(default)]
    pub min_adjustment_magnitude: Option<i64>,
    /// `Cooldown` (seconds).
    #[serde(default)]
    pub cooldown: Option<i64>,
    /// `MetricAggregationType`.
    #[serde(default)]
    pub metric_aggregation_type: Option<String>,
}

/// A `StepAdjustment`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepAdjustment {
    /// `MetricIntervalLowerBound`.
    #[serde(default)]
    pub metric_interval_lower_bound: Option<f64>,
    /// `MetricIntervalUpperBound`.
    #[serde(default)]
    pub metric_interval_upper_bound: Option<f64>,
    /// `ScalingAdjustment`.
    pub scaling_adjustment: i64,
}

/// An `Alarm` reference of a scaling policy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmRef {
    /// `AlarmName`.
    pub alarm_name: String,
}

/// `aws cloudwatch describe-alarms` output: the thresholds of step scaling alarms.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarms {
    /// `MetricAlarms`.
    pub metric_alarms: Vec<MetricAlarm>,
}

/// A `MetricAlarm`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricAlarm {
    /// `AlarmName`.
    pub alarm_name: String,
    /// `MetricName`.
    #[serde(default)]
    pub metric_name: Option<String>,
    /// `Threshold`.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// `ComparisonOperator`.
    #[serde(default)]
    pub comparison_operator: Option<String>,
    /// `EvaluationPeriods`.
    #[serde(default)]
    pub evaluation_periods: Option<i64>,
    /// `DatapointsToAlarm`.
    #[serde(default)]
    pub datapoints_to_alarm: Option<i64>,
}

/// `aws application-autoscaling describe-scheduled-actions` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeScheduledActions {
    /// `ScheduledActions`.
    pub scheduled_actions: Vec<ScheduledAction>,
}

/// A `ScheduledAction`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduledAction {
    /// `ScheduledActionName`.
    pub scheduled_action_name: String,
    /// `ServiceNamespace`.
    pub service_namespace: String,
    /// `ResourceId`.
    pub resource_id: String,
    /// `Schedule`: `at(…)`, `rate(…)` or `cron(…)`.
    pub schedule: String,
    /// `Timezone` (UTC when absent).
    #[serde(default)]
    pub timezone: Option<String>,
    /// `ScalableTargetAction`.
    #[serde(default)]
    pub scalable_target_action: Option<ScalableTargetAction>,
    /// `StartTime`: the action does not run before it.
    #[serde(default)]
    pub start_time: Option<String>,
    /// `EndTime`: nor after it.
    #[serde(default)]
    pub end_time: Option<String>,
}

/// `ScalableTargetAction`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalableTargetAction {
    /// `MinCapacity`.
    #[serde(default)]
    pub min_capacity: Option<i64>,
    /// `MaxCapacity`.
    #[serde(default)]
    pub max_capacity: Option<i64>,
}

/// `aws cloudwatch get-metric-data` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricData {
    /// `MetricDataResults`.
    pub metric_data_results: Vec<MetricDataResult>,
}

/// A `MetricDataResult`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataResult {
    /// `Id`.
    pub id: String,
    /// `Label`: by ecsim's convention `<serviceName> <MetricName>`.
    #[serde(default)]
    pub label: Option<String>,
    /// `Timestamps`: ISO 8601 as the CLI prints them; by default newest first.
    #[serde(default)]
    pub timestamps: Vec<String>,
    /// `Values`, one per timestamp.
    #[serde(default)]
    pub values: Vec<f64>,
    /// `StatusCode`: `Complete`, `PartialData`, …
    #[serde(default)]
    pub status_code: Option<String>,
}
