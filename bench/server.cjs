"use strict";
// Server mode over loopback: BatchClient against `fake.listen({ port: 0 })`, against a floor of a bare
// node:http server on loopback that answers with the fake's own response bytes, serialised in advance.
const http = require("node:http");
const { client, measure, report } = require("./common.cjs");
const { ROUNDS, operations, capture, runRounds } = require("./scenario.cjs");

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

/** One round of one state: per operation, pairs of short blocks through `fake.listen` and through the floor. */
async function round(state, floor, sizes, only) {
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
    for (const op of (await operations(fake, state.jobIds)).filter((o) => only.test(o.name))) {
      floor.answerWith(await capture(fake, op.command()));
      const onFake = () => {
        port = fakePort;
        return batch.send(op.command());
      };
      const onFloor = () => {
        port = floorPort;
        return batch.send(op.command());
      };
      results.push(await measure(fake, op.name, onFake, onFloor, sizes));
    }
  } finally {
    batch.destroy();
    await server.close();
  }
  return results;
}

async function main() {
  const t0 = Date.now();
  const floor = await floorServer();
  const rows = await runRounds((state, sizes, only) => round(state, floor, sizes, only));
  await floor.close();
  report({ part: "server", rounds: ROUNDS, rows, seconds: (Date.now() - t0) / 1000 });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
