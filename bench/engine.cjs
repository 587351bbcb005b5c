"use strict";
// Engine throughput in virtual time: ARRAYS array jobs of ARRAY_SIZE children each run to completion on one
// compute environment with a vCPU cap, on the manual clock. Run with `node --expose-gc` for the heap figure.
const { fakeBatch, client, sdk, report } = require("./common.cjs");

const ARRAYS = Number(process.env.BENCH_ARRAYS ?? 100);
const ARRAY_SIZE = Number(process.env.BENCH_ARRAY_SIZE ?? 10_000);
const MAX_VCPUS = Number(process.env.BENCH_MAX_VCPUS ?? 2_000);
const QUEUE = "engine-queue";
const DEFINITION = "engine-definition";
const HOUR = 60 * 60 * 1000;
// Long enough that no finished job expires during the run: their memory is what is measured.
const RETENTION_MS = 365 * 24 * HOUR;

function heapAfterGc() {
  if (!global.gc) return undefined;
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

async function main() {
  const fake = fakeBatch({ clock: "manual", jobRetentionMs: RETENTION_MS });
  const batch = client({ requestHandler: fake });
  await fake.provision({ jobQueues: [QUEUE], jobDefinitions: [DEFINITION], maxvCpus: MAX_VCPUS });
  // Every attempt runs 30 to 60 virtual seconds, by array index, so completions spread over many instants.
  fake.onJob({ jobQueue: QUEUE }, (job) => ({ durationMs: 1000 * (30 + ((job.arrayIndex ?? 0) % 31)) }));
  const baseline = heapAfterGc();
  const startVirtual = fake.now();
  const start = process.hrtime.bigint();
  const parents = [];
  for (let i = 0; i < ARRAYS; i++) {
    const output = await batch.send(new sdk.SubmitJobCommand({ jobName: `engine-${i}`, jobQueue: QUEUE, jobDefinition: DEFINITION, arrayProperties: { size: ARRAY_SIZE } }));
    parents.push(output.jobId);
  }
  const submittedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const store = fake.service.partitions.get(fake.defaultPartition);
  const done = () => parents.every((id) => store.jobs.get(id)?.status === "SUCCEEDED");
  let advances = 0;
  while (!done()) {
    await fake.advance(HOUR);
    advances++;
    if (advances > 24 * 365) throw new Error("the jobs did not finish within a virtual year");
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const finished = ARRAYS * ARRAY_SIZE;
  let succeededChildren = 0;
  for (const id of parents) succeededChildren += store.jobs.get(id).statusSummary.SUCCEEDED ?? 0;
  if (succeededChildren !== finished) throw new Error(`expected ${finished} children to succeed, got ${succeededChildren}`);
  const heap = heapAfterGc();
  report({
    part: "engine",
    arrays: ARRAYS,
    arraySize: ARRAY_SIZE,
    maxVcpus: MAX_VCPUS,
    finishedJobs: finished,
    jobRecords: store.jobs.size,
    virtualHours: (fake.now() - startVirtual) / HOUR,
    submitMs: submittedMs,
    wallMs,
    jobsPerSecond: finished / (wallMs / 1000),
    heapBytesPerJob: heap === undefined ? undefined : (heap - baseline) / finished,
    heapMiB: heap === undefined ? undefined : (heap - baseline) / 1024 ** 2,
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
