import { clientError } from "../operations/errors";
import { BATCH_MODEL } from "./batch-model";
import type { ModelDescription, TypeDescription } from "./model-types";

/**
 * A check of a decoded input against the model's shape: required members, JSON types and enum values, at
 * every depth. Unknown members are ignored, as AWS's JSON deserialiser ignores them. `null` counts as absent.
 * The shape is looked up once: the service keeps one validator per operation.
 */
export function inputValidator(shapeName: string, model: ModelDescription = BATCH_MODEL): (input: unknown) => void {
  const compiled = compiledModel(model);
  const shape = shapeOf(compiled, shapeName);
  return (input) => checkShape(compiled, shape, input, "");
}

/** The model with each shape's members in a map and each enum as a set, made once: validation runs on every call. */
interface CompiledModel {
  readonly model: ModelDescription;
  readonly shapes: Map<string, CompiledShape | undefined>;
  readonly enums: Map<string, ReadonlySet<string>>;
}

interface CompiledShape {
  readonly types: ReadonlyMap<string, TypeDescription>;
  readonly required: readonly string[];
}

const compiled = new WeakMap<ModelDescription, CompiledModel>();

function compiledModel(model: ModelDescription): CompiledModel {
  let entry = compiled.get(model);
  if (!entry) compiled.set(model, (entry = { model, shapes: new Map(), enums: new Map() }));
  return entry;
}

function shapeOf(compiledModel: CompiledModel, shapeName: string): CompiledShape | undefined {
  if (compiledModel.shapes.has(shapeName)) return compiledModel.shapes.get(shapeName);
  const members = compiledModel.model.shapes[shapeName]?.members;
  const shape = members && {
    types: new Map(Object.entries(members).map(([name, member]) => [name, member.type])),
    required: Object.keys(members).filter((name) => members[name].required),
  };
  compiledModel.shapes.set(shapeName, shape);
  return shape;
}

function checkStructure(model: CompiledModel, shapeName: string, value: unknown, path: string): void {
  checkShape(model, shapeOf(model, shapeName), value, path);
}

/** Looks only at the members present (a request names few of a shape's members), then at the required ones. */
function checkShape(model: CompiledModel, shape: CompiledShape | undefined, value: unknown, path: string): void {
  if (!isObject(value)) throw typeError(path || "the request body", "an object", value);
  if (!shape) return;
  const required = shape.required;
  for (let i = 0; i < required.length; i++) {
    const memberValue = value[required[i]];
    if (memberValue === undefined || memberValue === null) throw clientError(`${memberPath(path, required[i])} must be specified.`);
  }
  for (const member in value) {
    const type = shape.types.get(member);
    if (type === undefined) continue;
    const memberValue = value[member];
    if (memberValue === undefined) continue;
    if (memberValue === null) {
      // Absent, as AWS's deserialiser reads it: removed here, so no operation mistakes it for a value.
      delete value[member];
      continue;
    }
    checkMember(model, type, memberValue, path, member);
  }
}

/** A member's path is only built when it is needed: for an error message or to descend into the member. */
function memberPath(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

function checkMember(model: CompiledModel, type: TypeDescription, value: unknown, path: string, member: string): void {
  if (typeof type === "string" && isScalarOf(type, value)) return;
  checkType(model, type, value, memberPath(path, member));
}

/** The common case, a scalar of the right type, decided without building a path. */
function isScalarOf(type: TypeDescription & string, value: unknown): boolean {
  switch (type) {
    case "string":
    case "blob":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
    case "timestamp":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return false;
  }
}

function checkType(model: CompiledModel, type: TypeDescription, value: unknown, path: string): void {
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
    const allowed = enumValues(model, type.enum);
    const candidate = CASE_INSENSITIVE_ENUMS.has(type.enum) ? value.toUpperCase() : value;
    if (allowed && !allowed.has(candidate)) {
      throw clientError(`Invalid value ${value} for ${path}: it must be one of ${[...allowed].join(", ")}.`);
    }
    return;
  }
  if ("list" in type) {
    if (!Array.isArray(value)) throw typeError(path, "a list", value);
    const itemType = type.list;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof itemType === "string" && isScalarOf(itemType, item)) continue;
      checkType(model, itemType, item, `${path}[${i}]`);
    }
    return;
  }
  if ("map" in type) {
    if (!isObject(value)) throw typeError(path, "a map", value);
    const itemType = type.map;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (typeof itemType === "string" && isScalarOf(itemType, item)) continue;
      checkType(model, itemType, item, `${path}.${key}`);
    }
    return;
  }
  checkStructure(model, type.structure, value, path);
}

function enumValues(model: CompiledModel, name: string): ReadonlySet<string> | undefined {
  let values = model.enums.get(name);
  if (!values) {
    const listed = model.model.enums[name];
    if (!listed) return undefined;
    model.enums.set(name, (values = new Set(listed)));
  }
  return values;
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
