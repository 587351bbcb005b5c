"use strict";
// Profiling aid: `node --cpu-prof bench/profile.cjs <operation> [jobs] [calls] [sdk|handle]` runs one operation in a
// loop, through the SDK or straight into `fake.handle`; `node bench/summarize-profile.cjs <file>` lists where time went.
const { client } = require("./common.cjs");
const { buildState, operations } = require("./scenario.cjs");

async function main() {
  const [name = "DescribeJobs", jobs = "100", calls = "2000", mode = "handle"] = process.argv.slice(2);
  const state = await buildState(Number(jobs));
  const { fake } = state;
  const op = (await operations(fake, state.jobIds)).find((o) => o.name.startsWith(name));
  if (!op) throw new Error(`no operation ${name}`);
  let request;
  const batch = client({
    requestHandler: {
      metadata: { handlerProtocol: "http/1.1" },
      handle: (req, options) => fake.handle((request = req), options),
    },
  });
  await batch.send(op.command());
  const once = mode === "sdk" ? () => batch.send(op.command()) : () => fake.handle(request);
  const start = process.hrtime.bigint();
  for (let i = 0; i < Number(calls); i++) {
    await once();
    if (i % 100 === 0) fake.clearRequests();
  }
  console.log(`${op.name}: ${Number(process.hrtime.bigint() - start) / Number(calls) / 1000} µs per call (${mode})`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
