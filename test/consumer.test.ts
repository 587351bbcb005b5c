import { join } from "node:path";
import { consumerProject, type ConsumerProject } from "./consumer";

/**
 * The packed package as a TypeScript user meets it: compiled under the strictest common settings with
 * `skipLibCheck: false` (so the package's own declarations are checked too), as ESM and as CommonJS, with
 * its Jest and Vitest matchers, and run.
 */
jest.setTimeout(480_000);

const modules = join(__dirname, "..", "node_modules");

let project: ConsumerProject;
let errors: Record<string, string[]>;

const scenario = `
  const fake: FakeBatch = fakeBatch({ clock: "manual", seed: "consumer" });
  const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, requestHandler: fake });
  const { jobQueueArns } = await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  fake.onJob({ jobName: /^etl-/ }, (job: AttemptView, attempt: number): JobOutcome => ({ exitCode: attempt < 2 ? 1 : 0, logs: [job.jobName] }));
  const { jobId = "" } = await batch.send(new SubmitJobCommand({ jobName: "etl-1", jobQueue: "jq", jobDefinition: "echo", retryStrategy: { attempts: 2 } }));
  const { jobs = [] } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
  const submitted: RecordedRequest | undefined = fake.requests.find((request) => request.operation === "SubmitJob");
  console.log(jobs[0]?.status, jobs[0]?.attempts?.length, fake.logs(jobId).join(","), submitted?.output?.["jobId"] === jobId, jobQueueArns["jq"]?.endsWith(":job-queue/jq"));
`;
const imports = `
  import { BatchClient, DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
  import { fakeBatch, type AttemptView, type FakeBatch, type JobOutcome, type RecordedRequest } from "parlel-batch";
`;
const expected = "SUCCEEDED 2 etl-1,etl-1 true true";

const matcherUse = `
  const fake = fakeBatch();
  const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, requestHandler: fake });
  await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
  await batch.send(new SubmitJobCommand({ jobName: "nightly", jobQueue: "jq", jobDefinition: "echo" }));
  expect(fake).toHaveReceivedAnyCommand();
  expect(fake).toHaveReceivedCommand(SubmitJobCommand);
  expect(fake).toHaveReceivedCommandOnce(SubmitJobCommand);
  expect(fake).toHaveReceivedCommandTimes(SubmitJobCommand, 1);
  expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobQueue: "jq" });
  expect(fake).toHaveReceivedCommandExactlyOnceWith(SubmitJobCommand, { jobName: expect.stringMatching(/^night/) });
  expect(fake).toHaveReceivedNthCommandWith(1, SubmitJobCommand, { jobDefinition: "echo" });
  expect(fake).toHaveReceivedNthSpecificCommandWith(1, SubmitJobCommand, { jobName: "nightly" });
  expect(fake).not.toHaveReceivedCommand(CancelJobCommand);
  expect(() => expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "daily" })).toThrow(/It received:\\n {2}1\\. SubmitJob .*"jobName": "nightly"/s);
`;

beforeAll(() => {
  project = consumerProject();
  project.write("esm.mts", `${imports}\n${scenario}`);
  project.write("cjs.cts", `${imports}\nasync function main(): Promise<void> {${scenario}}\nvoid main();`);
  project.write(
    "jest-global.mts",
    `import { BatchClient, CancelJobCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
    import { fakeBatch } from "parlel-batch";
    import "parlel-batch/jest";
    test("the global expect", async () => {${matcherUse}});`,
  );
  project.write(
    "jest-globals.cts",
    `import { BatchClient, CancelJobCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
    import { expect, test } from "@jest/globals";
    import { fakeBatch } from "parlel-batch";
    import "parlel-batch/jest";
    test("@jest/globals' expect", async () => {${matcherUse}});`,
  );
  project.write(
    "jest-globals.mts",
    `import { BatchClient, CancelJobCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
    import { expect, test } from "@jest/globals";
    import { fakeBatch } from "parlel-batch";
    import "parlel-batch/jest";
    test("@jest/globals' expect", async () => {${matcherUse}});`,
  );
  project.write(
    "vitest-commonjs.cts",
    `import { BatchClient, CancelJobCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
    import { expect, test } from "vitest";
    import { fakeBatch } from "parlel-batch";
    import "parlel-batch/vitest";
    test("vitest's expect", async () => {${matcherUse}});`,
  );
  project.write(
    "matchers.test.mts",
    `import { BatchClient, CancelJobCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
    import { expect, test } from "vitest";
    import { fakeBatch } from "parlel-batch";
    import "parlel-batch/vitest";
    test("vitest's expect", async () => {${matcherUse}});`,
  );
  // Two programs, as in two projects: @types/jest's globals and Vitest's types do not mix (they clash in Vitest's own declarations).
  errors = project.compile(["esm.mts", "cjs.cts", "matchers.test.mts", "vitest-commonjs.cts"], { types: ["node"] });
  for (const [file, lines] of Object.entries(project.compile(["jest-global.mts", "jest-globals.cts", "jest-globals.mts"], { types: ["node", "jest"] }))) {
    errors[file] = [...new Set([...(errors[file] ?? []), ...lines])];
  }
});

afterAll(() => project?.remove());

/** Errors in the package's own files, which `skipLibCheck: false` checks. */
const inPackage = () => Object.fromEntries(Object.entries(errors).filter(([file]) => file.startsWith("node_modules/parlel-batch/")));

describe("a TypeScript consumer of the packed package", () => {
  test("the package's declarations compile under the strictest settings", () => {
    expect(inPackage()).toEqual({});
  });

  test("an ES module consumer compiles under the strictest settings and runs", () => {
    expect(errors["esm.mts"]).toBeUndefined();
    expect(project.node(["build/esm.mjs"])).toMatchObject({ status: 0, stdout: `${expected}\n` });
  });

  test("a CommonJS consumer compiles under the strictest settings and runs", () => {
    expect(errors["cjs.cts"]).toBeUndefined();
    expect(project.node(["build/cjs.cjs"])).toMatchObject({ status: 0, stdout: `${expected}\n` });
  });

  test("nothing else the consumer compiles has errors", () => {
    expect(errors).toEqual({});
  });
});

describe("the matchers for a TypeScript consumer", () => {
  test("Jest's global expect has them", () => {
    expect(errors["jest-global.mts"]).toBeUndefined();
  });

  test("the expect imported from @jest/globals has them", () => {
    expect(errors["jest-globals.cts"]).toBeUndefined();
    expect(errors["jest-globals.mts"]).toBeUndefined();
  });

  test("they register with @jest/globals' expect when Jest injects no globals", () => {
    const jest = project.node([join(modules, "jest", "bin", "jest.js"), "--rootDir", "build", "--injectGlobals", "false", "--ci", "--no-cache", "--testMatch", "**/jest-globals.cjs"]);
    expect(jest.stderr).toMatch(/✓ @jest\/globals' expect/);
    expect(jest.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(jest.status).toBe(0);
  });

  test("Vitest's expect has them (parlel-batch/vitest)", () => {
    expect(errors["matchers.test.mts"]).toBeUndefined();
    expect(errors["vitest-commonjs.cts"]).toBeUndefined();
  });

  test("they pass and fail as they should under Vitest", () => {
    const vitest = project.node([join(modules, "vitest", "vitest.mjs"), "run", "matchers.test.mts", "--reporter", "verbose", "--no-color"]);
    expect(vitest.stdout).toMatch(/✓ matchers\.test\.mts > vitest's expect/);
    expect(vitest.stdout).toMatch(/Tests\s+1 passed \(1\)/);
    expect(vitest.status).toBe(0);
  });
});

describe("installing the package", () => {
  test("runs no install scripts", () => {
    const lifecycle = ["preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare"];
    expect(Object.keys(project.packedManifest.scripts ?? {}).filter((name) => lifecycle.includes(name))).toEqual([]);
  });
});
