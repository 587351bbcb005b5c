import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The compiled package, as a user's process loads it. `npm test` builds it first. */
const DIST = resolve(__dirname, "../dist/cjs/index.js");

/**
 * Runs `body` (an async function body that returns plain data) in a fresh `node --expose-gc`, with
 * `fakeBatch` and `heap()` in scope: `heap()` collects garbage and returns the bytes the heap keeps. Memory
 * is measured in a process of its own, so nothing Jest holds is counted.
 */
export function inFreshNode<T>(body: string, timeout = 120_000): Promise<T> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first.`);
  const script = `
    const { fakeBatch } = require(${JSON.stringify(DIST)});
    const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
    (async () => { ${body} })().then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (error) => { console.error(error); process.exit(1); },
    );`;
  return new Promise((done, fail) => {
    execFile(process.execPath, ["--expose-gc", "-e", script], { timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`the script failed: ${error.message}\n${stderr}`));
      else done(JSON.parse(stdout) as T);
    });
  });
}
