import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchClient, SubmitJobCommand } from "@aws-sdk/client-batch";
import { CLI, startServerProcess } from "./clients/server-process";
import { eventually, PROCESS_TEST_TIMEOUT_MS, processesWith, processHelpers } from "./executor-helpers";
import { computeEnvironment, queue } from "./engine-helpers";

jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);

const scratch = mkdtempSync(join(tmpdir(), "parlel-executor-server-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function client(url: string): BatchClient {
  return new BatchClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" } });
}

describe("npx parlel-batch --executor process", () => {
  test("runs jobs' commands with the flags' guardrails, and shutting down leaves no process behind", async () => {
    const allowed = join(scratch, "allowed");
    const workDir = join(scratch, "work");
    const server = await startServerProcess(["--executor", "process", "--allow-path", join(scratch, "other"), "--allow-path", allowed, "--work-dir", workDir, "--stop-grace-ms", "200", "--max-output-bytes", "100000"]);
    try {
      const batch = client(server.url);
      const { shell, waitFor } = processHelpers(batch);
      await computeEnvironment(batch, "parlel-ce", 4);
      await queue(batch, "jq", 1, ["parlel-ce"]);
      // The second --allow-path counts too: the job writes into the host directory it names.
      const writer = await shell(`mkdir -p ${allowed} && echo written > ${allowed}/out.txt`, { volumes: [{ name: "out", host: { sourcePath: allowed } }], mountPoints: [{ sourceVolume: "out", containerPath: allowed }] });
      const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "writer", jobQueue: "jq", jobDefinition: writer }));
      expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
      expect(readFileSync(join(allowed, "out.txt"), "utf8")).toBe("written\n");

      const marker = "1005.5";
      const sleeper = await shell(`echo ready; exec sleep ${marker}`);
      const { jobId: sleeping } = await batch.send(new SubmitJobCommand({ jobName: "sleeper", jobQueue: "jq", jobDefinition: sleeper }));
      await waitFor(sleeping!, ["RUNNING"]);
      await eventually(() => processesWith(marker).length === 1, "the job's process runs");
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
      expect(server.output()).toContain("Executor: process");
      expect(processesWith(marker)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  test("with --state-dir, a restart keeps what processes did without running them again; an attempt running at the crash ends as a lost host's", async () => {
    const stateDir = join(scratch, "state");
    const counted = join(scratch, "runs.txt");
    const marker = "1007.5";
    const start = () => startServerProcess(["--executor", "process", "--state-dir", stateDir]);
    const first = await start();
    let batch = client(first.url);
    let helpers = processHelpers(batch);
    await computeEnvironment(batch, "parlel-ce", 4);
    await queue(batch, "jq", 1, ["parlel-ce"]);
    const counter = await helpers.shell(`echo ran >> ${counted}; echo hello; exit 3`);
    const { jobId: finished } = await batch.send(new SubmitJobCommand({ jobName: "counter", jobQueue: "jq", jobDefinition: counter }));
    expect((await helpers.waitFor(finished!)).container?.exitCode).toBe(3);
    const sleeper = await helpers.shell(`echo ready; exec sleep ${marker}`);
    const { jobId: running } = await batch.send(new SubmitJobCommand({ jobName: "sleeper", jobQueue: "jq", jobDefinition: sleeper }));
    await helpers.waitFor(running!, ["RUNNING"]);
    await eventually(() => processesWith(marker).length === 1, "the sleeper's process runs");

    // A crash: the server cannot stop its processes, so this test does.
    first.child.kill("SIGKILL");
    await first.exited;
    for (const pid of processesWith(marker)) process.kill(pid, "SIGKILL");

    const second = await start();
    try {
      batch = client(second.url);
      helpers = processHelpers(batch);
      const kept = await helpers.describe(finished!);
      expect(kept.status).toBe("FAILED");
      expect(kept.container?.exitCode).toBe(3);
      const logs = (await (await fetch(`${second.url}/_parlel/jobs/${finished}/logs`)).json()) as { logs: string[] };
      expect(logs.logs).toEqual(["hello"]);
      // The finished job's command did not run again on restart.
      expect(readFileSync(counted, "utf8")).toBe("ran\n");
      const lost = await helpers.waitFor(running!);
      expect(lost.status).toBe("FAILED");
      expect(lost.statusReason).toMatch(/^Host EC2 \(instance i-[0-9a-f]+\) terminated\.$/);
      expect(processesWith(marker)).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  test("--executor sandbox without bwrap on PATH refuses to start and names the package", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--executor", "sandbox"], { env: { PATH: join(scratch, "empty-bin") }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(output).toContain("install the Debian/Ubuntu package `bubblewrap`");
  });

  test("a bad --executor is refused", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--executor", "docker"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(output).toContain("--executor is scripted, process or sandbox");
  });
});
