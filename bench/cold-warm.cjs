"use strict";
// Where the fake's share of a call goes, the profile behind the ratios. Per state and operation, three kinds of
// block of calls through one BatchClient, interleaved: through the floor; through the fake; and through the fake
// with its part timed twice, as the SDK calls it (cold: the SDK's own work between two calls has pushed the
// fake's code and data out of the CPU's caches) and repeated at once with the same request (warm).
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
    const handlers = { floor: floorHandler(await capture(fake, op.command())), fake, timed };
    // Per triple of adjacent blocks: the floor, the fake side's extra over it, the fake's own times, and the
    // rest. Differences are taken within a triple, so that drift between triples cancels out.
    const samples = { floor: [], extra: [], cold: [], warm: [], rest: [] };
    for (let block = 0; block < BLOCKS + WARM_UP_BLOCKS; block++) {
      const order = block % 2 ? ["floor", "fake", "timed"] : ["timed", "fake", "floor"];
      const perCall = {};
      for (const side of order) {
        timing.cold = timing.warm = 0;
        batch.config.requestHandler = handlers[side];
        const start = process.hrtime.bigint();
        for (let i = 0; i < CALLS; i++) await batch.send(op.command());
        perCall[side] = Number(process.hrtime.bigint() - start) / CALLS / 1000;
      }
      fake.service.requests.length = 0;
      if (block < WARM_UP_BLOCKS) continue;
      const cold = timing.cold / CALLS / 1000;
      samples.floor.push(perCall.floor);
      samples.extra.push(perCall.fake - perCall.floor);
      samples.cold.push(cold);
      samples.warm.push(timing.warm / CALLS / 1000);
      samples.rest.push(perCall.fake - perCall.floor - cold);
    }
    const [floor, extra, cold, warm, rest] = ["floor", "extra", "cold", "warm", "rest"].map((key) => median(samples[key]));
    rows.push({ operation: op.name, floorUs: floor, extraUs: extra, coldUs: cold, warmUs: warm, sdkSlowerUs: rest });
  }
  return rows;
}

function print(jobs, rows) {
  console.log(`${jobs.toLocaleString("en-US")} jobs in state; µs per call, medians over ${BLOCKS} blocks of ${CALLS} calls`);
  console.log("Operation                floor  budget  fake side − floor  fake cold  fake warm        rest");
  for (const row of rows) {
    const cells = [row.floorUs.toFixed(0).padStart(5), (row.floorUs / 10).toFixed(1).padStart(6), row.extraUs.toFixed(1).padStart(17), row.coldUs.toFixed(1).padStart(9), row.warmUs.toFixed(1).padStart(9), row.sdkSlowerUs.toFixed(1).padStart(10)];
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
