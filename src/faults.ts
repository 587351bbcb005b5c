import { BatchError } from "./operations/errors";
import { seededRandom } from "./state/ids";

/** The errors a fault can name by itself, with the status and message AWS answers them with (reference §7.1). */
export const FAULT_PRESETS = {
  /** AWS's common throttling error: 400, as the common errors list it. */
  ThrottlingException: { status: 400, message: "Rate exceeded" },
  /** Batch's own throttling answer (reference §1.3). */
  TooManyRequestsException: { status: 429, message: "Too Many Requests" },
  /** Batch's modelled server error. */
  ServerException: { status: 500, message: "Internal server error" },
  /** AWS's common "try again later". */
  ServiceUnavailable: { status: 503, message: "Service Unavailable" },
} as const;

export type FaultPreset = keyof typeof FAULT_PRESETS;

/** How often a fault applies: `times` matching calls (default 1), or each matching call with a `probability`. */
export interface FaultFrequency {
  /** How many matching calls it applies to, counting down. Default 1. */
  times?: number;
  /** Instead of `times`: the chance (0–1) that it applies to each matching call, until the faults are cleared. Reproducible with the fake's `seed`. */
  probability?: number;
}

export interface ErrorFault extends FaultFrequency {
  /** A preset (`ThrottlingException`, `TooManyRequestsException`, `ServerException`, `ServiceUnavailable`) or any error type. */
  error: FaultPreset | (string & {});
  /** The HTTP status; a preset's own by default, 400 for other types. */
  status?: number;
  message?: string;
  /** Real time to wait before answering with the error. */
  latencyMs?: number;
}

export interface LatencyFault extends FaultFrequency {
  /** Real time (even on the manual clock) to wait before the call runs and is answered as usual. */
  latencyMs: number;
}

export interface ConnectionFault extends FaultFrequency {
  /** `drop`: the connection is closed without an answer. `truncate`: the answer stops half-way through its body. */
  connection: "drop" | "truncate";
}

export type Fault = FaultPreset | ErrorFault | LatencyFault | ConnectionFault;

/** One call as faults see it. */
export interface FaultCall {
  operation: string;
  input: Record<string, unknown>;
}

/** A command class such as `SubmitJobCommand`: its name gives the operation. */
export type FaultCommandClass = abstract new (...args: never[]) => { readonly input: object };

/** Which calls a fault applies to: an operation name (`"*"` for all), a command class, or a predicate. */
export type FaultMatch = string | readonly string[] | FaultCommandClass | ((input: Record<string, unknown>, operation: string) => boolean);

/** What a fault does to the one call it applies to. */
export type FaultEffect =
  | { kind: "error"; error: BatchError; latencyMs: number }
  | { kind: "latency"; latencyMs: number }
  | { kind: "connection"; connection: "drop" | "truncate" };

interface FaultRule {
  readonly matches: (call: FaultCall) => boolean;
  readonly effect: FaultEffect;
  remaining: number;
  readonly probability: number | undefined;
  /** What the rule says, for the control endpoint's listing. */
  readonly description: Record<string, unknown>;
}

/**
 * A connection fault: the adapter answering the call closes the connection instead (`drop`), or cuts the
 * body short (`truncate`). Not a `BatchError`: no error response is encoded for it.
 */
export class ConnectionFaultError extends Error {
  constructor(readonly connection: "drop" | "truncate") {
    super(connection === "drop" ? "parlel-batch dropped the connection (injected fault)" : "parlel-batch truncated the response body (injected fault)");
    this.name = connection === "drop" ? "ConnectionDropped" : "TruncatedBody";
  }
}

/** The faults a fake injects, checked once per call where requests enter (`BatchService.invoke`). */
export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number;

  constructor(private readonly seed?: number | string) {
    this.random = seed === undefined ? Math.random : seededRandom(`faults:${seed}`);
  }

  get size(): number {
    return this.rules.length;
  }

  add(match: FaultMatch | undefined, fault: Fault): void {
    const spec: Exclude<Fault, string> = typeof fault === "string" ? { error: fault } : fault;
    const { times, probability } = spec;
    if (times !== undefined && (!Number.isInteger(times) || times < 1)) throw new Error(`A fault's times must be a whole number of 1 or more, got ${times}`);
    if (probability !== undefined && !(probability >= 0 && probability <= 1)) throw new Error(`A fault's probability must be between 0 and 1, got ${probability}`);
    if (times !== undefined && probability !== undefined) throw new Error("A fault takes times or probability, not both");
    this.rules.push({
      matches: matcherOf(match),
      effect: effectOf(spec),
      remaining: probability === undefined ? (times ?? 1) : Infinity,
      probability,
      description: { match: describeMatch(match), ...spec },
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still in force, as plain data. */
  list(): Record<string, unknown>[] {
    return this.rules.map((rule) => ({ ...rule.description, ...(rule.probability === undefined ? { remaining: rule.remaining } : {}) }));
  }

  /** The fault this call meets, if any: the first rule in force that matches (and, with a probability, fires). */
  take(call: FaultCall): FaultEffect | undefined {
    if (this.rules.length === 0) return undefined;
    for (const rule of this.rules) {
      if (!rule.matches(call)) continue;
      if (rule.probability !== undefined) {
        if (this.random() < rule.probability) return rule.effect;
        continue;
      }
      rule.remaining--;
      if (rule.remaining <= 0) this.rules = this.rules.filter((other) => other !== rule);
      return rule.effect;
    }
    return undefined;
  }
}

function matcherOf(match: FaultMatch | undefined): (call: FaultCall) => boolean {
  if (match === undefined || match === "*") return () => true;
  if (typeof match === "string") return (call) => call.operation === match;
  if (Array.isArray(match)) {
    const names = new Set<string>(match);
    return (call) => names.has(call.operation);
  }
  if (isCommandClass(match)) {
    const operation = match.name.replace(/Command$/, "");
    return (call) => call.operation === operation;
  }
  const predicate = match as (input: Record<string, unknown>, operation: string) => boolean;
  return (call) => predicate(call.input, call.operation) === true;
}

function isCommandClass(match: unknown): match is FaultCommandClass {
  return typeof match === "function" && typeof (match as { prototype?: { resolveMiddleware?: unknown } }).prototype?.resolveMiddleware === "function";
}

function describeMatch(match: FaultMatch | undefined): unknown {
  if (match === undefined || typeof match === "string" || Array.isArray(match)) return match ?? "*";
  if (isCommandClass(match)) return match.name.replace(/Command$/, "");
  return "(predicate)";
}

function effectOf(spec: Exclude<Fault, string>): FaultEffect {
  if ("connection" in spec) {
    if (spec.connection !== "drop" && spec.connection !== "truncate") throw new Error(`A connection fault is "drop" or "truncate", got ${String(spec.connection)}`);
    return { kind: "connection", connection: spec.connection };
  }
  const latencyMs = spec.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`A fault's latencyMs must be 0 or more, got ${latencyMs}`);
  if (!("error" in spec)) {
    if (spec.latencyMs === undefined) throw new Error("A fault names an error, a latencyMs or a connection fault");
    return { kind: "latency", latencyMs };
  }
  if (typeof spec.error !== "string" || spec.error === "") throw new Error("A fault's error must be an error type such as ThrottlingException");
  const preset = Object.prototype.hasOwnProperty.call(FAULT_PRESETS, spec.error) ? FAULT_PRESETS[spec.error as FaultPreset] : undefined;
  const status = spec.status ?? preset?.status ?? 400;
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`A fault's status must be an HTTP error status (400–599), got ${status}`);
  return { kind: "error", error: new BatchError(spec.error, spec.message ?? preset?.message ?? spec.error, status), latencyMs };
}

/** Waits `ms` of real time; an abort signal cuts the wait short with an AbortError. */
export function realDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function abortError(): Error {
  const error = new Error("Request aborted");
  error.name = "AbortError";
  return error;
}
