import { timingSafeEqual } from "node:crypto";
import { encodeJson, type WireResponse } from "../handler/wire";
import type { BatchService } from "../service";
import type { RecordedCall, RequestLog } from "../request-log";
import { ManualClock } from "../state/clock";
import type { JobOutcome, Pattern } from "../state/outcomes";
import type { Fault, FaultMatch } from "../faults";
import { dashboardPage, dashboardState } from "./dashboard";

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Uint8Array;
  headers: Record<string, string | undefined>;
}

const VERSION = "0.1.0";

/** A control request the fake cannot carry out; `status` is its HTTP status. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new ControlError(400, message);

interface Endpoint {
  method: "GET" | "POST" | "DELETE";
  path: RegExp;
  run(service: BatchService, request: ControlRequest, params: string[]): unknown;
  /** Changes the state: with --state-dir, the request is journaled before it is answered. */
  changesState?: true;
}

/**
 * The developer endpoints beside the Batch API. They look inside and drive the fake, so they answer
 * plain JSON (`{"message"}` on failure) rather than as AWS would.
 */
const ENDPOINTS: Endpoint[] = [
  { method: "GET", path: /^\/_parlel\/health$/, run: (service) => health(service) },
  {
    method: "POST",
    path: /^\/_parlel\/reset$/,
    changesState: true,
    run: (service) => {
      service.reset();
      return { status: "reset" };
    },
  },
  { method: "POST", path: /^\/_parlel\/advance$/, run: advance, changesState: true },
  { method: "POST", path: /^\/_parlel\/outcomes$/, run: addOutcome, changesState: true },
  {
    method: "DELETE",
    path: /^\/_parlel\/outcomes$/,
    changesState: true,
    run: (service) => {
      service.engine.outcomes.clear();
      return { rules: 0 };
    },
  },
  { method: "POST", path: /^\/_parlel\/faults$/, run: addFault },
  { method: "GET", path: /^\/_parlel\/events$/, run: eventPage },
  { method: "POST", path: /^\/_parlel\/compute-environments\/([^/]+)\/interrupt$/, run: interruptHost },
  { method: "POST", path: /^\/_parlel\/compute-environments\/([^/]+)\/capacity$/, run: setCapacity },
  { method: "GET", path: /^\/_parlel\/faults$/, run: (service) => ({ faults: service.faults.list() }) },
  {
    method: "DELETE",
    path: /^\/_parlel\/faults$/,
    run: (service) => {
      service.faults.clear();
      return { faults: [] };
    },
  },
  { method: "GET", path: /^\/_parlel\/requests$/, run: (service, request) => requestPage(service.requestLog, request.query) },
  {
    method: "DELETE",
    path: /^\/_parlel\/requests$/,
    run: (service) => {
      service.requestLog.clear();
      return { requests: 0 };
    },
  },
  { method: "GET", path: /^\/_parlel\/state$/, run: (service) => dashboardState(service) },
  { method: "GET", path: /^\/_parlel\/jobs\/([^/]+)\/logs$/, run: jobLogs },
  { method: "POST", path: /^\/_parlel\/jobs\/([^/]+)\/complete$/, run: complete, changesState: true },
];

export async function controlRoutes(service: BatchService, request: ControlRequest, controlToken?: string): Promise<WireResponse> {
  // Taken before the request id is made: a replay of this request makes the same one.
  const moment = service.controlMoment();
  const requestId = service.newRequestId();
  const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => encodeJson(status, value, requestId, headers);
  // HEAD is GET without a body; node:http leaves the body out by itself.
  const method = request.method.toUpperCase() === "HEAD" ? "GET" : request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, "");
  const access = controlAccess(request, path, controlToken);
  if (access === "refused") {
    return reply(401, { message: "This control endpoint needs the server's control token: send Authorization: Bearer <token> (or open the dashboard with ?token=<token>)." }, { "www-authenticate": "Bearer" });
  }
  if (method === "GET" && path === "/_parlel/dashboard") {
    const body = new TextEncoder().encode(dashboardPage());
    const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8", "content-length": String(body.byteLength), "x-amzn-requestid": requestId };
    // The page's own requests carry the token as a cookie, so the page needs no change to work with one.
    if (controlToken !== undefined) headers["set-cookie"] = `${TOKEN_COOKIE}=${encodeURIComponent(controlToken)}; Path=/_parlel; HttpOnly; SameSite=Strict`;
    return { statusCode: 200, headers, body };
  }
  const onPath = ENDPOINTS.map((endpoint) => ({ endpoint, match: endpoint.path.exec(path) })).filter((candidate) => candidate.match !== null);
  const found = onPath.find((candidate) => candidate.endpoint.method === method);
  try {
    if (!found) {
      if (onPath.length === 0) throw new ControlError(404, `No control endpoint ${method} ${path}. See the README's "Server mode" section.`);
      const allowed = [...new Set(onPath.map((candidate) => candidate.endpoint.method))];
      return reply(405, { message: `${path} takes ${allowed.join(" or ")}, not ${method}.` }, { allow: allowed.join(", ") });
    }
    const params = (found.match as RegExpExecArray).slice(1).map(decodePathSegment);
    const value = await found.endpoint.run(service, request, params);
    if (found.endpoint.changesState) service.recordControl(moment, method, path, new TextDecoder().decode(request.body));
    if (value instanceof JsonBody) return { statusCode: 200, headers: { "content-type": "application/json", "content-length": String(value.bytes.byteLength), "x-amzn-requestid": requestId }, body: value.bytes };
    return reply(200, value);
  } catch (error) {
    if (error instanceof ControlError) return reply(error.status, { message: error.message });
    return reply(500, { message: `Internal error in parlel-batch: ${(error as Error)?.message ?? String(error)}` });
  }
}

/** An answer already encoded as JSON. */
class JsonBody {
  constructor(readonly bytes: Uint8Array) {}
}

/** How many recorded calls a page holds by default, and at most. */
const PAGE_CALLS = 1_000;
const MAX_PAGE_CALLS = 10_000;
/** A page ends early once its body passes this size, so one read never builds an answer too large to send. */
const PAGE_BYTES = 8 * 1024 * 1024;

/**
 * A page of the request log, oldest first: the calls after `since` (a call's `sequence`), of one
 * `operation` if given, up to `limit`. Each call's JSON is made from what the log keeps, so a page costs
 * what it returns; `nextSince` is given when more calls match.
 */
function requestPage(log: RequestLog, query: URLSearchParams): JsonBody {
  const operation = query.get("operation");
  const limit = wholeNumber(query, "limit", 1, MAX_PAGE_CALLS) ?? PAGE_CALLS;
  const since = wholeNumber(query, "since", 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const parts: Buffer[] = [Buffer.from('{"requests":[')];
  let bytes = 0;
  let count = 0;
  let nextSince: number | undefined;
  for (let i = Math.max(0, since + 1 - log.firstSequence); i < log.size; i++) {
    const call = log.at(i) as RecordedCall;
    if (operation !== null && call.operation !== operation) continue;
    if (count === limit || bytes >= PAGE_BYTES) {
      nextSince = (log.at(i - 1) as RecordedCall).sequence;
      break;
    }
    const json = call.toJson();
    if (count > 0) parts.push(COMMA);
    parts.push(json);
    bytes += json.byteLength;
    count++;
  }
  parts.push(Buffer.from(`],"dropped":${log.dropped}${nextSince === undefined ? "" : `,"nextSince":${nextSince}`}}`));
  return new JsonBody(Buffer.concat(parts));
}

const COMMA = Buffer.from(",");

function wholeNumber(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw invalid(`${name} must be a whole number from ${min} to ${max}, got ${text}.`);
  return value;
}

const TOKEN_COOKIE = "parlel_control_token";

/**
 * With a control token, every control endpoint but health needs it: as `Authorization: Bearer <token>`, as the
 * dashboard's cookie, or as `?token=` when opening the dashboard.
 */
export function controlAccess(request: ControlRequest, path: string, controlToken: string | undefined): "allowed" | "refused" {
  if (controlToken === undefined || path === "/_parlel/health") return "allowed";
  const headers = request.headers;
  const authorization = headers.authorization ?? headers.Authorization;
  const cookies = (headers.cookie ?? "").split(";").map((part) => part.trim());
  const offered = [
    authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined,
    ...cookies.filter((part) => part.startsWith(`${TOKEN_COOKIE}=`)).map((part) => decodeURIComponent(part.slice(TOKEN_COOKIE.length + 1))),
    path === "/_parlel/dashboard" ? (request.query.get("token") ?? undefined) : undefined,
  ];
  return offered.some((token) => token !== undefined && sameText(token, controlToken)) ? "allowed" : "refused";
}

/** Compares in time that does not depend on where the texts differ. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function health(service: BatchService) {
  const jobsByStatus: Record<string, number> = {};
  let computeEnvironments = 0;
  let jobQueues = 0;
  let jobs = 0;
  for (const store of service.partitions.all()) {
    computeEnvironments += store.computeEnvironments.size;
    jobQueues += store.jobQueues.size;
    jobs += store.jobs.size;
    // Kept counts: health is polled, so it must not walk the jobs.
    for (const [status, count] of Object.entries(store.jobs.statusCounts.all)) jobsByStatus[status] = (jobsByStatus[status] ?? 0) + count;
  }
  return { status: "ok", service: "parlel-batch", version: VERSION, clock: service.clock.kind, now: service.clock.now(), counts: { computeEnvironments, jobQueues, jobs, jobsByStatus, requests: service.requests.length } };
}

async function advance(service: BatchService, request: ControlRequest) {
  const { ms } = bodyObject(request, ["ms"]);
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw invalid('POST /_parlel/advance takes {"ms": <milliseconds, 0 or more>}.');
  const clock = service.clock;
  if (!(clock instanceof ManualClock)) throw new ControlError(409, "POST /_parlel/advance needs the manual clock: start parlel-batch with --clock manual.");
  try {
    clock.targetOf(ms);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  await service.advance(ms);
  return { now: service.clock.now() };
}

function addOutcome(service: BatchService, request: ControlRequest) {
  const { match, outcome } = bodyObject(request, ["match", "outcome"]);
  service.engine.outcomes.add(toMatcher(match ?? {}), toOutcomeSource(outcome ?? {}));
  return { rules: service.engine.outcomes.size };
}

/** `{"jobs": ["<id>", …]}` (optional): the attempts on the environment's hosts end as a Spot reclaim ends them. */
async function interruptHost(service: BatchService, request: ControlRequest, [computeEnvironment]: string[]) {
  const { jobs } = bodyObject(request, ["jobs"]);
  if (jobs !== undefined && !(Array.isArray(jobs) && jobs.every((id) => typeof id === "string"))) throw invalid('"jobs" must be a list of job ids.');
  try {
    return { interrupted: await service.interruptHost(computeEnvironment, jobs as string[] | undefined) };
  } catch (error) {
    throw new ControlError(404, (error as Error).message);
  }
}

/** `{"available": false, "instanceType": "m5.large"}` starves the environment of instances; `{"available": true}` heals it. */
async function setCapacity(service: BatchService, request: ControlRequest, [computeEnvironment]: string[]) {
  const { available, instanceType } = bodyObject(request, ["available", "instanceType"]);
  if (typeof available !== "boolean") throw invalid('POST /_parlel/compute-environments/{name}/capacity takes {"available": true or false, "instanceType"?: "m5.large"}.');
  if (instanceType !== undefined && typeof instanceType !== "string") throw invalid('"instanceType" must be a string.');
  try {
    await service.setCapacity(computeEnvironment, available, instanceType);
  } catch (error) {
    throw new ControlError(404, (error as Error).message);
  }
  return { computeEnvironment, available };
}

/**
 * `GET /_parlel/events?after=N`: the kept state-change events after sequence number N (all kept ones without
 * it), and `nextAfter` to pass next time (the last sequence number given out, when there are none). With `Accept: text/event-stream` the HTTP server streams them instead.
 */
function eventPage(service: BatchService, request: ControlRequest) {
  const raw = request.query.get("after");
  const after = raw === null ? 0 : Number(raw);
  if (!Number.isInteger(after) || after < 0) throw invalid("after must be an event sequence number (0 or more).");
  const kept = service.events.list(after);
  return { events: kept.map((entry) => entry.event), nextAfter: kept.length > 0 ? kept[kept.length - 1].sequence : service.events.lastSequence };
}

/**
 * `{"match": "SubmitJob" | ["SubmitJob", …] | {"operation", "input"}, "fault": "ThrottlingException" | {…}}`.
 * `input` matches calls whose input has those members with those values; no `match` matches every call.
 */
function addFault(service: BatchService, request: ControlRequest) {
  const { match, fault } = bodyObject(request, ["match", "fault"]);
  if (fault === undefined) throw invalid('POST /_parlel/faults takes {"match": "SubmitJob", "fault": "ThrottlingException" or {"error", "status", "message", "latencyMs", "connection", "times", "probability"}}.');
  if (typeof fault !== "string") {
    if (!isObject(fault)) throw invalid('"fault" must be an error type or an object.');
    const unknown = Object.keys(fault).find((key) => !FAULT_FIELDS.includes(key));
    if (unknown !== undefined) throw invalid(`"fault" has an unknown field ${unknown}: use ${FAULT_FIELDS.join(", ")}.`);
  }
  try {
    service.faults.add(toFaultMatch(match), fault as Fault);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  return { faults: service.faults.list() };
}

const FAULT_FIELDS = ["error", "status", "message", "latencyMs", "connection", "times", "probability"];

function toFaultMatch(match: unknown): FaultMatch | undefined {
  if (match === undefined || typeof match === "string") return match;
  if (Array.isArray(match) && match.every((name) => typeof name === "string")) return match as string[];
  if (!isObject(match) || Object.keys(match).some((key) => key !== "operation" && key !== "input")) {
    throw invalid('"match" must be an operation name, a list of them, or {"operation": "SubmitJob", "input": {"jobName": "x"}}.');
  }
  const { operation, input } = match;
  if (operation !== undefined && typeof operation !== "string") throw invalid("match.operation must be an operation name.");
  if (input !== undefined && !isObject(input)) throw invalid("match.input must be an object of input members.");
  const members = Object.entries(input ?? {});
  return (callInput: Record<string, unknown>, callOperation: string) =>
    (operation === undefined || operation === "*" || operation === callOperation) && members.every(([key, value]) => JSON.stringify(callInput[key]) === JSON.stringify(value));
}

async function complete(service: BatchService, request: ControlRequest, [jobId]: string[]) {
  const job = service.findJob(jobId)?.job ?? noJob(jobId);
  const outcome = toJobOutcome(bodyObject(request, OUTCOME_FIELDS), "The body");
  if (job.status !== "RUNNING" && job.status !== "STARTING") throw new ControlError(409, `Job ${jobId} is ${job.status}; only a STARTING or RUNNING job can be completed.`);
  await service.complete(jobId, outcome);
  return { jobId, status: job.status };
}

/** A job's log lines; with `?from=N`, those from the N-th on (a follower asks for what it has not seen). */
function jobLogs(service: BatchService, request: ControlRequest, [jobId]: string[]) {
  const fromText = request.query.get("from");
  if (fromText === null) return { jobId, logs: service.logs(jobId) ?? noJob(jobId) };
  if (!/^\d{1,15}$/.test(fromText)) throw invalid(`from must be a line number (0 or more), got ${fromText}.`);
  const from = Number(fromText);
  return { jobId, from, logs: service.logs(jobId, from) ?? noJob(jobId) };
}

function noJob(jobId: string): never {
  throw new ControlError(404, `No job ${jobId}.`);
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid(`The path segment ${segment} is not valid percent-encoding.`);
  }
}

/** The body as a JSON object with only the fields named; an empty body is `{}`. */
function bodyObject(request: ControlRequest, fields: readonly string[]): Record<string, unknown> {
  const text = new TextDecoder().decode(request.body).trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (!isObject(value)) throw invalid("The body must be a JSON object.");
  const unknown = Object.keys(value).filter((key) => !fields.includes(key));
  if (unknown.length > 0) throw invalid(`Unknown field ${unknown[0]}: ${request.method.toUpperCase()} ${request.path} takes ${fields.join(", ")}.`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A matcher as JSON: each field a string (exact) or `{"regex": "...", "flags": "i"}`. */
export type DeclarativeMatch = Partial<Record<"jobName" | "jobDefinition" | "jobQueue", string | { regex: string; flags?: string }>>;

const MATCH_FIELDS = ["jobName", "jobDefinition", "jobQueue"] as const;

function toMatcher(match: unknown): Record<(typeof MATCH_FIELDS)[number], Pattern | undefined> {
  if (!isObject(match)) throw invalid('"match" must be an object such as {"jobName": {"regex": "^etl-"}}.');
  const unknown = Object.keys(match).find((key) => !(MATCH_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw invalid(`Unknown match field ${unknown}: use jobName, jobDefinition or jobQueue.`);
  return { jobName: toPattern(match, "jobName"), jobDefinition: toPattern(match, "jobDefinition"), jobQueue: toPattern(match, "jobQueue") };
}

function toPattern(match: Record<string, unknown>, field: string): Pattern | undefined {
  const value = match[field];
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  const shape = `match.${field} must be a string or {"regex": "...", "flags": "..."}.`;
  if (!isObject(value) || typeof value.regex !== "string") throw invalid(shape);
  if (Object.keys(value).some((key) => key !== "regex" && key !== "flags") || (value.flags !== undefined && typeof value.flags !== "string")) throw invalid(shape);
  try {
    return new RegExp(value.regex, value.flags as string | undefined);
  } catch (error) {
    throw invalid(`match.${field}: ${(error as Error).message}.`);
  }
}

const OUTCOME_FIELDS = ["exitCode", "durationMs", "reason", "logs"] as const;

/** One outcome for every attempt, or a list: attempt n takes entry n, and the last entry repeats. */
function toOutcomeSource(outcome: unknown) {
  if (!Array.isArray(outcome)) return toJobOutcome(outcome, '"outcome"');
  if (outcome.length === 0) throw invalid("An outcome list needs at least one entry.");
  const attempts = outcome.map((entry, i) => toJobOutcome(entry, `"outcome"[${i}]`));
  return (_job: unknown, attempt: number) => attempts[Math.min(attempt, attempts.length) - 1];
}

function isLogLine(line: unknown): boolean {
  if (typeof line === "string") return true;
  if (!isObject(line) || typeof line.message !== "string" || Object.keys(line).some((key) => key !== "message" && key !== "afterMs")) return false;
  return line.afterMs === undefined || (typeof line.afterMs === "number" && Number.isFinite(line.afterMs) && line.afterMs >= 0);
}

function toJobOutcome(value: unknown, where: string): JobOutcome {
  if (!isObject(value)) throw invalid(`${where} must be an object such as {"exitCode": 1, "durationMs": 5000, "reason": "...", "logs": ["..."]}.`);
  const unknown = Object.keys(value).find((key) => !(OUTCOME_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw invalid(`${where} has an unknown field ${unknown}: use ${OUTCOME_FIELDS.join(", ")}.`);
  const { exitCode, durationMs, reason, logs } = value;
  if (exitCode !== undefined && exitCode !== null && !Number.isInteger(exitCode)) throw invalid(`${where}.exitCode must be an integer (or null: no exit code).`);
  if (durationMs !== undefined && (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0)) throw invalid(`${where}.durationMs must be 0 or more milliseconds.`);
  if (reason !== undefined && typeof reason !== "string") throw invalid(`${where}.reason must be a string.`);
  if (logs !== undefined && typeof logs !== "string" && !(Array.isArray(logs) && logs.every(isLogLine))) {
    throw invalid(`${where}.logs must be a string or a list of lines, each a string or {"message": "...", "afterMs": <milliseconds>}.`);
  }
  return value as JobOutcome;
}
