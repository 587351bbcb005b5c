import { DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { expect as jestGlobalsExpect } from "@jest/globals";
import "../src/jest";
import { setup } from "./helpers";

describe("Jest matchers named like aws-sdk-client-mock's", () => {
  test("assert on the commands the fake received", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    expect(fake).not.toHaveReceivedAnyCommand();
    const { jobId } = await batch.send(new SubmitJobCommand({ jobName: "a", jobQueue: "jq", jobDefinition: "echo" }));
    await batch.send(new SubmitJobCommand({ jobName: "b", jobQueue: "jq", jobDefinition: "echo" }));
    await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }));

    expect(fake).toHaveReceivedAnyCommand();
    expect(fake).toHaveReceivedCommand(SubmitJobCommand);
    expect(fake).toHaveReceivedCommandTimes(SubmitJobCommand, 2);
    expect(fake).toHaveReceivedCommandOnce(DescribeJobsCommand);
    expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobQueue: "jq" });
    expect(fake).toHaveReceivedCommandExactlyOnceWith(SubmitJobCommand, { jobName: "b" });
    expect(fake).toHaveReceivedNthCommandWith(3, DescribeJobsCommand, { jobs: [jobId!] });
    expect(fake).toHaveReceivedNthSpecificCommandWith(2, SubmitJobCommand, { jobName: "b" });
    expect(fake).not.toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "c" });
  });

  test("the expect imported from @jest/globals has them, and inputs may hold asymmetric matchers", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    await batch.send(new SubmitJobCommand({ jobName: "nightly-1", jobQueue: "jq", jobDefinition: "echo", parameters: { day: "mon" } }));
    jestGlobalsExpect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: jestGlobalsExpect.stringMatching(/^nightly-/), parameters: { day: "mon" } });
    jestGlobalsExpect(fake).not.toHaveReceivedCommandWith(SubmitJobCommand, { jobName: jestGlobalsExpect.stringMatching(/^daily-/) });
    // Members match whole, as expect.objectContaining compares them.
    jestGlobalsExpect(fake).not.toHaveReceivedCommandWith(SubmitJobCommand, { parameters: {} });
  });

  test("a failing assertion lists what the fake did receive", async () => {
    const { fake, batch } = setup();
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["echo"] });
    await batch.send(new SubmitJobCommand({ jobName: "a", jobQueue: "jq", jobDefinition: "echo" }));
    expect(() => expect(fake).toHaveReceivedCommandWith(SubmitJobCommand, { jobName: "zzz" })).toThrow(/SubmitJob .*"jobName": "a"/s);
  });

  test("recorded requests hold the operation, the input and the output or error", async () => {
    const { fake, batch } = setup();
    await batch.send(new DescribeJobsCommand({ jobs: ["x"] }));
    await batch.send(new SubmitJobCommand({ jobName: "a", jobQueue: "none", jobDefinition: "echo" })).catch(() => undefined);
    expect(fake.requests.map(({ operation, input, output, error }) => ({ operation, input, output, error }))).toEqual([
      { operation: "DescribeJobs", input: { jobs: ["x"] }, output: { jobs: [] }, error: undefined },
      { operation: "SubmitJob", input: { jobName: "a", jobQueue: "none", jobDefinition: "echo" }, output: undefined, error: { type: "ClientException", message: "JobQueue none not found." } },
    ]);
    fake.reset();
    expect(fake.requests).toEqual([]);
  });
});
