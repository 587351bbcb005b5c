"use strict";
// Shared helpers for the benchmarks: timing, statistics, the compiled package, and the SDK.
const os = require("node:os");
const path = require("node:path");

// BENCH_DIST points at another compiled copy (for comparing builds); the default is this package's dist.
const { fakeBatch } = require(process.env.BENCH_DIST ?? path.join(__dirname, "..", "dist", "cjs"));
const sdk = require("@aws-sdk/client-batch");
const { HttpResponse } = require("@smithy/protocol-http");

const REGION = "us-east-1";
// Not 12 digits, so calls land in the fake's default account.
const CREDENTIALS = { accessKeyId: "AKIDPARLELBENCH", secretAccessKey: "parlel-bench-secret" };

function client(extra) {
  return new sdk.BatchClient({ region: REGION, credentials: CREDENTIALS, ...extra });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function nowNs() {
  return process.hrtime.bigint();
}

/** Runs `once` `count` times in sequence; returns the elapsed nanoseconds. */
async function timeBlock(count, once) {
  const start = nowNs();
  for (let i = 0; i < count; i++) await once(i);
  return Number(nowNs() - start);
}

/** How many calls fill about `targetMs`, measured after a warm-up. */
async function calibrate(once, targetMs, minimum = 20) {
  for (let i = 0; i < 50; i++) await once(i);
  const probe = 50;
  const elapsed = await timeBlock(probe, once);
  const perCall = elapsed / probe;
  return Math.max(minimum, Math.round((targetMs * 1e6) / perCall));
}

const PAIRS = Number(process.env.BENCH_PAIRS ?? 30);

/**
 * Times `size` calls of `onFake` and of `onFloor` in PAIRS adjacent pairs of blocks, alternating which side
 * goes first, so that drift falls on both sides alike. A pause (a major GC, another process) hits one block
 * of one pair, so the result is the median over pairs: per-call times and the ratio fake / floor.
 */
async function pairs(size, onFake, onFloor, afterPair = () => {}) {
  const fake = [];
  const floor = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    if (pair % 2 === 0) {
      fake.push(await timeBlock(size, onFake));
      floor.push(await timeBlock(size, onFloor));
    } else {
      floor.push(await timeBlock(size, onFloor));
      fake.push(await timeBlock(size, onFake));
    }
    afterPair();
  }
  return {
    fakeUs: median(fake) / size / 1000,
    floorUs: median(floor) / size / 1000,
    ratio: median(fake.map((ns, i) => ns / floor[i])),
  };
}

const BLOCK_MS = Number(process.env.BENCH_BLOCK_MS ?? 5);

/**
 * One operation's measurement: checks that each side reaches only its own server or handler, sizes the blocks
 * by the floor, warms the fake's path, starts from a collected heap, then times PAIRS pairs of blocks.
 * Recorded requests are cleared after every pair, so the runs measure calls, not a growing log.
 */
async function measure(fake, name, onFake, onFloor, sizes) {
  const before = fake.service.requests.length;
  await onFloor();
  await onFake();
  if (fake.service.requests.length !== before + 1) throw new Error("the floor's calls reached the fake, or the fake's did not");
  const size = (sizes[name] ??= await calibrate(onFloor, BLOCK_MS, 4));
  await calibrate(onFake, 1);
  // Each operation starts from a collected heap, so none inherits a collection another one started.
  if (global.gc) global.gc();
  return { name, ...(await pairs(size, onFake, onFloor, () => (fake.clearRequests()))) };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    sdk: require("@aws-sdk/client-batch/package.json").version,
    date: new Date().toISOString(),
  };
}

/** A child process reports its results as one JSON line after this marker. */
const RESULT_MARKER = "@@bench-result ";
function report(result) {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

module.exports = { fakeBatch, sdk, HttpResponse, REGION, CREDENTIALS, client, median, timeBlock, calibrate, pairs, PAIRS, measure, machine, report, RESULT_MARKER };
