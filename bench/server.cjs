"use strict";
// Server mode over loopback: BatchClient against `fake.listen({ port: 0 })`, against a floor of a bare
// node:http server on loopback that answers with the fake's own response bytes, serialised in advance.
const http = require("node:http");
const { client, median, calibrate, pairs, report } = require("./common.cjs");
const { buildState, operations, capture } = require("./scenario.cjs");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const BLOCK_MS = Number(process.env.BENCH_BLOCK_MS ?? 5);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const EMPTY = 100;
const ONLY = new RegExp(process.env.BENCH_ONLY ?? "");

/** A bare server: reads the request, answers with the bytes it is told to. */
async function floorServer() {
  let current;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(current.statusCode, current.headers);
      response.end(current.body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    answerWith: (captured) => (current = captured),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function round(state, floor, sizes) {
  const { fake } = state;
  const server = await fake.listen({ port: 0 });
  // One client (and one keep-alive agent) for both sides: only the port it sends to differs.
  const batch = client({ endpoint: server.url });
  const fakePort = Number(new URL(server.url).port);
  const floorPort = Number(new URL(floor.url).port);
  let port = fakePort;
  batch.middlewareStack.add((next) => (args) => {
    args.request.port = port;
    return next(args);
  }, { step: "build", name: "benchPort" });
  const results = [];
  try {
    for (const op of (await operations(fake, state.jobIds)).filter((o) => ONLY.test(o.name))) {
      floor.answerWith(await capture(fake, op.command()));
      const onFake = () => {
        port = fakePort;
        return batch.send(op.command());
      };
      const onFloor = () => {
        port = floorPort;
        return batch.send(op.command());
      };
      await checkSides(fake, onFake, onFloor);
      const size = (sizes[op.name] ??= await calibrate(onFloor, BLOCK_MS, 4));
      await calibrate(onFake, 1);
      // Each operation starts from a collected heap, so none inherits a collection another one started.
      if (global.gc) global.gc();
      results.push({ name: op.name, ...(await pairs(size, onFake, onFloor, () => (fake.service.requests.length = 0))) });
    }
  } finally {
    batch.destroy();
    await server.close();
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
  const floor = await floorServer();
  const large = await buildState(LARGE);
  const samples = {};
  const sizes = { empty: {}, large: {} };
  for (let r = 0; r <= ROUNDS; r++) {
    const states = [["empty", await buildState(EMPTY)], ["large", large]];
    if (r % 2) states.reverse();
    for (const [label, state] of states) {
      for (const result of await round(state, floor, sizes[label])) {
        if (r === 0) continue;
        (samples[`${label}|${result.name}`] ??= []).push(result);
      }
    }
  }
  await floor.close();
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
  report({ part: "server", rounds: ROUNDS, rows, seconds: (Date.now() - t0) / 1000 });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
