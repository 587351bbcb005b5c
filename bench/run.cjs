"use strict";
// `npm run bench`: runs the benchmarks and the cold/warm profile, each in a fresh process, prints one table and writes
// bench/results.md with the machine's details. Each part can also run alone (see the files).
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { machine, PAIRS, RESULT_MARKER } = require("./common.cjs");

const GOAL_RATIO = 1.1;
const GOAL_WALL_S = 60;
const GOAL_HEAP_BYTES = 2048;

/** Runs one part in its own process (a clean heap each) and returns the result it reports. */
function runPart(file, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    process.stderr.write(`bench: ${file} ...`);
    const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, file)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || !line) reject(new Error(`${file} failed (exit ${code}):\n${stderr}${stdout}`));
      else resolve(JSON.parse(line.slice(RESULT_MARKER.length)));
    });
  });
}

const fixed = (value, digits) => value.toFixed(digits);
const mark = (ok) => (ok ? "yes" : "**no**");

function ratioTable(title, result) {
  const lines = [
    `### ${title}`,
    "",
    `Median over ${result.rounds} rounds; each round's ratio is the median of ${PAIRS} adjacent pairs of blocks of calls made by one client, one block through the fake and one through the floor, in alternating order. ` +
      `${result.rows.filter((row) => row.ratio <= GOAL_RATIO).length} of ${result.rows.length} ratios are at most ${GOAL_RATIO.toFixed(2)}.`,
    "",
    "| State | Operation | Fake µs/call | Floor µs/call | Ratio (median) | Range over rounds | ≤ 1.10 |",
    "|---|---|---:|---:|---:|---:|:---:|",
  ];
  for (const row of result.rows) {
    lines.push(`| ${row.state} | ${row.operation} | ${fixed(row.fakeUs, 1)} | ${fixed(row.floorUs, 1)} | ${fixed(row.ratio, 3)} | ${fixed(row.minRatio, 2)}–${fixed(row.maxRatio, 2)} | ${mark(row.ratio <= GOAL_RATIO)} |`);
  }
  return lines;
}

function engineTable(result) {
  return [
    "### Engine throughput in virtual time",
    "",
    `${result.arrays} array jobs of ${result.arraySize.toLocaleString("en-US")} children = ${result.finishedJobs.toLocaleString("en-US")} finished jobs (the children; the ${result.arrays} parents are extra records), ` +
      `on one compute environment capped at ${result.maxVcpus.toLocaleString("en-US")} vCPUs, 1 vCPU per job, each attempt 30–60 s of virtual time (fake.onJob), manual clock; ` +
      `${result.virtualHours} h of virtual time. Heap: heapUsed after \`global.gc()\` minus the baseline before submitting, over the finished jobs, all of which stay in memory (jobRetentionMs one year).`,
    "",
    "| Jobs | Wall time | Jobs/s | Heap per finished job | Wall < 60 s | Heap < 2 KB |",
    "|---:|---:|---:|---:|:---:|:---:|",
    `| ${result.finishedJobs.toLocaleString("en-US")} | ${fixed(result.wallMs / 1000, 1)} s | ${Math.round(result.jobsPerSecond).toLocaleString("en-US")} | ${Math.round(result.heapBytesPerJob)} B | ${mark(result.wallMs / 1000 < GOAL_WALL_S)} | ${mark(result.heapBytesPerJob < GOAL_HEAP_BYTES)} |`,
  ];
}

const GOAL_FAIR_SHARE_RATIO = 1.2;
const GOAL_FLAT_RATIO = 1.2;
const GOAL_DRAIN_RATIO = 1.5;

function fairShareTable(result) {
  const lines = [
    "### Fair share against FIFO (bench/fair-share.cjs)",
    "",
    `Per call through BatchClient, in µs, with the given number of jobs in state: ${result.shares} array jobs, one per share identifier, whose children wait RUNNABLE behind 100 running ones. ` +
      `Median over ${PAIRS} adjacent pairs of blocks, one in a fair-share queue (${result.shares} share identifiers) and one in a FIFO queue. Goals: fair share within ${GOAL_FAIR_SHARE_RATIO}× of FIFO, and the largest state within ${GOAL_FLAT_RATIO}× of the smallest.`,
    "",
    "| Jobs in state | Operation | Fair share µs/call | FIFO µs/call | Fair share / FIFO | ≤ 1.2 | Fair share / same at smallest state | ≤ 1.2 |",
    "|---:|---|---:|---:|---:|:---:|---:|:---:|",
  ];
  const smallest = new Map();
  for (const row of result.rows) if (!smallest.has(row.operation)) smallest.set(row.operation, row);
  for (const row of result.rows) {
    const flat = row.fairShareUs / smallest.get(row.operation).fairShareUs;
    lines.push(`| ${row.jobs.toLocaleString("en-US")} | ${row.operation} | ${fixed(row.fairShareUs, 1)} | ${fixed(row.fifoUs, 1)} | ${fixed(row.ratio, 2)} | ${mark(row.ratio <= GOAL_FAIR_SHARE_RATIO)} | ${fixed(flat, 2)} | ${mark(flat <= GOAL_FLAT_RATIO)} |`);
  }
  const { drain } = result;
  lines.push(
    "",
    `Draining ${drain.jobs.toLocaleString("en-US")} one-minute jobs (${result.shares} arrays, one per share identifier) on 1,000 vCPUs, manual clock, medians of ${drain.rounds} alternating rounds after a warm-up: ` +
      `FIFO ${fixed(drain.fifoMs / 1000, 2)} s, fair share ${fixed(drain.fairShareMs / 1000, 2)} s, ratio ${fixed(drain.ratio, 2)} (goal ≤ ${GOAL_DRAIN_RATIO}: ${mark(drain.ratio <= GOAL_DRAIN_RATIO)}).`,
  );
  return lines;
}

function executorTable(result) {
  return [
    "### The process executor against direct spawns (bench/executor.cjs)",
    "",
    `${result.rounds} rounds of ${result.jobsPerBlock.toLocaleString("en-US")} \`true\` commands, ${result.concurrency} at a time: as the children of an array job through a queue ` +
      `(\`executor: "process"\`, maxvCpus ${result.concurrency}), and spawned directly with \`child_process.spawn\` by ${result.concurrency} workers; blocks alternate. Goal: at most ${result.goalRatio}× the direct time per job.`,
    "",
    "| Direct jobs/s | Through the queue jobs/s | Direct ms/job | Through the queue ms/job | Ratio (median) | Range over rounds | ≤ 1.2 |",
    "|---:|---:|---:|---:|---:|---:|:---:|",
    `| ${Math.round(result.directJobsPerSecond)} | ${Math.round(result.fakeJobsPerSecond)} | ${fixed(result.directMsPerJob, 3)} | ${fixed(result.fakeMsPerJob, 3)} | ${fixed(result.ratio, 2)} | ${fixed(result.minRatio, 2)}–${fixed(result.maxRatio, 2)} | ${mark(result.ratio <= result.goalRatio)} |`,
  ];
}

function coldWarmTable(result) {
  const lines = [
    "### Where the fake's time goes (bench/cold-warm.cjs)",
    "",
    `Per call, in µs: medians over ${result.blocks} sets of adjacent blocks of ${result.calls} calls through one client: one block through the floor, one ` +
      "through the fake, one through the fake with its own part timed as the SDK calls it (cold) and repeated at once with the same request " +
      "(warm), and one through a handler that runs the fake but answers with the floor's bytes; differences are taken within each set. Budget: " +
      "what a ratio of 1.10 leaves the fake, a tenth of the floor. Rest: the fake side's cost beyond the floor and the fake's own cold time, that " +
      "is the SDK's own work taking longer on the fake side (its code and data evicted by the fake's) or less long (negative: it reads the " +
      "fake's freshly written response, where the floor's one buffer has gone cold). Fake runs, floor answers: the same SDK work as the floor's, " +
      "so its cost beyond the floor comes from the fake's running alone.",
    "",
    "| State | Operation | Floor | Budget | Fake side − floor | Fake cold | Fake warm | Cold / warm | Rest | Fake runs, floor answers − floor |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const state of result.states) {
    for (const row of state.rows) {
      const cells = [row.floorUs, row.floorUs / 10, row.extraUs, row.coldUs, row.warmUs].map((value) => fixed(value, 1));
      lines.push(`| ${state.jobs.toLocaleString("en-US")} jobs | ${row.operation} | ${cells.join(" | ")} | ${fixed(row.coldUs / row.warmUs, 1)} | ${fixed(row.sdkSlowerUs, 1)} | ${fixed(row.ranThenFloorUs, 1)} |`);
    }
  }
  return lines;
}

async function main() {
  const loadBefore = os.loadavg()[0];
  const inProcess = await runPart("in-process.cjs", ["--expose-gc"]);
  const server = await runPart("server.cjs", ["--expose-gc"]);
  const engine = await runPart("engine.cjs", ["--expose-gc"]);
  const coldWarm = await runPart("cold-warm.cjs", ["--expose-gc"]);
  const fairShare = await runPart("fair-share.cjs", ["--expose-gc"]);
  const executor = await runPart("executor.cjs");
  const info = machine();
  const load = `${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after (the benchmark's own process and V8's background threads count too)`;
  const table = [
    ...ratioTable("In-process: BatchClient + fake vs BatchClient + pre-serialised response (floor)", inProcess),
    "",
    ...ratioTable("Server mode over loopback: fake.listen vs bare node:http server with the same bytes (floor)", server),
    "",
    ...engineTable(engine),
    "",
    ...fairShareTable(fairShare),
    "",
    ...executorTable(executor),
    "",
    ...coldWarmTable(coldWarm),
  ];
  const document = [
    "# parlel-batch benchmarks",
    "",
    "Produced by `npm run bench` (bench/run.cjs). Ratio = fake time / floor time for the same call through the real",
    "`BatchClient`; the floor answers with the fake's own response bytes, serialised in advance, so the ratio is the",
    "fake's cost on top of what the SDK costs by itself.",
    "",
    "## Machine",
    "",
    `- CPU: ${info.cpuModel}, ${info.cores} cores`,
    `- Memory: ${info.memoryGiB} GiB`,
    `- Node.js ${info.node} on ${info.platform}`,
    `- @aws-sdk/client-batch ${info.sdk}`,
    `- Load average (1 min): ${load}`,
    `- Date: ${info.date}`,
    "",
    "## Results",
    "",
    ...table,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(__dirname, "results.md"), document);
  process.stdout.write(`\n${table.join("\n")}\n\nWritten to bench/results.md (${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}).\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
