import { randomBytes } from "node:crypto";

/** Makes job ids and request ids: random by default, reproducible with a seed. */
export interface IdGenerator {
  uuid(): string;
  /** Where the generator stands, as plain data: a generator made from it goes on with the same ids. */
  state(): IdState;
}

/** A seeded generator's mulberry32 state, or a random generator's prefix and counter. */
export type IdState = { kind: "seeded"; state: number } | { kind: "random"; prefix: string; high: number; low: number };

export function createIdGenerator(seed?: number | string, from?: IdState): IdGenerator {
  if (from?.kind === "random") return randomIds(from);
  if (from === undefined && seed === undefined) return randomIds();
  let state = from?.kind === "seeded" ? from.state : hashSeed(String(seed));
  const next = (): number => {
    // mulberry32: small, fast, and good enough for ids that only need to be stable.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    uuid() {
      const hex = [next(), next(), next(), next()].map((n) => n.toString(16).padStart(8, "0")).join("");
      const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
    state: () => ({ kind: "seeded", state }),
  };
}

/**
 * Version 4 UUIDs whose first 80 bits are random per generator and whose last 48 count up from a random
 * start: unique within the generator, unpredictable across fakes, and made without a call into crypto
 * for every id (a job's life makes several).
 */
function randomIds(from?: Extract<IdState, { kind: "random" }>): IdGenerator {
  const hex = randomBytes(16).toString("hex");
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const prefix = from?.prefix ?? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-`;
  // The counter in two 24-bit halves: formatting them through a table is several times faster than toString(16).
  let high = from?.high ?? parseInt(hex.slice(20, 26), 16);
  let low = from?.low ?? parseInt(hex.slice(26, 32), 16);
  return {
    uuid() {
      low = (low + 1) & 0xffffff;
      if (low === 0) high = (high + 1) & 0xffffff;
      return prefix + hex6(high) + hex6(low);
    },
    state: () => ({ kind: "random", prefix, high, low }),
  };
}

/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function hex6(value: number): string {
  return HEX[(value >>> 16) & 255] + HEX[(value >>> 8) & 255] + HEX[value & 255];
}

/** A 32-bit value as 8 hex digits. */
export function hex8(value: number): string {
  return HEX[(value >>> 24) & 255] + HEX[(value >>> 16) & 255] + HEX[(value >>> 8) & 255] + HEX[value & 255];
}

function hashSeed(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Reproducible numbers in [0, 1) from a seed, like `Math.random` (mulberry32, as seeded ids use). */
export function seededRandom(seed: number | string): () => number {
  let state = hashSeed(String(seed));
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
