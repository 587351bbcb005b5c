"use strict";
// The process executor's overhead: `true` run as the children of array jobs through a queue (fakeBatch({ executor:
// "process" }), maxvCpus = CONCURRENCY), against the same commands spawned directly with child_process by a pool of
// CONCURRENCY workers. Blocks of both kinds alternate, so drift in the machine's load falls on both; the ratio is
// the median over rounds of (fake's wall time per job) / (direct wall time per job). Run alone: node bench/executor.cjs
const { spawn } = require("node:child_process");
const { fakeBatch, sdk, client, median, report } = require("./common.cjs");

const JOBS_PER_BLOCK = Number(process.env.BENCH_EXECUTOR_JOBS ?? 1000);
const ROUNDS = Number(process.env.BENCH_EXECUTOR_ROUNDS ?? 5);
const CONCURRENCY = 4;
const GOAL_RATIO = 1.2;

/** Spawns `true` `count` times, CONCURRENCY at a time, with piped output as the executor has; resolves to ms. */
async function direct(count) {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise((resolve, reject) => {
        const child = spawn("true", [], { stdio: ["ignore", "pipe", "pipe"] });
        child.on("error", reject);
        child.on("close", resolve);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Runs `true` as the `count` children of one array job and polls until the array is done; resolves to ms. */
async function throughQueue(batch, count) {
  const started = process.hrtime.bigint();
  const { jobId } = await batch.send(new sdk.SubmitJobCommand({ jobName: "true", jobQueue: "jq", jobDefinition: "true", arrayProperties: { size: count } }));
  for (;;) {
    const { jobs } = await batch.send(new sdk.DescribeJobsCommand({ jobs: [jobId] }));
    const status = jobs[0].status;
    if (status === "SUCCEEDED") break;
    if (status === "FAILED") throw new Error(`array job failed: ${JSON.stringify(jobs[0].statusSummary)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main() {
  const fake = fakeBatch({ executor: "process" });
  const batch = client({ requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], maxvCpus: CONCURRENCY });
  await batch.send(new sdk.RegisterJobDefinitionCommand({
    jobDefinitionName: "true",
    type: "container",
    containerProperties: { image: "not-used", command: ["true"], resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "64" }] },
  }));
  // Warm-up: the first spawns and the first jobs pay for code that is not yet compiled.
  await direct(100);
  await throughQueue(batch, 100);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so neither always follows the other.
    const directFirst = round % 2 === 0;
    const a = directFirst ? await direct(JOBS_PER_BLOCK) : await throughQueue(batch, JOBS_PER_BLOCK);
    const b = directFirst ? await throughQueue(batch, JOBS_PER_BLOCK) : await direct(JOBS_PER_BLOCK);
    const [directMs, fakeMs] = directFirst ? [a, b] : [b, a];
    rounds.push({ directMs, fakeMs, ratio: fakeMs / directMs });
    process.stderr.write(`  round ${round + 1}: direct ${(directMs / JOBS_PER_BLOCK).toFixed(3)} ms/job, through the queue ${(fakeMs / JOBS_PER_BLOCK).toFixed(3)} ms/job\n`);
  }
  await fake.close();
  const directMsPerJob = median(rounds.map((r) => r.directMs)) / JOBS_PER_BLOCK;
  const fakeMsPerJob = median(rounds.map((r) => r.fakeMs)) / JOBS_PER_BLOCK;
  const result = {
    jobsPerBlock: JOBS_PER_BLOCK,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    directJobsPerSecond: 1000 / directMsPerJob,
    fakeJobsPerSecond: 1000 / fakeMsPerJob,
    directMsPerJob,
    fakeMsPerJob,
    ratio: median(rounds.map((r) => r.ratio)),
    minRatio: Math.min(...rounds.map((r) => r.ratio)),
    maxRatio: Math.max(...rounds.map((r) => r.ratio)),
    goalRatio: GOAL_RATIO,
  };
  if (require.main === module) {
    process.stdout.write(
      `${ROUNDS} rounds of ${JOBS_PER_BLOCK} \`true\` jobs, ${CONCURRENCY} at a time:\n` +
        `  direct child_process.spawn: ${result.directJobsPerSecond.toFixed(0)} jobs/s (${directMsPerJob.toFixed(3)} ms/job)\n` +
        `  through a queue (executor "process"): ${result.fakeJobsPerSecond.toFixed(0)} jobs/s (${fakeMsPerJob.toFixed(3)} ms/job)\n` +
        `  ratio (median of rounds): ${result.ratio.toFixed(3)} (range ${result.minRatio.toFixed(2)}–${result.maxRatio.toFixed(2)}), goal ≤ ${GOAL_RATIO}\n`,
    );
  }
  report(result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
