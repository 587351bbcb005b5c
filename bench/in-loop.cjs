"use strict";
// Diagnostic: what `fake.handle` costs inside the SDK's call loop, where the SDK's own work leaves the fake's
// code and data cold, for two compiled copies of the package side by side (A/B).
// `node bench/in-loop.cjs <distA> [distB] [jobs]`, for example after `git worktree add /tmp/base HEAD~3`
// and a build there: `node bench/in-loop.cjs /tmp/base/dist/cjs dist/cjs 100000`.
const path = require("node:path");
const { client, median } = require("./common.cjs");
const { buildState, operations } = require("./scenario.cjs");

const BLOCK = 30;
const PAIRS = 40;

/** A client whose handler times only the fake's part of every call. */
async function side(dist, jobs) {
  const { fakeBatch } = require(path.resolve(dist));
  const state = await buildState(jobs, fakeBatch);
  const timing = { ns: 0, calls: 0 };
  const batch = client({
    requestHandler: {
      handle: async (request, options) => {
        const start = process.hrtime.bigint();
        const result = await state.fake.handle(request, options);
        timing.ns += Number(process.hrtime.bigint() - start);
        timing.calls++;
        return result;
      },
    },
  });
  return { ...state, batch, timing, operations: await operations(state.fake, state.jobIds) };
}

/** Microseconds per call spent in the fake, over one block of calls. */
async function block(s, index) {
  s.timing.ns = 0;
  s.timing.calls = 0;
  for (let i = 0; i < BLOCK; i++) await s.batch.send(s.operations[index].command());
  if (s.fake.clearRequests) s.fake.clearRequests();
  else s.fake.service.requests.length = 0; // a build from before the bounded request log
  return s.timing.ns / s.timing.calls / 1000;
}

async function main() {
  const [distA, distB = distA, jobs = "100"] = process.argv.slice(2);
  if (!distA) throw new Error("usage: node bench/in-loop.cjs <distA> [distB] [jobs]");
  const a = await side(distA, Number(jobs));
  const b = await side(distB, Number(jobs));
  for (let index = 0; index < a.operations.length; index++) {
    for (let i = 0; i < 5; i++) {
      await block(a, index);
      await block(b, index);
    }
    const timesA = [];
    const timesB = [];
    const ratios = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // Alternate which side goes first, so that drift falls on both.
      const first = pair % 2 ? await block(a, index) : await block(b, index);
      const second = pair % 2 ? await block(b, index) : await block(a, index);
      const [timeA, timeB] = pair % 2 ? [first, second] : [second, first];
      timesA.push(timeA);
      timesB.push(timeB);
      ratios.push(timeB / timeA);
    }
    const name = a.operations[index].name.padEnd(24);
    console.log(`${name} A ${median(timesA).toFixed(1).padStart(7)} µs   B ${median(timesB).toFixed(1).padStart(7)} µs   B/A ${median(ratios).toFixed(3)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
