import { clientError } from "../operations/errors";
import { BATCH_MODEL } from "./batch-model";
import type { ModelDescription, TypeDescription } from "./model-types";

/**
 * Checks a decoded input against the model: required members, JSON types and enum values, at every depth.
 * Unknown members are ignored, as AWS's JSON deserialiser ignores them. `null` counts as absent.
 */
export function validateInput(shapeName: string, input: unknown, model: ModelDescription = BATCH_MODEL): void {
  checkStructure(model, shapeName, input, "");
}

function checkStructure(model: ModelDescription, shapeName: string, value: unknown, path: string): void {
  const shape = model.shapes[shapeName];
  if (!isObject(value)) throw typeError(path || "the request body", "an object", value);
  if (!shape) return;
  for (const [member, description] of Object.entries(shape.members)) {
    const memberValue = value[member];
    const memberPath = path ? `${path}.${member}` : member;
    if (memberValue === undefined || memberValue === null) {
      if (description.required) throw clientError(`${memberPath} must be specified.`);
      continue;
    }
    checkType(model, description.type, memberValue, memberPath);
  }
}

function checkType(model: ModelDescription, type: TypeDescription, value: unknown, path: string): void {
  if (value === null) return;
  if (typeof type === "string") {
    const expected = type === "timestamp" ? "number" : type === "blob" ? "string" : type;
    if (expected === "document") return;
    if (expected === "number" ? !(typeof value === "number" && Number.isFinite(value)) : typeof value !== expected) {
      throw typeError(path, `a ${expected}`, value);
    }
    return;
  }
  if ("enum" in type) {
    if (typeof value !== "string") throw typeError(path, "a string", value);
    const allowed = model.enums[type.enum];
    const candidate = CASE_INSENSITIVE_ENUMS.has(type.enum) ? value.toUpperCase() : value;
    if (allowed && !allowed.includes(candidate)) {
      throw clientError(`Invalid value ${value} for ${path}: it must be one of ${allowed.join(", ")}.`);
    }
    return;
  }
  if ("list" in type) {
    if (!Array.isArray(value)) throw typeError(path, "a list", value);
    value.forEach((item, i) => checkType(model, type.list, item, `${path}[${i}]`));
    return;
  }
  if ("map" in type) {
    if (!isObject(value)) throw typeError(path, "a map", value);
    for (const [key, item] of Object.entries(value)) checkType(model, type.map, item, `${path}.${key}`);
    return;
  }
  checkStructure(model, type.structure, value, path);
}

/** Enums AWS documents as case-insensitive (evaluateOnExit's `action`). */
const CASE_INSENSITIVE_ENUMS = new Set(["RetryAction"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `the ${typeof value} ${JSON.stringify(value)}`;
}

function typeError(path: string, expected: string, value: unknown) {
  return clientError(`Invalid type for ${path}: expected ${expected}, got ${describe(value)}.`);
}
