import {
  BatchClient,
  ClientException,
  CreateConsumableResourceCommand,
  DeleteConsumableResourceCommand,
  DescribeConsumableResourceCommand,
  ListConsumableResourcesCommand,
  ListJobsByConsumableResourceCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  UpdateConsumableResourceCommand,
  paginateListConsumableResources,
  paginateListJobsByConsumableResource,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const ACCOUNT = "000000000000";
const resourceArn = (name: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:consumable-resource/${name}`;
const HOUR = 60 * 60 * 1000;

const create = (name: string, extra: Record<string, unknown> = {}) =>
  new CreateConsumableResourceCommand({ consumableResourceName: name, ...extra });

async function describe_(batch: BatchClient, name: string) {
  const { $metadata: _metadata, ...resource } = await batch.send(new DescribeConsumableResourceCommand({ consumableResource: name }));
  return resource;
}

async function listedNames(batch: BatchClient, pattern?: string): Promise<string[]> {
  const filters = pattern === undefined ? undefined : [{ name: "CONSUMABLE_RESOURCE_NAME", values: [pattern] }];
  const { consumableResources } = await batch.send(new ListConsumableResourcesCommand({ filters }));
  return consumableResources!.map((resource) => resource.consumableResourceName!);
}

describe("consumable resources", () => {
  test("create returns the ARN, and describe shows the defaults with createdAt from the clock", async () => {
    const { fake, batch } = setup({ clock: "manual", startTime: 1_700_000_000_000 });
    const created = await batch.send(create("licenses"));
    expect(created).toMatchObject({ consumableResourceName: "licenses", consumableResourceArn: resourceArn("licenses") });
    expect(await describe_(batch, "licenses")).toEqual({
      consumableResourceName: "licenses",
      consumableResourceArn: resourceArn("licenses"),
      totalQuantity: 0,
      inUseQuantity: 0,
      availableQuantity: 0,
      resourceType: "REPLENISHABLE",
      createdAt: fake.now(),
      tags: {},
    });
  });

  test("create takes a quantity, a NON_REPLENISHABLE type and tags; describe finds it by ARN too", async () => {
    const { batch } = setup();
    await batch.send(create("tokens", { totalQuantity: 12, resourceType: "NON_REPLENISHABLE", tags: { team: "data" } }));
    expect(await describe_(batch, resourceArn("tokens"))).toMatchObject({
      consumableResourceName: "tokens",
      totalQuantity: 12,
      availableQuantity: 12,
      inUseQuantity: 0,
      resourceType: "NON_REPLENISHABLE",
      tags: { team: "data" },
    });
  });

  test("invalid creates are ClientExceptions and create nothing", async () => {
    const { batch } = setup();
    const badName = await failure(batch.send(create("bad name")));
    expect(badName).toBeInstanceOf(ClientException);
    expect(badName.$metadata?.httpStatusCode).toBe(400);
    expect(badName.message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    expect((await failure(batch.send(create("r", { totalQuantity: -1 })))).message).toBe("totalQuantity must be a non-negative integer, got -1.");
    expect((await failure(batch.send(create("r", { totalQuantity: 1.5 })))).message).toBe("totalQuantity must be a non-negative integer, got 1.5.");
    expect((await failure(batch.send(create("r", { resourceType: "RENEWABLE" })))).message).toBe(
      "Invalid value RENEWABLE for resourceType: it must be one of REPLENISHABLE, NON_REPLENISHABLE.",
    );
    expect((await failure(batch.send(create("r", { tags: { "aws:owner": "me" } })))).message).toMatch(/reserved prefix aws:/);
    await batch.send(create("dup", { totalQuantity: 3 }));
    expect((await failure(batch.send(create("dup", { totalQuantity: 9 })))).message).toBe("Object already exists");
    expect(await listedNames(batch)).toEqual(["dup"]);
    expect((await describe_(batch, "dup")).totalQuantity).toBe(3);
  });

  test("describe of an unknown resource is a ClientException that echoes the ARN", async () => {
    const { batch } = setup();
    const missing = await failure(batch.send(new DescribeConsumableResourceCommand({ consumableResource: "nope" })));
    expect(missing).toBeInstanceOf(ClientException);
    expect(missing.message).toBe(`ConsumableResource ${resourceArn("nope")} does not exist`);
    const otherRegion = await failure(batch.send(new DescribeConsumableResourceCommand({ consumableResource: resourceArn("nope").replace("us-east-1", "eu-west-1") })));
    expect(otherRegion.message).toMatch(/does not exist$/);
  });

  test("list returns summaries in creation order, filtered by name case-insensitively or by prefix", async () => {
    const { batch } = setup();
    for (const name of ["GpuSlots", "gpu-licenses", "database", "gpu"]) await batch.send(create(name, { totalQuantity: 2 }));
    const { consumableResources } = await batch.send(new ListConsumableResourcesCommand({}));
    expect(consumableResources![0]).toEqual({
      consumableResourceArn: resourceArn("GpuSlots"),
      consumableResourceName: "GpuSlots",
      totalQuantity: 2,
      inUseQuantity: 0,
      resourceType: "REPLENISHABLE",
    });
    expect(await listedNames(batch)).toEqual(["GpuSlots", "gpu-licenses", "database", "gpu"]);
    expect(await listedNames(batch, "GPU")).toEqual(["gpu"]);
    expect(await listedNames(batch, "gpu*")).toEqual(["GpuSlots", "gpu-licenses", "gpu"]);
    expect(await listedNames(batch, "GPU-*")).toEqual(["gpu-licenses"]);
    expect(await listedNames(batch, "none*")).toEqual([]);
  });

  test("list rejects unknown filters and out-of-range page sizes", async () => {
    const { batch } = setup();
    const badFilter = await failure(batch.send(new ListConsumableResourcesCommand({ filters: [{ name: "NAME", values: ["x"] }] })));
    expect(badFilter.message).toBe("Invalid filter name NAME: it must be one of CONSUMABLE_RESOURCE_NAME.");
    const noValues = await failure(batch.send(new ListConsumableResourcesCommand({ filters: [{ name: "CONSUMABLE_RESOURCE_NAME", values: [] }] })));
    expect(noValues.message).toBe("The filter CONSUMABLE_RESOURCE_NAME must have at least one value.");
    expect((await failure(batch.send(new ListConsumableResourcesCommand({ maxResults: 0 })))).message).toBe("maxResults must be an integer between 1 and 100, got 0.");
    expect((await failure(batch.send(new ListConsumableResourcesCommand({ maxResults: 101 })))).message).toBe("maxResults must be an integer between 1 and 100, got 101.");
  });

  test("list pages with maxResults and nextToken, and the SDK paginator walks every page", async () => {
    const { batch } = setup();
    for (let i = 0; i < 5; i++) await batch.send(create(`r${i}`));
    const first = await batch.send(new ListConsumableResourcesCommand({ maxResults: 2 }));
    expect(first.consumableResources!.map((resource) => resource.consumableResourceName)).toEqual(["r0", "r1"]);
    expect(first.nextToken).toBeTruthy();
    const pages: string[][] = [];
    for await (const page of paginateListConsumableResources({ client: batch, pageSize: 2 }, {})) {
      pages.push(page.consumableResources!.map((resource) => resource.consumableResourceName!));
    }
    expect(pages).toEqual([["r0", "r1"], ["r2", "r3"], ["r4"]]);
    const filtered: string[] = [];
    for await (const page of paginateListConsumableResources({ client: batch, pageSize: 1 }, { filters: [{ name: "CONSUMABLE_RESOURCE_NAME", values: ["R1*"] }] })) {
      filtered.push(...page.consumableResources!.map((resource) => resource.consumableResourceName!));
    }
    expect(filtered).toEqual(["r1"]);
    const foreign = await failure(batch.send(new ListConsumableResourcesCommand({ nextToken: "not-a-token" })));
    expect(foreign).toBeInstanceOf(ClientException);
  });

  test("update SETs, ADDs and REMOVEs quantity, and describe follows", async () => {
    const { batch } = setup();
    await batch.send(create("slots", { totalQuantity: 10 }));
    const added = await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: 5 }));
    expect(added).toMatchObject({ consumableResourceName: "slots", consumableResourceArn: resourceArn("slots"), totalQuantity: 15 });
    const removed = await batch.send(new UpdateConsumableResourceCommand({ consumableResource: resourceArn("slots"), operation: "REMOVE", quantity: 4 }));
    expect(removed.totalQuantity).toBe(11);
    const set = await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "SET", quantity: 3 }));
    expect(set.totalQuantity).toBe(3);
    expect(await describe_(batch, "slots")).toMatchObject({ totalQuantity: 3, availableQuantity: 3, inUseQuantity: 0 });
    const defaultSet = await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", quantity: 7 }));
    expect(defaultSet.totalQuantity).toBe(7);
  });

  test("invalid updates are ClientExceptions and change nothing", async () => {
    const { batch } = setup();
    await batch.send(create("slots", { totalQuantity: 2 }));
    const belowZero = await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "REMOVE", quantity: 3 })));
    expect(belowZero).toBeInstanceOf(ClientException);
    expect(belowZero.message).toBe("Cannot remove 3 from consumable resource slots: its total quantity is 2.");
    expect((await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "MULTIPLY", quantity: 2 })))).message).toBe(
      "Invalid value MULTIPLY for operation: it must be one of SET, ADD, REMOVE.",
    );
    expect((await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD" })))).message).toBe("quantity must be specified.");
    expect((await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: -1 })))).message).toBe(
      "quantity must be a non-negative integer, got -1.",
    );
    const missing = await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "nope", operation: "ADD", quantity: 1 })));
    expect(missing.message).toBe(`ConsumableResource ${resourceArn("nope")} does not exist`);
    expect(await describe_(batch, "slots")).toMatchObject({ totalQuantity: 2, availableQuantity: 2 });
  });

  test("a repeated clientToken within 8 hours answers the same without applying twice", async () => {
    const { fake, batch } = setup({ clock: "manual" });
    await batch.send(create("slots", { totalQuantity: 10 }));
    const update = new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: 5, clientToken: "token-1" });
    const first = await batch.send(update);
    await fake.advance(HOUR);
    const retried = await batch.send(update);
    expect(first.totalQuantity).toBe(15);
    expect(retried.totalQuantity).toBe(15);
    expect((await describe_(batch, "slots")).totalQuantity).toBe(15);

    const reused = await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: 6, clientToken: "token-1" })));
    expect(reused).toBeInstanceOf(ClientException);
    expect(reused.message).toBe("The clientToken token-1 was already used with a different request.");
    expect((await describe_(batch, "slots")).totalQuantity).toBe(15);

    // After its 8 hours the token is forgotten, and the same request applies again.
    await fake.advance(7 * HOUR);
    expect((await batch.send(update)).totalQuantity).toBe(20);
  });

  test("the SDK fills in a fresh clientToken itself, so plain repeated updates each apply", async () => {
    const { fake, batch } = setup();
    await batch.send(create("slots"));
    await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: 1 }));
    await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "slots", operation: "ADD", quantity: 1 }));
    expect((await describe_(batch, "slots")).totalQuantity).toBe(2);
    const tokens = fake.requests.filter((request) => request.operation === "UpdateConsumableResource").map((request) => request.input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  test("delete removes the resource, so its name can be used again", async () => {
    const { batch } = setup();
    await batch.send(create("slots", { totalQuantity: 4 }));
    await batch.send(new DeleteConsumableResourceCommand({ consumableResource: resourceArn("slots") }));
    expect((await failure(batch.send(new DescribeConsumableResourceCommand({ consumableResource: "slots" })))).message).toMatch(/does not exist$/);
    expect(await listedNames(batch)).toEqual([]);
    await batch.send(create("slots", { totalQuantity: 1 }));
    expect((await describe_(batch, "slots")).totalQuantity).toBe(1);
    const missing = await failure(batch.send(new DeleteConsumableResourceCommand({ consumableResource: "nope" })));
    expect(missing.message).toBe(`ConsumableResource ${resourceArn("nope")} does not exist`);
  });

  describe("listing the jobs that require a resource", () => {
    async function withJobs() {
      const context = setup({ clock: "manual" });
      const { fake, batch } = context;
      await fake.provision({ jobQueues: ["jq"] });
      await batch.send(create("licenses", { totalQuantity: 100 }));
      await batch.send(create("other", { totalQuantity: 100 }));
      const container = { image: "busybox", command: ["true"], resourceRequirements: [{ type: "VCPU" as const, value: "1" }, { type: "MEMORY" as const, value: "512" }] };
      const definition = await batch.send(
        new RegisterJobDefinitionCommand({
          jobDefinitionName: "licensed",
          type: "container",
          containerProperties: container,
          consumableResourceProperties: { consumableResourceList: [{ consumableResource: "licenses", quantity: 2 }] },
        }),
      );
      await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "plain", type: "container", containerProperties: container }));
      // Without an override a job takes the definition's 2 licenses; with one, it uses a definition that requires nothing else.
      const submit = (jobName: string, consumableResource?: string, quantity = 1) =>
        batch.send(
          new SubmitJobCommand({
            jobName,
            jobQueue: "jq",
            jobDefinition: consumableResource ? "plain" : "licensed",
            consumableResourcePropertiesOverride: consumableResource ? { consumableResourceList: [{ consumableResource, quantity }] } : undefined,
          }),
        );
      return { ...context, definitionArn: definition.jobDefinitionArn!, submit };
    }

    test("lists each job with its queue, definition, status and the quantity it needs", async () => {
      const { fake, batch, definitionArn, submit } = await withJobs();
      const first = await submit("Render-1");
      await submit("render-2", resourceArn("licenses"), 5);
      await submit("unrelated", "other", 1);
      const { jobs } = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses" }));
      expect(jobs!.map((job) => [job.jobName, job.quantity])).toEqual([
        ["Render-1", 2],
        ["render-2", 5],
      ]);
      expect(jobs![0]).toMatchObject({
        jobArn: first.jobArn,
        jobQueueArn: `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/jq`,
        jobDefinitionArn: definitionArn,
        jobStatus: "SUCCEEDED",
        createdAt: fake.now(),
        consumableResourceProperties: { consumableResourceList: [{ consumableResource: "licenses", quantity: 2 }] },
      });
      const byArn = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: resourceArn("other") }));
      expect(byArn.jobs!.map((job) => job.jobName)).toEqual(["unrelated"]);
    });

    test("filters by JOB_NAME (case-insensitive, * for a prefix) and by JOB_STATUS", async () => {
      const { fake, batch, submit } = await withJobs();
      fake.onJob({ jobName: "Render-1" }, { durationMs: 60_000 });
      fake.onJob({ jobName: "encode" }, { exitCode: 1 });
      await submit("Render-1");
      await submit("render-2");
      await submit("encode");
      await submit("render-3");
      const names = async (filters: { name: string; values: string[] }[]) =>
        (await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses", filters }))).jobs!.map((job) => job.jobName);
      expect(await names([{ name: "JOB_NAME", values: ["RENDER*"] }])).toEqual(["Render-1", "render-2", "render-3"]);
      expect(await names([{ name: "JOB_NAME", values: ["encode"] }])).toEqual(["encode"]);
      expect(await names([{ name: "JOB_NAME", values: ["render"] }])).toEqual([]);
      expect(await names([{ name: "JOB_STATUS", values: ["RUNNING"] }])).toEqual(["Render-1"]);
      expect(await names([{ name: "JOB_STATUS", values: ["SUCCEEDED"] }])).toEqual(["render-2", "render-3"]);
      expect(await names([{ name: "JOB_STATUS", values: ["FAILED"] }])).toEqual(["encode"]);
      expect(await names([{ name: "JOB_STATUS", values: ["RUNNABLE"] }])).toEqual([]);
      const { jobs } = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses" }));
      expect(jobs!.map((job) => [job.jobName, job.jobStatus])).toEqual([
        ["Render-1", "RUNNING"],
        ["render-2", "SUCCEEDED"],
        ["encode", "FAILED"],
        ["render-3", "SUCCEEDED"],
      ]);
      const badStatus = await failure(batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses", filters: [{ name: "JOB_STATUS", values: ["DONE"] }] })));
      expect(badStatus.message).toBe("Invalid value DONE for JOB_STATUS filter value: it must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED.");
      const badName = await failure(batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses", filters: [{ name: "QUEUE", values: ["jq"] }] })));
      expect(badName.message).toBe("Invalid filter name QUEUE: it must be one of JOB_STATUS, JOB_NAME.");
    });

    test("a running job holds its quantity: it is in use, and the total cannot drop below it or be deleted", async () => {
      const { fake, batch, submit } = await withJobs();
      fake.onJob({ jobName: "holder" }, { durationMs: 60_000 });
      const { jobId } = await submit("holder", "licenses", 30);
      expect(await describe_(batch, "licenses")).toMatchObject({ totalQuantity: 100, inUseQuantity: 30, availableQuantity: 70 });
      const running = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses", filters: [{ name: "JOB_STATUS", values: ["RUNNING"] }] }));
      expect(running.jobs!.map((job) => [job.jobName, job.quantity, job.startedAt])).toEqual([["holder", 30, fake.now()]]);

      const belowInUse = await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "licenses", operation: "REMOVE", quantity: 80 })));
      expect(belowInUse.message).toBe("The total quantity of consumable resource licenses cannot be less than its in-use quantity (30), got 20.");
      const setBelow = await failure(batch.send(new UpdateConsumableResourceCommand({ consumableResource: "licenses", operation: "SET", quantity: 10 })));
      expect(setBelow.message).toBe("The total quantity of consumable resource licenses cannot be less than its in-use quantity (30), got 10.");
      const inUse = await failure(batch.send(new DeleteConsumableResourceCommand({ consumableResource: "licenses" })));
      expect(inUse.message).toBe("Cannot delete, consumable resource licenses is in use by running jobs.");
      expect(await describe_(batch, "licenses")).toMatchObject({ totalQuantity: 100, inUseQuantity: 30, availableQuantity: 70 });

      await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "licenses", operation: "REMOVE", quantity: 60 }));
      expect(await describe_(batch, "licenses")).toMatchObject({ totalQuantity: 40, inUseQuantity: 30, availableQuantity: 10 });
      await fake.advance(60_000);
      const { jobs } = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "licenses", filters: [{ name: "JOB_STATUS", values: ["SUCCEEDED"] }] }));
      expect(jobs!.map((job) => job.jobArn)).toEqual([expect.stringContaining(jobId!)]);
      expect(await describe_(batch, "licenses")).toMatchObject({ totalQuantity: 40, inUseQuantity: 0, availableQuantity: 40 });
    });

    test("a NON_REPLENISHABLE quantity is used up: a finished job does not give it back", async () => {
      const { fake, batch, submit } = await withJobs();
      await batch.send(create("tokens", { totalQuantity: 5, resourceType: "NON_REPLENISHABLE" }));
      fake.onJob({ jobName: /^spend/ }, { durationMs: 60_000 });
      await submit("spend-1", "tokens", 2);
      expect(await describe_(batch, "tokens")).toMatchObject({ totalQuantity: 5, inUseQuantity: 2, availableQuantity: 3 });
      await fake.advance(60_000);
      expect(await describe_(batch, "tokens")).toMatchObject({ totalQuantity: 3, inUseQuantity: 0, availableQuantity: 3 });
      // A failed job uses its quantity up too.
      fake.onJob({ jobName: "spend-2" }, { durationMs: 60_000, exitCode: 1 });
      await submit("spend-2", "tokens", 2);
      await fake.advance(60_000);
      expect(await describe_(batch, "tokens")).toMatchObject({ totalQuantity: 1, inUseQuantity: 0, availableQuantity: 1 });
      // What is left is too little for the next job, which waits until more is added.
      await submit("spend-3", "tokens", 2);
      const status = async () => (await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "tokens", filters: [{ name: "JOB_NAME", values: ["spend-3"] }] }))).jobs![0].jobStatus;
      expect(await status()).toBe("RUNNABLE");
      await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "tokens", operation: "ADD", quantity: 1 }));
      expect(await status()).toBe("RUNNING");
      // A REPLENISHABLE resource gets its quantity back.
      await submit("borrow", "other", 40);
      expect(await describe_(batch, "other")).toMatchObject({ totalQuantity: 100, inUseQuantity: 0, availableQuantity: 100 });
    });

    test("a job waiting for more than is available starts once an update adds enough", async () => {
      const { fake, batch, submit } = await withJobs();
      fake.onJob({ jobName: "big" }, { durationMs: 60_000 });
      await submit("big", "other", 150);
      const waiting = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "other" }));
      expect(waiting.jobs!.map((job) => job.jobStatus)).toEqual(["RUNNABLE"]);
      await batch.send(new UpdateConsumableResourceCommand({ consumableResource: "other", operation: "ADD", quantity: 50 }));
      const started = await batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "other" }));
      expect(started.jobs!.map((job) => job.jobStatus)).toEqual(["RUNNING"]);
      expect(await describe_(batch, "other")).toMatchObject({ totalQuantity: 150, inUseQuantity: 150, availableQuantity: 0 });
    });

    test("pages with the SDK paginator, and an unknown resource is a ClientException", async () => {
      const { batch, submit } = await withJobs();
      for (let i = 0; i < 5; i++) await submit(`job${i}`);
      const pages: string[][] = [];
      for await (const page of paginateListJobsByConsumableResource({ client: batch, pageSize: 2 }, { consumableResource: "licenses" })) {
        pages.push(page.jobs!.map((job) => job.jobName!));
      }
      expect(pages).toEqual([["job0", "job1"], ["job2", "job3"], ["job4"]]);
      const missing = await failure(batch.send(new ListJobsByConsumableResourceCommand({ consumableResource: "nope" })));
      expect(missing.message).toBe(`ConsumableResource ${resourceArn("nope")} does not exist`);
    });
  });
});
