#!/usr/bin/env node
// Writes thin ESM entry points over the CommonJS build, so ESM and CJS consumers share one module
// instance (and so one fake state) instead of two copies of the code.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dist = path.join(__dirname, "..", "dist");
const entries = { "index.mjs": "../cjs/index.js", "jest.mjs": "../cjs/jest/index.js" };
fs.mkdirSync(path.join(dist, "esm"), { recursive: true });
for (const [file, target] of Object.entries(entries)) {
  const resolved = path.join(dist, "esm", target);
  if (!fs.existsSync(resolved)) continue;
  const names = Object.keys(require(resolved)).filter((name) => name !== "default" && name !== "__esModule");
  const text = [
    `import cjs from ${JSON.stringify(target)};`,
    names.length ? `export const { ${names.join(", ")} } = cjs;` : "",
    "export default cjs;",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dist, "esm", file), text);
}
