import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { fakeBatch } from "../src";
import { consumerProject, type ConsumerProject } from "./consumer";

/**
 * The README's examples, run exactly as pasted: each is taken from the README, written into a project that
 * installed the packed package, compiled there under the strictest settings and run. If one of these fails,
 * the README is wrong.
 */
jest.setTimeout(480_000);

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

/** The first ```ts block after a heading. */
function example(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading ${heading}`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!block) throw new Error(`README has no ts example after ${heading}`);
  return block[1]!;
}

const examples = {
  "quick-start.mts": example("## Quick start"),
  "manual-clock.mts": example("### A test on the manual clock"),
};

let project: ConsumerProject;
let errors: Record<string, string[]>;

beforeAll(() => {
  project = consumerProject();
  for (const [file, text] of Object.entries(examples)) project.write(file, text);
  errors = project.compile(Object.keys(examples), { types: ["node"] });
});

afterAll(() => project?.remove());

test("quick start", () => {
  expect(errors["quick-start.mts"]).toBeUndefined();
  expect(project.node(["build/quick-start.mjs"])).toMatchObject({ status: 0, stdout: "SUCCEEDED\n" });
});

test("a test on the manual clock", () => {
  expect(errors["manual-clock.mts"]).toBeUndefined();
  expect(project.node(["build/manual-clock.mjs"])).toMatchObject({ status: 0, stdout: "RUNNING\nSUCCEEDED 3600000\n[ 1, 1, 0 ]\n" });
});

test("reading job logs with the CloudWatch Logs SDK", async () => {
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const fake = fakeBatch();
  const batch = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  fake.onJob({}, { logs: "hello\n" });
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "myjob", jobQueue: "jq", jobDefinition: "echo" }));
  const logs = new CloudWatchLogsClient({ region: "us-east-1", credentials, requestHandler: fake });
  const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));
  const { events, nextForwardToken } = await logs.send(new GetLogEventsCommand({
    logGroupName: "/aws/batch/job", logStreamName: jobs![0].container!.logStreamName!, startFromHead: true,
  }));
  expect(events!.map((event) => event.message)).toEqual(["hello"]);
  expect(nextForwardToken).toMatch(/^f\//);
});

test("sharing a prepared world", async () => {
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const world = fakeBatch({ clock: "manual" });
  await world.provision({ jobQueues: ["jq"], jobDefinitions: ["etl"] });
  world.onJob({ jobName: /^etl-/ }, { durationMs: 60_000 });
  const worldBatch = new BatchClient({ region: "us-east-1", credentials, requestHandler: world });
  const { jobId } = await worldBatch.send(new SubmitJobCommand({ jobName: "etl-1", jobQueue: "jq", jobDefinition: "etl" }));
  const snapshot = JSON.parse(JSON.stringify(world.snapshot()));
  const fake = fakeBatch({ state: snapshot });
  fake.onJob({ jobName: /^etl-/ }, { durationMs: 60_000 });
  const batch = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
  expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("RUNNING");
  await fake.advance(60_000);
  expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("SUCCEEDED");
  expect((await worldBatch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("RUNNING");
});

const testCredentials = { accessKeyId: "test", secretAccessKey: "test" };

test("testing failure: API faults", async () => {
  const { ConfiguredRetryStrategy } = await import("@smithy/core/retry");
  const fake = fakeBatch();
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  const batch = new BatchClient({ region: "us-east-1", credentials: testCredentials, requestHandler: fake, retryStrategy: new ConfiguredRetryStrategy(3, () => 1) });
  fake.failNext(SubmitJobCommand, "ThrottlingException");
  const { $metadata } = await batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "echo" }));
  expect($metadata.attempts).toBe(2);
  fake.failNext("*", { error: "ServerException", times: 3 });
  await expect(batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "echo" }))).rejects.toMatchObject({ name: "ServerException", $metadata: { attempts: 3 } });
});

test("testing failure: infrastructure failures", async () => {
  const fake = fakeBatch({ clock: "manual" });
  const batch = new BatchClient({ region: "us-east-1", credentials: testCredentials, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  const submit = async (input: { jobName: string; retryStrategy?: object }) => (await batch.send(new SubmitJobCommand({ jobQueue: "jq", jobDefinition: "echo", ...input }))).jobId!;
  fake.onJob({ jobName: "etl" }, { durationMs: 3_600_000 });
  const jobId = await submit({ jobName: "etl", retryStrategy: { attempts: 3, evaluateOnExit: [
    { onStatusReason: "Host EC2*", action: "RETRY" },
    { onStatusReason: "Task failed to start", action: "RETRY" },
    { onReason: "*", action: "EXIT" },
  ] } });
  await fake.interruptHost("parlel-ce");
  const job = (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs![0];
  expect(job.status).toBe("RUNNING");
  expect(job.attempts![0].statusReason).toMatch(/^Host EC2 \(instance i-[0-9a-f]{17}\) terminated\.$/);
  fake.onJob({ jobName: "pull" }, { reason: "CannotPullContainerError: manifest for busybox:nope not found" });
  const pulled = (await batch.send(new DescribeJobsCommand({ jobs: [await submit({ jobName: "pull" })] }))).jobs![0];
  expect(pulled.statusReason).toBe("Task failed to start");
  await fake.failCapacity("parlel-ce");
  const held = (await batch.send(new DescribeJobsCommand({ jobs: [await submit({ jobName: "held" })] }))).jobs![0];
  expect(held.statusReason).toMatch(/^CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - /);
});

test("job state-change events and waitFor", async () => {
  const fake = fakeBatch({ clock: "manual" });
  const batch = new BatchClient({ region: "us-east-1", credentials: testCredentials, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  const seen: string[] = [];
  fake.onEvent((event) => seen.push(event.detail.status!));
  fake.onJob({ jobName: "slow" }, { durationMs: 60_000 });
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "slow", jobQueue: "jq", jobDefinition: "echo" }));
  const job = await fake.waitFor(jobId!, ["SUCCEEDED", "FAILED"]);
  expect(job.status).toBe("SUCCEEDED");
  expect(fake.events.map((e) => e.detail.status)).toContain("RUNNING");
  expect(seen).toEqual(["PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
});
