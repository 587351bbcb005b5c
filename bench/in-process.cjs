"use strict";
// In-process: BatchClient answered by the fake, against the same client answered by a handler that only
// returns the fake's own response bytes, serialised in advance (the floor: what the SDK costs by itself).
const { client, measure, report } = require("./common.cjs");
const { ROUNDS, operations, capture, floorHandler, runRounds } = require("./scenario.cjs");

/** One round of one state: per operation, pairs of short blocks through the fake and through the floor. */
async function round(state, sizes, only) {
  const { fake } = state;
  // One client for both sides: only its request handler differs, so the SDK's own code and its
  // optimisation state are the same for the fake and the floor.
  const batch = client({ requestHandler: fake });
  const results = [];
  for (const op of (await operations(fake, state.jobIds)).filter((o) => only.test(o.name))) {
    const floor = floorHandler(await capture(fake, op.command()));
    const onFake = () => {
      batch.config.requestHandler = fake;
      return batch.send(op.command());
    };
    const onFloor = () => {
      batch.config.requestHandler = floor;
      return batch.send(op.command());
    };
    results.push(await measure(fake, op.name, onFake, onFloor, sizes));
  }
  return results;
}

async function main() {
  const t0 = Date.now();
  const rows = await runRounds(round);
  report({ part: "in-process", rounds: ROUNDS, rows, seconds: (Date.now() - t0) / 1000 });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
