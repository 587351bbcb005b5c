import { ListJobsCommand, CancelJobCommand, RegisterJobDefinitionCommand, TerminateJobCommand, type BatchClient } from "@aws-sdk/client-batch";
import { engine } from "./engine-helpers";

describe("array jobs", () => {
  test("children <id>:<i> run with their index; the parent's summary and status are derived", async () => {
    const { fake, batch, submit, describe } = await engine();
    const indexes: string[] = [];
    fake.onJob({}, (job) => {
      indexes.push(`${job.environment.AWS_BATCH_JOB_ARRAY_INDEX}/${job.environment.AWS_BATCH_JOB_ARRAY_SIZE}`);
      return { durationMs: 1000 * (job.arrayIndex! + 1) };
    });
    const parentId = await submit({ arrayProperties: { size: 3 } });
    let parent = await describe(parentId);
    expect(parent.status).toBe("PENDING");
    expect(parent.arrayProperties).toMatchObject({ size: 3, statusSummary: { RUNNING: 3 } });
    expect(indexes.sort()).toEqual(["0/3", "1/3", "2/3"]);
    const child = await describe(`${parentId}:1`);
    expect(child).toMatchObject({ jobId: `${parentId}:1`, jobArn: `arn:aws:batch:us-east-1:000000000000:job/${parentId}:1`, arrayProperties: { index: 1 }, status: "RUNNING" });
    expect(child.arrayProperties!.size).toBeUndefined();
    await fake.advance(1000);
    parent = await describe(parentId);
    expect(parent.arrayProperties!.statusSummary).toMatchObject({ SUCCEEDED: 1, RUNNING: 2 });
    expect(parent.arrayProperties!.statusSummaryLastUpdatedAt).toBe(fake.now());
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ arrayJobId: parentId, jobStatus: "SUCCEEDED" }));
    expect(jobSummaryList!.map((j) => [j.jobId, j.arrayProperties!.index])).toEqual([[`${parentId}:0`, 0]]);
    await fake.advance(2000);
    expect(await describe(parentId)).toMatchObject({ status: "SUCCEEDED", statusReason: "Array Child Jobs succeeded" });
    const queueListing = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "SUCCEEDED" }));
    expect(queueListing.jobSummaryList!.map((j) => [j.jobId, j.arrayProperties?.size])).toEqual([[parentId, 3]]);
  });

  test("one failed child fails the parent once all children are done", async () => {
    const { fake, submit, describe } = await engine();
    fake.onJob((job) => job.arrayIndex === 1, { exitCode: 1 });
    const parentId = await submit({ arrayProperties: { size: 3 } });
    expect(await describe(parentId)).toMatchObject({ status: "FAILED", statusReason: "Array Child Job failed", arrayProperties: { statusSummary: { SUCCEEDED: 2, FAILED: 1 } } });
  });

  test("SEQUENTIAL children run one after another, and a failure fails the rest", async () => {
    const { fake, submit, status } = await engine();
    fake.onJob({}, (job) => ({ durationMs: 100, exitCode: job.arrayIndex === 2 ? 1 : 0 }));
    const parentId = await submit({ arrayProperties: { size: 4 }, dependsOn: [{ type: "SEQUENTIAL" }] });
    const children = [0, 1, 2, 3].map((i) => `${parentId}:${i}`);
    expect(await status(...children)).toEqual(["RUNNING", "PENDING", "PENDING", "PENDING"]);
    await fake.advance(100);
    expect(await status(...children)).toEqual(["SUCCEEDED", "RUNNING", "PENDING", "PENDING"]);
    await fake.advance(200);
    expect(await status(...children)).toEqual(["SUCCEEDED", "SUCCEEDED", "FAILED", "FAILED"]);
    expect(await status(parentId)).toEqual(["FAILED"]);
  });

  test("N_TO_N: child i waits for child i of the other array", async () => {
    const { fake, submit, status } = await engine();
    fake.onJob({ jobName: "a" }, (job) => ({ durationMs: 100 * (job.arrayIndex! + 1) }));
    const a = await submit({ jobName: "a", arrayProperties: { size: 2 } });
    const b = await submit({ jobName: "b", arrayProperties: { size: 2 }, dependsOn: [{ jobId: a, type: "N_TO_N" }] });
    expect(await status(`${b}:0`, `${b}:1`)).toEqual(["PENDING", "PENDING"]);
    await fake.advance(100);
    expect(await status(`${b}:0`, `${b}:1`)).toEqual(["SUCCEEDED", "PENDING"]);
    await fake.advance(100);
    expect(await status(`${b}:0`, `${b}:1`, b)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
  });

  test("a dependency on an array parent waits for the whole array", async () => {
    const { fake, submit, status } = await engine();
    fake.onJob({ jobName: "array" }, (job) => ({ durationMs: 100 * (job.arrayIndex! + 1) }));
    const array = await submit({ jobName: "array", arrayProperties: { size: 3 } });
    const after = await submit({ jobName: "after", dependsOn: [{ jobId: array }] });
    await fake.advance(200);
    expect(await status(after)).toEqual(["PENDING"]);
    await fake.advance(100);
    expect(await status(array, after)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  test("cancelling the parent cancels the children that have not started", async () => {
    const { fake, batch, submit, status, describe } = await engine({ maxvCpus: 1 });
    fake.onJob({}, { durationMs: 1000 });
    const parentId = await submit({ arrayProperties: { size: 3 } });
    await batch.send(new CancelJobCommand({ jobId: parentId, reason: "no more" }));
    expect(await status(`${parentId}:0`, `${parentId}:1`, `${parentId}:2`)).toEqual(["RUNNING", "FAILED", "FAILED"]);
    expect(await describe(`${parentId}:1`)).toMatchObject({ statusReason: "no more", isCancelled: true });
    await fake.advance(1000);
    expect(await status(parentId)).toEqual(["FAILED"]);
  });

  test("a 10,000-child array is submitted and completes", async () => {
    const { fake, submit, describe } = await engine({ maxvCpus: 10_000 });
    fake.onJob({}, { durationMs: 1000 });
    const parentId = await submit({ arrayProperties: { size: 10_000 } });
    await fake.advance(1000);
    expect(await describe(parentId)).toMatchObject({ status: "SUCCEEDED", arrayProperties: { statusSummary: { SUCCEEDED: 10_000 } } });
  });
});

async function registerMultinode(batch: BatchClient) {
  await batch.send(new RegisterJobDefinitionCommand({
    jobDefinitionName: "mnp",
    type: "multinode",
    nodeProperties: {
      numNodes: 3,
      mainNode: 0,
      nodeRangeProperties: [{ targetNodes: "0:", container: { image: "busybox", command: ["mpirun"], resourceRequirements: [{ type: "VCPU", value: "2" }, { type: "MEMORY", value: "512" }] } }],
    },
  }));
}

describe("multi-node parallel jobs", () => {
  test("terminating a running multi-node job stops every node; the job records exit code 143", async () => {
    const { fake, batch, submit, describe, status } = await engine();
    await registerMultinode(batch);
    fake.onJob({ jobDefinition: "mnp" }, { durationMs: 60_000 });
    const jobId = await submit({ jobDefinition: "mnp" });
    expect(await status(jobId, `${jobId}#0`, `${jobId}#1`, `${jobId}#2`)).toEqual(["RUNNING", "RUNNING", "RUNNING", "RUNNING"]);
    await batch.send(new TerminateJobCommand({ jobId, reason: "stop the cluster" }));
    const job = await describe(jobId);
    expect(job).toMatchObject({ status: "FAILED", statusReason: "stop the cluster", isTerminated: true });
    expect(job.attempts).toEqual([expect.objectContaining({ statusReason: "stop the cluster", container: expect.objectContaining({ exitCode: 143 }) })]);
    expect(await status(`${jobId}#0`, `${jobId}#1`, `${jobId}#2`)).toEqual(["FAILED", "FAILED", "FAILED"]);
    await fake.advance(60_000);
    expect(await status(jobId)).toEqual(["FAILED"]);
  });

  test("node jobs <id>#<n> run together; the main node's exit decides the job", async () => {
    const { fake, batch, submit, describe } = await engine();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "mnp",
      type: "multinode",
      nodeProperties: {
        numNodes: 3,
        mainNode: 0,
        nodeRangeProperties: [{ targetNodes: "0:", container: { image: "busybox", command: ["mpirun"], resourceRequirements: [{ type: "VCPU", value: "2" }, { type: "MEMORY", value: "512" }] } }],
      },
    }));
    const environments: Record<string, string>[] = [];
    fake.onJob({ jobDefinition: "mnp" }, (job) => {
      environments.push(job.environment);
      return { durationMs: job.nodeIndex === 0 ? 1000 : 5000, exitCode: 0 };
    });
    const jobId = await submit({ jobDefinition: "mnp" });
    expect((await describe(jobId)).status).toBe("RUNNING");
    const node = await describe(`${jobId}#1`);
    expect(node).toMatchObject({ status: "RUNNING", nodeDetails: { nodeIndex: 1, isMainNode: false } });
    expect(environments.map((e) => [e.AWS_BATCH_JOB_NODE_INDEX, e.AWS_BATCH_JOB_NUM_NODES, e.AWS_BATCH_JOB_MAIN_NODE_INDEX])).toEqual([["0", "3", "0"], ["1", "3", "0"], ["2", "3", "0"]]);
    expect(environments[0].AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS).toBeUndefined();
    expect(environments[1].AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(environments[2].AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS).toBe(environments[1].AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS);
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ multiNodeJobId: jobId }));
    expect(jobSummaryList!.map((j) => j.jobId).sort()).toEqual([`${jobId}#0`, `${jobId}#1`, `${jobId}#2`]);
    await fake.advance(1000);
    expect(await describe(jobId)).toMatchObject({ status: "SUCCEEDED", nodeProperties: { numNodes: 3, mainNode: 0 } });
    expect((await describe(`${jobId}#2`)).status).toBe("SUCCEEDED");
  });
});
