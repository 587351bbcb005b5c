import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, control, run, startServerProcess, type ServerProcess } from "./clients/server-process";

// `parlel-batch --state-dir DIR`: every answered change survives a SIGKILL; a torn last journal line is
// dropped; a corrupt line before it stops the server from starting. Each test starts its own processes.

const started: ServerProcess[] = [];
const directories: string[] = [];

async function start(directory: string, ...args: string[]): Promise<ServerProcess> {
  const server = await startServerProcess(["--state-dir", directory, ...args]);
  started.push(server);
  return server;
}

/** Kills the server at once, as a crash or `kill -9` would, and waits for it to be gone. */
async function crash(server: ServerProcess): Promise<void> {
  server.child.kill("SIGKILL");
  await server.exited;
}

function stateDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "parlel-state-"));
  directories.push(directory);
  return directory;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop("SIGKILL")));
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

async function batch(url: string, operation: string, input: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}/v1/${operation.toLowerCase()}`, { method: "POST", body: JSON.stringify(input), headers: { "content-type": "application/json" } });
  return { status: response.status, json: await response.json() };
}

async function ok(url: string, operation: string, input: unknown): Promise<any> {
  const { status, json } = await batch(url, operation, input);
  if (status !== 200) throw new Error(`${operation} answered ${status}: ${JSON.stringify(json)}`);
  return json;
}

const FARGATE = { type: "FARGATE", maxvCpus: 8, subnets: ["subnet-1"], securityGroupIds: ["sg-1"] };
const definition = (jobDefinitionName: string) => ({
  jobDefinitionName,
  type: "container",
  platformCapabilities: ["FARGATE"],
  containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }], executionRoleArn: "arn:aws:iam::000000000000:role/exec" },
});

async function createQueue(url: string): Promise<void> {
  await ok(url, "CreateComputeEnvironment", { computeEnvironmentName: "ce", type: "MANAGED", computeResources: FARGATE });
  await ok(url, "CreateJobQueue", { jobQueueName: "etl", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] });
  await ok(url, "RegisterJobDefinition", definition("step"));
}

/** Every job of the queue, in every status, through ListJobs' pages. */
async function listedJobs(url: string): Promise<any[]> {
  const jobs: any[] = [];
  for (const jobStatus of ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"]) {
    let nextToken: string | undefined;
    do {
      const page = await ok(url, "ListJobs", { jobQueue: "etl", jobStatus, nextToken });
      jobs.push(...page.jobSummaryList);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return jobs;
}

describe("--state-dir", () => {
  test("after a SIGKILL in the middle of a burst from several clients, every answered write is there and nothing unanswered is half there", async () => {
    const directory = stateDirectory();
    const first = await start(directory);
    await createQueue(first.url);
    // Answered writes, by kind: jobs (with their tags) and job definition revisions.
    const answeredJobs = new Map<string, string>();
    const answeredRevisions: number[] = [];
    let answered = 0;
    let killed = false;
    const worker = async (client: number) => {
      for (let i = 0; !killed; i++) {
        try {
          if (client === 0) {
            const { revision } = await ok(first.url, "RegisterJobDefinition", definition("burst"));
            if (!killed) answeredRevisions.push(revision);
          } else {
            const jobName = `client${client}-${i}`;
            const { jobId } = await ok(first.url, "SubmitJob", { jobName, jobQueue: "etl", jobDefinition: "step", tags: { client: String(client), index: String(i) } });
            if (!killed) answeredJobs.set(jobId, jobName);
          }
        } catch {
          return; // The server is gone: this request was never answered.
        }
        // Killed while requests of the other clients are still on their way.
        if (++answered === 120 && !killed) {
          killed = true;
          first.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4].map(worker));
    await first.exited;
    expect(answeredJobs.size).toBeGreaterThan(50);

    const second = await start(directory);
    // Every answered job is back, whole: its name, its tags, its status and its one attempt.
    const { jobs } = await ok(second.url, "DescribeJobs", { jobs: [...answeredJobs.keys()] });
    expect(jobs).toHaveLength(answeredJobs.size);
    for (const job of jobs) {
      expect(job).toMatchObject({ jobName: answeredJobs.get(job.jobId), status: "SUCCEEDED", tags: { client: expect.any(String), index: expect.any(String) } });
      expect(job.attempts).toHaveLength(1);
    }
    // Jobs whose answer never came are all there or not at all: every listed job describes whole.
    const listed = await listedJobs(second.url);
    const described = (await Promise.all(listed.map((job) => ok(second.url, "DescribeJobs", { jobs: [job.jobId] })))).map((output) => output.jobs[0]);
    expect(described.map((job) => job?.status)).toEqual(listed.map(() => "SUCCEEDED"));
    expect(new Set(listed.map((job) => job.jobId)).size).toBe(listed.length);
    for (const jobId of answeredJobs.keys()) expect(listed.map((job) => job.jobId)).toContain(jobId);
    // Revisions: every answered one exists, and they run 1..n with no gap.
    const { jobDefinitions } = await ok(second.url, "DescribeJobDefinitions", { jobDefinitionName: "burst" });
    const revisions = jobDefinitions.map((d: { revision: number }) => d.revision).sort((a: number, b: number) => a - b);
    for (const revision of answeredRevisions) expect(revisions).toContain(revision);
    expect(revisions).toEqual(revisions.map((_: number, i: number) => i + 1));
    // It goes on: a new job gets an id of its own and the next revision follows.
    const { jobId } = await ok(second.url, "SubmitJob", { jobName: "after", jobQueue: "etl", jobDefinition: "step" });
    expect(listed.map((job) => job.jobId)).not.toContain(jobId);
    expect((await ok(second.url, "RegisterJobDefinition", definition("burst"))).revision).toBe(revisions.length + 1);
  }, 120_000);

  test("on the manual clock, time, outcome rules and a running job survive two crashes, and the job ends when it was due", async () => {
    const directory = stateDirectory();
    const first = await start(directory, "--clock", "manual");
    await createQueue(first.url);
    const begin = (await control(first.url, "GET", "/_parlel/health")).json.now;
    expect((await control(first.url, "POST", "/_parlel/outcomes", { match: { jobName: { regex: "^slow" } }, outcome: { durationMs: 60_000, exitCode: 3 } })).status).toBe(200);
    const slow = (await ok(first.url, "SubmitJob", { jobName: "slow-1", jobQueue: "etl", jobDefinition: "step", retryStrategy: { attempts: 2 } })).jobId;
    expect((await control(first.url, "POST", "/_parlel/advance", { ms: 30_000 })).status).toBe(200);
    await crash(first);

    // The first restart replays the journal (and compacts it into state.json); the second loads state.json.
    const second = await start(directory, "--clock", "manual");
    expect((await control(second.url, "GET", "/_parlel/health")).json.now).toBe(begin + 30_000);
    const other = (await ok(second.url, "SubmitJob", { jobName: "slow-2", jobQueue: "etl", jobDefinition: "step" })).jobId;
    await crash(second);

    const third = await start(directory, "--clock", "manual");
    const describe = async (jobId: string) => (await ok(third.url, "DescribeJobs", { jobs: [jobId] })).jobs[0];
    expect(await describe(slow)).toMatchObject({ status: "RUNNING", startedAt: begin });
    expect((await control(third.url, "POST", "/_parlel/advance", { ms: 30_000 })).status).toBe(200);
    // The rule (exit 3) came back with the state: the first attempt failed at its time and the retry runs.
    const retried = await describe(slow);
    expect(retried.status).toBe("RUNNING");
    expect(retried.attempts).toEqual([expect.objectContaining({ startedAt: begin, stoppedAt: begin + 60_000, container: expect.objectContaining({ exitCode: 3 }) })]);
    expect(await describe(other)).toMatchObject({ status: "RUNNING", startedAt: begin + 30_000 });
    expect((await control(third.url, "POST", "/_parlel/advance", { ms: 60_000 })).status).toBe(200);
    expect(await describe(slow)).toMatchObject({ status: "FAILED", stoppedAt: begin + 120_000 });
    expect(await describe(other)).toMatchObject({ status: "FAILED", stoppedAt: begin + 90_000 });
  }, 120_000);

  test("a torn last journal line (a crash mid-write) is dropped, and everything before it loads", async () => {
    const directory = stateDirectory();
    const first = await start(directory);
    await createQueue(first.url);
    const { jobId } = await ok(first.url, "SubmitJob", { jobName: "kept", jobQueue: "etl", jobDefinition: "step" });
    await crash(first);
    appendFileSync(join(directory, "journal.jsonl"), '{"sequence":99,"kind":"batch","operation":"SubmitJob","input":"{\\"jobName\\":\\"to');

    const second = await start(directory);
    expect(second.output()).toMatch(/torn line .* dropped/);
    expect((await ok(second.url, "DescribeJobs", { jobs: [jobId] })).jobs[0]).toMatchObject({ jobName: "kept", status: "SUCCEEDED" });
    expect((await listedJobs(second.url)).map((job) => job.jobName)).toEqual(["kept"]);
    // The journal goes on cleanly after the dropped line: a later write survives another crash.
    const { jobId: later } = await ok(second.url, "SubmitJob", { jobName: "later", jobQueue: "etl", jobDefinition: "step" });
    await crash(second);
    const third = await start(directory);
    expect((await ok(third.url, "DescribeJobs", { jobs: [jobId, later] })).jobs.map((job: { jobName: string }) => job.jobName)).toEqual(["kept", "later"]);
  }, 120_000);

  test("a corrupt journal line before the last stops the server from starting, naming the file and the line", async () => {
    const directory = stateDirectory();
    const first = await start(directory);
    await createQueue(first.url);
    await ok(first.url, "SubmitJob", { jobName: "one", jobQueue: "etl", jobDefinition: "step" });
    await crash(first);
    const journal = join(directory, "journal.jsonl");
    const lines = readFileSync(journal, "utf8").split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(4);
    lines[1] = lines[1].slice(0, 20) + "#" + lines[1].slice(21);
    writeFileSync(journal, lines.join("\n"));

    const ran = await run(process.execPath, [CLI, "--port", "0", "--state-dir", directory], { PATH: process.env.PATH }, 60_000);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`the journal ${journal} is corrupt at line 2 of ${lines.length - 1}: it is not JSON`);
    expect(ran.stdout).not.toContain("listening on");
    // Nothing was changed by the refusal: the file is as it was.
    expect(readFileSync(journal, "utf8")).toBe(lines.join("\n"));
  }, 120_000);
});
