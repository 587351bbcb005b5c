import { inFreshNode } from "./heap";

// Memory a user would notice: what a long-lived fake keeps on its heap after garbage collection. Each
// scenario runs in a fresh `node --expose-gc`, so nothing Jest holds is counted.

describe("memory", () => {
  test("expired jobs are freed everywhere they were indexed: 50,000 submitted and expired keep under 100 B each", async () => {
    const result = await inFreshNode<{ perJob: number; listed: number; described: number }>(`
      const fake = fakeBatch({ clock: "manual", jobRetentionMs: 1 });
      await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
      const call = (operation, input) => fake.service.call(operation, input, fake.defaultPartition, "request", { record: false });
      const submit = async (count) => {
        const ids = [];
        for (let i = 0; i < count; i++) ids.push((await call("SubmitJob", { jobName: "j" + i, jobQueue: "jq", jobDefinition: "work" })).jobId);
        await fake.advance(10);
        return ids;
      };
      await submit(2000);
      const before = heap();
      const ids = await submit(50000);
      const listed = (await call("ListJobs", { jobQueue: "jq", jobStatus: "SUCCEEDED" })).jobSummaryList.length;
      const described = (await call("DescribeJobs", { jobs: ids.splice(0).slice(0, 100) })).jobs.length;
      return { perJob: (heap() - before) / 50000, listed, described };
    `);
    expect(result).toMatchObject({ listed: 0, described: 0 });
    expect(result.perJob).toBeLessThan(100);
  }, 180_000);

  /** A fake with `jobs` finished jobs in queue jq, and `describe()`, which records a DescribeJobs of all of them. */
  const describing = (options: string, jobs: number) => `
    const fake = fakeBatch(${options});
    await fake.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    const call = (operation, input) => fake.service.call(operation, input, fake.defaultPartition, "request");
    const ids = [];
    for (let i = 0; i < ${jobs}; i++) ids.push((await call("SubmitJob", { jobName: "j" + i, jobQueue: "jq", jobDefinition: "work" })).jobId);
    const describe = async (times) => { for (let i = 0; i < times; i++) await call("DescribeJobs", { jobs: ids }); };
  `;

  test("reading the log costs what it returns: filtering 5,000 recorded DescribeJobs of 20 jobs, in-process and over HTTP, keeps nothing", async () => {
    const result = await inFreshNode<{ grown: number; found: number; served: number; status: number }>(`
      ${describing("{}", 20)}
      await describe(5000);
      const before = heap();
      const found = fake.requests.filter((r) => r.operation === "ListJobs").length + fake.requests.filter((r) => r.operation === "SubmitJob").length;
      const server = await fake.listen({ port: 0 });
      const answer = await fetch(server.url + "/_parlel/requests?operation=ListJobs");
      const served = (await answer.json()).requests.length;
      await server.close();
      return { grown: heap() - before, found, served, status: answer.status };
    `);
    expect(result).toMatchObject({ found: 20, served: 0, status: 200 });
    // Before, each read element kept a copy of its output: some 200 MB here.
    expect(result.grown).toBeLessThan(4 * 1024 * 1024);
  }, 180_000);

  test("the log is bounded by recordRequests: 20,000 more DescribeJobs calls past the limit keep under 16 B each", async () => {
    const result = await inFreshNode<{ perCall: number; kept: number }>(`
      ${describing("{ recordRequests: 1000 }", 20)}
      await describe(2000);
      const before = heap();
      await describe(20000);
      return { perCall: (heap() - before) / 20000, kept: fake.requests.length };
    `);
    expect(result.kept).toBe(1000);
    expect(result.perCall).toBeLessThan(16);
  }, 180_000);
});
