import {
  ClientException,
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  RegisterJobDefinitionCommand,
  paginateDescribeJobDefinitions,
  type BatchClient,
  type RegisterJobDefinitionCommandInput,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const ARN_PREFIX = "arn:aws:batch:us-east-1:000000000000:job-definition";

const container = (extra: Partial<RegisterJobDefinitionCommandInput> = {}, name = "jd"): RegisterJobDefinitionCommand =>
  new RegisterJobDefinitionCommand({
    jobDefinitionName: name,
    type: "container",
    containerProperties: {
      image: "busybox",
      command: ["echo", "hello"],
      resourceRequirements: [
        { type: "VCPU", value: "1" },
        { type: "MEMORY", value: "512" },
      ],
    },
    ...extra,
  });

async function describeAll(batch: BatchClient, input: ConstructorParameters<typeof DescribeJobDefinitionsCommand>[0] = {}) {
  const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand(input));
  return jobDefinitions!.map((jd) => `${jd.jobDefinitionName}:${jd.revision}:${jd.status}`);
}

describe("RegisterJobDefinition", () => {
  test("returns name, ARN and revision 1, and describe shows the definition with AWS's defaults", async () => {
    const { batch } = setup();
    const registered = await batch.send(container({ parameters: { greeting: "hi" }, retryStrategy: { attempts: 3 }, timeout: { attemptDurationSeconds: 60 } }));
    expect(registered).toMatchObject({ jobDefinitionName: "jd", jobDefinitionArn: `${ARN_PREFIX}/jd:1`, revision: 1 });
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ["jd:1"] }));
    expect(jobDefinitions).toEqual([
      {
        jobDefinitionName: "jd",
        jobDefinitionArn: `${ARN_PREFIX}/jd:1`,
        revision: 1,
        status: "ACTIVE",
        type: "container",
        parameters: { greeting: "hi" },
        retryStrategy: { attempts: 3 },
        timeout: { attemptDurationSeconds: 60 },
        containerProperties: {
          image: "busybox",
          command: ["echo", "hello"],
          resourceRequirements: [
            { type: "VCPU", value: "1" },
            { type: "MEMORY", value: "512" },
          ],
          volumes: [],
          environment: [],
          mountPoints: [],
          ulimits: [],
          secrets: [],
        },
        tags: {},
        propagateTags: false,
        platformCapabilities: ["EC2"],
        containerOrchestrationType: "ECS",
      },
    ]);
  });

  test("every registration gets the next revision, even with identical content, and revisions are never reused", async () => {
    const { batch } = setup();
    expect((await batch.send(container())).revision).toBe(1);
    expect((await batch.send(container())).revision).toBe(2);
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "jd:2" }));
    const third = await batch.send(container());
    expect(third).toMatchObject({ revision: 3, jobDefinitionArn: `${ARN_PREFIX}/jd:3` });
    expect((await batch.send(container({}, "other"))).revision).toBe(1);
    expect(await describeAll(batch)).toEqual(["jd:1:ACTIVE", "jd:2:INACTIVE", "jd:3:ACTIVE", "other:1:ACTIVE"]);
  });

  test("the deprecated vcpus and memory are accepted, and Fargate, ECS and EKS definitions are stored as given", async () => {
    const { batch } = setup();
    await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "legacy", type: "container", containerProperties: { image: "busybox", vcpus: 2, memory: 2048 } }));
    await batch.send(
      container({
        jobDefinitionName: "fargate",
        platformCapabilities: ["FARGATE"],
        propagateTags: true,
        tags: { team: "data" },
        schedulingPriority: 9999,
        containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "0.25" }, { type: "MEMORY", value: "512" }] },
      }),
    );
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "ecs",
        type: "container",
        ecsProperties: {
          taskProperties: [
            {
              containers: [
                { name: "main", image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }] },
                { name: "sidecar", image: "busybox", resourceRequirements: [{ type: "MEMORY", value: "256" }] },
              ],
            },
          ],
        },
      }),
    );
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "eks",
        type: "container",
        eksProperties: { podProperties: { containers: [{ image: "busybox", resources: { limits: { cpu: "1", memory: "1Gi" } } }] } },
      }),
    );
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({}));
    const byName = Object.fromEntries(jobDefinitions!.map((jd) => [jd.jobDefinitionName, jd]));
    expect(byName.legacy.containerProperties).toMatchObject({ vcpus: 2, memory: 2048 });
    expect(byName.fargate).toMatchObject({ platformCapabilities: ["FARGATE"], propagateTags: true, tags: { team: "data" }, schedulingPriority: 9999 });
    expect(byName.ecs).toMatchObject({ containerOrchestrationType: "ECS", platformCapabilities: ["EC2"] });
    expect(byName.ecs.ecsProperties!.taskProperties![0].containers).toHaveLength(2);
    expect(byName.eks).toMatchObject({ containerOrchestrationType: "EKS", eksProperties: { podProperties: { containers: [{ image: "busybox" }] } } });
    expect(byName.eks.platformCapabilities).toBeUndefined();
    expect(byName.eks.propagateTags).toBeUndefined();
  });

  test("a multinode definition with nested node ranges is stored with its node properties", async () => {
    const { batch } = setup();
    const node = { image: "mpi", resourceRequirements: [{ type: "VCPU" as const, value: "4" }, { type: "MEMORY" as const, value: "8192" }] };
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "mnp",
        type: "multinode",
        nodeProperties: {
          numNodes: 4,
          mainNode: 0,
          nodeRangeProperties: [
            { targetNodes: "0:", container: node },
            { targetNodes: "2", container: { ...node, command: ["worker"] } },
          ],
        },
      }),
    );
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "mnp" }));
    expect(jobDefinitions![0]).toMatchObject({
      type: "multinode",
      nodeProperties: { numNodes: 4, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0:" }, { targetNodes: "2", container: { command: ["worker"], environment: [] } }] },
    });
  });

  test("a missing vCPU or memory fails with AWS's framed message", async () => {
    const { batch } = setup();
    const noVcpu = await failure(batch.send(container({ containerProperties: { image: "busybox", memory: 512 } })));
    expect(noVcpu).toBeInstanceOf(ClientException);
    expect(noVcpu.$metadata?.httpStatusCode).toBe(400);
    expect(noVcpu.message).toBe(`Error executing request, Exception : vCPU is not provided., RequestId: ${noVcpu.$metadata?.requestId}`);
    const noMemory = await failure(batch.send(container({ containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }] } })));
    expect(noMemory.message).toBe(`Error executing request, Exception : memory is not provided., RequestId: ${noMemory.$metadata?.requestId}`);
    const ecsNoMemory = await failure(
      batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "e", type: "container", ecsProperties: { taskProperties: [{ containers: [{ image: "b", resourceRequirements: [{ type: "VCPU", value: "1" }] }] }] } })),
    );
    expect(ecsNoMemory.message).toMatch(/Exception : memory is not provided\./);
    const mnpNoVcpu = await failure(
      batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "m", type: "multinode", nodeProperties: { numNodes: 1, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0", container: { image: "mpi", memory: 64 } }] } })),
    );
    expect(mnpNoVcpu.message).toMatch(/Exception : vCPU is not provided\./);
    const tiny = await failure(batch.send(container({ containerProperties: { image: "busybox", vcpus: 1, memory: 2 } })));
    expect(tiny.message).toMatch(/^Error executing request, Exception : Memory must be at least 4 MiB in containerProperties, got 2 MiB\., RequestId: /);
  });

  test.each<[string, Partial<RegisterJobDefinitionCommandInput>, string | RegExp]>([
    ["a bad name", { jobDefinitionName: "bad name" }, "Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}"],
    ["no properties", { containerProperties: undefined }, "A container job definition must specify exactly one of containerProperties, ecsProperties or eksProperties."],
    ["two kinds of properties", { eksProperties: { podProperties: { containers: [{ image: "b" }] } } }, "A container job definition must specify exactly one of containerProperties, ecsProperties or eksProperties."],
    ["nodeProperties on a container definition", { nodeProperties: { numNodes: 1, mainNode: 0, nodeRangeProperties: [] } }, "nodeProperties can only be specified for a multinode job definition."],
    ["a reserved environment name", { containerProperties: { image: "b", vcpus: 1, memory: 8, environment: [{ name: "AWS_BATCH_JOB_ID", value: "x" }] } }, /environment\[0\]\.name AWS_BATCH_JOB_ID is not allowed/],
    ["a non-numeric resource value", { containerProperties: { image: "b", resourceRequirements: [{ type: "VCPU", value: "lots" }, { type: "MEMORY", value: "8" }] } }, /resourceRequirements\[0\]: the VCPU value "lots" must be a number of 0 or more\./],
    ["deprecated vcpus on Fargate", { platformCapabilities: ["FARGATE"], containerProperties: { image: "b", vcpus: 1, memory: 512 } }, "containerProperties: vcpus and memory are not supported on Fargate; use resourceRequirements instead."],
    ["11 attempts", { retryStrategy: { attempts: 11 } }, "retryStrategy.attempts must be an integer between 1 and 10, got 11."],
    ["0 attempts", { retryStrategy: { attempts: 0 } }, "retryStrategy.attempts must be an integer between 1 and 10, got 0."],
    ["6 exit rules", { retryStrategy: { attempts: 2, evaluateOnExit: Array.from({ length: 6 }, () => ({ action: "EXIT" as const })) } }, "retryStrategy.evaluateOnExit can have at most 5 entries, got 6."],
    ["exit rules without attempts", { retryStrategy: { evaluateOnExit: [{ action: "RETRY", onExitCode: "1" }] } }, "retryStrategy.attempts must be specified when retryStrategy.evaluateOnExit is."],
    ["a bad onExitCode", { retryStrategy: { attempts: 2, evaluateOnExit: [{ action: "RETRY", onExitCode: "1-3" }] } }, /onExitCode 1-3 must be 1 to 512 digits/],
    ["a bad onReason", { retryStrategy: { attempts: 2, evaluateOnExit: [{ action: "RETRY", onReason: "Out*Of*Memory" }] } }, /evaluateOnExit\[0\]\.onReason must be 1 to 512 letters/],
    ["a 513-character onStatusReason", { retryStrategy: { attempts: 2, evaluateOnExit: [{ action: "EXIT", onStatusReason: "a".repeat(513) }] } }, /onStatusReason must be 1 to 512/],
    ["a 59-second timeout", { timeout: { attemptDurationSeconds: 59 } }, "timeout.attemptDurationSeconds must be an integer of at least 60 seconds, got 59."],
    ["priority 10000", { schedulingPriority: 10000 }, "schedulingPriority must be an integer between 0 and 9999, got 10000."],
    ["an aws: tag", { tags: { "aws:owner": "me" } }, "tags: the tag key aws:owner uses the reserved prefix aws:."],
    ["propagateTags on EKS", { containerProperties: undefined, eksProperties: { podProperties: { containers: [{ image: "b" }] } }, propagateTags: false }, "propagateTags must not be specified for a job definition that runs on Amazon EKS."],
    ["platformCapabilities on EKS", { containerProperties: undefined, eksProperties: { podProperties: { containers: [{ image: "b" }] } }, platformCapabilities: ["EC2"] }, "platformCapabilities must not be specified for a job definition that runs on Amazon EKS."],
    ["an EKS pod without containers", { containerProperties: undefined, eksProperties: { podProperties: {} } }, "eksProperties.podProperties.containers must have between 1 and 10 entries, got 0."],
    ["containerProperties on MANAGED_INSTANCES", { platformCapabilities: ["MANAGED_INSTANCES"] }, "Job definitions with the MANAGED_INSTANCES platform capability must use ecsProperties, not containerProperties."],
  ])("%s is refused", async (_, extra, message) => {
    const { batch } = setup();
    const error = await failure(batch.send(container(extra)));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toEqual(typeof message === "string" ? message : expect.stringMatching(message));
  });

  const nodeContainer = { image: "mpi", vcpus: 1, memory: 64 };
  /** Node properties whose ranges all run `nodeContainer`. */
  const nodes = (numNodes: number, mainNode: number, ...targets: string[]) => ({
    numNodes,
    mainNode,
    nodeRangeProperties: targets.map((targetNodes) => ({ targetNodes, container: nodeContainer })),
  });

  test.each<[string, Partial<RegisterJobDefinitionCommandInput>, string]>([
    ["no nodeProperties", { nodeProperties: undefined }, "nodeProperties must be specified for a multinode job definition."],
    ["containerProperties beside nodeProperties", { containerProperties: nodeContainer }, "A multinode job definition specifies its containers in nodeProperties.nodeRangeProperties, not in containerProperties, ecsProperties or eksProperties."],
    ["Fargate", { platformCapabilities: ["FARGATE"] }, "Multinode job definitions are not supported with the FARGATE platform capability."],
    ["0 nodes", { nodeProperties: nodes(0, 0) }, "nodeProperties.numNodes must be an integer of at least 1, got 0."],
    ["a main node outside the job", { nodeProperties: nodes(2, 2, "0:") }, "nodeProperties.mainNode must be a node index from 0 to 1, got 2."],
    ["no node ranges", { nodeProperties: nodes(2, 0) }, "nodeProperties.nodeRangeProperties must have at least one entry."],
    ["a range past the last node", { nodeProperties: nodes(2, 0, "0:2") }, "nodeProperties.nodeRangeProperties[0].targetNodes 0:2 must lie within nodes 0 to 1."],
    ["a malformed range", { nodeProperties: nodes(2, 0, "a-b") }, "nodeProperties.nodeRangeProperties[0].targetNodes a-b is not a node range such as 0:3, 2: or 4."],
    ["a node in no range", { nodeProperties: nodes(3, 0, "0", "2") }, "nodeProperties.nodeRangeProperties must cover every node from 0 to 2, but node 1 is in no range."],
    [
      "a range without a container",
      { nodeProperties: { numNodes: 1, mainNode: 0, nodeRangeProperties: [{ targetNodes: "0", instanceTypes: ["c5.large"] }] } },
      "nodeProperties.nodeRangeProperties[0] must specify exactly one of container, ecsProperties or eksProperties.",
    ],
  ])("a multinode definition with %s is refused", async (_, extra, message) => {
    const { batch } = setup();
    const error = await failure(batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "mnp", type: "multinode", nodeProperties: nodes(2, 0, "0:1"), ...extra })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe(message);
  });

  test("a request over 24 KiB is refused", async () => {
    const { batch } = setup();
    const error = await failure(batch.send(container({ parameters: { blob: "x".repeat(25 * 1024) } })));
    expect(error.message).toMatch(/^Error executing request, Exception : Job definition size must be less than 24 KiB, got 26 KiB, RequestId: /);
  });

  test("failed registrations change nothing and use up no revision", async () => {
    const { batch } = setup();
    await failure(batch.send(container({ containerProperties: { image: "busybox" } })));
    await failure(batch.send(container({ retryStrategy: { attempts: 42 } })));
    expect(await describeAll(batch)).toEqual([]);
    expect((await batch.send(container())).revision).toBe(1);
  });
});

describe("DescribeJobDefinitions", () => {
  async function registerSome(batch: BatchClient) {
    await batch.send(container({}, "a")); // a:1
    await batch.send(container({}, "b")); // b:1
    await batch.send(container({}, "a")); // a:2
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "a:1" }));
  }

  test("with no filter returns every revision in every state, in registration order", async () => {
    const { batch } = setup();
    await registerSome(batch);
    expect(await describeAll(batch)).toEqual(["a:1:INACTIVE", "b:1:ACTIVE", "a:2:ACTIVE"]);
  });

  test("jobDefinitionName returns every revision of that name, and status filters by state", async () => {
    const { batch } = setup();
    await registerSome(batch);
    expect(await describeAll(batch, { jobDefinitionName: "a" })).toEqual(["a:1:INACTIVE", "a:2:ACTIVE"]);
    expect(await describeAll(batch, { jobDefinitionName: "a", status: "ACTIVE" })).toEqual(["a:2:ACTIVE"]);
    expect(await describeAll(batch, { status: "INACTIVE" })).toEqual(["a:1:INACTIVE"]);
    expect(await describeAll(batch, { jobDefinitionName: "nope" })).toEqual([]);
    const badStatus = await failure(batch.send(new DescribeJobDefinitionsCommand({ status: "DELETED" })));
    expect(badStatus.message).toBe("Invalid value DELETED for status: it must be ACTIVE or INACTIVE.");
  });

  test("jobDefinitions returns the named revisions in request order; unknown ones and bare names are left out", async () => {
    const { batch } = setup();
    await registerSome(batch);
    const listed = await describeAll(batch, { jobDefinitions: [`${ARN_PREFIX}/a:2`, "b:1", "a:1", "a:9", "b", "a:2", "arn:aws:batch:eu-west-1:000000000000:job-definition/b:1"] });
    expect(listed).toEqual(["a:2:ACTIVE", "b:1:ACTIVE", "a:1:INACTIVE"]);
    expect(await describeAll(batch, { jobDefinitions: ["a:1", "a:2"], status: "ACTIVE" })).toEqual(["a:2:ACTIVE"]);
    const combined = await failure(batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ["a:1"], jobDefinitionName: "a" })));
    expect(combined).toBeInstanceOf(ClientException);
    expect(combined.message).toBe("jobDefinitions cannot be combined with jobDefinitionName: give either a list of job definitions or a name.");
    const tooMany = await failure(batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: Array.from({ length: 101 }, (_, i) => `a:${i + 1}`) })));
    expect(tooMany.message).toBe("jobDefinitions can have at most 100 entries, got 101.");
  });

  test("pages with maxResults and nextToken, and the SDK paginator walks every page", async () => {
    const { batch } = setup();
    for (let i = 0; i < 5; i++) await batch.send(container({}, `jd${i}`));
    await batch.send(container({}, "jd0"));
    const first = await batch.send(new DescribeJobDefinitionsCommand({ maxResults: 2 }));
    expect(first.jobDefinitions!.map((jd) => jd.jobDefinitionName)).toEqual(["jd0", "jd1"]);
    expect(first.nextToken).toBeTruthy();
    const seen: string[] = [];
    for await (const page of paginateDescribeJobDefinitions({ client: batch, pageSize: 2 }, {})) {
      seen.push(...page.jobDefinitions!.map((jd) => `${jd.jobDefinitionName}:${jd.revision}`));
    }
    expect(seen).toEqual(["jd0:1", "jd1:1", "jd2:1", "jd3:1", "jd4:1", "jd0:2"]);
    const byName: number[] = [];
    for await (const page of paginateDescribeJobDefinitions({ client: batch, pageSize: 1 }, { jobDefinitionName: "jd0" })) {
      byName.push(...page.jobDefinitions!.map((jd) => jd.revision!));
    }
    expect(byName).toEqual([1, 2]);
    const otherQuery = await failure(batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "jd1", nextToken: first.nextToken })));
    expect(otherQuery.message).toMatch(/^Invalid nextToken .*: it does not belong to this request\.$/);
    const badPage = await failure(batch.send(new DescribeJobDefinitionsCommand({ maxResults: 101 })));
    expect(badPage.message).toBe("maxResults must be an integer between 1 and 100, got 101.");
  });

  test("describe output is a copy: changing it does not change the stored definition", async () => {
    const { batch } = setup();
    await batch.send(container({ tags: { a: "1" } }));
    const first = (await batch.send(new DescribeJobDefinitionsCommand({}))).jobDefinitions![0];
    first.tags!.a = "changed";
    const second = (await batch.send(new DescribeJobDefinitionsCommand({}))).jobDefinitions![0];
    expect(second.tags).toEqual({ a: "1" });
  });
});

describe("DeregisterJobDefinition", () => {
  test("sets exactly that revision INACTIVE, by name:revision or by ARN", async () => {
    const { batch } = setup();
    await batch.send(container());
    await batch.send(container());
    await batch.send(container());
    expect(await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "jd:1" }))).toEqual({ $metadata: expect.anything() });
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${ARN_PREFIX}/jd:3` }));
    expect(await describeAll(batch)).toEqual(["jd:1:INACTIVE", "jd:2:ACTIVE", "jd:3:INACTIVE"]);
    // A second deregistration of the same revision is harmless.
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "jd:1" }));
    expect(await describeAll(batch, { status: "ACTIVE" })).toEqual(["jd:2:ACTIVE"]);
  });

  test("unknown revisions and bare names are refused, and change nothing", async () => {
    const { batch } = setup();
    await batch.send(container());
    const unknown = await failure(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "jd:7" })));
    expect(unknown).toBeInstanceOf(ClientException);
    expect(unknown.message).toBe(`JobDefinition ${ARN_PREFIX}/jd:7 does not exist`);
    const unknownArn = await failure(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "arn:aws:batch:us-east-1:000000000000:job-definition/nope:1" })));
    expect(unknownArn.message).toBe(`JobDefinition ${ARN_PREFIX}/nope:1 does not exist`);
    const otherRegion = await failure(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "arn:aws:batch:eu-west-1:000000000000:job-definition/jd:1" })));
    expect(otherRegion.message).toBe("JobDefinition arn:aws:batch:eu-west-1:000000000000:job-definition/jd:1 does not exist");
    const bare = await failure(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: "jd" })));
    expect(bare.message).toBe("JobDefinition jd has no revision: give name:revision or the ARN with its revision.");
    const bareArn = await failure(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: `${ARN_PREFIX}/jd` })));
    expect(bareArn.message).toMatch(/has no revision/);
    expect(await describeAll(batch)).toEqual(["jd:1:ACTIVE"]);
  });
});
