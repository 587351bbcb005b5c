#!/usr/bin/env node
import { fakeBatch } from "../fake";
import { DEFAULT_PORT } from "./http-server";
import { SERVER_RECORDED_REQUESTS } from "../request-log";

const USAGE = `Usage: parlel-batch [--port N] [--host H] [--clock real|manual] [--seed S] [--account ID] [--region R] [--record-requests N]

Starts a fake AWS Batch on http://127.0.0.1:4705 (PORT in the environment also sets the port).`;

function parseArguments(argv: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === "--help" || argument === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--([a-z]+(?:-[a-z]+)*)(?:=(.*))?$/.exec(argument);
    if (!match) throw new Error(`Unexpected argument ${argument}\n${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value\n${USAGE}`);
    options[match[1]] = value;
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const unknown = Object.keys(options).filter((key) => !["port", "host", "clock", "seed", "account", "region", "record-requests"].includes(key));
  if (unknown.length > 0) throw new Error(`Unknown option --${unknown[0]}\n${USAGE}`);
  const port = Number(options.port ?? process.env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${options.port ?? process.env.PORT}`);
  if (options.clock && options.clock !== "real" && options.clock !== "manual") throw new Error("--clock is real or manual");
  const region = options.region ?? "us-east-1";
  // A server runs for long: it keeps fewer calls than an in-process fake, so its memory stays flat.
  const recordText = options["record-requests"] ?? String(SERVER_RECORDED_REQUESTS);
  const recordRequests = Number(recordText);
  if (!/^\d+$/.test(recordText) || !Number.isSafeInteger(recordRequests)) throw new Error(`--record-requests must be a whole number of calls, 0 or more, got ${recordText}`);
  const fake = fakeBatch({ clock: options.clock as "real" | "manual" | undefined, seed: options.seed, defaultAccountId: options.account, defaultRegion: region, recordRequests });
  const host = options.host ?? "127.0.0.1";
  const server = await fake.listen({ port, host }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new Error(`Port ${port} on ${host} is already in use: pass --port N, or --port 0 for any free port.`);
    throw error;
  });
  // Tools parse this first line to learn the port when started with --port 0.
  console.log(`parlel-batch listening on ${server.url}`);
  console.log("");
  console.log("Point an AWS SDK or the AWS CLI at it with:");
  console.log(`  AWS_ENDPOINT_URL=${server.url}`);
  console.log("  AWS_ACCESS_KEY_ID=parlel");
  console.log("  AWS_SECRET_ACCESS_KEY=parlel");
  console.log(`  AWS_REGION=${region}`);
  console.log(`  AWS_DEFAULT_REGION=${region}`);
  console.log(`Clients older than AWS CLI 2.13 / boto3 1.28 ignore AWS_ENDPOINT_URL: pass --endpoint-url ${server.url} (endpoint_url= in boto3).`);
  console.log("");
  console.log(`Health: ${server.url}/_parlel/health   Dashboard: ${server.url}/_parlel/dashboard`);
  const stop = (signal: string) => {
    console.log(`\n${signal}: shutting down`);
    // Requests in flight finish first; close() cuts connections still busy after a few seconds.
    void server.close().then(() => {
      console.log("parlel-batch stopped");
      process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? error);
  process.exit(1);
});
