"use strict";
// Fair share against FIFO: SubmitJob and DescribeJobs through BatchClient with 10k, 100k and 1M jobs in state
// (100 share identifiers), and the drain of 100k short jobs on the manual clock. Run with `node --expose-gc`.
const { fakeBatch, client, sdk, calibrate, pairs, report, median } = require("./common.cjs");

const SIZES = (process.env.BENCH_FAIR_SHARE_SIZES ?? "10000,100000,1000000").split(",").filter(Boolean).map(Number);
const SHARES = 100;
const DRAIN_JOBS = Number(process.env.BENCH_DRAIN_JOBS ?? 100_000);
/** Drains of each kind, alternating which goes first; the figures are medians. */
const DRAIN_ROUNDS = Number(process.env.BENCH_DRAIN_ROUNDS ?? 5);
const DAY = 24 * 60 * 60 * 1000;

/**
 * A manual-clock fake with one compute environment, a 1-vCPU definition and a queue: FIFO, or fair share with
 * SHARES share identifiers. `jobs` jobs wait in it, as SHARES array jobs (one per share identifier); the
 * environment's `maxvCpus` run at once, each for `durationMs`.
 */
async function world(kind, jobs, maxvCpus, durationMs) {
  const fake = fakeBatch({ clock: "manual", jobRetentionMs: 365 * DAY, seed: 1 });
  const batch = client({ requestHandler: fake });
  await fake.provision({ jobDefinitions: ["one"], maxvCpus });
  let policy;
  if (kind === "fair share") {
    ({ arn: policy } = await batch.send(new sdk.CreateSchedulingPolicyCommand({ name: "fair", fairsharePolicy: { shareDecaySeconds: 3600, shareDistribution: [{ shareIdentifier: "s*", weightFactor: 1 }] } })));
  }
  const [environment] = (await batch.send(new sdk.DescribeComputeEnvironmentsCommand({}))).computeEnvironments;
  await batch.send(new sdk.CreateJobQueueCommand({ jobQueueName: "q", priority: 1, schedulingPolicyArn: policy, computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentName }] }));
  fake.onJob({ jobQueue: "q" }, { durationMs });
  const share = (i) => (policy ? { shareIdentifier: `s${i % SHARES}` } : {});
  const parents = [];
  for (let i = 0; i < SHARES; i++) {
    const { jobId } = await batch.send(new sdk.SubmitJobCommand({ jobName: `fill-${i}`, jobQueue: "q", jobDefinition: "one", arrayProperties: { size: jobs / SHARES }, ...share(i) }));
    parents.push(jobId);
  }
  await fake.advance(0);
  return { fake, batch, parents, share };
}

/** Per-call time of SubmitJob and DescribeJobs (20 ids) with `jobs` in state: fair share against FIFO. */
async function callCosts(jobs) {
  const fifo = await world("FIFO", jobs, 100, DAY);
  const fair = await world("fair share", jobs, 100, DAY);
  const rows = [];
  const submit = (side) => {
    let i = 0;
    return () => side.batch.send(new sdk.SubmitJobCommand({ jobName: "measured", jobQueue: "q", jobDefinition: "one", ...side.share(i++) }));
  };
  const describe = (side) => {
    let i = 0;
    const perArray = jobs / SHARES;
    return () => {
      const ids = [];
      for (let k = 0; k < 20; k++, i += 7919) ids.push(`${side.parents[i % SHARES]}:${Math.floor(i / SHARES) % perArray}`);
      return side.batch.send(new sdk.DescribeJobsCommand({ jobs: ids }));
    };
  };
  for (const [operation, make] of [["SubmitJob", submit], ["DescribeJobs (20 ids)", describe]]) {
    const onFair = make(fair);
    const onFifo = make(fifo);
    const size = await calibrate(onFifo, 5, 4);
    await calibrate(onFair, 1);
    if (global.gc) global.gc();
    const result = await pairs(size, onFair, onFifo, () => {
      fair.fake.clearRequests();
      fifo.fake.clearRequests();
    });
    rows.push({ jobs, operation, fairShareUs: result.fakeUs, fifoUs: result.floorUs, ratio: result.ratio });
  }
  return rows;
}

/** Wall time to run `DRAIN_JOBS` one-minute jobs to the end on 1,000 vCPUs. */
async function drain(kind) {
  const side = await world(kind, DRAIN_JOBS, 1000, 60_000);
  const store = side.fake.service.partitions.get(side.fake.defaultPartition);
  const start = process.hrtime.bigint();
  const done = () => side.parents.every((id) => store.jobs.get(id)?.status === "SUCCEEDED");
  while (!done()) await side.fake.advance(60 * 60_000);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
  const rows = [];
  for (const jobs of SIZES) {
    rows.push(...(await callCosts(jobs)));
    if (global.gc) global.gc();
  }
  const fifo = [];
  const fair = [];
  // Round 0 warms the code and grows the heap, and is not counted.
  for (let round = 0; round <= DRAIN_ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? ["FIFO", "fair share"] : ["fair share", "FIFO"]) {
      if (global.gc) global.gc();
      const ms = await drain(kind);
      if (round > 0) (kind === "FIFO" ? fifo : fair).push(ms);
    }
  }
  if (process.env.BENCH_VERBOSE) console.error({ fifo, fair });
  const ratio = median(fair.map((ms, i) => ms / fifo[i]));
  report({ part: "fair-share", shares: SHARES, rows, drain: { jobs: DRAIN_JOBS, rounds: DRAIN_ROUNDS, fifoMs: median(fifo), fairShareMs: median(fair), ratio } });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
