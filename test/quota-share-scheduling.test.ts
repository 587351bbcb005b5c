import {
  CreateJobQueueCommand,
  CreateQuotaShareCommand,
  CreateSchedulingPolicyCommand,
  CreateServiceEnvironmentCommand,
  ListServiceJobsCommand,
  SubmitServiceJobCommand,
  type BatchClient,
  type QuotaShareResourceSharingConfiguration,
} from "@aws-sdk/client-batch";
import { setup } from "./helpers";

const payload = JSON.stringify({
  TrainingJobName: "train",
  RoleArn: "arn:aws:iam::000000000000:role/SageMakerRole",
  ResourceConfig: { InstanceType: "ml.m5.large", InstanceCount: 1, VolumeSizeInGB: 30 },
});

/**
 * A quota-managed SageMaker training queue on a service environment of 20 instances, with one quota share per
 * entry of `shares`, each limited to 2 ml.m5.large instances; every job's attempt runs for an hour.
 */
async function quotaQueue(shares: Record<string, QuotaShareResourceSharingConfiguration>) {
  const { fake, batch } = setup({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
  await batch.send(new CreateServiceEnvironmentCommand({ serviceEnvironmentName: "env", serviceEnvironmentType: "SAGEMAKER_TRAINING", capacityLimits: [{ maxCapacity: 20, capacityUnit: "ml.m5.large" }] }));
  const { arn } = await batch.send(new CreateSchedulingPolicyCommand({ name: "quota", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }));
  await batch.send(new CreateJobQueueCommand({ jobQueueName: "training", priority: 1, schedulingPolicyArn: arn, serviceEnvironmentOrder: [{ order: 1, serviceEnvironment: "env" }] }));
  for (const [quotaShareName, resourceSharingConfiguration] of Object.entries(shares)) {
    await batch.send(new CreateQuotaShareCommand({
      quotaShareName,
      jobQueue: "training",
      capacityLimits: [{ maxCapacity: 2, capacityUnit: "ml.m5.large" }],
      resourceSharingConfiguration,
      preemptionConfiguration: { inSharePreemption: "DISABLED" },
    }));
  }
  fake.onJob({}, { durationMs: 60 * 60_000 });
  const submit = async (quotaShareName: string, count: number) => {
    for (let i = 0; i < count; i++) {
      await batch.send(new SubmitServiceJobCommand({ jobName: `${quotaShareName}-${i}`, jobQueue: "training", serviceJobType: "SAGEMAKER_TRAINING", serviceRequestPayload: payload, quotaShareName }));
    }
  };
  return { fake, batch, submit, running: (quotaShareName: string) => countIn(batch, quotaShareName, "RUNNING"), waiting: (quotaShareName: string) => countIn(batch, quotaShareName, "RUNNABLE") };
}

async function countIn(batch: BatchClient, quotaShareName: string, jobStatus: "RUNNING" | "RUNNABLE"): Promise<number> {
  const { jobSummaryList } = await batch.send(new ListServiceJobsCommand({ jobQueue: "training", jobStatus, filters: [{ name: "QUOTA_SHARE_NAME", values: [quotaShareName] }] }));
  return jobSummaryList!.length;
}

describe("quota shares schedule service jobs", () => {
  test("a RESERVE share runs its jobs within its capacity limit, keeps its idle capacity, and lends none", async () => {
    const { fake, submit, running, waiting } = await quotaQueue({ reserve: { strategy: "RESERVE" }, borrower: { strategy: "LEND_AND_BORROW" } });
    await submit("reserve", 3);
    await submit("borrower", 4);
    await fake.advance(1);
    expect([await running("reserve"), await waiting("reserve")]).toEqual([2, 1]);
    // The borrower finds nothing to borrow: the only other share reserves its capacity.
    expect([await running("borrower"), await waiting("borrower")]).toEqual([2, 2]);
  });

  test("a LEND_AND_BORROW share borrows what LEND shares leave idle, up to its borrowLimit", async () => {
    const { fake, submit, running, waiting } = await quotaQueue({
      lender: { strategy: "LEND" },
      otherLender: { strategy: "LEND" },
      borrower: { strategy: "LEND_AND_BORROW", borrowLimit: 150 },
    });
    await submit("borrower", 8);
    await fake.advance(1);
    // Its own 2, plus 150 % of 2 borrowed from the 4 the lenders leave idle.
    expect([await running("borrower"), await waiting("borrower")]).toEqual([5, 3]);
  });

  test("with the default borrowLimit (-1) borrowing is limited only by the idle capacity lent", async () => {
    const { fake, submit, running, waiting } = await quotaQueue({ lender: { strategy: "LEND" }, borrower: { strategy: "LEND_AND_BORROW" } });
    await submit("lender", 1);
    await submit("borrower", 6);
    await fake.advance(1);
    // The lender uses 1 of its 2, so 1 is idle to lend.
    expect([await running("borrower"), await waiting("borrower")]).toEqual([3, 3]);
    // A LEND share does not borrow: its third job waits although the borrower's capacity is in use anyway.
    await submit("lender", 2);
    await fake.advance(1);
    expect([await running("lender"), await waiting("lender")]).toEqual([2, 1]);
  });

  test("waiting jobs start as capacity comes back when running jobs end", async () => {
    const { fake, submit, running, waiting } = await quotaQueue({ reserve: { strategy: "RESERVE" } });
    await submit("reserve", 5);
    await fake.advance(1);
    expect([await running("reserve"), await waiting("reserve")]).toEqual([2, 3]);
    await fake.advance(60 * 60_000);
    expect([await running("reserve"), await waiting("reserve")]).toEqual([2, 1]);
  });
});
