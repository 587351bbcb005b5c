"use strict";
// Summarises a .cpuprofile: self time by function, and inclusive time of the functions that match a filter.
const fs = require("node:fs");

const [file, filter = "dist/cjs", limit = "40"] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const total = profile.samples.length;
const label = (node) => {
  const f = node.callFrame;
  const where = f.url.replace(/^.*\/node_modules\//, "").replace(/^.*\/dist\/cjs\//, "dist/cjs/").replace(/^file:\/\//, "");
  return `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
};
const self = new Map();
const inclusive = new Map();
for (const [id, ticks] of selfTicks) {
  const node = nodes.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + ticks);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parents.get(at)) {
    const name = label(nodes.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + ticks);
  }
}
const show = (title, map, keep) => {
  console.log(`\n${title}`);
  [...map].filter(([name]) => keep(name)).sort((a, b) => b[1] - a[1]).slice(0, Number(limit))
    .forEach(([name, ticks]) => console.log(`${((100 * ticks) / total).toFixed(1).padStart(5)}%  ${name}`));
};
show("Self time (all)", self, () => true);
show(`Inclusive time (${filter})`, inclusive, (name) => name.includes(filter));
