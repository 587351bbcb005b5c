import {
  BatchClient,
  ClientException,
  CreateJobQueueCommand,
  CreateQuotaShareCommand,
  type CreateQuotaShareCommandInput,
  CreateServiceEnvironmentCommand,
  DeleteQuotaShareCommand,
  DescribeQuotaShareCommand,
  ListQuotaSharesCommand,
  UpdateQuotaShareCommand,
  paginateListQuotaShares,
} from "@aws-sdk/client-batch";
import type { FakeBatch } from "../src";
import { failure, setup } from "./helpers";

const ACCOUNT = "000000000000";
const queueArn = (queue: string) => `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/${queue}`;
const shareArn = (queue: string, share: string) => `${queueArn(queue)}/quota-share/${share}`;

const create = (name: string, jobQueue = "training", extra: Partial<CreateQuotaShareCommandInput> = {}) =>
  new CreateQuotaShareCommand({
    quotaShareName: name,
    jobQueue,
    capacityLimits: [{ maxCapacity: 4, capacityUnit: "ml.m5.large" }],
    resourceSharingConfiguration: { strategy: "RESERVE" },
    preemptionConfiguration: { inSharePreemption: "DISABLED" },
    ...extra,
  });

/** A SageMaker training queue backed by a service environment, ready for quota shares. */
async function trainingQueue(batch: BatchClient, name = "training"): Promise<void> {
  await batch.send(
    new CreateServiceEnvironmentCommand({
      serviceEnvironmentName: `${name}-env`,
      serviceEnvironmentType: "SAGEMAKER_TRAINING",
      capacityLimits: [{ maxCapacity: 20, capacityUnit: "ml.m5.large" }],
    }),
  );
  await batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: `${name}-env` }] }));
}

async function withQueue(options?: Parameters<typeof setup>[0]): Promise<{ fake: FakeBatch; batch: BatchClient }> {
  const context = setup(options);
  await trainingQueue(context.batch);
  return context;
}

async function describe_(batch: BatchClient, arn: string) {
  const { $metadata: _metadata, ...share } = await batch.send(new DescribeQuotaShareCommand({ quotaShareArn: arn }));
  return share;
}

async function shareNames(batch: BatchClient, jobQueue = "training"): Promise<string[]> {
  const { quotaShares } = await batch.send(new ListQuotaSharesCommand({ jobQueue }));
  return quotaShares!.map((share) => share.quotaShareName!);
}

describe("quota shares", () => {
  test("create returns an ARN under the queue, and describe shows the share with its defaults", async () => {
    const { batch } = await withQueue();
    const created = await batch.send(create("research", "training", { tags: { team: "ml" } }));
    expect(created).toMatchObject({ quotaShareName: "research", quotaShareArn: shareArn("training", "research") });
    expect(await describe_(batch, shareArn("training", "research"))).toEqual({
      quotaShareName: "research",
      quotaShareArn: shareArn("training", "research"),
      jobQueueArn: queueArn("training"),
      capacityLimits: [{ maxCapacity: 4, capacityUnit: "ml.m5.large" }],
      resourceSharingConfiguration: { strategy: "RESERVE", borrowLimit: -1 },
      preemptionConfiguration: { inSharePreemption: "DISABLED" },
      state: "ENABLED",
      status: "VALID",
      tags: { team: "ml" },
    });
  });

  test("the queue may be given by ARN, and LEND_AND_BORROW takes a borrow limit", async () => {
    const { batch } = await withQueue();
    await batch.send(
      create("burst", queueArn("training"), {
        resourceSharingConfiguration: { strategy: "LEND_AND_BORROW", borrowLimit: 200 },
        preemptionConfiguration: { inSharePreemption: "ENABLED" },
        state: "DISABLED",
      }),
    );
    expect(await describe_(batch, shareArn("training", "burst"))).toMatchObject({
      jobQueueArn: queueArn("training"),
      resourceSharingConfiguration: { strategy: "LEND_AND_BORROW", borrowLimit: 200 },
      preemptionConfiguration: { inSharePreemption: "ENABLED" },
      state: "DISABLED",
    });
  });

  test("invalid creates are ClientExceptions and create nothing", async () => {
    const { batch } = await withQueue();
    const badName = await failure(batch.send(create("bad name")));
    expect(badName).toBeInstanceOf(ClientException);
    expect(badName.message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    expect((await failure(batch.send(create("s", "nope")))).message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
    expect((await failure(batch.send(create("s", "training", { capacityLimits: [] })))).message).toBe("capacityLimits must have between 1 and 50 entries, got 0.");
    expect((await failure(batch.send(create("s", "training", { capacityLimits: [{ maxCapacity: -1, capacityUnit: "ml.m5.large" }] })))).message).toBe(
      "capacityLimits[0].maxCapacity must be a positive integer, got -1.",
    );
    const twice = await failure(
      batch.send(create("s", "training", { capacityLimits: [{ maxCapacity: 1, capacityUnit: "ml.m5.large" }, { maxCapacity: 2, capacityUnit: "ml.m5.large" }] })),
    );
    expect(twice.message).toBe("capacityLimits has more than one limit for the capacity unit ml.m5.large.");
    const borrowOnReserve = await failure(batch.send(create("s", "training", { resourceSharingConfiguration: { strategy: "RESERVE", borrowLimit: 50 } })));
    expect(borrowOnReserve.message).toBe("resourceSharingConfiguration.borrowLimit can only be applied to quota shares with a strategy of LEND_AND_BORROW, got RESERVE.");
    const badBorrow = await failure(batch.send(create("s", "training", { resourceSharingConfiguration: { strategy: "LEND_AND_BORROW", borrowLimit: -2 } })));
    expect(badBorrow.message).toBe("resourceSharingConfiguration.borrowLimit must be -1 (unlimited) or a non-negative integer, got -2.");
    const badStrategy = await failure(batch.send(create("s", "training", { resourceSharingConfiguration: { strategy: "HOARD" as never } })));
    expect(badStrategy.message).toBe("Invalid value HOARD for resourceSharingConfiguration.strategy: it must be one of LEND, LEND_AND_BORROW, RESERVE.");
    const noPreemption = await failure(batch.send(create("s", "training", { preemptionConfiguration: undefined })));
    expect(noPreemption.message).toBe("preemptionConfiguration must be specified.");
    expect(await shareNames(batch)).toEqual([]);
  });

  test("names are unique within a queue, not across queues", async () => {
    const { batch } = await withQueue();
    await trainingQueue(batch, "other");
    await batch.send(create("research"));
    expect((await failure(batch.send(create("research")))).message).toBe("Object already exists");
    await batch.send(create("research", "other"));
    expect(await shareNames(batch)).toEqual(["research"]);
    expect(await shareNames(batch, "other")).toEqual(["research"]);
  });

  test("the queue must be VALID", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(
      new CreateServiceEnvironmentCommand({ serviceEnvironmentName: "env", serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 1, capacityUnit: "NUM_INSTANCES" }] }),
    );
    await fake.advance(1000);
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "training", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "env" }] }));
    const creating = await failure(batch.send(create("research")));
    expect(creating.message).toBe(`JobQueue ${queueArn("training")} must be created and valid before attaching a quota share; its status is CREATING.`);
    await fake.advance(1000);
    await batch.send(create("research"));
    expect((await describe_(batch, shareArn("training", "research"))).status).toBe("CREATING");
    await fake.advance(1000);
    expect((await describe_(batch, shareArn("training", "research"))).status).toBe("VALID");
  });

  test("a queue holds at most 20 quota shares", async () => {
    const { batch } = await withQueue();
    for (let i = 0; i < 20; i++) await batch.send(create(`share${i}`));
    const full = await failure(batch.send(create("share20")));
    expect(full.message).toMatch(/^Error executing request, Exception : Maximum number of quota shares per job queue \(20\) reached, RequestId: /);
    expect(await shareNames(batch)).toHaveLength(20);
  });

  test("describe takes the ARN only; anything else is a ClientException", async () => {
    const { batch } = await withQueue();
    await batch.send(create("research"));
    for (const identifier of ["research", "training/quota-share/research", shareArn("training", "nope"), queueArn("training")]) {
      const missing = await failure(batch.send(new DescribeQuotaShareCommand({ quotaShareArn: identifier })));
      expect(missing).toBeInstanceOf(ClientException);
      expect(missing.message).toBe(`QuotaShare ${identifier} does not exist`);
    }
  });

  test("list returns a queue's shares without tags, pages with the SDK paginator, and needs a known queue", async () => {
    const { batch } = await withQueue();
    await trainingQueue(batch, "other");
    for (let i = 0; i < 5; i++) await batch.send(create(`share${i}`, "training", { tags: { i: String(i) } }));
    await batch.send(create("elsewhere", "other"));
    const { quotaShares } = await batch.send(new ListQuotaSharesCommand({ jobQueue: queueArn("training"), maxResults: 2 }));
    expect(quotaShares![0]).toEqual({
      quotaShareName: "share0",
      quotaShareArn: shareArn("training", "share0"),
      jobQueueArn: queueArn("training"),
      capacityLimits: [{ maxCapacity: 4, capacityUnit: "ml.m5.large" }],
      resourceSharingConfiguration: { strategy: "RESERVE", borrowLimit: -1 },
      preemptionConfiguration: { inSharePreemption: "DISABLED" },
      state: "ENABLED",
      status: "VALID",
    });
    const pages: string[][] = [];
    for await (const page of paginateListQuotaShares({ client: batch, pageSize: 2 }, { jobQueue: "training" })) {
      pages.push(page.quotaShares!.map((share) => share.quotaShareName!));
    }
    expect(pages).toEqual([["share0", "share1"], ["share2", "share3"], ["share4"]]);
    expect((await failure(batch.send(new ListQuotaSharesCommand({ jobQueue: "nope" })))).message).toBe(`JobQueue ${queueArn("nope")} does not exist`);
    expect((await failure(batch.send(new ListQuotaSharesCommand({ jobQueue: "training", maxResults: 0 })))).message).toBe("maxResults must be an integer between 1 and 100, got 0.");
  });

  test("update changes limits, sharing, preemption and state; invalid updates change nothing", async () => {
    const { batch } = await withQueue();
    await batch.send(create("research"));
    const arn = shareArn("training", "research");
    const updated = await batch.send(
      new UpdateQuotaShareCommand({
        quotaShareArn: arn,
        capacityLimits: [{ maxCapacity: 8, capacityUnit: "ml.m5.large" }, { maxCapacity: 1, capacityUnit: "ml.p4d.24xlarge" }],
        resourceSharingConfiguration: { strategy: "LEND_AND_BORROW", borrowLimit: 100 },
        preemptionConfiguration: { inSharePreemption: "ENABLED" },
        state: "DISABLED",
      }),
    );
    expect(updated).toMatchObject({ quotaShareName: "research", quotaShareArn: arn });
    const expected = {
      capacityLimits: [{ maxCapacity: 8, capacityUnit: "ml.m5.large" }, { maxCapacity: 1, capacityUnit: "ml.p4d.24xlarge" }],
      resourceSharingConfiguration: { strategy: "LEND_AND_BORROW", borrowLimit: 100 },
      preemptionConfiguration: { inSharePreemption: "ENABLED" },
      state: "DISABLED",
      status: "VALID",
    };
    expect(await describe_(batch, arn)).toMatchObject(expected);
    const bad = await failure(batch.send(new UpdateQuotaShareCommand({ quotaShareArn: arn, state: "ENABLED", resourceSharingConfiguration: { strategy: "LEND", borrowLimit: 10 } })));
    expect(bad.message).toBe("resourceSharingConfiguration.borrowLimit can only be applied to quota shares with a strategy of LEND_AND_BORROW, got LEND.");
    expect(await describe_(batch, arn)).toMatchObject(expected);
    const missing = await failure(batch.send(new UpdateQuotaShareCommand({ quotaShareArn: shareArn("training", "nope"), state: "ENABLED" })));
    expect(missing.message).toBe(`QuotaShare ${shareArn("training", "nope")} does not exist`);
  });

  test("update and delete are refused mid-transition", async () => {
    const { fake, batch } = setup({ clock: "manual", resourceTransitionMs: 1000 });
    await batch.send(
      new CreateServiceEnvironmentCommand({ serviceEnvironmentName: "env", serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 1, capacityUnit: "NUM_INSTANCES" }] }),
    );
    await fake.advance(1000);
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "training", priority: 1, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "env" }] }));
    await fake.advance(1000);
    await batch.send(create("research"));
    const arn = shareArn("training", "research");
    expect((await failure(batch.send(new UpdateQuotaShareCommand({ quotaShareArn: arn, state: "DISABLED" })))).message).toBe("Cannot update, resource is being modified");
    await fake.advance(1000);
    await batch.send(new UpdateQuotaShareCommand({ quotaShareArn: arn, state: "DISABLED" }));
    expect(await describe_(batch, arn)).toMatchObject({ status: "UPDATING", state: "DISABLED" });
    expect((await failure(batch.send(new DeleteQuotaShareCommand({ quotaShareArn: arn })))).message).toBe("Cannot delete, resource is being modified");
    await fake.advance(1000);
    await batch.send(new DeleteQuotaShareCommand({ quotaShareArn: arn }));
    expect((await describe_(batch, arn)).status).toBe("DELETING");
    await fake.advance(1000);
    expect(await shareNames(batch)).toEqual([]);
  });

  test("delete requires DISABLED, then the share is gone and its name free again", async () => {
    const { batch } = await withQueue();
    await batch.send(create("research"));
    const arn = shareArn("training", "research");
    const enabled = await failure(batch.send(new DeleteQuotaShareCommand({ quotaShareArn: arn })));
    expect(enabled.message).toBe("Cannot delete, QuotaShare research is in ENABLED state. Disable it first.");
    expect(await shareNames(batch)).toEqual(["research"]);
    await batch.send(new UpdateQuotaShareCommand({ quotaShareArn: arn, state: "DISABLED" }));
    await batch.send(new DeleteQuotaShareCommand({ quotaShareArn: arn }));
    expect(await shareNames(batch)).toEqual([]);
    expect((await failure(batch.send(new DeleteQuotaShareCommand({ quotaShareArn: arn })))).message).toBe(`QuotaShare ${arn} does not exist`);
    await batch.send(create("research"));
    expect(await shareNames(batch)).toEqual(["research"]);
  });
});
