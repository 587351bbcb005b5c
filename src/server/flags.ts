// The command line of `parlel-batch`: one table of flags, each named after the option it sets.
import { readFileSync } from "node:fs";
import type { FakeCredential } from "../auth/signature";
import type { FakeBatchOptions } from "../fake";
import { SERVER_RECORDED_REQUESTS } from "../request-log";
import { LATEST_TIME } from "../state/clock";
import type { PhaseDelays } from "../state/engine";
import type { ExecutorKind } from "../executor";
import { DEFAULT_PORT, type ListenOptions } from "./http-server";
import { checkQuotaSettings, type QuotaSettings } from "../operations/quotas";

/** What the flags set: the fake's options, and the server's. */
export interface Settings {
  fake: FakeBatchOptions;
  listen: ListenOptions;
  /** `--state-dir`: where acknowledged changes are kept across restarts. */
  stateDir?: string;
}

/** A command-line flag, `--name value` or `--name=value`, named after the option it sets. */
interface Flag {
  readonly name: string;
  /** How the value is shown in the usage; none for a switch, which takes no value. */
  readonly value: string;
  readonly isSwitch?: boolean;
  readonly help: string;
  /** Checks the value and records it; throws an Error that says what is wrong. */
  apply(value: string, settings: Settings): void;
}

const EXECUTORS = ["scripted", "process", "sandbox"] as const satisfies readonly ExecutorKind[];
const PHASE_DELAYS = ["submittedMs", "pendingMs", "startingMs"] as const satisfies readonly (keyof PhaseDelays)[];
const MAX_BODY_BYTES_LIMIT = 1024 * 1024 * 1024;

const FLAGS: readonly Flag[] = [
  {
    name: "state-dir",
    value: "DIR",
    help: "keep the state in DIR across restarts: every change is journaled and synced to disk before it is answered (made if missing)",
    apply: (value, s) => {
      if (value === "") throw new Error("--state-dir needs a directory.");
      s.stateDir = value;
    },
  },
  { name: "port", value: "N", help: `port to listen on; 0 picks a free one (default ${DEFAULT_PORT}, or PORT from the environment)`, apply: (value, s) => (s.listen.port = port(value, "--port")) },
  { name: "host", value: "H", help: "address to listen on (default 127.0.0.1)", apply: (value, s) => (s.listen.host = value) },
  {
    name: "clock",
    value: "real|manual",
    help: "manual: virtual time that moves only with POST /_parlel/advance (default real)",
    apply: (value, s) => {
      if (value !== "real" && value !== "manual") throw new Error(`--clock is real or manual, got ${JSON.stringify(value)}.`);
      s.fake.clock = value;
    },
  },
  { name: "seed", value: "S", help: "makes job ids and request ids the same from run to run", apply: (value, s) => (s.fake.seed = value) },
  { name: "account", value: "ID", help: "account for requests without a 12-digit access key id (default 000000000000)", apply: (value, s) => (s.fake.defaultAccountId = value) },
  { name: "region", value: "R", help: "region for requests without a SigV4 credential scope (default us-east-1)", apply: (value, s) => (s.fake.defaultRegion = value) },
  {
    name: "job-retention-ms",
    value: "MS",
    help: "how long terminal jobs stay visible (default 86400000, 24 h)",
    apply: (value, s) => (s.fake.jobRetentionMs = milliseconds(value, "--job-retention-ms")),
  },
  {
    name: "resource-transition-ms",
    value: "MS",
    help: "how long resources stay CREATING / UPDATING / DELETING (default 0)",
    apply: (value, s) => (s.fake.resourceTransitionMs = milliseconds(value, "--resource-transition-ms")),
  },
  {
    name: "delays",
    value: "submittedMs=MS,pendingMs=MS,startingMs=MS",
    help: "time jobs spend in SUBMITTED, PENDING and STARTING; any subset (default 0 each)",
    apply: (value, s) => (s.fake.delays = delays(value)),
  },
  {
    name: "record-requests",
    value: "N",
    help: `how many of the latest calls GET /_parlel/requests keeps (default ${SERVER_RECORDED_REQUESTS})`,
    apply: (value, s) => (s.fake.recordRequests = wholeNumberFlag(value, "--record-requests", "calls", 0)),
  },
  {
    name: "quotas",
    value: "FILE|JSON",
    help: 'service quotas, as a JSON file or inline JSON: {"jobQueues": 5, "submitJobsPerSecond": 50, "accounts": {"123456789012": {"arraySize": 100}}} (default AWS\'s, SubmitJob rate unlimited)',
    apply: (value, s) => (s.fake.quotas = quotaFlag(value)),
  },
  {
    name: "max-body-bytes",
    value: "N",
    help: "larger request bodies are refused with 413 (default 1048576, 1 MiB)",
    apply: (value, s) => (s.fake.maxBodyBytes = wholeNumberFlag(value, "--max-body-bytes", "bytes", 1, MAX_BODY_BYTES_LIMIT)),
  },
  {
    name: "credentials",
    value: "FILE",
    help: 'JSON list of known keys, [{"accessKeyId","secretAccessKey","accountId"?,"sessionToken"?}]; each key\'s requests land in its account',
    apply: (value, s) => (s.fake.credentials = credentialsFile(value)),
  },
  { name: "verify-signatures", value: "", isSwitch: true, help: "check every request's SigV4 signature against --credentials", apply: (_value, s) => (s.fake.verifySignatures = true) },
  {
    name: "signature-window-ms",
    value: "MS",
    help: "how far a signed request's time may be from real time (default 300000, 5 min)",
    apply: (value, s) => (s.fake.signatureWindowMs = milliseconds(value, "--signature-window-ms")),
  },
  {
    name: "control-token",
    value: "TOKEN",
    help: "control endpoints other than health need Authorization: Bearer TOKEN (or set PARLEL_CONTROL_TOKEN)",
    apply: (value, s) => {
      if (value === "") throw new Error("--control-token needs a non-empty token.");
      s.listen.controlToken = value;
    },
  },
  {
    name: "executor",
    value: "scripted|process|sandbox",
    help: "process: run each job's command on this host; sandbox: run it under bubblewrap (bwrap) (default scripted: nothing runs)",
    apply: (value, s) => {
      if (!(EXECUTORS as readonly string[]).includes(value)) throw new Error(`--executor is scripted, process or sandbox, got ${JSON.stringify(value)}.`);
      s.fake.executor = value as ExecutorKind;
    },
  },
  { name: "work-dir", value: "DIR", help: "process and sandbox executors: each attempt's working directory is made under DIR and kept (default a temporary directory, removed at exit)", apply: (value, s) => (s.fake.workDir = value) },
  {
    name: "allow-path",
    value: "DIR",
    help: "process and sandbox executors: a host directory jobs' volumes may name; give it once per directory (default none)",
    apply: (value, s) => {
      if (!value.startsWith("/")) throw new Error(`--allow-path takes an absolute path, got ${JSON.stringify(value)}.`);
      (s.fake.allowPaths ??= []).push(value);
    },
  },
  {
    name: "stop-grace-ms",
    value: "MS",
    help: "process and sandbox executors: time between SIGTERM and SIGKILL when a job is stopped (default 5000)",
    apply: (value, s) => (s.fake.stopGraceMs = milliseconds(value, "--stop-grace-ms")),
  },
  {
    name: "max-output-bytes",
    value: "N",
    help: "process and sandbox executors: stdout and stderr kept per attempt (default 4194304, 4 MiB)",
    apply: (value, s) => (s.fake.maxOutputBytes = wholeNumberFlag(value, "--max-output-bytes", "bytes", 0)),
  },
];

export const USAGE = `Usage: parlel-batch [options]

Starts a fake AWS Batch on http://127.0.0.1:${DEFAULT_PORT}. Options (--name value or --name=value):
${FLAGS.map((flag) => `  --${flag.name}${flag.isSwitch ? "" : ` ${flag.value}`}\n      ${flag.help}`).join("\n")}
  --help
      prints this`;

/** `--quotas`: inline JSON (it starts with `{`) or the path of a JSON file. */
function quotaFlag(value: string): QuotaSettings {
  let text = value;
  if (!value.trim().startsWith("{")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      throw new Error(`--quotas: cannot read ${value}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--quotas: not valid JSON: ${(error as Error).message}`);
  }
  return checkQuotaSettings(parsed, "--quotas");
}

function wholeNumber(value: string): number | undefined {
  return /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
}

function port(value: string, source: string): number {
  const number = wholeNumber(value);
  if (number === undefined || number > 65535) throw new Error(`${source} must be a port number from 0 to 65535, got ${JSON.stringify(value)}.`);
  return number;
}

/** A whole number from `min` to `max` (no bound when absent), or an Error that names the flag and its unit. */
function wholeNumberFlag(value: string, source: string, unit: string, min: number, max?: number): number {
  const number = wholeNumber(value);
  if (number !== undefined && number >= min && (max === undefined || number <= max)) return number;
  const range = max === undefined ? `, ${min} or more` : ` from ${min} to ${max}`;
  throw new Error(`${source} takes a whole number of ${unit}${range}, got ${JSON.stringify(value)}.`);
}

/** A duration the clock can reach: a whole number of milliseconds within the range of a Date. */
function milliseconds(value: string, source: string): number {
  return wholeNumberFlag(value, source, "milliseconds", 0, LATEST_TIME);
}

/** The keys a server knows, from a JSON file; each entry is checked so a typo fails at start, not at the first request. */
function credentialsFile(path: string): FakeCredential[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`--credentials ${path}: cannot read it as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`--credentials ${path} must hold a JSON list of {"accessKeyId","secretAccessKey","accountId"?,"sessionToken"?}.`);
  return parsed.map((entry: unknown, i) => {
    const fields = entry as Record<string, unknown>;
    for (const name of ["accessKeyId", "secretAccessKey"]) {
      if (typeof fields?.[name] !== "string" || fields[name] === "") throw new Error(`--credentials ${path}: entry ${i} needs a string ${name}.`);
    }
    for (const name of ["accountId", "sessionToken"]) {
      if (fields[name] !== undefined && typeof fields[name] !== "string") throw new Error(`--credentials ${path}: entry ${i}'s ${name} must be a string.`);
    }
    return fields as unknown as FakeCredential;
  });
}

function delays(value: string): PhaseDelays {
  const shape = `--delays takes ${PHASE_DELAYS.map((key) => `${key}=MS`).join(",")} (any of them, comma-separated)`;
  const result: PhaseDelays = {};
  for (const entry of value.split(",")) {
    const [key, ms, ...rest] = entry.split("=");
    if (ms === undefined || rest.length > 0) throw new Error(`${shape}, got ${JSON.stringify(value)}.`);
    if (!(PHASE_DELAYS as readonly string[]).includes(key)) throw new Error(`${shape}: ${JSON.stringify(key)} is not one of them.`);
    result[key as keyof PhaseDelays] = milliseconds(ms, `--delays ${key}`);
  }
  return result;
}

/**
 * The settings the command line and the environment ask for, or "help" for --help. Throws an Error that
 * says what is wrong with a flag or an environment variable.
 */
export function parseArguments(argv: readonly string[], environment: NodeJS.ProcessEnv): Settings | "help" {
  // A server runs for long: it keeps fewer calls than an in-process fake, so its memory stays flat.
  const settings: Settings = { fake: { recordRequests: SERVER_RECORDED_REQUESTS }, listen: {} };
  if (environment.PORT !== undefined && environment.PORT !== "") settings.listen.port = port(environment.PORT, "PORT");
  if (environment.PARLEL_CONTROL_TOKEN) settings.listen.controlToken = environment.PARLEL_CONTROL_TOKEN;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === "--help" || argument === "-h") return "help";
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(argument);
    if (!match) throw new Error(`Unexpected argument ${argument}\n${USAGE}`);
    const flag = FLAGS.find((candidate) => candidate.name === match[1]);
    if (!flag) throw new Error(`Unknown option --${match[1]}\n${USAGE}`);
    if (flag.isSwitch && match[2] !== undefined) throw new Error(`--${flag.name} takes no value.`);
    const value = flag.isSwitch ? "" : (match[2] ?? argv[++i]);
    if (value === undefined) throw new Error(`--${flag.name} needs a value: --${flag.name} ${flag.value}`);
    flag.apply(value, settings);
  }
  return settings;
}

