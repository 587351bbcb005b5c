import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { fakeBatch } from "../src";
import "../src/jest";

// The README's examples, kept runnable: if one of these fails, the README is wrong.
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

test("quick start", async () => {
  const fake = fakeBatch();
  const batch = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "myjob", jobQueue: "jq", jobDefinition: "echo" }));
  const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));
  expect(jobs![0].status).toBe("SUCCEEDED");
  expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobQueue: "jq" });
});

test("a test on the manual clock", async () => {
  const fake = fakeBatch({ clock: "manual" });
  const batch = new BatchClient({ region: "us-east-1", credentials, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["etl"], maxvCpus: 2 });
  fake.onJob({ jobName: /^nightly-/ }, { durationMs: 3_600_000 });
  fake.onJob({ jobName: "flaky" }, (_job, attempt) => ({ exitCode: attempt < 3 ? 1 : 0 }));
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "nightly-load", jobQueue: "jq", jobDefinition: "etl" }));
  const describe = async () => (await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0];
  expect((await describe()).status).toBe("RUNNING");
  await fake.advance(3_600_000);
  const job = await describe();
  expect(job.status).toBe("SUCCEEDED");
  expect(job.stoppedAt! - job.startedAt!).toBe(3_600_000);
  const flaky = await batch.send(new SubmitJobCommand({ jobName: "flaky", jobQueue: "jq", jobDefinition: "etl", retryStrategy: { attempts: 3 } }));
  const flakyJob = (await batch.send(new DescribeJobsCommand({ jobs: [flaky.jobId!] }))).jobs![0];
  expect(flakyJob.attempts!.map((a) => a.container!.exitCode)).toEqual([1, 1, 0]);
});

test("reading job logs with the CloudWatch Logs SDK", async () => {
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
