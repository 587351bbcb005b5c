"use strict";
// Diagnostic: the fake's own cost per operation, calling its `handle` with the request the SDK built,
// so that no SDK work is in the measurement. `node bench/handler-only.cjs [jobs]`.
const { client, timeBlock, median } = require("./common.cjs");
const { buildState, operations } = require("./scenario.cjs");

async function main() {
  const jobs = Number(process.argv[2] ?? 100);
  const state = await buildState(jobs);
  const { fake } = state;
  for (const op of await operations(fake, state.jobIds)) {
    let request;
    const recorder = client({
      requestHandler: {
        metadata: { handlerProtocol: "http/1.1" },
        handle: async (req, options) => {
          request = req;
          return fake.handle(req, options);
        },
      },
    });
    await recorder.send(op.command());
    const once = () => fake.handle(request);
    await timeBlock(2000, once);
    const samples = [];
    for (let r = 0; r < 7; r++) {
      samples.push(await timeBlock(1000, once) / 1000 / 1000);
      fake.clearRequests();
    }
    console.log(`${op.name.padEnd(24)} ${median(samples).toFixed(1).padStart(8)} µs per call (fake.handle alone, ${jobs} jobs)`);
  }
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
