"use strict";
// The state and the four operations that both the in-process and the server benchmarks measure.
const { fakeBatch, sdk, client, HttpResponse, median } = require("./common.cjs");

const QUEUE = "bench-queue";
const DEFINITION = "bench-definition";
const PAGE = 100;

/**
 * A fake with a provisioned compute environment, queue and job definition, and `jobCount` jobs that have
 * run to SUCCEEDED (the default clock and delays finish a job within its SubmitJob call). `makeFake` may
 * come from another compiled copy of the package.
 */
async function buildState(jobCount, makeFake = fakeBatch) {
  const fake = makeFake();
  await fake.provision({ jobQueues: [QUEUE], jobDefinitions: [DEFINITION], maxvCpus: 256 });
  const service = fake.service;
  const partition = fake.defaultPartition;
  const jobIds = [];
  for (let i = 0; i < jobCount; i++) {
    const output = await service.call("SubmitJob", { jobName: `bench-${i}`, jobQueue: QUEUE, jobDefinition: DEFINITION }, partition, service.newRequestId(), { record: false });
    jobIds.push(output.jobId);
  }
  return { fake, jobIds };
}

/** 100 ids spread evenly over the jobs, so a large state is read across its whole range. */
function spreadIds(jobIds, count) {
  const step = jobIds.length / count;
  return Array.from({ length: count }, (_, i) => jobIds[Math.floor(i * step)]);
}

/** A ListJobs token for the page that starts in the middle of the jobs, so the page seeks a cursor. */
async function middleToken(fake, jobCount) {
  if (jobCount <= PAGE * 2) return undefined;
  const service = fake.service;
  let nextToken;
  let seen = 0;
  const middle = Math.floor(jobCount / 2);
  while (seen + 1000 <= middle) {
    const output = await service.call("ListJobs", { jobQueue: QUEUE, jobStatus: "SUCCEEDED", maxResults: 1000, nextToken }, fake.defaultPartition, service.newRequestId(), { record: false });
    nextToken = output.nextToken;
    seen += output.jobSummaryList.length;
  }
  return nextToken;
}

/** The operations, each a function that makes a fresh command the way a caller would. */
async function operations(fake, jobIds) {
  const describeIds = spreadIds(jobIds, 100);
  const listToken = await middleToken(fake, jobIds.length);
  return [
    { name: "DescribeJobQueues", command: () => new sdk.DescribeJobQueuesCommand({ jobQueues: [QUEUE] }) },
    { name: "DescribeJobs (100 ids)", command: () => new sdk.DescribeJobsCommand({ jobs: describeIds }) },
    { name: "ListJobs (page of 100)", command: () => new sdk.ListJobsCommand({ jobQueue: QUEUE, jobStatus: "SUCCEEDED", maxResults: PAGE, nextToken: listToken }) },
    // Last, so that the jobs it adds never change what the reads above return.
    { name: "SubmitJob", command: () => new sdk.SubmitJobCommand({ jobName: "bench-submit", jobQueue: QUEUE, jobDefinition: DEFINITION }) },
  ];
}

/** A request handler (the Smithy contract) that answers every call with the same, pre-built response. */
function floorHandler(captured) {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    handle: async () => ({ response: new HttpResponse({ statusCode: captured.statusCode, headers: { ...captured.headers }, body: captured.body }) }),
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
}

/** One call through the fake, keeping the response it produced: the floor answers with these bytes. */
async function capture(fake, command) {
  let captured;
  const recorder = client({
    requestHandler: {
      ...floorHandler({}),
      handle: async (request, options) => {
        const result = await fake.handle(request, options);
        const { statusCode, headers, body } = result.response;
        captured = { statusCode, headers: { ...headers }, body: Uint8Array.from(body) };
        return result;
      },
    },
  });
  await recorder.send(command);
  if (captured.statusCode !== 200) throw new Error(`capture: ${new TextDecoder().decode(captured.body)}`);
  return captured;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const EMPTY = 100;
// BENCH_ONLY=SubmitJob measures the operations whose names match, while working on one of them.
const ONLY = new RegExp(process.env.BENCH_ONLY ?? "");

/**
 * The rounds both parts run: a warm-up round that is not counted, then ROUNDS rounds over a fresh state of
 * EMPTY jobs and the one state of LARGE jobs, in alternating order. `round(state, sizes, only)` measures
 * the operations matching `only` on one state and returns a result per operation. Returns the table's
 * rows: per state and operation, the medians over rounds and the range of the ratios.
 */
async function runRounds(round) {
  const large = await buildState(LARGE);
  const samples = {};
  const sizes = { empty: {}, large: {} };
  for (let r = 0; r <= ROUNDS; r++) {
    // The empty state is fresh every round, so SubmitJob keeps it small.
    const states = [["empty", await buildState(EMPTY)], ["large", large]];
    if (r % 2) states.reverse();
    for (const [label, state] of states) {
      for (const result of await round(state, sizes[label], ONLY)) {
        if (r > 0) (samples[`${label}|${result.name}`] ??= []).push(result);
      }
    }
  }
  return Object.entries(samples).map(([key, list]) => {
    const [state, operation] = key.split("|");
    const ratios = list.map((s) => s.ratio);
    return {
      state: state === "empty" ? `empty (${EMPTY} jobs)` : `${LARGE.toLocaleString("en-US")} jobs`,
      operation,
      fakeUs: median(list.map((s) => s.fakeUs)),
      floorUs: median(list.map((s) => s.floorUs)),
      ratio: median(ratios),
      minRatio: Math.min(...ratios),
      maxRatio: Math.max(...ratios),
    };
  });
}

module.exports = { QUEUE, DEFINITION, ROUNDS, buildState, operations, capture, floorHandler, runRounds };
