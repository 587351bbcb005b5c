"use strict";
// Diagnostic: why a few microseconds of work cost several times that inside the SDK's loop.
// `node bench/cold-warm.cjs [jobs]` times, per operation, the floor's whole call, and the fake's part of a
// call twice: as the SDK calls it (cold: the SDK's own work between two calls has evicted the fake's code
// and data from the CPU's caches) and repeated at once with the same request (warm). The budget is what the
// 1.10 goal leaves the fake: a tenth of the floor.
const { client, median } = require("./common.cjs");
const { buildState, operations, capture, floorHandler } = require("./scenario.cjs");

const CALLS = 40;
const BLOCKS = 60;

async function main() {
  const jobs = Number(process.argv[2] ?? 100);
  const { fake, jobIds } = await buildState(jobs);
  const timing = { cold: 0, warm: 0 };
  const measured = {
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
  const batch = client({ requestHandler: measured });
  console.log(`${jobs.toLocaleString("en-US")} jobs in state; µs per call, medians over ${BLOCKS} blocks of ${CALLS} calls`);
  console.log("Operation                 floor  budget (10 %)  fake cold  fake warm  cold / warm");
  for (const op of await operations(fake, jobIds)) {
    const floor = floorHandler(await capture(fake, op.command()));
    const cold = [];
    const warm = [];
    const floors = [];
    for (let block = 0; block < BLOCKS; block++) {
      timing.cold = timing.warm = 0;
      batch.config.requestHandler = measured;
      for (let i = 0; i < CALLS; i++) await batch.send(op.command());
      cold.push(timing.cold / CALLS / 1000);
      warm.push(timing.warm / CALLS / 1000);
      batch.config.requestHandler = floor;
      const start = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) await batch.send(op.command());
      floors.push(Number(process.hrtime.bigint() - start) / CALLS / 1000);
      fake.service.requests.length = 0;
    }
    const [f, c, w] = [median(floors), median(cold.slice(5)), median(warm.slice(5))];
    const cells = [f.toFixed(0).padStart(5), (f / 10).toFixed(1).padStart(13), c.toFixed(1).padStart(9), w.toFixed(1).padStart(9), (c / w).toFixed(1).padStart(11)];
    console.log(`${op.name.padEnd(24)} ${cells.join("  ")}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
