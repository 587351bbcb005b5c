import {
  CreateComputeEnvironmentCommand,
  DeleteComputeEnvironmentCommand,
  DescribeComputeEnvironmentsCommand,
  UpdateComputeEnvironmentCommand,
  paginateDescribeComputeEnvironments,
  ClientException,
  CreateJobQueueCommand,
  DeleteJobQueueCommand,
  UpdateJobQueueCommand,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const managed = (name: string, extra: Record<string, unknown> = {}) =>
  new CreateComputeEnvironmentCommand({
    computeEnvironmentName: name,
    type: "MANAGED",
    computeResources: { type: "EC2", maxvCpus: 16, subnets: ["subnet-1"], instanceRole: "ecsInstanceRole", minvCpus: 0, instanceTypes: ["optimal"] },
    ...extra,
  });

describe("compute environments", () => {
  test("create returns the ARN, and describe shows a VALID, ENABLED environment with defaults", async () => {
    const { batch } = setup();
    const created = await batch.send(managed("ce1", { tags: { team: "a" } }));
    expect(created.computeEnvironmentArn).toBe("arn:aws:batch:us-east-1:000000000000:compute-environment/ce1");
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ["ce1"] }));
    expect(computeEnvironments).toHaveLength(1);
    const ce = computeEnvironments![0];
    expect(ce).toMatchObject({
      computeEnvironmentName: "ce1",
      state: "ENABLED",
      status: "VALID",
      statusReason: "ComputeEnvironment Healthy",
      type: "MANAGED",
      containerOrchestrationType: "ECS",
      tags: { team: "a" },
      computeResources: { type: "EC2", maxvCpus: 16, minvCpus: 0, allocationStrategy: "BEST_FIT" },
      updatePolicy: { terminateJobsOnUpdate: false, jobExecutionTimeoutMinutes: 30 },
    });
    expect(ce.ecsClusterArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:cluster\/ce1_Batch_[0-9a-f-]{36}$/);
  });

  test("FARGATE and UNMANAGED environments", async () => {
    const { batch } = setup();
    await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "f", type: "MANAGED", computeResources: { type: "FARGATE_SPOT", maxvCpus: 4, subnets: ["s"] } }));
    await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "u", type: "UNMANAGED", unmanagedvCpus: 8, serviceRole: "arn:aws:iam::000000000000:role/batch" }));
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments!.map((ce) => [ce.computeEnvironmentName, ce.type, ce.computeResources?.type, ce.unmanagedvCpus])).toEqual([
      ["f", "MANAGED", "FARGATE_SPOT", undefined],
      ["u", "UNMANAGED", undefined, 8],
    ]);
    const error = await failure(batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "f2", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"], minvCpus: 1 } })));
    expect(error.message).toBe("computeResources.minvCpus is not supported for FARGATE compute environments.");
  });

  test("validation errors are ClientExceptions with AWS's texts, and change nothing", async () => {
    const { batch } = setup();
    const bad = await failure(batch.send(managed("bad name")));
    expect(bad).toBeInstanceOf(ClientException);
    expect(bad.$metadata?.httpStatusCode).toBe(400);
    expect(bad.message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    const noResources = await failure(batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "m", type: "MANAGED" })));
    expect(noResources.message).toMatch(/computeResources must be specified/);
    const badType = await failure(batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "m", type: "BOGUS" as never })));
    expect(badType.message).toBe("Invalid value BOGUS for type: it must be one of MANAGED, UNMANAGED.");
    const missingMax = await failure(batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "m", type: "MANAGED", computeResources: { type: "EC2" } as never })));
    expect(missingMax.message).toBe("computeResources.maxvCpus must be specified.");
    await batch.send(managed("dup"));
    expect((await failure(batch.send(managed("dup")))).message).toBe("Object already exists");
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments!.map((ce) => ce.computeEnvironmentName)).toEqual(["dup"]);
  });

  test("EC2 and SPOT environments need an instance role, minvCpus and (SPOT on BEST_FIT) a Spot Fleet role, as AWS says", async () => {
    const { batch } = setup();
    const create = (name: string, computeResources: Record<string, unknown>) =>
      batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: name, type: "MANAGED", computeResources: { maxvCpus: 4, subnets: ["subnet-1"], ...computeResources } as never }));
    const noRole = await failure(create("ec2", { type: "EC2" }));
    expect(noRole).toBeInstanceOf(ClientException);
    expect(noRole.message).toMatch(/^Error executing request, Exception : Instance role is required\., RequestId: [0-9a-f-]{36}$/);
    const noMin = await failure(create("ec2", { type: "EC2", instanceRole: "ecsInstanceRole" }));
    expect(noMin.message).toMatch(/^Error executing request, Exception : Resource minvCpus is required\., RequestId: /);
    const spotNoRole = await failure(create("spot", { type: "SPOT", minvCpus: 0 }));
    expect(spotNoRole.message).toMatch(/Exception : Instance role is required\./);
    const spotNoFleet = await failure(create("spot", { type: "SPOT", minvCpus: 0, instanceRole: "ecsInstanceRole" }));
    expect(spotNoFleet.message).toMatch(/^Error executing request, Exception : compute resource spotIamFleetRole is required\., RequestId: /);
    const eks = await failure(
      batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "eks", type: "MANAGED", computeResources: { type: "EC2", maxvCpus: 4, subnets: ["s"], instanceRole: "r" }, eksConfiguration: { eksClusterArn: "arn:aws:eks:us-east-1:000000000000:cluster/k", kubernetesNamespace: "batch" } })),
    );
    expect(eks.message).toMatch(/Exception : Resource minvCpus is required\./);
    expect((await batch.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments).toEqual([]);
    // What AWS accepts: the roles given, or a SPOT strategy that needs no fleet role, or Fargate (no instances).
    await create("ec2", { type: "EC2", minvCpus: 0, instanceRole: "ecsInstanceRole" });
    await create("spot", { type: "SPOT", minvCpus: 0, instanceRole: "ecsInstanceRole", spotIamFleetRole: "arn:aws:iam::000000000000:role/fleet" });
    await create("spot2", { type: "SPOT", minvCpus: 0, instanceRole: "ecsInstanceRole", allocationStrategy: "SPOT_CAPACITY_OPTIMIZED" });
    await create("fargate", { type: "FARGATE" });
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments!.map((ce) => [ce.computeEnvironmentName, ce.status])).toEqual([
      ["ec2", "VALID"],
      ["spot", "VALID"],
      ["spot2", "VALID"],
      ["fargate", "VALID"],
    ]);
  });

  test("update changes state and capacity, and unknown names echo the ARN", async () => {
    const { batch } = setup();
    await batch.send(managed("ce"));
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED", computeResources: { maxvCpus: 64 } }));
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ["arn:aws:batch:us-east-1:000000000000:compute-environment/ce"] }));
    expect(computeEnvironments![0]).toMatchObject({ state: "DISABLED", status: "VALID", computeResources: { maxvCpus: 64 } });
    const missing = await failure(batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "nope", state: "ENABLED" })));
    expect(missing.message).toBe("ComputeEnvironment arn:aws:batch:us-east-1:000000000000:compute-environment/nope does not exist");
  });

  test("delete requires DISABLED, then the environment is gone", async () => {
    const { batch } = setup();
    await batch.send(managed("ce"));
    const enabled = await failure(batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "ce" })));
    expect(enabled.message).toMatch(/^Cannot delete, ComputeEnvironment ce is in ENABLED state/);
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    await batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "ce" }));
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments).toEqual([]);
  });

  test("an environment a queue still uses cannot be deleted; once the queue is gone it can", async () => {
    const { batch } = setup();
    await batch.send(managed("first"));
    await batch.send(managed("ce"));
    const computeEnvironmentOrder = [{ order: 1, computeEnvironment: "first" }, { order: 2, computeEnvironment: "ce" }];
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "jq", priority: 1, computeEnvironmentOrder }));
    await batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" }));
    const inUse = await failure(batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "ce" })));
    expect(inUse).toBeInstanceOf(ClientException);
    expect(inUse.message).toBe("Cannot delete, found existing JobQueue relationship");
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments!.map((ce) => [ce.computeEnvironmentName, ce.state, ce.status])).toEqual([["first", "ENABLED", "VALID"], ["ce", "DISABLED", "VALID"]]);
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "jq", state: "DISABLED" }));
    await batch.send(new DeleteJobQueueCommand({ jobQueue: "jq" }));
    await batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "ce" }));
    expect((await batch.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments!.map((ce) => ce.computeEnvironmentName)).toEqual(["first"]);
  });

  test("with a transition time, status goes CREATING then VALID, and changes are refused meanwhile", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(managed("ce"));
    const describe = async () => (await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ["ce"] }))).computeEnvironments![0];
    expect((await describe()).status).toBe("CREATING");
    const busy = await failure(batch.send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "ce", state: "DISABLED" })));
    expect(busy.message).toMatch(/resource is being modified/);
    await fake.advance(1000);
    expect(await describe()).toMatchObject({ status: "VALID", statusReason: "ComputeEnvironment Healthy" });
  });

  test("describe pages with maxResults and nextToken, and the paginator walks every page", async () => {
    const { batch } = setup();
    for (let i = 0; i < 5; i++) await batch.send(managed(`ce${i}`));
    const first = await batch.send(new DescribeComputeEnvironmentsCommand({ maxResults: 2 }));
    expect(first.computeEnvironments!.map((ce) => ce.computeEnvironmentName)).toEqual(["ce0", "ce1"]);
    expect(first.nextToken).toBeTruthy();
    const names: string[] = [];
    for await (const page of paginateDescribeComputeEnvironments({ client: batch, pageSize: 2 }, {})) {
      names.push(...page.computeEnvironments!.map((ce) => ce.computeEnvironmentName!));
    }
    expect(names).toEqual(["ce0", "ce1", "ce2", "ce3", "ce4"]);
    const badPage = await failure(batch.send(new DescribeComputeEnvironmentsCommand({ maxResults: 0 })));
    expect(badPage.message).toBe("maxResults must be an integer between 1 and 100, got 0.");
  });
});
