import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SubmitJobCommand } from "@aws-sdk/client-batch";
import { PROCESS_TEST_TIMEOUT_MS, processFake } from "./executor-helpers";

jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);

const scratch = mkdtempSync(join(tmpdir(), "parlel-guardrails-test-"));
const allowed = join(scratch, "data");
const outside = join(scratch, "secret");
mkdirSync(allowed);
mkdirSync(outside);
writeFileSync(join(allowed, "input.txt"), "allowed input\n");
writeFileSync(join(outside, "key.txt"), "secret\n");
// Look-alikes and escapes a job might try.
mkdirSync(join(scratch, "data-evil"));
symlinkSync(outside, join(allowed, "link-out"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `cat <file>` with the volume's host path; returns the finished job and its log. */
async function catWithVolume(sourcePath: string, file: string) {
  const { fake, batch, shell, waitFor } = await processFake({ allowPaths: [allowed] });
  const definition = await shell(`cat ${file}`, {
    volumes: [{ name: "data", host: { sourcePath } }],
    mountPoints: [{ sourceVolume: "data", containerPath: sourcePath, readOnly: true }],
  });
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "mount", jobQueue: "jq", jobDefinition: definition, retryStrategy: { attempts: 2 } }));
  const job = await waitFor(jobId!);
  const logs = fake.logs(jobId!);
  await fake.close();
  return { job, logs };
}

describe("host paths must be inside the allow-list", () => {
  test("a volume inside an allowed path runs, and the process reads the host file", async () => {
    const { job, logs } = await catWithVolume(allowed, join(allowed, "input.txt"));
    expect(job.status).toBe("SUCCEEDED");
    expect(logs).toEqual(["allowed input"]);
  });

  test("a host path outside the allow-list fails at start with CannotStartContainerError, and retries apply", async () => {
    const { job, logs } = await catWithVolume(outside, join(outside, "key.txt"));
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.attempts).toHaveLength(2);
    for (const attempt of job.attempts!) {
      expect(attempt.statusReason).toBe("Task failed to start");
      expect(attempt.container?.reason).toMatch(/^CannotStartContainerError: host path .*secret of volume data is outside the paths parlel-batch allows/);
    }
    expect(logs).not.toContain("secret");
  });

  test.each([
    ["`..` out of the allowed directory", () => join(allowed, "..", "secret")],
    ["a prefix look-alike (/data-evil is not under /data)", () => join(scratch, "data-evil")],
    ["a symbolic link inside the allowed directory that points outside", () => join(allowed, "link-out")],
    ["a path under such a link", () => join(allowed, "link-out", "deeper")],
  ])("%s is refused", async (_name, path) => {
    const { job } = await catWithVolume(path(), join(outside, "key.txt"));
    expect(job.status).toBe("FAILED");
    expect(job.container?.reason).toMatch(/^CannotStartContainerError: host path .* is outside the paths parlel-batch allows/);
  });

  test("with no allow-list, every host path is refused", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell("true", { volumes: [{ name: "data", host: { sourcePath: allowed } }], mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "mount", jobQueue: "jq", jobDefinition: definition }));
    expect((await waitFor(jobId!)).container?.reason).toMatch(/^CannotStartContainerError: /);
    await fake.close();
  });

  test("the process executor notes in the log that a mount point at another path is not emulated", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ allowPaths: [allowed] });
    const definition = await shell(`cat ${join(allowed, "input.txt")}`, { volumes: [{ name: "data", host: { sourcePath: allowed } }], mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "mount", jobQueue: "jq", jobDefinition: definition }));
    expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
    expect(fake.logs(jobId!)).toEqual([
      `parlel-batch: mount point /data is not emulated by the process executor: the process sees the host path ${allowed} (use --executor sandbox)`,
      "allowed input",
    ]);
    await fake.close();
  });
});

describe("the job's environment cannot change the host's PATH or dynamic loader", () => {
  test("PATH, LD_PRELOAD, LD_LIBRARY_PATH and DYLD_* are dropped, and the log says so", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const preload = join(scratch, "evil.so");
    writeFileSync(preload, "not a library");
    const definition = await shell('echo "PATH=$PATH"; echo "LD_PRELOAD=${LD_PRELOAD-unset}"; echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH-unset}"; echo "DYLD_INSERT_LIBRARIES=${DYLD_INSERT_LIBRARIES-unset}"; echo "KEPT=$KEPT"', {
      environment: [
        { name: "PATH", value: scratch },
        { name: "LD_PRELOAD", value: preload },
        { name: "LD_LIBRARY_PATH", value: scratch },
        { name: "DYLD_INSERT_LIBRARIES", value: preload },
        { name: "KEPT", value: "yes" },
      ],
    });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "env", jobQueue: "jq", jobDefinition: definition }));
    expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
    const logs = fake.logs(jobId!);
    expect(logs[0]).toBe("parlel-batch: dropped environment variables PATH, LD_PRELOAD, LD_LIBRARY_PATH, DYLD_INSERT_LIBRARIES: a job may not change the host's PATH or dynamic loader");
    expect(logs).toContain(`PATH=${process.env.PATH}`);
    expect(logs).toContain("LD_PRELOAD=unset");
    expect(logs).toContain("LD_LIBRARY_PATH=unset");
    expect(logs).toContain("DYLD_INSERT_LIBRARIES=unset");
    expect(logs).toContain("KEPT=yes");
    await fake.close();
  });

  test("overrides at submission are dropped the same way", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell('echo "PATH=$PATH"');
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "env", jobQueue: "jq", jobDefinition: definition, containerOverrides: { environment: [{ name: "PATH", value: scratch }] } }));
    await waitFor(jobId!);
    expect(fake.logs(jobId!)).toContain(`PATH=${process.env.PATH}`);
    await fake.close();
  });
});

describe("each attempt runs in a fresh working directory under the work root", () => {
  test("attempts get their own directory, kept under a configured workDir", async () => {
    const workDir = join(scratch, "work");
    const { fake, batch, shell, waitFor } = await processFake({ workDir });
    const definition = await shell('pwd; ls -A; touch made-here; echo "HOME=$HOME"; exit 1');
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "cwd", jobQueue: "jq", jobDefinition: definition, retryStrategy: { attempts: 2 } }));
    expect((await waitFor(jobId!)).attempts).toHaveLength(2);
    const logs = fake.logs(jobId!);
    const [firstDirectory, , secondDirectory] = logs;
    expect(firstDirectory.startsWith(workDir + "/")).toBe(true);
    expect(secondDirectory.startsWith(workDir + "/")).toBe(true);
    expect(secondDirectory).not.toBe(firstDirectory);
    // Each directory starts empty (`ls -A` prints nothing): the second attempt does not see the first one's file.
    expect(logs).toEqual([firstDirectory, `HOME=${firstDirectory}`, secondDirectory, `HOME=${secondDirectory}`]);
    await fake.close();
    expect(readdirSync(workDir)).toHaveLength(2);
  });
});

describe("captured output is capped per attempt", () => {
  test("past the cap a marker says where the output was cut, and the job runs on to its own exit", async () => {
    const { fake, batch, shell, waitFor } = await processFake({ maxOutputBytes: 1000 });
    const definition = await shell('i=0; while [ $i -lt 200 ]; do echo "line-$i-abcdefghijklmnopqrstuvwxyz"; i=$((i+1)); done; exit 7');
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "chatty", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.container?.exitCode).toBe(7);
    const logs = fake.logs(jobId!);
    expect(logs[logs.length - 1]).toBe("parlel-batch: output cut here: the attempt wrote more than 1000 bytes; the rest is not kept");
    const kept = logs.slice(0, -1);
    expect(kept[0]).toBe("line-0-abcdefghijklmnopqrstuvwxyz");
    expect(kept.join("\n").length).toBeLessThanOrEqual(1000);
    expect(kept.length).toBeGreaterThan(20);
    expect(logs).not.toContain("line-199-abcdefghijklmnopqrstuvwxyz");
    await fake.close();
  });
});

describe("the memory limit", () => {
  test("an attempt over its memory ends as AWS ends it: OutOfMemoryError, exit code 137", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    // Python touches 200 MiB against a limit of 32 MiB.
    const definition = await shell(`python3 -c "import time; block = b'x' * (200 * 1024 * 1024); print('allocated', flush=True); time.sleep(60)"`, { memory: 32 });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "hungry", jobQueue: "jq", jobDefinition: definition }));
    const job = await waitFor(jobId!);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Essential container in task exited");
    expect(job.container?.exitCode).toBe(137);
    expect(job.container?.reason).toBe("OutOfMemoryError: Container killed due to memory usage");
    expect(job.attempts![0].container?.reason).toBe("OutOfMemoryError: Container killed due to memory usage");
    expect(fake.logs(jobId!)).toContain("parlel-batch: the attempt used more than its 32 MiB of memory and was killed");
    await fake.close();
  });

  test("evaluateOnExit can match the out-of-memory reason", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell(`python3 -c "import time; block = b'x' * (200 * 1024 * 1024); time.sleep(60)"`, { memory: 32 });
    const { jobId } = await batch.send(new SubmitJobCommand({
      jobName: "hungry",
      jobQueue: "jq",
      jobDefinition: definition,
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onReason: "OutOfMemoryError*", action: "EXIT" }] },
    }));
    expect((await waitFor(jobId!)).attempts).toHaveLength(1);
    await fake.close();
  });

  test("an attempt within its memory is left alone", async () => {
    const { fake, batch, shell, waitFor } = await processFake();
    const definition = await shell(`python3 -c "import time; block = b'x' * (20 * 1024 * 1024); time.sleep(0.5)"`, { memory: 256 });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "modest", jobQueue: "jq", jobDefinition: definition }));
    expect((await waitFor(jobId!)).status).toBe("SUCCEEDED");
    await fake.close();
  });
});

describe("a command Node cannot pass to a process", () => {
  test("a NUL character in the command fails the attempt at start instead of breaking the fake", async () => {
    const { fake, batch, waitFor } = await processFake();
    const { RegisterJobDefinitionCommand } = await import("@aws-sdk/client-batch");
    await batch.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: "nul",
      type: "container",
      containerProperties: { image: "x", command: ["echo", "a\u0000b"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] },
    }));
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "nul", jobQueue: "jq", jobDefinition: "nul" }));
    const job = await waitFor(jobId!);
    expect(job.statusReason).toBe("Task failed to start");
    expect(job.container?.reason).toMatch(/^CannotStartContainerError: cannot run the command: /);
    await fake.close();
  });
});
