import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The compiled bin, as `npx parlel-batch` runs it. `npm test` builds it first. */
export const CLI = resolve(__dirname, "../../dist/cjs/server/cli.js");
/** Debian's python3-boto3 and awscli install here; a pyenv `python3` on PATH would not see boto3. */
export const PYTHON = "/usr/bin/python3";
export const AWS = "/usr/bin/aws";

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends SIGTERM (or `signal`) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with how the process ended, without signalling it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `parlel-batch --port 0 ...` and resolves once it prints the URL it listens on. `anyPort: false`
 * leaves `--port 0` out, for a port from `env.PORT` or the default.
 */
export function startServerProcess(args: string[] = [], options: { env?: NodeJS.ProcessEnv; anyPort?: boolean } = {}): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first.`);
  const portArgs = options.anyPort === false ? [] : ["--port", "0"];
  const child = spawn(process.execPath, [CLI, ...portArgs, ...args], { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once("close", (code, signal) => done({ code, signal })));
  return new Promise((resolveStart, rejectStart) => {
    let started = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = started ? null : /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      started = true;
      resolveStart({
        url: match[1],
        child,
        output: () => output,
        stop: (signal: NodeJS.Signals = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
        exited,
      });
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    void exited.then(({ code, signal }) => rejectStart(new Error(`parlel-batch exited (code ${code}, signal ${signal}) before listening:\n${output}`)));
  });
}

/** A HOME with no AWS config, and the environment that points a client at `url`. */
export function clientEnvironment(url: string): { env: NodeJS.ProcessEnv; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), "parlel-client-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: "C.UTF-8",
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: "parlel",
    AWS_SECRET_ACCESS_KEY: "parlel",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(home, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
  return { env, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (bounded by `timeout`), whatever its exit code. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 60_000): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      done({ code, stdout, stderr: stderr + (error && typeof error.code !== "number" ? String(error) : "") });
    });
  });
}

/** Fails with the reason when a client program is missing, instead of skipping the scenarios silently. */
export async function requireProgram(file: string, args: string[], install: string): Promise<void> {
  const ran = existsSync(file) ? await run(file, args, { PATH: process.env.PATH }) : undefined;
  if (!ran || ran.code !== 0) throw new Error(`${file} ${args.join(" ")} failed: install the Debian package ${install} (.ci/run does).\n${ran?.stderr ?? "not found"}`);
}

/** Calls a /_parlel control endpoint. */
export async function control(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } });
  return { status: response.status, json: await response.json() };
}
