"use strict";
// Profiling aid for server mode: `node --cpu-prof bench/profile-server.cjs <operation> [jobs] [calls]`.
const { client } = require("./common.cjs");
const { buildState, operations } = require("./scenario.cjs");

async function main() {
  const [name = "DescribeJobQueues", jobs = "100", calls = "5000"] = process.argv.slice(2);
  const state = await buildState(Number(jobs));
  const { fake } = state;
  const op = (await operations(fake, state.jobIds)).find((o) => o.name.startsWith(name));
  const server = await fake.listen({ port: 0 });
  const batch = client({ endpoint: server.url });
  const start = process.hrtime.bigint();
  for (let i = 0; i < Number(calls); i++) {
    await batch.send(op.command());
    if (i % 100 === 0) fake.clearRequests();
  }
  console.log(`${op.name}: ${Number(process.hrtime.bigint() - start) / Number(calls) / 1000} µs per call (server)`);
  batch.destroy();
  await server.close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
