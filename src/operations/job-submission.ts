import type {
  ContainerDetail,
  ContainerOverrides,
  EksContainerDetail,
  EksContainerEnvironmentVariable,
  EksContainerOverride,
  EksProperties,
  EksPropertiesDetail,
  EksPropertiesOverride,
  JobDefinition,
  JobDependency,
  KeyValuePair,
  NodeProperties,
  NodePropertyOverride,
  ResourceRequirement,
  SubmitJobRequest,
} from "@aws-sdk/client-batch";
import type { JobDefinitionRecord, JobQueueRecord } from "../state/records";
import type { JobSpec, NodeContainer } from "../state/job-record";
import { copyData } from "../state/plain-data";
import type { BatchStore } from "../state/store";
import { MAX_ACTIVE_SHARE_IDENTIFIERS } from "../state/fair-share";
import { fairsharePolicyOf } from "../state/scheduler";
import type { OperationContext } from "./context";
import { clientError, executionError } from "./errors";
import { parseTargetNodes } from "./job-definitions";
import { checkListLength, checkRange, checkRetryStrategy, checkTags, checkTimeout, requestSize } from "./rules";

const SUBMIT_LIMIT_BYTES = 30 * 1024;
const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
const FIFO_ONLY = "Job with shareIdentifier or schedulingPriority can onlybe submitted to job queue with fair share scheduling policy.";

/** SubmitJob's checks that come before anything is looked up. */
export function checkSubmission(input: SubmitJobRequest, context: OperationContext): void {
  const size = requestSize(input, context);
  if (size > SUBMIT_LIMIT_BYTES) {
    throw executionError(`Job size must be less than 30 KiB, got ${Math.ceil(size / 1024)} KiB`, context.requestId);
  }
  if (input.arrayProperties) {
    const arraySize = input.arrayProperties.size;
    const largest = context.quotas.arraySize;
    if (arraySize === undefined || !Number.isInteger(arraySize) || arraySize < 2 || arraySize > largest) {
      throw executionError(`Array size must be between 2 and ${largest}`, context.requestId);
    }
  }
  checkListLength(input.dependsOn, 20, "dependsOn");
  checkRetryStrategy(input.retryStrategy);
  checkTimeout(input.timeout);
  checkRange(input.schedulingPriorityOverride, 0, 9999, "schedulingPriorityOverride");
  checkTags(input.tags);
  if (input.shareIdentifier !== undefined && !/^[a-zA-Z0-9]{1,255}$/.test(input.shareIdentifier)) {
    throw clientError(`shareIdentifier ${input.shareIdentifier} must be 1 to 255 letters and digits.`);
  }
  for (const variable of input.containerOverrides?.environment ?? []) checkEnvironmentName(variable);
  for (const override of input.nodeOverrides?.nodePropertyOverrides ?? []) {
    for (const variable of override.containerOverrides?.environment ?? []) checkEnvironmentName(variable);
  }
  const pod = input.eksPropertiesOverride?.podProperties;
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const variable of container.env ?? []) checkEnvironmentName(variable);
  }
}

function checkEnvironmentName(variable: KeyValuePair): void {
  if (variable.name?.startsWith("AWS_BATCH")) {
    throw clientError(`Environment variable ${variable.name} uses the reserved prefix AWS_BATCH.`);
  }
}

/** The queue named by SubmitJob, or AWS's "not found" with the identifier echoed as given. */
export function submissionQueue(store: BatchStore, identifier: string): JobQueueRecord {
  const queue = store.jobQueues.find(identifier);
  if (!queue || queue.detail.status === "DELETING" || queue.detail.status === "DELETED") throw clientError(`JobQueue ${identifier} not found.`);
  if (queue.detail.state !== "ENABLED") throw clientError(`JobQueue ${queue.name} is not in ENABLED state`);
  if (!queue.detail.computeEnvironmentOrder?.length && queue.detail.serviceEnvironmentOrder?.length) {
    throw clientError(`JobQueue ${queue.name} runs service jobs; submit to it with SubmitServiceJob.`);
  }
  return queue;
}

/** Resolves `name`, `name:revision` or an ARN to an ACTIVE revision, with AWS's messages. */
export function submissionDefinition(store: BatchStore, identifier: string): JobDefinitionRecord {
  const arn = identifier.startsWith("arn:");
  if (!arn) {
    const revision = identifier.includes(":") ? /^(.*):(\d+)$/.exec(identifier) : null;
    const name = revision ? revision[1] : identifier;
    if (!NAME_PATTERN.test(name)) throw clientError(`Provided name ${identifier} is not supported pattern[a-zA-Z_0-9-]{1,128}`);
    if (!revision) {
      const latest = store.jobDefinitions.latestActive(name);
      if (!latest) throw clientError(`JobDefinition name ${name} does not exist or is not in ACTIVE status`);
      return latest;
    }
  }
  const record = store.jobDefinitions.find(identifier);
  if (!record) throw clientError(`JobDefinition ${identifier} not found.`);
  if (record.detail.status !== "ACTIVE") throw clientError(`JobDefinition ${identifier} does not exist or is not in ACTIVE status`);
  return record;
}

/** Fair-share rules, and the platform check between the definition and the queue's compute environments. */
export function checkQueueFit(store: BatchStore, queue: JobQueueRecord, definition: JobDefinition, input: SubmitJobRequest, now: number): void {
  if (queue.detail.schedulingPolicyArn) {
    if (input.shareIdentifier === undefined) throw clientError("shareIdentifier must be specified.");
    checkShareIsAdmitted(store, queue, input.shareIdentifier, now);
  } else if (input.shareIdentifier !== undefined || input.schedulingPriorityOverride !== undefined) {
    throw clientError(FIFO_ONLY);
  }
  const capability = definition.platformCapabilities?.[0] ?? "EC2";
  for (const entry of queue.detail.computeEnvironmentOrder ?? []) {
    const type = store.computeEnvironments.find(entry.computeEnvironment ?? "")?.detail.computeResources?.type;
    const fargate = type === "FARGATE" || type === "FARGATE_SPOT";
    if (fargate !== (capability === "FARGATE")) {
      throw clientError(`Job Queue is attached to Compute Environment that can not run Jobs with capability ${capability}.`);
    }
  }
}

/** At most 500 share identifiers are active in one fair-share queue; a job that would add one more is refused. */
function checkShareIsAdmitted(store: BatchStore, queue: JobQueueRecord, shareIdentifier: string, now: number): void {
  const policy = fairsharePolicyOf(store, queue.name);
  if (!policy || store.jobs.fairShareIn(queue.name).admits(shareIdentifier, now, policy)) return;
  throw clientError(
    `Job queue ${queue.name} already has ${MAX_ACTIVE_SHARE_IDENTIFIERS} active share identifiers, the most a fair-share job queue allows; a job with the new share identifier ${shareIdentifier} cannot be submitted until one of them is inactive.`,
  );
}

/** A definition's spec for plain submissions to the queue it was last submitted to. */
const plainSpecs = new WeakMap<JobDefinitionRecord, { queue: JobQueueRecord; spec: JobSpec }>();
/** What a plain submission may say: anything else (an override, a dependency, an array) changes the spec. */
const PLAIN_MEMBERS = new Set(["jobName", "jobQueue", "jobDefinition", "tags"]);

/**
 * The job's spec: the definition with the submission's overrides, parameters substituted. Specs never
 * change, so submissions that override nothing share one per definition revision and queue.
 */
export function resolveSpec(queue: JobQueueRecord, definitionRecord: JobDefinitionRecord, input: SubmitJobRequest): JobSpec {
  if (!isPlain(input, definitionRecord.detail)) return buildSpec(queue, definitionRecord, input);
  const kept = plainSpecs.get(definitionRecord);
  if (kept?.queue === queue) return kept.spec;
  const spec = buildSpec(queue, definitionRecord, input);
  plainSpecs.set(definitionRecord, { queue, spec });
  return spec;
}

/** Tags count only when they propagate: then they decide whether the job fails before it runs. */
function isPlain(input: SubmitJobRequest, definition: JobDefinition): boolean {
  for (const member in input) {
    if (input[member as keyof SubmitJobRequest] !== undefined && !PLAIN_MEMBERS.has(member)) return false;
  }
  return !definition.propagateTags;
}

function buildSpec(queue: JobQueueRecord, definitionRecord: JobDefinitionRecord, input: SubmitJobRequest): JobSpec {
  const definition = definitionRecord.detail;
  const parameters = { ...(definition.parameters ?? {}), ...(input.parameters ?? {}) };
  const container = definition.containerProperties ? containerFor(definitionRecord, definition.containerProperties, input.containerOverrides, parameters) : undefined;
  const retryStrategy = input.retryStrategy ?? definition.retryStrategy;
  const requirements = container?.resourceRequirements ?? [];
  const vcpus = Number(requirementOf(requirements, "VCPU") ?? container?.vcpus ?? 1);
  const memory = Number(requirementOf(requirements, "MEMORY") ?? container?.memory ?? 0);
  const nodeProperties = definition.nodeProperties && { ...definition.nodeProperties, numNodes: input.nodeOverrides?.numNodes ?? definition.nodeProperties.numNodes };
  const nodeContainers = nodeProperties && nodeContainersFor(nodeProperties, input.nodeOverrides?.nodePropertyOverrides ?? [], parameters);
  const spec: JobSpec = {
    queueName: queue.name,
    jobQueueArn: queue.arn,
    jobDefinitionArn: definitionRecord.arn,
    jobDefinitionName: definitionRecord.name,
    parameters,
    container,
    ecsProperties: definition.ecsProperties,
    eksProperties: definition.eksProperties && eksPropertiesFor(definition.eksProperties, input.eksPropertiesOverride),
    nodeProperties,
    nodeContainers,
    retryStrategy,
    timeout: input.timeout ?? definition.timeout,
    propagateTags: input.propagateTags ?? definition.propagateTags ?? false,
    platformCapabilities: definition.platformCapabilities ?? ["EC2"],
    shareIdentifier: input.shareIdentifier,
    schedulingPriority: input.schedulingPriorityOverride ?? definition.schedulingPriority,
    consumableResourceProperties: input.consumableResourcePropertiesOverride ?? definition.consumableResourceProperties,
    dependsOn: input.dependsOn ?? NO_DEPENDENCIES,
    arraySize: input.arrayProperties?.size,
    // A multi-node job is placed as one unit: it takes the vCPUs of all its nodes.
    vcpus: nodeContainers ? nodeContainers.reduce((total, range) => total + range.vcpus * (range.to - range.from + 1), 0) : vcpus,
    memory,
    maxAttempts: retryStrategy?.attempts ?? 1,
    failureReason: propagatedTagFailure(input, definition),
  };
  if (!Number.isFinite(spec.vcpus) || spec.vcpus <= 0) throw clientError(`The job's vCPU requirement must be a positive number, got ${spec.vcpus}.`);
  return spec;
}

/** With propagateTags, job and definition tags go to the ECS task together; over 50, the job fails (reference §3.10). */
function propagatedTagFailure(input: SubmitJobRequest, definition: JobDefinition): string | undefined {
  if (!(input.propagateTags ?? definition.propagateTags)) return undefined;
  const count = new Set([...Object.keys(definition.tags ?? {}), ...Object.keys(input.tags ?? {})]).size;
  return count > 50 ? `Tags to propagate to the ECS task exceed the limit of 50: the job and its job definition have ${count}.` : undefined;
}

/** Specs are never changed, so the jobs that take a definition as it is can share one resolved container. */
const plainContainers = new WeakMap<JobDefinitionRecord, ContainerDetail>();
const NO_DEPENDENCIES: JobDependency[] = Object.freeze([]) as unknown as JobDependency[];

/** The resolved container; shared between jobs when nothing in the submission changes it. */
function containerFor(record: JobDefinitionRecord, properties: ContainerDetail, overrides: ContainerOverrides | undefined, parameters: Record<string, string>): ContainerDetail {
  const plain = !hasContainerOverrides(overrides) && !(properties.command ?? []).some((part) => part.startsWith("Ref::"));
  if (!plain) return resolveContainer(properties, overrides, parameters);
  let container = plainContainers.get(record);
  if (!container) plainContainers.set(record, (container = resolveContainer(properties, undefined, parameters)));
  return container;
}

function hasContainerOverrides(overrides: ContainerOverrides | undefined): boolean {
  if (!overrides) return false;
  const { command, environment, resourceRequirements, vcpus, memory, instanceType } = overrides;
  return command !== undefined || environment !== undefined || resourceRequirements !== undefined || vcpus !== undefined || memory !== undefined || instanceType !== undefined;
}

function resolveContainer(properties: ContainerDetail, overrides: ContainerOverrides | undefined, parameters: Record<string, string>): ContainerDetail {
  const container: ContainerDetail = copyData(properties);
  if (overrides?.command) container.command = [...overrides.command];
  if (overrides?.environment) container.environment = mergeEnvironment(container.environment ?? [], overrides.environment);
  if (overrides?.resourceRequirements) container.resourceRequirements = mergeRequirements(container.resourceRequirements ?? [], overrides.resourceRequirements);
  // Deprecated vcpus/memory overrides never override resourceRequirements (reference §3.1).
  if (overrides?.vcpus !== undefined && !requirementOf(container.resourceRequirements ?? [], "VCPU")) container.vcpus = overrides.vcpus;
  if (overrides?.memory !== undefined && !requirementOf(container.resourceRequirements ?? [], "MEMORY")) container.memory = overrides.memory;
  if (overrides?.instanceType) container.instanceType = overrides.instanceType;
  if (container.command) container.command = container.command.map((part) => substitute(part, parameters));
  return container;
}

/** `Ref::name` as a whole command element is replaced by the parameter's value. */
function substitute(part: string, parameters: Record<string, string>): string {
  if (!part.startsWith("Ref::")) return part;
  const key = part.slice("Ref::".length);
  const value = parameters[key];
  if (value === undefined) throw clientError(`Unable to substitute value. No parameter found for reference ${key}`);
  return value;
}

function mergeEnvironment(base: KeyValuePair[], overrides: KeyValuePair[]): KeyValuePair[] {
  const merged = new Map(base.map((variable) => [variable.name, variable]));
  for (const variable of overrides) merged.set(variable.name, variable);
  return [...merged.values()];
}

function mergeRequirements(base: ResourceRequirement[], overrides: ResourceRequirement[]): ResourceRequirement[] {
  const merged = new Map(base.map((requirement) => [requirement.type, requirement]));
  for (const requirement of overrides) merged.set(requirement.type, requirement);
  return [...merged.values()];
}

function requirementOf(requirements: ResourceRequirement[], type: string): string | undefined {
  return requirements.find((requirement) => requirement.type === type)?.value;
}

// ---- Multi-node jobs ----

/**
 * What each node of a multi-node job runs: the container of the last definition range that covers it, with the
 * `containerOverrides` of every `nodePropertyOverrides` entry that covers it applied in order, and `Ref::`
 * parameters substituted. Nodes are grouped into the ranges the definition's and the overrides' bounds make.
 */
function nodeContainersFor(nodeProperties: NodeProperties, overrides: NodePropertyOverride[], parameters: Record<string, string>): NodeContainer[] {
  const numNodes = nodeProperties.numNodes ?? 1;
  const definitionRanges = (nodeProperties.nodeRangeProperties ?? []).map((range) => ({ span: spanOf(range.targetNodes ?? "", numNodes), container: range.container }));
  const overrideRanges = overrides.map((override, i) => ({
    span: parseTargetNodes(override.targetNodes ?? "", numNodes, `nodeOverrides.nodePropertyOverrides[${i}]`),
    overrides: override.containerOverrides,
  }));
  const bounds = new Set<number>([0, numNodes]);
  for (const { span } of [...definitionRanges, ...overrideRanges]) bounds.add(span[0]).add(span[1] + 1);
  const starts = [...bounds].filter((bound) => bound < numNodes).sort((a, b) => a - b);
  return starts.map((from, i) => {
    const to = (starts[i + 1] ?? numNodes) - 1;
    const covers = ({ span }: { span: [number, number] }) => span[0] <= from && from <= span[1];
    let container = definitionRanges.filter(covers).reverse().find((range) => range.container)?.container;
    if (container) {
      container = resolveContainer(container, undefined, parameters);
      for (const range of overrideRanges) if (covers(range) && range.overrides) container = resolveContainer(container, range.overrides, parameters);
    }
    const requirements = container?.resourceRequirements ?? [];
    const vcpus = Number(requirementOf(requirements, "VCPU") ?? container?.vcpus ?? 1);
    const memory = Number(requirementOf(requirements, "MEMORY") ?? container?.memory ?? 0);
    return { from, to, container, vcpus, memory };
  });
}

/** A definition's range among `numNodes` nodes; `nodeOverrides.numNodes` may cut it short. */
function spanOf(targetNodes: string, numNodes: number): [number, number] {
  const [start, end] = targetNodes.split(":");
  const from = start === "" || start === undefined ? 0 : Number(start);
  const to = !targetNodes.includes(":") ? from : end === "" || end === undefined ? numNodes - 1 : Number(end);
  return [from, Math.min(to, numNodes - 1)];
}

// ---- EKS overrides ----

/**
 * The pod the job runs: the definition's, with `eksPropertiesOverride` applied the way `containerOverrides`
 * applies to a container. An override names its container, or without a name takes the one at its position.
 */
function eksPropertiesFor(properties: EksProperties, override: EksPropertiesOverride | undefined): EksPropertiesDetail {
  const pod = override?.podProperties;
  if (!pod) return properties as EksPropertiesDetail;
  const resolved = copyData(properties) as EksPropertiesDetail;
  const podProperties = (resolved.podProperties ??= {});
  if (pod.containers) podProperties.containers = overriddenContainers(podProperties.containers ?? [], pod.containers, "containers");
  if (pod.initContainers) podProperties.initContainers = overriddenContainers(podProperties.initContainers ?? [], pod.initContainers, "initContainers");
  if (pod.metadata) {
    const metadata = (podProperties.metadata ??= {});
    if (pod.metadata.labels) metadata.labels = { ...metadata.labels, ...pod.metadata.labels };
    if (pod.metadata.annotations) metadata.annotations = { ...metadata.annotations, ...pod.metadata.annotations };
    if (pod.metadata.namespace !== undefined) metadata.namespace = pod.metadata.namespace;
  }
  return resolved;
}

function overriddenContainers(containers: EksContainerDetail[], overrides: EksContainerOverride[], list: string): EksContainerDetail[] {
  overrides.forEach((override, index) => {
    const container = override.name === undefined ? containers[index] : containers.find((candidate) => candidate.name === override.name);
    if (!container) {
      const which = override.name === undefined ? `has no container at position ${index}` : `has no container named ${override.name}`;
      throw clientError(`eksPropertiesOverride.podProperties.${list}[${index}] overrides nothing: the job definition ${which}.`);
    }
    if (override.image !== undefined) container.image = override.image;
    if (override.command) container.command = [...override.command];
    if (override.args) container.args = [...override.args];
    if (override.env) container.env = mergeEnvironment(container.env ?? [], override.env) as EksContainerEnvironmentVariable[];
    if (override.resources) {
      const resources = (container.resources ??= {});
      if (override.resources.limits) resources.limits = { ...resources.limits, ...override.resources.limits };
      if (override.resources.requests) resources.requests = { ...resources.requests, ...override.resources.requests };
    }
  });
  return containers;
}
