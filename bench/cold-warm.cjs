"use strict";
// Where the fake's share of a call goes, the profile behind the ratios. Per state and operation, four kinds of
// block of calls through one BatchClient, interleaved: through the floor; through the fake; through the fake
// with its part timed twice, as the SDK calls it (cold: the SDK's own work between two calls has pushed the
// fake's code and data out of the CPU's caches) and repeated at once with the same request (warm); and through a
// handler that runs the fake but answers with the floor's bytes.
// The budget is what the 1.10 goal leaves the fake: a tenth of the floor. Whatever the fake side costs beyond the
// floor and the fake's own cold time is the rest: the SDK's own work taking longer (or, when negative, less long)
// on the fake side than on the floor's.
// `node bench/cold-warm.cjs [jobs]` prints one state's table; `npm run bench` runs it for both states.
const { client, median, report } = require("./common.cjs");
const { buildState, operations, capture, floorHandler } = require("./scenario.cjs");

const CALLS = 30;
const BLOCKS = Number(process.env.BENCH_COLD_WARM_BLOCKS ?? 45);
const WARM_UP_BLOCKS = 5;

async function measureState(jobs) {
  const { fake, jobIds } = await buildState(jobs);
  const timing = { cold: 0, warm: 0 };
  const timed = {
    metadata: { handlerProtocol: "http/1.1" },
    handle: async (request, options) => {
      let start = process.hrtime.bigint();
      const result = await fake.handle(request, options);
      timing.cold += Number(process.hrtime.bigint() - start);
      start = process.hrtime.bigint();
      await fake.handle(request, options);
      timing.warm += Number(process.hrtime.bigint() - start);
      return result;
    },
  };
  const batch = client({ requestHandler: fake });
  const rows = [];
  for (const op of await operations(fake, jobIds)) {
    const floor = floorHandler(await capture(fake, op.command()));
    // The fake does all its work, but the floor's bytes are the answer: the SDK's part is the floor's again,
    // so what this side costs beyond the floor comes from the fake's running alone, not from its answer.
    const ranThenFloor = { ...floor, handle: async (request, options) => (await fake.handle(request, options), floor.handle()) };
    const handlers = { floor, fake, timed, ranThenFloor };
    // Per set of adjacent blocks: the floor, the fake side's extra over it, the fake's own times, and the
    // rest. Differences are taken within a set, so that drift between sets cancels out.
    const samples = { floor: [], extra: [], cold: [], warm: [], rest: [], ranExtra: [] };
    for (let block = 0; block < BLOCKS + WARM_UP_BLOCKS; block++) {
      const order = block % 2 ? ["floor", "fake", "timed", "ranThenFloor"] : ["ranThenFloor", "timed", "fake", "floor"];
      const perCall = {};
      for (const side of order) {
        timing.cold = timing.warm = 0;
        batch.config.requestHandler = handlers[side];
        const start = process.hrtime.bigint();
        for (let i = 0; i < CALLS; i++) await batch.send(op.command());
        perCall[side] = Number(process.hrtime.bigint() - start) / CALLS / 1000;
        if (side === "timed") [perCall.cold, perCall.warm] = [timing.cold / CALLS / 1000, timing.warm / CALLS / 1000];
      }
      fake.clearRequests();
      if (block < WARM_UP_BLOCKS) continue;
      samples.floor.push(perCall.floor);
      samples.extra.push(perCall.fake - perCall.floor);
      samples.cold.push(perCall.cold);
      samples.warm.push(perCall.warm);
      samples.rest.push(perCall.fake - perCall.floor - perCall.cold);
      samples.ranExtra.push(perCall.ranThenFloor - perCall.floor);
    }
    const [floorUs, extra, cold, warm, rest, ranExtra] = ["floor", "extra", "cold", "warm", "rest", "ranExtra"].map((key) => median(samples[key]));
    rows.push({ operation: op.name, floorUs, extraUs: extra, coldUs: cold, warmUs: warm, sdkSlowerUs: rest, ranThenFloorUs: ranExtra });
  }
  return rows;
}

function print(jobs, rows) {
  console.log(`${jobs.toLocaleString("en-US")} jobs in state; µs per call, medians over ${BLOCKS} blocks of ${CALLS} calls`);
  console.log("Operation                floor  budget  fake side − floor  fake cold  fake warm        rest  fake runs, floor answers − floor");
  for (const row of rows) {
    const cells = [row.floorUs.toFixed(0).padStart(5), (row.floorUs / 10).toFixed(1).padStart(6), row.extraUs.toFixed(1).padStart(17), row.coldUs.toFixed(1).padStart(9), row.warmUs.toFixed(1).padStart(9), row.sdkSlowerUs.toFixed(1).padStart(10), row.ranThenFloorUs.toFixed(1).padStart(33)];
    console.log(`${row.operation.padEnd(24)} ${cells.join("  ")}`);
  }
}

async function main() {
  const argument = process.argv[2];
  const states = argument ? [Number(argument)] : [100, Number(process.env.BENCH_LARGE ?? 100_000)];
  const result = [];
  for (const jobs of states) {
    const rows = await measureState(jobs);
    print(jobs, rows);
    result.push({ jobs, rows });
  }
  report({ part: "cold-warm", blocks: BLOCKS, calls: CALLS, states: result });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
