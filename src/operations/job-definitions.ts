import type {
  ContainerProperties,
  EcsProperties,
  EksContainer,
  EksProperties,
  JobDefinition,
  NodeProperties,
  NodeRangeProperty,
  ResourceRequirement,
} from "@aws-sdk/client-batch";
import { batchArn } from "../state/arn";
import type { JobDefinitionTable } from "../state/job-definition-table";
import type { JobDefinitionRecord } from "../state/records";
import { paginate } from "../state/pagination";
import type { OperationContext, OperationGroup, OperationInput } from "./context";
import { describedList } from "./listing";
import { clientError, executionError } from "./errors";
import {
  checkListLength,
  checkMaxResults,
  checkRange,
  checkResourceName,
  checkRetryStrategy,
  checkTags,
  checkTimeout,
  copy,
  requestSize,
} from "./rules";

type RegisterInput = OperationInput<"RegisterJobDefinition">;

/** AWS Batch refuses RegisterJobDefinition requests above 24 KiB (service quotas). */
const MAX_REQUEST_BYTES = 24 * 1024;
const MIN_MEMORY_MIB = 4;
const MAX_TASK_CONTAINERS = 10;
const STATUSES = new Set(["ACTIVE", "INACTIVE"]);
const RESERVED_ENVIRONMENT_PREFIX = "AWS_BATCH";

export const jobDefinitionOperations: OperationGroup<"RegisterJobDefinition" | "DescribeJobDefinitions" | "DeregisterJobDefinition"> = {
  RegisterJobDefinition(input, context) {
    const { store, partition, requestId } = context;
    const name = input.jobDefinitionName;
    checkResourceName(name);
    checkRequestSize(input, context);
    checkTags(input.tags);
    checkRange(input.schedulingPriority, 0, 9999, "schedulingPriority");
    checkRetryStrategy(input.retryStrategy);
    checkTimeout(input.timeout);
    checkPlatform(input);
    checkWorkload(input, requestId);
    // Every check passed: only now take a revision, so a failed call never uses one up.
    const revision = store.jobDefinitions.nextRevision(name);
    const arn = batchArn(partition, "job-definition", `${name}:${revision}`);
    const detail = jobDefinitionDetail(input, arn, revision);
    store.jobDefinitions.add({ sequence: store.nextSequence(), name, arn, revision, detail });
    return { jobDefinitionName: name, jobDefinitionArn: arn, revision };
  },

  DescribeJobDefinitions(input, { store }) {
    checkListLength(input.jobDefinitions, 100, "jobDefinitions");
    checkMaxResults(input.maxResults);
    const status = input.status;
    if (status !== undefined && !STATUSES.has(status)) {
      throw clientError(`Invalid value ${status} for status: it must be ACTIVE or INACTIVE.`);
    }
    const hasStatus = (record: JobDefinitionRecord) => status === undefined || record.detail.status === status;
    if (input.jobDefinitions && input.jobDefinitions.length > 0) {
      if (input.jobDefinitionName !== undefined) {
        throw clientError("jobDefinitions cannot be combined with jobDefinitionName: give either a list of job definitions or a name.");
      }
      return describedList("jobDefinitions", namedRevisions(store.jobDefinitions, input.jobDefinitions).filter(hasStatus));
    }
    const candidates = input.jobDefinitionName !== undefined ? store.jobDefinitions.revisions(input.jobDefinitionName) : store.jobDefinitions.values();
    // The guard ties a token to its query, so a token from one name or status is refused for another.
    const guard = `jobDefinitions/${input.jobDefinitionName ?? "*"}/${status ?? "*"}`;
    const page = paginate(candidates.filter(hasStatus), (record) => record.sequence, { maxResults: input.maxResults, nextToken: input.nextToken, guard });
    return describedList("jobDefinitions", page.items, page.nextToken);
  },

  DeregisterJobDefinition(input, context) {
    const record = mustFindRevision(input.jobDefinition, context);
    // Deregistering an INACTIVE revision again is harmless: it stays INACTIVE.
    record.detail.status = "INACTIVE";
    return {};
  },
};

/**
 * The revisions a `jobDefinitions` list names, in request order, each once. Entries must carry a revision:
 * AWS matches nothing for a bare name here (boto/boto3#2908), unlike SubmitJob.
 */
function namedRevisions(table: JobDefinitionTable, identifiers: string[]): JobDefinitionRecord[] {
  const found: JobDefinitionRecord[] = [];
  for (const identifier of identifiers) {
    if (table.parse(identifier)?.revision === undefined) continue;
    const record = table.find(identifier);
    if (record && !found.includes(record)) found.push(record);
  }
  return found;
}

/** One revision by `name:revision` or ARN; a bare name is refused, as it would not say which revision. */
function mustFindRevision(identifier: string, { store, partition }: OperationContext): JobDefinitionRecord {
  const reference = store.jobDefinitions.parse(identifier);
  if (reference && reference.revision === undefined) {
    throw clientError(`JobDefinition ${identifier} has no revision: give name:revision or the ARN with its revision.`);
  }
  const record = store.jobDefinitions.find(identifier);
  if (record) return record;
  const arn = identifier.startsWith("arn:") ? identifier : batchArn(partition, "job-definition", identifier);
  throw clientError(`JobDefinition ${arn} does not exist`);
}

function checkRequestSize(input: RegisterInput, context: OperationContext): void {
  const bytes = requestSize(input, context);
  if (bytes > MAX_REQUEST_BYTES) {
    throw executionError(`Job definition size must be less than 24 KiB, got ${Math.ceil(bytes / 1024)} KiB`, context.requestId);
  }
}

function usesEks(input: RegisterInput): boolean {
  return input.eksProperties !== undefined || (input.nodeProperties?.nodeRangeProperties ?? []).some((range) => range.eksProperties !== undefined);
}

/** The cross-field rules between the platform (EC2, FARGATE, MANAGED_INSTANCES, EKS) and the rest. */
function checkPlatform(input: RegisterInput): void {
  const capabilities = input.platformCapabilities ?? [];
  if (usesEks(input)) {
    if (capabilities.length > 0) throw clientError("platformCapabilities must not be specified for a job definition that runs on Amazon EKS.");
    if (input.propagateTags !== undefined) throw clientError("propagateTags must not be specified for a job definition that runs on Amazon EKS.");
  }
  if (input.type === "multinode") {
    for (const capability of ["FARGATE", "MANAGED_INSTANCES"] as const) {
      if (capabilities.includes(capability)) throw clientError(`Multinode job definitions are not supported with the ${capability} platform capability.`);
    }
  }
  if (capabilities.includes("MANAGED_INSTANCES") && input.containerProperties) {
    throw clientError("Job definitions with the MANAGED_INSTANCES platform capability must use ecsProperties, not containerProperties.");
  }
}

/** `container` takes exactly one of the three property kinds; `multinode` takes node properties only. */
function checkWorkload(input: RegisterInput, requestId: string): void {
  const fargate = (input.platformCapabilities ?? []).includes("FARGATE");
  const kinds = [input.containerProperties, input.ecsProperties, input.eksProperties].filter((kind) => kind !== undefined).length;
  if (input.type === "container") {
    if (input.nodeProperties) throw clientError("nodeProperties can only be specified for a multinode job definition.");
    if (kinds !== 1) {
      throw clientError("A container job definition must specify exactly one of containerProperties, ecsProperties or eksProperties.");
    }
  } else {
    if (!input.nodeProperties) throw clientError("nodeProperties must be specified for a multinode job definition.");
    if (kinds > 0) {
      throw clientError("A multinode job definition specifies its containers in nodeProperties.nodeRangeProperties, not in containerProperties, ecsProperties or eksProperties.");
    }
    checkNodeProperties(input.nodeProperties, fargate, requestId);
  }
  if (input.containerProperties) checkContainer(input.containerProperties, "containerProperties", fargate, requestId);
  if (input.ecsProperties) checkEcsProperties(input.ecsProperties, "ecsProperties", requestId);
  if (input.eksProperties) checkEksProperties(input.eksProperties, "eksProperties");
}

/** vCPU and memory are required, from resourceRequirements or the deprecated vcpus/memory. */
function checkContainer(container: ContainerProperties, path: string, fargate: boolean, requestId: string): void {
  if (fargate && (container.vcpus !== undefined || container.memory !== undefined)) {
    throw clientError(`${path}: vcpus and memory are not supported on Fargate; use resourceRequirements instead.`);
  }
  const requirements = container.resourceRequirements ?? [];
  checkRequirementValues(requirements, `${path}.resourceRequirements`);
  checkResources(requirementValue(requirements, "VCPU") ?? container.vcpus, requirementValue(requirements, "MEMORY") ?? container.memory, path, requestId);
  checkEnvironmentNames((container.environment ?? []).map((variable) => variable.name), `${path}.environment`);
}

function checkResources(vcpus: number | undefined, memory: number | undefined, path: string, requestId: string): void {
  if (vcpus === undefined) throw executionError("vCPU is not provided.", requestId);
  if (memory === undefined) throw executionError("memory is not provided.", requestId);
  if (!(vcpus > 0)) throw executionError(`vCPU must be greater than 0 in ${path}, got ${vcpus}.`, requestId);
  if (memory < MIN_MEMORY_MIB) {
    throw executionError(`Memory must be at least ${MIN_MEMORY_MIB} MiB in ${path}, got ${memory} MiB.`, requestId);
  }
}

/** ECS properties hold one task of 1–10 containers; together they must ask for vCPU and memory. */
function checkEcsProperties(ecs: EcsProperties, path: string, requestId: string): void {
  const tasks = ecs.taskProperties ?? [];
  if (tasks.length !== 1) throw clientError(`${path}.taskProperties must have exactly one task, got ${tasks.length}.`);
  const containers = tasks[0].containers ?? [];
  checkListLength(containers, MAX_TASK_CONTAINERS, `${path}.taskProperties[0].containers`, 1);
  const requirements: ResourceRequirement[] = [];
  containers.forEach((container, i) => {
    const containerPath = `${path}.taskProperties[0].containers[${i}]`;
    checkRequirementValues(container.resourceRequirements ?? [], `${containerPath}.resourceRequirements`);
    requirements.push(...(container.resourceRequirements ?? []));
    checkEnvironmentNames((container.environment ?? []).map((variable) => variable.name), `${containerPath}.environment`);
  });
  checkResources(requirementTotal(requirements, "VCPU"), requirementTotal(requirements, "MEMORY"), `${path}.taskProperties[0]`, requestId);
}

/** An EKS pod runs 1–10 containers; Kubernetes applies its own defaults for cpu and memory. */
function checkEksProperties(eks: EksProperties, path: string): void {
  const containers = eks.podProperties?.containers ?? [];
  checkListLength(containers, MAX_TASK_CONTAINERS, `${path}.podProperties.containers`, 1);
  const all: [EksContainer, string][] = [
    ...containers.map((c, i): [EksContainer, string] => [c, `${path}.podProperties.containers[${i}]`]),
    ...(eks.podProperties?.initContainers ?? []).map((c, i): [EksContainer, string] => [c, `${path}.podProperties.initContainers[${i}]`]),
  ];
  for (const [container, containerPath] of all) {
    checkEnvironmentNames((container.env ?? []).map((variable) => variable.name), `${containerPath}.env`);
  }
}

/** Node ranges must lie within 0..numNodes-1 and, together, cover every node (they may nest). */
function checkNodeProperties(nodes: NodeProperties, fargate: boolean, requestId: string): void {
  const numNodes = nodes.numNodes ?? 0;
  const mainNode = nodes.mainNode ?? 0;
  if (!Number.isInteger(numNodes) || numNodes < 1) throw clientError(`nodeProperties.numNodes must be an integer of at least 1, got ${numNodes}.`);
  if (!Number.isInteger(mainNode) || mainNode < 0 || mainNode >= numNodes) {
    throw clientError(`nodeProperties.mainNode must be a node index from 0 to ${numNodes - 1}, got ${mainNode}.`);
  }
  const ranges = nodes.nodeRangeProperties ?? [];
  if (ranges.length === 0) throw clientError("nodeProperties.nodeRangeProperties must have at least one entry.");
  const spans = ranges.map((range, i) => {
    const path = `nodeProperties.nodeRangeProperties[${i}]`;
    const span = parseTargetNodes(range.targetNodes ?? "", numNodes, path);
    checkNodeRangeWorkload(range, path, fargate, requestId);
    return span;
  });
  const uncovered = firstUncoveredNode(spans, numNodes);
  if (uncovered !== undefined) {
    throw clientError(`nodeProperties.nodeRangeProperties must cover every node from 0 to ${numNodes - 1}, but node ${uncovered} is in no range.`);
  }
}

function checkNodeRangeWorkload(range: NodeRangeProperty, path: string, fargate: boolean, requestId: string): void {
  const kinds = [range.container, range.ecsProperties, range.eksProperties].filter((kind) => kind !== undefined).length;
  if (kinds !== 1) throw clientError(`${path} must specify exactly one of container, ecsProperties or eksProperties.`);
  if (range.container) checkContainer(range.container, `${path}.container`, fargate, requestId);
  if (range.ecsProperties) checkEcsProperties(range.ecsProperties, `${path}.ecsProperties`, requestId);
  if (range.eksProperties) checkEksProperties(range.eksProperties, `${path}.eksProperties`);
}

/** `n`, `n:m`, `n:` (to the last node) or `:m` (from node 0). */
export function parseTargetNodes(targetNodes: string, numNodes: number, path: string): [number, number] {
  const match = /^(\d*)(:(\d*))?$/.exec(targetNodes);
  if (!match || (match[1] === "" && match[2] === undefined)) {
    throw clientError(`${path}.targetNodes ${targetNodes} is not a node range such as 0:3, 2: or 4.`);
  }
  const start = match[1] === "" ? 0 : Number(match[1]);
  const end = match[2] === undefined ? start : match[3] === "" ? numNodes - 1 : Number(match[3]);
  if (start > end || end >= numNodes) {
    throw clientError(`${path}.targetNodes ${targetNodes} must lie within nodes 0 to ${numNodes - 1}.`);
  }
  return [start, end];
}

function firstUncoveredNode(spans: [number, number][], numNodes: number): number | undefined {
  let next = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start > next) return next;
    next = Math.max(next, end + 1);
  }
  return next < numNodes ? next : undefined;
}

function checkRequirementValues(requirements: ResourceRequirement[], path: string): void {
  requirements.forEach((requirement, i) => {
    const value = Number(requirement.value);
    if (requirement.value === undefined || requirement.value.trim() === "" || !Number.isFinite(value) || value < 0) {
      throw clientError(`${path}[${i}]: the ${requirement.type} value ${JSON.stringify(requirement.value)} must be a number of 0 or more.`);
    }
  });
}

function requirementValue(requirements: ResourceRequirement[], type: string): number | undefined {
  const requirement = requirements.find((r) => r.type === type);
  return requirement ? Number(requirement.value) : undefined;
}

function requirementTotal(requirements: ResourceRequirement[], type: string): number | undefined {
  const values = requirements.filter((r) => r.type === type).map((r) => Number(r.value));
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
}

/** `AWS_BATCH*` names are reserved for the variables Batch itself sets in every container. */
function checkEnvironmentNames(names: (string | undefined)[], path: string): void {
  names.forEach((name, i) => {
    if (name?.startsWith(RESERVED_ENVIRONMENT_PREFIX)) {
      throw clientError(`${path}[${i}].name ${name} is not allowed: environment variable names starting with AWS_BATCH are reserved.`);
    }
  });
}

/** What DescribeJobDefinitions returns for a new revision, with the defaults AWS fills in. */
function jobDefinitionDetail(input: RegisterInput, arn: string, revision: number): JobDefinition {
  const eks = usesEks(input);
  return copy({
    jobDefinitionName: input.jobDefinitionName,
    jobDefinitionArn: arn,
    revision,
    status: "ACTIVE",
    type: input.type,
    parameters: input.parameters ?? {},
    schedulingPriority: input.schedulingPriority,
    retryStrategy: input.retryStrategy,
    containerProperties: input.containerProperties && withContainerDefaults(input.containerProperties),
    ecsProperties: input.ecsProperties,
    eksProperties: input.eksProperties,
    nodeProperties: input.nodeProperties && {
      ...input.nodeProperties,
      nodeRangeProperties: (input.nodeProperties.nodeRangeProperties ?? []).map((range) => ({
        ...range,
        container: range.container && withContainerDefaults(range.container),
      })),
    },
    timeout: input.timeout,
    tags: input.tags ?? {},
    // EKS job definitions can set neither, so AWS reports neither for them.
    propagateTags: eks ? undefined : (input.propagateTags ?? false),
    platformCapabilities: eks ? undefined : input.platformCapabilities?.length ? input.platformCapabilities : ["EC2"],
    containerOrchestrationType: eks ? "EKS" : "ECS",
    consumableResourceProperties: input.consumableResourceProperties,
  });
}

/** AWS returns these lists as `[]` rather than leaving them out. */
function withContainerDefaults(container: ContainerProperties): ContainerProperties {
  return {
    ...container,
    volumes: container.volumes ?? [],
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    ulimits: container.ulimits ?? [],
    resourceRequirements: container.resourceRequirements ?? [],
    secrets: container.secrets ?? [],
  };
}
