import {
  BatchClient,
  ClientException,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  CreateSchedulingPolicyCommand,
  DeleteSchedulingPolicyCommand,
  DescribeSchedulingPoliciesCommand,
  type FairsharePolicy,
  ListSchedulingPoliciesCommand,
  UpdateSchedulingPolicyCommand,
  paginateListSchedulingPolicies,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const policyArn = (name: string) => `arn:aws:batch:us-east-1:000000000000:scheduling-policy/${name}`;

const fairshare = (name: string, fairsharePolicy?: FairsharePolicy, tags?: Record<string, string>) =>
  new CreateSchedulingPolicyCommand({ name, fairsharePolicy, tags });

async function describe1(batch: BatchClient, name: string) {
  const { schedulingPolicies } = await batch.send(new DescribeSchedulingPoliciesCommand({ arns: [policyArn(name)] }));
  return schedulingPolicies![0];
}

async function policyNames(batch: BatchClient): Promise<string[]> {
  const { schedulingPolicies } = await batch.send(new ListSchedulingPoliciesCommand({}));
  return schedulingPolicies!.map((policy) => policy.arn!.split("/").pop()!);
}

/** An error from CreateSchedulingPolicy for a fair-share policy, and proof that nothing was created. */
async function rejected(batch: BatchClient, fairsharePolicy: FairsharePolicy): Promise<string> {
  const error = await failure(batch.send(fairshare("rejected", fairsharePolicy)));
  expect(error).toBeInstanceOf(ClientException);
  expect(await policyNames(batch)).not.toContain("rejected");
  return error.message;
}

describe("CreateSchedulingPolicy and DescribeSchedulingPolicies", () => {
  test("creates a fair-share policy; describe returns it with defaults filled in", async () => {
    const { batch } = setup();
    const created = await batch.send(
      fairshare("fair", { shareDecaySeconds: 3600, shareDistribution: [{ shareIdentifier: "teamA*", weightFactor: 0.5 }, { shareIdentifier: "teamB" }] }, { env: "test" }),
    );
    expect(created).toMatchObject({ name: "fair", arn: policyArn("fair") });
    expect(await describe1(batch, "fair")).toEqual({
      name: "fair",
      arn: policyArn("fair"),
      fairsharePolicy: {
        shareDecaySeconds: 3600,
        computeReservation: 0,
        shareDistribution: [
          { shareIdentifier: "teamA*", weightFactor: 0.5 },
          { shareIdentifier: "teamB", weightFactor: 1 },
        ],
      },
      tags: { env: "test" },
    });
  });

  test("a policy with neither type is a default fair-share policy; a quota share policy is kept as given", async () => {
    const { batch } = setup();
    await batch.send(new CreateSchedulingPolicyCommand({ name: "plain" }));
    await batch.send(new CreateSchedulingPolicyCommand({ name: "quota", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }));
    expect(await describe1(batch, "plain")).toMatchObject({ fairsharePolicy: { shareDecaySeconds: 0, computeReservation: 0, shareDistribution: [] } });
    const quota = await describe1(batch, "quota");
    expect(quota.quotaSharePolicy).toEqual({ idleResourceAssignmentStrategy: "FIFO" });
    expect(quota.fairsharePolicy).toBeUndefined();
  });

  test("names, tags, duplicates and both policy types at once are refused", async () => {
    const { batch } = setup();
    expect((await failure(batch.send(fairshare("bad name")))).message).toBe("Provided name bad name is not supported pattern[a-zA-Z_0-9-]{1,128}");
    expect((await failure(batch.send(fairshare("t", {}, { "aws:x": "y" })))).message).toMatch(/reserved prefix aws:/);
    const both = await failure(
      batch.send(new CreateSchedulingPolicyCommand({ name: "both", fairsharePolicy: {}, quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } })),
    );
    expect(both.message).toBe("Only one of fairsharePolicy or quotaSharePolicy can be set.");
    await batch.send(fairshare("dup"));
    const duplicate = await failure(batch.send(fairshare("dup", { computeReservation: 10 })));
    expect(duplicate).toBeInstanceOf(ClientException);
    expect(duplicate.message).toBe("Object already exists");
    expect(await policyNames(batch)).toEqual(["dup"]);
    expect((await describe1(batch, "dup")).fairsharePolicy!.computeReservation).toBe(0);
  });

  test("fair-share settings are range-checked", async () => {
    const { batch } = setup();
    expect(await rejected(batch, { shareDecaySeconds: 604_801 })).toBe("fairsharePolicy.shareDecaySeconds must be an integer between 0 and 604800, got 604801.");
    expect(await rejected(batch, { shareDecaySeconds: -1 })).toMatch(/shareDecaySeconds must be an integer between 0 and 604800/);
    expect(await rejected(batch, { computeReservation: 100 })).toBe("fairsharePolicy.computeReservation must be an integer between 0 and 99, got 100.");
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "a", weightFactor: 0.00001 }] })).toBe(
      "fairsharePolicy.shareDistribution[0].weightFactor must be between 0.0001 and 999.9999, got 0.00001.",
    );
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "a", weightFactor: 1000 }] })).toMatch(/weightFactor must be between 0.0001 and 999.9999, got 1000/);
    await batch.send(fairshare("edges", { shareDecaySeconds: 604_800, computeReservation: 99, shareDistribution: [{ shareIdentifier: "a", weightFactor: 0.0001 }, { shareIdentifier: "b", weightFactor: 999.9999 }] }));
    expect((await describe1(batch, "edges")).fairsharePolicy!.shareDistribution!.map((share) => share.weightFactor)).toEqual([0.0001, 999.9999]);
  });

  test("share identifiers are alphanumeric with an optional trailing *, unique, and may not overlap", async () => {
    const { batch } = setup();
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "team-a" }] })).toBe(
      "fairsharePolicy.shareDistribution[0].shareIdentifier team-a is not valid: it must be 1 to 255 alphanumeric characters, optionally followed by *.",
    );
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "a".repeat(256) }] })).toMatch(/must be 1 to 255 alphanumeric characters/);
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "a*b" }] })).toMatch(/a\*b is not valid/);
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "x" }, { shareIdentifier: "x" }] })).toBe(
      "fairsharePolicy.shareDistribution lists the share identifier x more than once.",
    );
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "UserA1" }, { shareIdentifier: "UserA*" }] })).toBe(
      "fairsharePolicy.shareDistribution share identifiers UserA* and UserA1 overlap; share identifiers can't overlap.",
    );
    expect(await rejected(batch, { shareDistribution: [{ shareIdentifier: "User*" }, { shareIdentifier: "UserB*" }] })).toMatch(/User\* and UserB\* overlap/);
    await batch.send(fairshare("ok", { shareDistribution: [{ shareIdentifier: "UserA*" }, { shareIdentifier: "UserB1" }, { shareIdentifier: "a".repeat(255) }] }));
    expect(await policyNames(batch)).toEqual(["ok"]);
  });

  test("describe takes ARNs only, keeps request order, leaves unknown ones out and refuses more than 100", async () => {
    const { batch } = setup();
    await batch.send(fairshare("one"));
    await batch.send(fairshare("two"));
    const { schedulingPolicies } = await batch.send(
      new DescribeSchedulingPoliciesCommand({ arns: [policyArn("two"), "one", policyArn("missing"), policyArn("one"), policyArn("two")] }),
    );
    expect(schedulingPolicies!.map((policy) => policy.name)).toEqual(["two", "one"]);
    expect((await batch.send(new DescribeSchedulingPoliciesCommand({ arns: [] }))).schedulingPolicies).toEqual([]);
    const tooMany = await failure(batch.send(new DescribeSchedulingPoliciesCommand({ arns: Array.from({ length: 101 }, (_, i) => policyArn(`p${i}`)) })));
    expect(tooMany.message).toBe("arns can have at most 100 entries, got 101.");
    const missing = await failure(batch.send(new DescribeSchedulingPoliciesCommand({} as never)));
    expect(missing.message).toBe("arns must be specified.");
  });

  test("policies of another region are not visible", async () => {
    const { fake, batch } = setup();
    const west = new BatchClient({ region: "us-west-2", credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, requestHandler: fake });
    const { arn } = await west.send(fairshare("west"));
    expect(arn).toBe("arn:aws:batch:us-west-2:000000000000:scheduling-policy/west");
    expect((await batch.send(new DescribeSchedulingPoliciesCommand({ arns: [arn!] }))).schedulingPolicies).toEqual([]);
    expect(await policyNames(batch)).toEqual([]);
  });
});

describe("ListSchedulingPolicies", () => {
  test("returns only ARNs, in creation order, a page at a time", async () => {
    const { batch } = setup();
    const names = ["p0", "p1", "p2", "p3", "p4"];
    for (const name of names) await batch.send(fairshare(name, { computeReservation: 5 }));
    const first = await batch.send(new ListSchedulingPoliciesCommand({ maxResults: 2 }));
    expect(first.schedulingPolicies).toEqual([{ arn: policyArn("p0") }, { arn: policyArn("p1") }]);
    expect(first.nextToken).toBeTruthy();
    const second = await batch.send(new ListSchedulingPoliciesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.schedulingPolicies).toEqual([{ arn: policyArn("p2") }, { arn: policyArn("p3") }]);
    const arns: string[] = [];
    for await (const page of paginateListSchedulingPolicies({ client: batch, pageSize: 2 }, {})) {
      arns.push(...page.schedulingPolicies!.map((policy) => policy.arn!));
    }
    expect(arns).toEqual(names.map(policyArn));
  });

  test("maxResults must be 1 to 100, and a foreign token is refused", async () => {
    const { batch } = setup();
    expect((await failure(batch.send(new ListSchedulingPoliciesCommand({ maxResults: 0 })))).message).toBe("maxResults must be an integer between 1 and 100, got 0.");
    expect((await failure(batch.send(new ListSchedulingPoliciesCommand({ maxResults: 101 })))).message).toMatch(/between 1 and 100, got 101/);
    expect((await failure(batch.send(new ListSchedulingPoliciesCommand({ nextToken: "garbage" })))).message).toMatch(/^Invalid nextToken garbage/);
  });
});

describe("UpdateSchedulingPolicy", () => {
  test("replaces the fair-share settings and returns an empty response", async () => {
    const { batch } = setup();
    await batch.send(fairshare("fair", { shareDecaySeconds: 100, computeReservation: 10, shareDistribution: [{ shareIdentifier: "a" }] }));
    const output = await batch.send(new UpdateSchedulingPolicyCommand({ arn: policyArn("fair"), fairsharePolicy: { computeReservation: 20, shareDistribution: [{ shareIdentifier: "b*", weightFactor: 2 }] } }));
    expect(Object.keys(output)).toEqual(["$metadata"]);
    expect((await describe1(batch, "fair")).fairsharePolicy).toEqual({ shareDecaySeconds: 0, computeReservation: 20, shareDistribution: [{ shareIdentifier: "b*", weightFactor: 2 }] });
  });

  test("cannot switch policy type, takes ARNs only, and a refused update changes nothing", async () => {
    const { batch } = setup();
    await batch.send(fairshare("fair", { computeReservation: 10 }));
    await batch.send(new CreateSchedulingPolicyCommand({ name: "quota", quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } }));
    const toQuota = await failure(batch.send(new UpdateSchedulingPolicyCommand({ arn: policyArn("fair"), quotaSharePolicy: { idleResourceAssignmentStrategy: "FIFO" } })));
    expect(toQuota.message).toBe(`SchedulingPolicy ${policyArn("fair")} is a fair-share policy; it cannot be changed to a quota share policy.`);
    const toFair = await failure(batch.send(new UpdateSchedulingPolicyCommand({ arn: policyArn("quota"), fairsharePolicy: {} })));
    expect(toFair.message).toBe(`SchedulingPolicy ${policyArn("quota")} is a quota share policy; it cannot be changed to a fair-share policy.`);
    const byName = await failure(batch.send(new UpdateSchedulingPolicyCommand({ arn: "fair", fairsharePolicy: {} })));
    expect(byName.message).toBe("SchedulingPolicy fair does not exist");
    const outOfRange = await failure(batch.send(new UpdateSchedulingPolicyCommand({ arn: policyArn("fair"), fairsharePolicy: { computeReservation: 200 } })));
    expect(outOfRange.message).toMatch(/computeReservation must be an integer between 0 and 99/);
    expect((await describe1(batch, "fair")).fairsharePolicy!.computeReservation).toBe(10);
    expect((await describe1(batch, "quota")).fairsharePolicy).toBeUndefined();
  });
});

describe("DeleteSchedulingPolicy", () => {
  test("deletes an unused policy; a policy a job queue uses is refused", async () => {
    const { batch } = setup();
    await batch.send(fairshare("unused"));
    await batch.send(fairshare("used"));
    await batch.send(
      new CreateComputeEnvironmentCommand({ computeEnvironmentName: "ce", type: "MANAGED", computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["s"] } }),
    );
    await batch.send(new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, schedulingPolicyArn: policyArn("used"), computeEnvironmentOrder: [{ order: 1, computeEnvironment: "ce" }] }));
    expect(Object.keys(await batch.send(new DeleteSchedulingPolicyCommand({ arn: policyArn("unused") })))).toEqual(["$metadata"]);
    const inUse = await failure(batch.send(new DeleteSchedulingPolicyCommand({ arn: policyArn("used") })));
    expect(inUse).toBeInstanceOf(ClientException);
    expect(inUse.message).toBe(
      `Cannot delete, found existing JobQueue relationship: SchedulingPolicy ${policyArn("used")} is used by JobQueue arn:aws:batch:us-east-1:000000000000:job-queue/q`,
    );
    expect(await policyNames(batch)).toEqual(["used"]);
  });

  test("an unknown policy, or a bare name, is not found", async () => {
    const { batch } = setup();
    await batch.send(fairshare("p"));
    expect((await failure(batch.send(new DeleteSchedulingPolicyCommand({ arn: "p" })))).message).toBe("SchedulingPolicy p does not exist");
    expect((await failure(batch.send(new DeleteSchedulingPolicyCommand({ arn: policyArn("gone") })))).message).toBe(`SchedulingPolicy ${policyArn("gone")} does not exist`);
    expect(await policyNames(batch)).toEqual(["p"]);
  });
});
