import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SubmitJobCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { fakeBatch } from "../src";
import { eventually, PROCESS_TEST_TIMEOUT_MS, processesWith, processFake } from "./executor-helpers";

jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);

const scratch = mkdtempSync(join(tmpdir(), "parlel-sandbox-test-"));
const inputs = join(scratch, "inputs");
const outputs = join(scratch, "outputs");
mkdirSync(inputs);
mkdirSync(outputs);
writeFileSync(join(inputs, "numbers.txt"), "3\n4\n5\n");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mounts = {
  volumes: [
    { name: "in", host: { sourcePath: inputs } },
    { name: "out", host: { sourcePath: outputs } },
  ],
  mountPoints: [
    { sourceVolume: "in", containerPath: "/data/in", readOnly: true },
    { sourceVolume: "out", containerPath: "/data/out" },
  ],
};

describe("the sandbox executor (bubblewrap)", () => {
  test("reads a mounted input and writes an output to a mounted host directory, at their container paths", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ executor: "sandbox", allowPaths: [scratch] });
    const definition = await shell("sum=0; while read n; do sum=$((sum + n)); done < /data/in/numbers.txt; echo \"sum $sum\" > /data/out/result.txt; echo done", mounts);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "sum", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("SUCCEEDED");
    expect(fake.logs(jobId!)).toEqual(["done"]);
    expect(readFileSync(join(outputs, "result.txt"), "utf8")).toBe("sum 12\n");
    await fake.close();
  });

  test("a read-only mount point cannot be written, /tmp is private, and the host's other files are not visible", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ executor: "sandbox", allowPaths: [scratch] });
    writeFileSync(join(tmpdir(), "parlel-sandbox-host-tmp-file"), "host");
    const definition = await shell(
      `if touch /data/in/new 2>/dev/null; then echo wrote-input; else echo input-read-only; fi; if [ -e /tmp/parlel-sandbox-host-tmp-file ]; then echo shared-tmp; else echo private-tmp; fi; if [ -e ${scratch} ]; then echo sees-host; else echo host-hidden; fi; echo $$`,
      mounts,
    );
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "ro", jobQueue: "jq", jobDefinition: definition }));
    expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
    // The shell is the sandbox's first process after bubblewrap's own init: its PID namespace is its own.
    expect(fake.logs(jobId!)).toEqual(["input-read-only", "private-tmp", "host-hidden", "2"]);
    expect(existsSync(join(inputs, "new"))).toBe(false);
    rmSync(join(tmpdir(), "parlel-sandbox-host-tmp-file"));
    await fake.close();
  });

  test("TerminateJob ends everything the job started", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ executor: "sandbox", stopGraceMs: 300 });
    const marker = "1004.5";
    // One sleep leaves the job's process group (setsid) and its process tree (its parent subshell exits):
    // only the PID namespace still holds it.
    const definition = await shell(`sleep ${marker} & (setsid sleep ${marker} &); echo ready; wait`);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "tree", jobQueue: "jq", jobDefinition: definition }));
    await eventually(() => fake.logs(jobId!).includes("ready"), "the job prints ready");
    await eventually(() => processesWith(`sleep ${marker}`, true).length === 2, "both sleeps run");
    await batch.send(new TerminateJobCommand({ jobId: jobId!, reason: "enough" }));
    const job = await waitFor(jobId!);
    expect(job.container?.exitCode).toBe(143);
    await eventually(() => processesWith(marker).length === 0, "every process of the job is gone");
    await fake.close();
  });

  test("a host path outside the allow-list is refused before the sandbox starts", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ executor: "sandbox", allowPaths: [inputs] });
    const definition = await shell("true", mounts);
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "refused", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.container?.reason).toMatch(/^CannotStartContainerError: host path .*outputs of volume out is outside the paths parlel-batch allows/);
    await fake.close();
  });

  test("a sandbox that bubblewrap cannot set up fails to start, with bubblewrap's message", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ executor: "sandbox", allowPaths: [scratch] });
    // A mount point inside the read-only /usr cannot be created.
    const definition = await shell("true", { volumes: [{ name: "in", host: { sourcePath: inputs } }], mountPoints: [{ sourceVolume: "in", containerPath: "/usr/parlel-new-directory" }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "broken", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.container?.reason).toMatch(/^CannotStartContainerError: bwrap: /);
    await fake.close();
  });

  test("without bwrap, starting with the sandbox executor fails and names the package to install", () => {
    const path = process.env.PATH;
    process.env.PATH = join(scratch, "no-such-bin");
    try {
      expect(() => fakeBatch({ executor: "sandbox" })).toThrow("install the Debian/Ubuntu package `bubblewrap`");
    } finally {
      process.env.PATH = path;
    }
  });
});
