import { readdirSync, readFileSync } from "node:fs";
import { DescribeJobsCommand, RegisterJobDefinitionCommand, type BatchClient, type JobDetail } from "@aws-sdk/client-batch";
import { setup } from "./helpers";
import type { FakeBatchOptions } from "../src";

/** Real processes on a machine shared with other test runs: waits are generous. */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** A fake with the process (or sandbox) executor, queue `jq` on `parlel-ce`, and a `run` helper that registers `sh -c <script>` definitions. */
export async function processFake(options: FakeBatchOptions & { maxvCpus?: number } = {}) {
  const context = setup({ executor: "process", ...options });
  await context.fake.provision({ jobQueues: ["jq"], maxvCpus: options.maxvCpus ?? 16 });
  return { ...context, ...processHelpers(context.batch) };
}

export function processHelpers(batch: BatchClient) {
  let definitions = 0;
  /** Registers a job definition whose command is `sh -c <script>`, with 1 vCPU and `memory` MiB. */
  const shell = async (script: string, extra: { memory?: number; environment?: { name: string; value: string }[]; volumes?: unknown[]; mountPoints?: unknown[]; timeout?: number } = {}) => {
    const name = `sh-${++definitions}`;
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: name,
      type: "container",
      timeout: extra.timeout === undefined ? undefined : { attemptDurationSeconds: extra.timeout },
      containerProperties: {
        image: "not-used",
        command: ["sh", "-c", script],
        environment: extra.environment,
        volumes: extra.volumes as never,
        mountPoints: extra.mountPoints as never,
        resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: String(extra.memory ?? 512) }],
      },
    }));
    return name;
  };
  const describe = async (jobId: string): Promise<JobDetail> => {
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    if (!jobs?.[0]) throw new Error(`job ${jobId} not found`);
    return jobs[0];
  };
  /** Polls DescribeJobs until the job is in one of the statuses (or the wait gives up). */
  const waitFor = async (jobId: string, statuses: string[] = ["SUCCEEDED", "FAILED"], timeoutMs = 60_000): Promise<JobDetail> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await describe(jobId);
      if (statuses.includes(job.status!)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${job.status} (waited for ${statuses.join(" or ")})`);
      await sleep(25);
    }
  };
  return { shell, describe, waitFor };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until the condition holds, or throws after the deadline. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; only its parent has not yet read its status.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}

/** Host pids of the live processes whose command line contains the marker (or is exactly it). */
export function processesWith(marker: string, exact = false): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ");
      const fits = exact ? commandLine.trim() === marker : commandLine.includes(marker);
      if (fits && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
