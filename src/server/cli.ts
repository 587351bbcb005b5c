#!/usr/bin/env node
import { fakeBatch } from "../fake";
import { DEFAULT_PORT } from "./http-server";
import { parseArguments, USAGE } from "./flags";
import { StateDirectory, type Restored } from "./journal";

async function main(): Promise<void> {
  const settings = parseArguments(process.argv.slice(2), process.env);
  if (settings === "help") {
    console.log(USAGE);
    return;
  }
  const fake = fakeBatch(settings.fake);
  // Loaded before it listens: no request sees a half-restored state.
  let restored: Restored | undefined;
  if (settings.stateDir !== undefined) restored = await new StateDirectory(settings.stateDir, fake.service, settings.fake.seed).open();
  const region = fake.defaultPartition.region;
  const { port = DEFAULT_PORT, host = "127.0.0.1" } = settings.listen;
  const server = await fake.listen({ ...settings.listen, port, host }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new Error(`Port ${port} on ${host} is already in use: pass --port N, or --port 0 for any free port.`);
    throw new Error(`Cannot listen on ${host} port ${port}: ${error.message}`);
  });
  // Before the first line is printed: a tool that reads it may signal at once.
  const stop = (signal: string) => {
    console.log(`\n${signal}: shutting down`);
    // Requests in flight are answered with Connection: close; close() gives them a few seconds.
    // Jobs' processes are killed with it, so that none outlives the server.
    void Promise.all([server.close(), fake.close()]).then(() => {
      console.log("parlel-batch stopped");
      process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
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
  if (restored) {
    const from = restored.fromSnapshot ? "its snapshot" : "nothing saved";
    console.log(`State: ${settings.stateDir} (restored from ${from} and ${restored.replayed} journaled changes${restored.droppedTornLine ? "; a torn last line was dropped" : ""})`);
  }
  const executor = settings.fake.executor;
  if (executor === "process" || executor === "sandbox") console.log(`Executor: ${executor}, running each job's command on this host.`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? error);
  process.exit(1);
});
