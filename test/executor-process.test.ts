import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
} from "@aws-sdk/client-batch";
import { eventually, isAlive, PROCESS_TEST_TIMEOUT_MS, processesWith, processFake, processHelpers, sleep } from "./executor-helpers";
import { setup } from "./helpers";

jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);

const scratch = mkdtempSync(join(tmpdir(), "parlel-executor-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The `AWS_BATCH_*` lines a job printed, as a map. */
function batchVariables(lines: string[]): Record<string, string> {
  return Object.fromEntries(lines.filter((line) => line.startsWith("AWS_BATCH_")).map((line) => line.split("=", 2) as [string, string]));
}

describe("the process executor runs each attempt's command", () => {
  test("the real exit code and duration decide the attempt, its timestamps and the job's status", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell("echo started; sleep 0.4; exit 3");
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "exits-3", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Essential container in task exited");
    expect(job.container?.exitCode).toBe(3);
    expect(job.attempts).toHaveLength(1);
    expect(job.attempts![0].container?.exitCode).toBe(3);
    // The process slept 0.4 s, so the attempt lasted at least that long on the real clock.
    expect(job.stoppedAt! - job.startedAt!).toBeGreaterThanOrEqual(400);
    expect(job.attempts![0].stoppedAt! - job.attempts![0].startedAt!).toBeGreaterThanOrEqual(400);
    expect(fake.logs(jobId!)).toEqual(["started"]);
    await fake.close();
  });

  test("each attempt is a new process: retries and evaluateOnExit follow the real exit codes", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    // Attempt n exits 3 - n: 2, 1, then 0.
    const definition = await shell('echo "attempt $AWS_BATCH_JOB_ATTEMPT"; exit $((3 - AWS_BATCH_JOB_ATTEMPT))');
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "flaky", jobQueue: "jq", jobDefinition: definition, retryStrategy: { attempts: 3 } }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts!.map((attempt) => attempt.container?.exitCode)).toEqual([2, 1, 0]);
    expect(fake.logs(jobId!)).toEqual(["attempt 1", "attempt 2", "attempt 3"]);

    // evaluateOnExit: exit code 2 means EXIT, so the job fails after one attempt.
    const { jobId: exitsAt2 } = await batch.send(new SubmitJobCommand({
      jobName: "no-retry",
      jobQueue: "jq",
      jobDefinition: definition,
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onExitCode: "2", action: "EXIT" }] },
    }));
    const failed = await waitFor(exitsAt2!);
    expect(failed.status).toBe("FAILED");
    expect(failed.attempts!.map((attempt) => attempt.container?.exitCode)).toEqual([2]);
    await fake.close();
  });

  test("the command is the resolved one: overrides and Ref:: parameters, as an argv array without a shell", async () => {
    const { fake, batch, waitFor } = await processFake();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "printf",
      type: "container",
      parameters: { word: "default" },
      containerProperties: { image: "not-used", command: ["printf", "%s|%s\\n", "Ref::word", "$HOME; echo injected"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] },
    }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "argv", jobQueue: "jq", jobDefinition: "printf", parameters: { word: "given" } }));
    await waitFor(jobId!);
    // No shell: `$HOME` and `;` reach printf as they are.
    expect(fake.logs(jobId!)).toEqual(["given|$HOME; echo injected"]);

    const { jobId: overridden } = await batch.send(new SubmitJobCommand({ jobName: "override", jobQueue: "jq", jobDefinition: "printf", containerOverrides: { command: ["echo", "from", "override"] } }));
    await waitFor(overridden!);
    expect(fake.logs(overridden!)).toEqual(["from override"]);
    await fake.close();
  });

  test("the process gets the container's environment and the AWS_BATCH_* variables, an array child its index", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell("env | sort", { environment: [{ name: "GREETING", value: "from-definition" }, { name: "LEVEL", value: "1" }] });
    const { jobId } = await batch.send(new SubmitJobCommand({
      jobName: "array",
      jobQueue: "jq",
      jobDefinition: definition,
      arrayProperties: { size: 2 },
      containerOverrides: { environment: [{ name: "LEVEL", value: "2" }] },
    }));
    expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
    const lines = fake.logs(`${jobId}:1`);
    expect(lines).toContain("GREETING=from-definition");
    expect(lines).toContain("LEVEL=2");
    expect(batchVariables(lines)).toEqual({
      AWS_BATCH_JOB_ID: `${jobId}:1`,
      AWS_BATCH_JQ_NAME: "jq",
      AWS_BATCH_CE_NAME: "parlel-ce",
      AWS_BATCH_JOB_ATTEMPT: "1",
      AWS_BATCH_JOB_ARRAY_INDEX: "1",
      AWS_BATCH_JOB_ARRAY_SIZE: "2",
    });
    expect(batchVariables(fake.logs(`${jobId}:0`)).AWS_BATCH_JOB_ARRAY_INDEX).toBe("0");
    // The host's own environment does not leak into the job.
    expect(lines.some((line) => line.startsWith("JEST_WORKER_ID="))).toBe(false);
    await fake.close();
  });

  test("a multi-node job runs one process per node with the node variables; the main node's exit ends the job and stops the others", async () => {
    const { fake, batch, waitFor } = await processFake();
    const marker = join(scratch, "node-1-done");
    const gate = join(scratch, "main-node-gate");
    const lingering = "1007.25";
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "mnp",
      type: "multinode",
      nodeProperties: {
        numNodes: 3,
        mainNode: 0,
        nodeRangeProperties: [
          // The main node waits for node 1 to print and for the test's gate, then exits; node 2 would run for a long time.
          { targetNodes: "0", container: { image: "x", command: ["sh", "-c", `env | sort; while [ ! -e ${marker} ] || [ ! -e ${gate} ]; do sleep 0.05; done`], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] } },
          { targetNodes: "1", container: { image: "x", command: ["sh", "-c", `env | sort; touch ${marker}`], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] } },
          { targetNodes: "2", container: { image: "x", command: ["sh", "-c", `echo running; exec sleep ${lingering}`], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] } },
        ],
      },
    }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "mnp", jobQueue: "jq", jobDefinition: "mnp" }));
    await eventually(() => fake.logs(`${jobId}#2`).includes("running"), "node 2 runs");
    expect(processesWith(lingering)).toHaveLength(1);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("RUNNING");
    writeFileSync(gate, "");
    const job = await waitFor(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    expect(batchVariables(fake.logs(`${jobId}#0`))).toEqual({
      AWS_BATCH_JOB_ID: `${jobId}#0`,
      AWS_BATCH_JQ_NAME: "jq",
      AWS_BATCH_CE_NAME: "parlel-ce",
      AWS_BATCH_JOB_ATTEMPT: "1",
      AWS_BATCH_JOB_NODE_INDEX: "0",
      AWS_BATCH_JOB_NUM_NODES: "3",
      AWS_BATCH_JOB_MAIN_NODE_INDEX: "0",
    });
    const node1 = batchVariables(fake.logs(`${jobId}#1`));
    expect(node1.AWS_BATCH_JOB_NODE_INDEX).toBe("1");
    expect(node1.AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS).toBeDefined();
    // Node 2's process was stopped with the job.
    await eventually(() => processesWith(lingering).length === 0, "node 2's process is gone");
    const nodes = (await batch.send(new DescribeJobsCommand({ jobs: [`${jobId}#2`] }))).jobs!;
    expect(nodes[0].status).not.toBe("RUNNING");
    await fake.close();
  });

  test("an attempt that an onJob rule matches takes the rule's outcome and starts no process", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const touched = join(scratch, "scripted-ran");
    const definition = await shell(`touch ${touched}`);
    fake.onJob({ jobName: "scripted" }, { exitCode: 5, logs: "scripted line" });
    const { jobId: scripted } = await batch.send(new SubmitJobCommand({ jobName: "scripted", jobQueue: "jq", jobDefinition: definition }));
    const { jobId: real } = await batch.send(new SubmitJobCommand({ jobName: "real", jobQueue: "jq", jobDefinition: definition }));
    const scriptedJob = await waitFor(scripted!);
    expect(scriptedJob.container?.exitCode).toBe(5);
    expect(fake.logs(scripted!)).toEqual(["scripted line"]);
    expect((await waitFor(real!)).status).toBe("SUCCEEDED");
    expect(existsSync(touched)).toBe(true);
    rmSync(touched);
    const { jobId: again } = await batch.send(new SubmitJobCommand({ jobName: "scripted", jobQueue: "jq", jobDefinition: definition }));
    await waitFor(again!);
    expect(existsSync(touched)).toBe(false);
    await fake.close();
  });

  test("a command that cannot be started fails the attempt as a container that failed to start", async () => {
    const { fake, batch, waitFor } = await processFake();
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "missing",
      type: "container",
      containerProperties: { image: "x", command: ["parlel-no-such-program", "--flag"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] },
    }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "missing", jobQueue: "jq", jobDefinition: "missing", retryStrategy: { attempts: 2 } }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.attempts).toHaveLength(2);
    expect(job.attempts![0].container?.reason).toBe('CannotStartContainerError: exec: "parlel-no-such-program": executable file not found in $PATH');
    await fake.close();
  });
});

describe("a running process never holds up a response", () => {
  test("a sleeping job stays RUNNING while other calls answer, and TerminateJob stops its process and children", async () => {
    const { fake, batch, shell, waitFor, describe } = await processFake({ stopGraceMs: 300 });
    const marker = "1001.5";
    // The shell ignores SIGTERM, so only the SIGKILL after the grace period ends it; its two children are in its group.
    const definition = await shell(`trap '' TERM; sleep ${marker} & sleep ${marker} & echo ready; wait; wait; echo still-here`);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "sleeper", jobQueue: "jq", jobDefinition: definition }));
    await eventually(() => fake.logs(jobId!).includes("ready"), "the job prints ready");
    await eventually(() => processesWith(marker).length === 3, "the shell and both sleeps run");
    // Calls answer while the process runs, and say RUNNING.
    for (let i = 0; i < 5; i++) expect((await describe(jobId!)).status).toBe("RUNNING");
    const running = await batch.send(new ListJobsCommand({ jobQueue: "jq", jobStatus: "RUNNING" }));
    expect(running.jobSummaryList!.map((summary) => summary.jobId)).toEqual([jobId]);
    expect(processesWith(marker)).toHaveLength(3);

    await batch.send(new TerminateJobCommand({ jobId: jobId!, reason: "stop it" }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("stop it");
    expect(job.container?.exitCode).toBe(143);
    expect(job.isTerminated).toBe(true);
    await eventually(() => processesWith(marker).length === 0, "the shell and its children are gone");
    expect(fake.logs(jobId!)).not.toContain("still-here");
    await fake.close();
  });

  test("on the manual clock a timeout fires when the test advances past it, and kills the process and its children", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
    const marker = "1002.5";
    const definition = await shell(`sleep ${marker} & echo ready; wait`, { timeout: 60 });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "slow", jobQueue: "jq", jobDefinition: definition }));
    await eventually(() => fake.logs(jobId!).includes("ready"), "the job prints ready");
    await fake.advance(59_000);
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("RUNNING");
    expect(processesWith(marker).length).toBe(2);
    await fake.advance(1_000);
    const job = await waitFor(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Job attempt duration exceeded timeout");
    expect(job.container?.exitCode).toBe(137);
    expect(job.stoppedAt! - job.startedAt!).toBe(60_000);
    await eventually(() => processesWith(marker).length === 0, "the process and its child are gone");
    await fake.close();
  });

  test("on the manual clock a process's end is applied at the fake clock's time when it arrives", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ clock: "manual", startTime: Date.UTC(2026, 0, 1) });
    const definition = await shell("sleep 0.2");
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "quick", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    // No virtual time passed while the process ran.
    expect(job.startedAt).toBe(Date.UTC(2026, 0, 1));
    expect(job.stoppedAt).toBe(Date.UTC(2026, 0, 1));
    await fake.close();
  });

  test("maxvCpus bounds how many processes run at once; the rest start as others end", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ maxvCpus: 2 });
    const gate = join(scratch, "gate");
    const definition = await shell(`echo started; while [ ! -e ${gate} ]; do sleep 0.05; done`);
    const jobIds: string[] = [];
    for (let i = 0; i < 4; i++) jobIds.push((await batch.send(new SubmitJobCommand({ jobName: `capped-${i}`, jobQueue: "jq", jobDefinition: definition }))).jobId!);
    await eventually(() => fake.logs(jobIds[0]).includes("started") && fake.logs(jobIds[1]).includes("started"), "two jobs start");
    const statuses = (await batch.send(new DescribeJobsCommand({ jobs: jobIds }))).jobs!.map((job) => job.status);
    expect(statuses).toEqual(["RUNNING", "RUNNING", "RUNNABLE", "RUNNABLE"]);
    expect(fake.logs(jobIds[2])).toEqual([]);
    writeFileSync(gate, "");
    // No polling needed in between: each process's end places the next job.
    for (const jobId of jobIds) expect((await waitFor(jobId)).status).toBe("SUCCEEDED");
    rmSync(gate);
    await fake.close();
  });

  test("reset() and close() leave no process behind", async () => {
    const { fake, batch, shell } = await processFake();
    const marker = "1003.5";
    const definition = await shell(`echo ready; exec sleep ${marker}`);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "orphan", jobQueue: "jq", jobDefinition: definition }));
    await eventually(() => fake.logs(jobId!).includes("ready"), "the job runs");
    fake.reset();
    await eventually(() => processesWith(marker).length === 0, "reset() killed the process");

    await fake.provision({ jobQueues: ["jq"] });
    const helpers = processHelpers(batch);
    const again = await helpers.shell(`echo ready; exec sleep ${marker}`);
    const { jobId: second } = await batch.send(new SubmitJobCommand({ jobName: "orphan", jobQueue: "jq", jobDefinition: again }));
    await eventually(() => fake.logs(second!).includes("ready"), "the job runs");
    expect(processesWith(marker)).toHaveLength(1);
    await fake.close();
    expect(processesWith(marker)).toHaveLength(0);
  });

  test("a snapshot taken while a process runs restores its attempt as ended by a lost host; the retry runs for real", async () => {
    const { fake, batch, shell } = await processFake();
    const marker = "1006.5";
    const definition = await shell(`echo "attempt $AWS_BATCH_JOB_ATTEMPT"; [ "$AWS_BATCH_JOB_ATTEMPT" -gt 1 ] || exec sleep ${marker}`);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "moved", jobQueue: "jq", jobDefinition: definition, retryStrategy: { attempts: 2 } }));
    await eventually(() => fake.logs(jobId!).includes("attempt 1"), "the first attempt runs");
    const state = fake.snapshot();
    await fake.close();
    expect(processesWith(marker)).toEqual([]);

    // The restored fake has no process behind the first attempt: it ends as AWS ends an attempt whose host is gone.
    const restored = setup({ executor: "process", state });
    const helpers = processHelpers(restored.batch);
    const job = await helpers.waitFor(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts!.map((attempt) => attempt.statusReason)).toEqual([expect.stringMatching(/^Host EC2 \(instance i-[0-9a-f]+\) terminated\.$/), "Essential container in task exited"]);
    expect(job.attempts![0].container?.exitCode).toBeUndefined();
    expect(restored.fake.logs(jobId!)).toEqual(["attempt 1", "attempt 2"]);
    await restored.fake.close();
  });

  test("the scripted executor is still the default: nothing runs", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"] });
    const touched = join(scratch, "default-ran");
    await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "touch", type: "container", containerProperties: { image: "x", command: ["touch", touched], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] } }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "t", jobQueue: "jq", jobDefinition: "touch" }));
    expect((await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs![0].status).toBe("SUCCEEDED");
    await sleep(100);
    expect(existsSync(touched)).toBe(false);
  });
});
