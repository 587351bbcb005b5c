#!/usr/bin/env node
// Writes thin ESM entry points over the CommonJS build, so ESM and CJS consumers share one module
// instance (and so one fake state) instead of two copies of the code.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dist = path.join(__dirname, "..", "dist");
const entries = {
  "index.mjs": { target: "../cjs/index.js" },
  "jest.mjs": { target: "../cjs/jest/index.js" },
  // Vitest can only be imported (its CommonJS entry throws), so its matchers are registered here, in ESM.
  "vitest.mjs": { target: "../cjs/vitest/index.js", lines: ['import { expect } from "vitest";', "expect.extend(cjs.matchers);"] },
};
fs.mkdirSync(path.join(dist, "esm"), { recursive: true });
for (const [file, { target, lines = [] }] of Object.entries(entries)) {
  const resolved = path.join(dist, "esm", target);
  if (!fs.existsSync(resolved)) continue;
  const names = Object.keys(require(resolved)).filter((name) => name !== "default" && name !== "__esModule");
  const imports = lines.filter((line) => line.startsWith("import "));
  const text = [
    `import cjs from ${JSON.stringify(target)};`,
    ...imports,
    ...lines.filter((line) => !imports.includes(line)),
    names.length ? `export const { ${names.join(", ")} } = cjs;` : "",
    "export default cjs;",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dist, "esm", file), text);
}

// Declarations for the ESM side of ./vitest. Its `declare module "vitest"` must be read as ESM: in a CommonJS
// declaration file, "vitest" resolves to Vitest's CommonJS types, and the augmentation does not reach the
// types that an ES module's `import { expect } from "vitest"` sees.
const vitestTypes = path.join(dist, "cjs", "vitest", "index.d.ts");
if (fs.existsSync(vitestTypes)) {
  const text = fs.readFileSync(vitestTypes, "utf8").replace(/(from |import )"(\.[^"]*)"/g, (_, keyword, specifier) => {
    const target = path.resolve(path.dirname(vitestTypes), specifier);
    const file = fs.existsSync(`${target}.d.ts`) ? `${target}.js` : path.join(target, "index.js");
    return `${keyword}${JSON.stringify(path.relative(path.join(dist, "esm"), file))}`;
  });
  fs.writeFileSync(path.join(dist, "esm", "vitest.d.mts"), text);
}
