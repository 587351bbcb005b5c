import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();

// These run the built package (npm test builds first) the way consumers load it: by its name, through "exports".
describe("the package works for ESM and CommonJS consumers", () => {
  const scenario = `
    const batch = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, requestHandler: fake });
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "j", jobQueue: "jq", jobDefinition: "echo" }));
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    console.log(jobs[0].status);`;

  test("import from ESM", () => {
    const script = `import { fakeBatch } from "parlel-batch";
      import { BatchClient, SubmitJobCommand, DescribeJobsCommand } from "@aws-sdk/client-batch";
      const fake = fakeBatch();
      ${scenario}`;
    expect(run(["--no-warnings", "--input-type=module", "-e", script])).toBe("SUCCEEDED");
  });

  test("require from CommonJS", () => {
    const script = `const { fakeBatch } = require("parlel-batch");
      const { BatchClient, SubmitJobCommand, DescribeJobsCommand } = require("@aws-sdk/client-batch");
      (async () => { const fake = fakeBatch(); ${scenario} })();`;
    expect(run(["--no-warnings", "-e", script])).toBe("SUCCEEDED");
  });

  test("the jest subpath resolves from both", () => {
    expect(run(["--no-warnings", "-e", `console.log(Object.keys(require("parlel-batch/jest").matchers).length)`])).toBe("8");
    expect(run(["--no-warnings", "--input-type=module", "-e", `import { matchers } from "parlel-batch/jest"; console.log(Object.keys(matchers).length)`])).toBe("8");
  });
});

describe("the built package", () => {
  test("never loads @aws-sdk/client-cloudwatch-logs, an optional peer dependency", () => {
    const script = `
      const Module = require("node:module");
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request.startsWith("@aws-sdk/client-cloudwatch-logs")) throw new Error("loaded " + request);
        return load.call(this, request, ...rest);
      };
      const { fakeBatch } = require("parlel-batch");
      require("parlel-batch/jest");
      const fake = fakeBatch();
      fake.handle({ method: "POST", path: "/", headers: { "x-amz-target": "Logs_20140328.DescribeLogGroups" }, body: "{}" })
        .then(({ response }) => console.log(response.statusCode, Buffer.from(response.body).toString()));`;
    expect(run(["--no-warnings", "-e", script])).toBe('200 {"logGroups":[]}');
  });
});
