import { encodeJson, type WireResponse } from "../handler/wire";
import type { BatchService } from "../service";
import type { JobOutcome, Pattern } from "../state/outcomes";
import { dashboardPage, dashboardState } from "./dashboard";

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Uint8Array;
  headers: Record<string, string>;
}

const VERSION = "0.1.0";

/**
 * The developer endpoints beside the Batch API: health, reset, the test controls and the dashboard.
 * They look inside and drive the fake; they never answer as AWS would.
 */
export async function controlRoutes(service: BatchService, request: ControlRequest): Promise<WireResponse> {
  const requestId = service.newRequestId();
  const reply = (status: number, value: unknown) => encodeJson(status, value, requestId);
  const route = `${request.method.toUpperCase()} ${request.path.replace(/\/+$/, "")}`;
  try {
    if (route === "GET /_parlel/health") return reply(200, health(service));
    if (route === "POST /_parlel/reset") {
      service.reset();
      return reply(200, { status: "reset" });
    }
    if (route === "POST /_parlel/advance") {
      const { ms } = parse(request.body) as { ms?: unknown };
      if (typeof ms !== "number") return reply(400, { message: 'POST /_parlel/advance takes {"ms": <milliseconds>}.' });
      await service.advance(ms);
      return reply(200, { now: service.clock.now() });
    }
    if (route === "POST /_parlel/outcomes") {
      const { match, outcome } = parse(request.body) as { match?: DeclarativeMatch; outcome?: JobOutcome | JobOutcome[] };
      service.engine.outcomes.add(toMatcher(match ?? {}), toOutcome(outcome ?? {}));
      return reply(200, { rules: service.engine.outcomes.size });
    }
    if (route === "DELETE /_parlel/outcomes") {
      service.engine.outcomes.clear();
      return reply(200, { rules: 0 });
    }
    if (route === "GET /_parlel/requests") return reply(200, { requests: service.requests });
    if (route === "GET /_parlel/state") return reply(200, dashboardState(service));
    if (route === "GET /_parlel/dashboard") {
      const body = new TextEncoder().encode(dashboardPage());
      return { statusCode: 200, headers: { "content-type": "text/html; charset=utf-8", "content-length": String(body.byteLength) }, body };
    }
    const jobRoute = /^(GET|POST) \/_parlel\/jobs\/([^/]+)\/(logs|complete)$/.exec(route);
    if (jobRoute) {
      const jobId = decodeURIComponent(jobRoute[2]);
      const found = service.findJob(jobId);
      if (!found) return reply(404, { message: `No job ${jobId}.` });
      if (jobRoute[1] === "GET" && jobRoute[3] === "logs") return reply(200, { jobId, logs: found.job.logs ?? [] });
      if (jobRoute[1] === "POST" && jobRoute[3] === "complete") {
        service.engine.complete(found.store, found.job, parse(request.body) as JobOutcome);
        await service.engine.settle();
        return reply(200, { jobId, status: found.job.status });
      }
    }
    return reply(404, { message: `No control endpoint ${route}. See the README's "Server mode" section.` });
  } catch (error) {
    return reply(400, { message: (error as Error).message });
  }
}

function health(service: BatchService) {
  const jobsByStatus: Record<string, number> = {};
  let computeEnvironments = 0;
  let jobQueues = 0;
  let jobs = 0;
  for (const store of service.partitions.all()) {
    computeEnvironments += store.computeEnvironments.size;
    jobQueues += store.jobQueues.size;
    for (const job of store.jobs.values()) {
      jobs++;
      jobsByStatus[job.status] = (jobsByStatus[job.status] ?? 0) + 1;
    }
  }
  return { status: "ok", service: "parlel-batch", version: VERSION, clock: service.clock.kind, now: service.clock.now(), counts: { computeEnvironments, jobQueues, jobs, jobsByStatus, requests: service.requests.length } };
}

function parse(body: Uint8Array): unknown {
  const text = new TextDecoder().decode(body).trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("The body must be JSON.");
  }
}

/** A matcher as JSON: each field a string (exact) or `{"regex": "..."}`. */
export type DeclarativeMatch = Partial<Record<"jobName" | "jobDefinition" | "jobQueue", string | { regex: string; flags?: string }>>;

function toMatcher(match: DeclarativeMatch) {
  const pattern = (value: DeclarativeMatch["jobName"]): Pattern | undefined =>
    value === undefined ? undefined : typeof value === "string" ? value : new RegExp(value.regex, value.flags);
  for (const key of Object.keys(match)) {
    if (!["jobName", "jobDefinition", "jobQueue"].includes(key)) throw new Error(`Unknown match field ${key}: use jobName, jobDefinition or jobQueue.`);
  }
  return { jobName: pattern(match.jobName), jobDefinition: pattern(match.jobDefinition), jobQueue: pattern(match.jobQueue) };
}

/** One outcome for every attempt, or a list: attempt n takes entry n, and the last entry repeats. */
function toOutcome(outcome: JobOutcome | JobOutcome[]) {
  if (!Array.isArray(outcome)) return outcome;
  if (outcome.length === 0) throw new Error("An outcome list needs at least one entry.");
  return (_job: unknown, attempt: number) => outcome[Math.min(attempt, outcome.length) - 1];
}
