// SubmitJob through the compiled server, with --state-dir against without: what durability costs per write.
// Usage: npm run build && node bench/state-dir.cjs [calls per block, default 300] [rounds, default 5]
// Both servers run at once; blocks of calls alternate between them, so load on the machine hits both alike.
"use strict";
const { spawn } = require("node:child_process");
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { BatchClient, CreateComputeEnvironmentCommand, CreateJobQueueCommand, RegisterJobDefinitionCommand, SubmitJobCommand } = require("@aws-sdk/client-batch");

const CLI = resolve(__dirname, "../dist/cjs/server/cli.js");
const calls = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 5);

function startServer(args) {
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((done, fail) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) done({ child, url: match[1] });
    });
    child.once("exit", (code) => fail(new Error(`server exited ${code}: ${output}`)));
  });
}

async function prepare(url) {
  const batch = new BatchClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" } });
  await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 256, subnets: ["s"], securityGroupIds: ["g"] } }));
  await batch.send(new CreateJobQueueCommand({ jobQueueName: "jq", priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }));
  await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "work", type: "container", platformCapabilities: ["FARGATE"], containerProperties: { image: "busybox", resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "2048" }], executionRoleArn: "arn:aws:iam::000000000000:role/exec" } }));
  return batch;
}

/** Microseconds per SubmitJob over one block of `calls`. */
async function block(batch) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await batch.send(new SubmitJobCommand({ jobName: `job-${i}`, jobQueue: "jq", jobDefinition: "work" }));
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const directory = mkdtempSync(join(tmpdir(), "parlel-bench-state-"));
  const plain = await startServer([]);
  const durable = await startServer(["--state-dir", directory]);
  try {
    const plainBatch = await prepare(plain.url);
    const durableBatch = await prepare(durable.url);
    await block(plainBatch);
    await block(durableBatch);
    const ratios = [];
    const plainTimes = [];
    const durableTimes = [];
    for (let round = 0; round < rounds; round++) {
      const withoutState = await block(plainBatch);
      const withState = await block(durableBatch);
      plainTimes.push(withoutState);
      durableTimes.push(withState);
      ratios.push(withState / withoutState);
    }
    console.log(`SubmitJob over HTTP, ${rounds} rounds of ${calls} calls, medians:`);
    console.log(`  without --state-dir: ${median(plainTimes).toFixed(0)} µs per call`);
    console.log(`  with --state-dir:    ${median(durableTimes).toFixed(0)} µs per call`);
    console.log(`  ratio (with / without): ${median(ratios).toFixed(2)}`);
  } finally {
    plain.child.kill("SIGKILL");
    durable.child.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
