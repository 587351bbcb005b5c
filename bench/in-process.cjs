"use strict";
// In-process: BatchClient answered by the fake, against the same client answered by a handler that only
// returns the fake's own response bytes, serialised in advance (the floor: what the SDK costs by itself).
const { client, median, calibrate, pairs, report } = require("./common.cjs");
const { buildState, operations, capture, floorHandler } = require("./scenario.cjs");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const BLOCK_MS = Number(process.env.BENCH_BLOCK_MS ?? 5);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const EMPTY = 100;
// BENCH_ONLY=SubmitJob measures the operations whose names match, while working on one of them.
const ONLY = new RegExp(process.env.BENCH_ONLY ?? "");

/**
 * One round of one state: per operation, pairs of short blocks through the fake and through the floor.
 */
async function round(state, sizes) {
  const { fake } = state;
  // One client for both sides: only its request handler differs, so the SDK's own code and its
  // optimisation state are the same for the fake and the floor.
  const batch = client({ requestHandler: fake });
  const results = [];
  for (const op of (await operations(fake, state.jobIds)).filter((o) => ONLY.test(o.name))) {
    const floor = floorHandler(await capture(fake, op.command()));
    const onFake = () => {
      batch.config.requestHandler = fake;
      return batch.send(op.command());
    };
    const onFloor = () => {
      batch.config.requestHandler = floor;
      return batch.send(op.command());
    };
    await checkSides(fake, onFake, onFloor);
    const size = (sizes[op.name] ??= await calibrate(onFloor, BLOCK_MS, 4));
    await calibrate(onFake, 1); // warm the fake's path for this operation
    // Each operation starts from a collected heap, so none inherits a collection another one started.
    if (global.gc) global.gc();
    results.push({ name: op.name, ...(await pairs(size, onFake, onFloor, () => (fake.service.requests.length = 0))) });
  }
  return results;
}

/** The fake answers the fake's side, and only that side. */
async function checkSides(fake, onFake, onFloor) {
  const before = fake.service.requests.length;
  await onFloor();
  await onFake();
  if (fake.service.requests.length !== before + 1) throw new Error("the floor's calls reached the fake, or the fake's did not");
}

async function main() {
  const t0 = Date.now();
  const large = await buildState(LARGE);
  const buildLargeMs = Date.now() - t0;
  const samples = {};
  const sizes = { empty: {}, large: {} };
  for (let r = 0; r <= ROUNDS; r++) {
    // Round 0 warms up and is not counted. The empty state is fresh every round, so SubmitJob keeps it small.
    const states = [["empty", await buildState(EMPTY)], ["large", large]];
    if (r % 2) states.reverse();
    for (const [label, state] of states) {
      for (const result of await round(state, sizes[label])) {
        if (r === 0) continue;
        const key = `${label}|${result.name}`;
        (samples[key] ??= []).push(result);
      }
    }
  }
  const rows = Object.entries(samples).map(([key, list]) => {
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
  report({ part: "in-process", rounds: ROUNDS, buildLargeMs, rows, seconds: (Date.now() - t0) / 1000 });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
