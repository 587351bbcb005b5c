import { BATCH_MODEL } from "../model/batch-model";
import type { OperationDescription, ShapeDescription } from "../model/model-types";

/** One operation's HTTP binding, compiled from the SDK's operation schema. */
export interface Route {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly labels: readonly string[];
  readonly query: readonly { member: string; name: string; list: boolean }[];
  /** The match of a route without labels, made once. */
  readonly found: FoundRoute;
}

export interface FoundRoute {
  readonly kind: "found";
  readonly route: Route;
  readonly labels: Record<string, string>;
}

export type RouteMatch =
  | FoundRoute
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

export class RouteTable {
  private readonly byPath = new Map<string, Route[]>();
  private readonly patterned: Route[] = [];

  constructor(operations: readonly OperationDescription[], shapes: Record<string, ShapeDescription>) {
    for (const operation of operations) this.add(compile(operation, shapes[operation.inputShape]));
  }

  has(operation: string): boolean {
    return [...this.byPath.values(), this.patterned].some((routes) => routes.some((r) => r.operation === operation));
  }

  add(route: Route): void {
    if (route.labels.length === 0) {
      const key = route.path.toLowerCase();
      this.byPath.set(key, [...(this.byPath.get(key) ?? []), route]);
    } else {
      this.patterned.push(route);
    }
  }

  match(method: string, path: string): RouteMatch {
    // SDKs send the paths in lower case and the methods in upper case: those need no case folding.
    const fixed = this.byPath.get(path) ?? this.byPath.get(path.toLowerCase());
    if (fixed) {
      // Fixed paths (every Batch operation but the tag ones) are matched without building candidates.
      for (const route of fixed) if (route.method === method) return route.found;
      const wanted = method.toUpperCase();
      for (const route of fixed) if (route.method === wanted) return route.found;
      return { kind: "wrong-method", allowed: fixed.map((route) => route.method) };
    }
    const candidates: { route: Route; labels: Record<string, string> }[] = [];
    for (const route of this.patterned) {
      const labels = matchLabels(route, path);
      if (labels) candidates.push({ route, labels });
    }
    if (candidates.length === 0) return { kind: "not-found" };
    const found = candidates.find((c) => c.route.method === method.toUpperCase());
    if (found) return { kind: "found", ...found };
    return { kind: "wrong-method", allowed: candidates.map((c) => c.route.method) };
  }
}

const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function compile(operation: OperationDescription, shape: ShapeDescription | undefined): Route {
  const labels: string[] = [];
  // Labels match the rest of the path: an ARN arrives percent-encoded, but some clients leave its `/` raw.
  const source = operation.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\+?\}/g, (_, label: string) => {
    labels.push(label);
    return "([^?]+)";
  });
  const members = Object.entries(shape?.members ?? {});
  const route: { -readonly [K in keyof Route]: Route[K] } = {
    operation: operation.name,
    method: operation.method,
    path: operation.path,
    pattern: new RegExp(`^${source}$`, "i"),
    labels,
    query: members
      .filter(([, m]) => m.location === "query")
      .map(([member, m]) => ({ member, name: m.queryName ?? member, list: typeof m.type === "object" && "list" in m.type })),
    found: undefined as unknown as FoundRoute,
  };
  route.found = Object.freeze({ kind: "found", route, labels: NO_LABELS });
  return route;
}

function matchLabels(route: Route, path: string): Record<string, string> | undefined {
  const match = route.pattern.exec(path);
  if (!match) return undefined;
  const labels: Record<string, string> = {};
  route.labels.forEach((label, i) => {
    labels[label] = safeDecode(match[i + 1]);
  });
  return labels;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

let defaultTable: RouteTable | undefined;

/**
 * The routes of the generated model, plus any operation that a newer installed SDK knows and this
 * build does not, so such calls get a clear "not implemented" answer instead of a 404.
 */
export function defaultRoutes(): RouteTable {
  if (!defaultTable) {
    defaultTable = new RouteTable(BATCH_MODEL.operations, BATCH_MODEL.shapes);
    for (const operation of installedSdkOperations()) {
      if (!defaultTable.has(operation.name)) defaultTable.add(compile(operation, undefined));
    }
  }
  return defaultTable;
}

/** Operation schemas exported by the installed `@aws-sdk/client-batch`, if it is installed. */
function installedSdkOperations(): OperationDescription[] {
  let sdk: Record<string, unknown>;
  try {
    sdk = require("@aws-sdk/client-batch") as Record<string, unknown>;
  } catch {
    return [];
  }
  const found: OperationDescription[] = [];
  for (const [key, value] of Object.entries(sdk)) {
    if (!key.endsWith("$") || !Array.isArray(value) || value[0] !== 9) continue;
    const http = (value[3] as { http?: [string, string] } | undefined)?.http;
    if (!http || typeof value[2] !== "string") continue;
    found.push({ name: value[2], method: http[0], path: http[1], inputShape: "", outputShape: "" });
  }
  return found;
}
