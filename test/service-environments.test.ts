import {
  BatchClient,
  ClientException,
  CreateJobQueueCommand,
  CreateServiceEnvironmentCommand,
  DeleteJobQueueCommand,
  DeleteServiceEnvironmentCommand,
  DescribeServiceEnvironmentsCommand,
  UpdateJobQueueCommand,
  UpdateServiceEnvironmentCommand,
  paginateDescribeServiceEnvironments,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const ACCOUNT = "000000000000";
const environmentArn = (name: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:service-environment/${name}`;

const create = (name: string, extra: Record<string, unknown> = {}) =>
  new CreateServiceEnvironmentCommand({
    serviceEnvironmentName: name,
    serviceEnvironmentType: "SAGEMAKER_TRAINING",
    capacityLimits: [{ maxCapacity: 10, capacityUnit: "NUM_INSTANCES" }],
    ...extra,
  });

async function describeOne(batch: BatchClient, name: string) {
  const { serviceEnvironments } = await batch.send(new DescribeServiceEnvironmentsCommand({ serviceEnvironments: [name] }));
  return serviceEnvironments![0];
}

async function names(batch: BatchClient): Promise<string[]> {
  const { serviceEnvironments } = await batch.send(new DescribeServiceEnvironmentsCommand({}));
  return serviceEnvironments!.map((environment) => environment.serviceEnvironmentName!);
}

const disable = (name: string) => new UpdateServiceEnvironmentCommand({ serviceEnvironment: name, state: "DISABLED" });

describe("service environments", () => {
  test("create returns the ARN, and describe shows a VALID, ENABLED environment", async () => {
    const { batch } = setup();
    const created = await batch.send(create("training", { tags: { team: "ml" } }));
    expect(created).toMatchObject({ serviceEnvironmentName: "training", serviceEnvironmentArn: environmentArn("training") });
    expect(await describeOne(batch, "training")).toEqual({
      serviceEnvironmentName: "training",
      serviceEnvironmentArn: environmentArn("training"),
      serviceEnvironmentType: "SAGEMAKER_TRAINING",
      state: "ENABLED",
      status: "VALID",
      capacityLimits: [{ maxCapacity: 10, capacityUnit: "NUM_INSTANCES" }],
      tags: { team: "ml" },
    });
    await batch.send(create("paused", { state: "DISABLED", capacityLimits: [{ maxCapacity: 4, capacityUnit: "ml.m5.large" }, { maxCapacity: 2, capacityUnit: "ml.p4d.24xlarge" }] }));
    expect(await describeOne(batch, environmentArn("paused"))).toMatchObject({ state: "DISABLED", status: "VALID", capacityLimits: [{ maxCapacity: 4 }, { maxCapacity: 2 }] });
  });

  test("invalid creates are ClientExceptions and create nothing", async () => {
    const { batch } = setup();
    const badName = await failure(batch.send(create("bad name")));
    expect(badName).toBeInstanceOf(ClientException);
    expect(badName.message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    expect((await failure(batch.send(create("e", { capacityLimits: [] })))).message).toBe("capacityLimits must have between 1 and 50 entries, got 0.");
    expect((await failure(batch.send(create("e", { capacityLimits: [{ capacityUnit: "NUM_INSTANCES" }] })))).message).toBe("capacityLimits[0].maxCapacity must be specified.");
    expect((await failure(batch.send(create("e", { capacityLimits: [{ maxCapacity: 0, capacityUnit: "NUM_INSTANCES" }] })))).message).toBe(
      "capacityLimits[0].maxCapacity must be a positive integer, got 0.",
    );
    expect((await failure(batch.send(create("e", { capacityLimits: [{ maxCapacity: 1 }] })))).message).toBe("capacityLimits[0].capacityUnit must be specified.");
    const twice = await failure(batch.send(create("e", { capacityLimits: [{ maxCapacity: 1, capacityUnit: "NUM_INSTANCES" }, { maxCapacity: 2, capacityUnit: "NUM_INSTANCES" }] })));
    expect(twice.message).toBe("capacityLimits has more than one limit for the capacity unit NUM_INSTANCES.");
    expect((await failure(batch.send(create("e", { serviceEnvironmentType: "EKS" })))).message).toBe(
      "Invalid value EKS for serviceEnvironmentType: it must be one of SAGEMAKER_TRAINING.",
    );
    const noLimits = await failure(batch.send(new CreateServiceEnvironmentCommand({ serviceEnvironmentName: "e", serviceEnvironmentType: "SAGEMAKER_TRAINING" } as never)));
    expect(noLimits.message).toBe("capacityLimits must be specified.");
    await batch.send(create("dup"));
    expect((await failure(batch.send(create("dup")))).message).toBe("Object already exists");
    expect(await names(batch)).toEqual(["dup"]);
  });

  test("at most 50 service environments per account and region", async () => {
    const { batch } = setup();
    for (let i = 0; i < 50; i++) await batch.send(create(`env${i}`));
    const full = await failure(batch.send(create("one-too-many")));
    expect(full.message).toMatch(/^Error executing request, Exception : Maximum number of service environments \(50\) reached, RequestId: /);
    expect(await names(batch)).toHaveLength(50);
  });

  test("describe leaves unknown names out and pages through everything with the SDK paginator", async () => {
    const { batch } = setup();
    for (let i = 0; i < 5; i++) await batch.send(create(`env${i}`));
    const { serviceEnvironments } = await batch.send(new DescribeServiceEnvironmentsCommand({ serviceEnvironments: ["env3", "nope", environmentArn("env1")] }));
    expect(serviceEnvironments!.map((environment) => environment.serviceEnvironmentName)).toEqual(["env3", "env1"]);
    const first = await batch.send(new DescribeServiceEnvironmentsCommand({ maxResults: 2 }));
    expect(first.serviceEnvironments).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const pages: string[][] = [];
    for await (const page of paginateDescribeServiceEnvironments({ client: batch, pageSize: 2 }, {})) {
      pages.push(page.serviceEnvironments!.map((environment) => environment.serviceEnvironmentName!));
    }
    expect(pages).toEqual([["env0", "env1"], ["env2", "env3"], ["env4"]]);
    expect((await failure(batch.send(new DescribeServiceEnvironmentsCommand({ maxResults: 101 })))).message).toBe("maxResults must be an integer between 1 and 100, got 101.");
  });

  test("update changes state and capacity limits; invalid updates change nothing", async () => {
    const { batch } = setup();
    await batch.send(create("training"));
    const updated = await batch.send(new UpdateServiceEnvironmentCommand({ serviceEnvironment: environmentArn("training"), state: "DISABLED", capacityLimits: [{ maxCapacity: 20, capacityUnit: "NUM_INSTANCES" }] }));
    expect(updated).toMatchObject({ serviceEnvironmentName: "training", serviceEnvironmentArn: environmentArn("training") });
    expect(await describeOne(batch, "training")).toMatchObject({ state: "DISABLED", status: "VALID", capacityLimits: [{ maxCapacity: 20, capacityUnit: "NUM_INSTANCES" }] });
    const bad = await failure(batch.send(new UpdateServiceEnvironmentCommand({ serviceEnvironment: "training", state: "ENABLED", capacityLimits: [] })));
    expect(bad.message).toBe("capacityLimits must have between 1 and 50 entries, got 0.");
    expect(await describeOne(batch, "training")).toMatchObject({ state: "DISABLED", capacityLimits: [{ maxCapacity: 20 }] });
    const missing = await failure(batch.send(new UpdateServiceEnvironmentCommand({ serviceEnvironment: "nope", state: "ENABLED" })));
    expect(missing).toBeInstanceOf(ClientException);
    expect(missing.message).toBe(`ServiceEnvironment ${environmentArn("nope")} does not exist`);
  });

  test("with a transition time, status goes CREATING then VALID, and changes are refused meanwhile", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(create("training"));
    expect((await describeOne(batch, "training")).status).toBe("CREATING");
    const busy = await failure(batch.send(disable("training")));
    expect(busy.message).toBe("Cannot update, resource is being modified");
    await fake.advance(1000);
    expect((await describeOne(batch, "training")).status).toBe("VALID");
    await batch.send(disable("training"));
    expect(await describeOne(batch, "training")).toMatchObject({ status: "UPDATING", state: "DISABLED" });
    const deleting = await failure(batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" })));
    expect(deleting.message).toBe("Cannot delete, resource is being modified");
    await fake.advance(1000);
    await batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" }));
    expect((await describeOne(batch, "training")).status).toBe("DELETING");
    await fake.advance(1000);
    expect(await names(batch)).toEqual([]);
  });

  test("delete requires DISABLED, then the environment is gone", async () => {
    const { batch } = setup();
    await batch.send(create("training"));
    const enabled = await failure(batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" })));
    expect(enabled.message).toBe("Cannot delete, ServiceEnvironment training is in ENABLED state. Disable it first.");
    expect(await names(batch)).toEqual(["training"]);
    await batch.send(disable("training"));
    await batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: environmentArn("training") }));
    expect(await names(batch)).toEqual([]);
    const missing = await failure(batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" })));
    expect(missing.message).toBe(`ServiceEnvironment ${environmentArn("training")} does not exist`);
  });

  test("delete is refused while a job queue uses the environment", async () => {
    const { batch } = setup();
    await batch.send(create("training"));
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "sagemaker", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "training" }] }));
    await batch.send(disable("training"));
    const attached = await failure(batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" })));
    expect(attached.message).toBe("Cannot delete, found existing JobQueue relationship");
    expect(await names(batch)).toEqual(["training"]);
    await batch.send(new UpdateJobQueueCommand({ jobQueue: "sagemaker", state: "DISABLED" }));
    await batch.send(new DeleteJobQueueCommand({ jobQueue: "sagemaker" }));
    await batch.send(new DeleteServiceEnvironmentCommand({ serviceEnvironment: "training" }));
    expect(await names(batch)).toEqual([]);
  });
});
