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
});
