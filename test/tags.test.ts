import {
  ClientException,
  CreateComputeEnvironmentCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  BatchClient,
} from "@aws-sdk/client-batch";
import { failure, setup } from "./helpers";

const CE_ARN = "arn:aws:batch:us-east-1:000000000000:compute-environment/ce";
const JD_ARN = "arn:aws:batch:us-east-1:000000000000:job-definition/jd:1";

async function createComputeEnvironment(batch: BatchClient, tags?: Record<string, string>): Promise<void> {
  await batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: "ce",
      type: "MANAGED",
      computeResources: { type: "EC2", maxvCpus: 4, subnets: ["subnet-1"], instanceRole: "ecsInstanceRole", minvCpus: 0, instanceTypes: ["optimal"] },
      tags,
    }),
  );
}

async function registerJobDefinition(batch: BatchClient, tags?: Record<string, string>): Promise<void> {
  await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "jd", type: "container", containerProperties: { image: "busybox", vcpus: 1, memory: 128 }, tags }));
}

const listTags = async (batch: BatchClient, resourceArn: string) => (await batch.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

/** Records the path and query of every request the SDK puts on the wire. */
function captureWire(batch: BatchClient): { method: string; path: string; query: unknown }[] {
  const seen: { method: string; path: string; query: unknown }[] = [];
  batch.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method: string; path: string; query: unknown };
      seen.push({ method: request.method, path: request.path, query: request.query });
      return next(args);
    },
    { step: "finalizeRequest" },
  );
  return seen;
}

describe("tags on a compute environment", () => {
  test("TagResource adds and overwrites tags, which ListTagsForResource and Describe both show", async () => {
    const { batch } = setup();
    await createComputeEnvironment(batch, { team: "a" });
    expect(await listTags(batch, CE_ARN)).toEqual({ team: "a" });
    const tagged = await batch.send(new TagResourceCommand({ resourceArn: CE_ARN, tags: { team: "b", "cost center": "42" } }));
    expect(tagged.$metadata.httpStatusCode).toBe(200);
    expect(await listTags(batch, CE_ARN)).toEqual({ team: "b", "cost center": "42" });
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: ["ce"] }));
    expect(computeEnvironments![0].tags).toEqual({ team: "b", "cost center": "42" });
  });

  test("UntagResource removes several keys, one with a space, and ignores keys the resource lacks", async () => {
    const { batch } = setup();
    await createComputeEnvironment(batch, { team: "a", "cost center": "42", keep: "me" });
    await batch.send(new UntagResourceCommand({ resourceArn: CE_ARN, tagKeys: ["team", "cost center", "never-set"] }));
    expect(await listTags(batch, CE_ARN)).toEqual({ keep: "me" });
    const { computeEnvironments } = await batch.send(new DescribeComputeEnvironmentsCommand({}));
    expect(computeEnvironments![0].tags).toEqual({ keep: "me" });
  });

  test("a resource without tags lists an empty map", async () => {
    const { batch } = setup();
    await createComputeEnvironment(batch);
    expect(await listTags(batch, CE_ARN)).toEqual({});
  });
});

describe("tags on a job definition", () => {
  test("are set at registration, changed through the revision's ARN, and shown by DescribeJobDefinitions", async () => {
    const { batch } = setup();
    await registerJobDefinition(batch, { stage: "dev" });
    await registerJobDefinition(batch);
    await batch.send(new TagResourceCommand({ resourceArn: JD_ARN, tags: { owner: "me" } }));
    await batch.send(new UntagResourceCommand({ resourceArn: JD_ARN, tagKeys: ["stage"] }));
    expect(await listTags(batch, JD_ARN)).toEqual({ owner: "me" });
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "jd" }));
    // Tags belong to one revision: revision 2 keeps its own (empty) tags.
    expect(jobDefinitions!.map((jd) => jd.tags)).toEqual([{ owner: "me" }, {}]);
  });

  test("an ARN without a revision names no taggable resource", async () => {
    const { batch } = setup();
    await registerJobDefinition(batch);
    const error = await failure(batch.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:batch:us-east-1:000000000000:job-definition/jd" })));
    expect(error.message).toBe("Resource arn:aws:batch:us-east-1:000000000000:job-definition/jd cannot be tagged: a job definition ARN must end with its revision.");
  });
});

describe("the tag routes on the wire", () => {
  test("the SDK percent-encodes the ARN into the path and repeats tagKeys, and the fake decodes both", async () => {
    const { fake, batch } = setup();
    await createComputeEnvironment(batch, { a: "1", "b c": "2", d: "3" });
    const wire = captureWire(batch);
    await batch.send(new TagResourceCommand({ resourceArn: CE_ARN, tags: { e: "4" } }));
    await batch.send(new UntagResourceCommand({ resourceArn: CE_ARN, tagKeys: ["a", "b c"] }));
    expect(await listTags(batch, CE_ARN)).toEqual({ d: "3", e: "4" });
    const encoded = "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A000000000000%3Acompute-environment%2Fce";
    expect(wire.map(({ method, path }) => `${method} ${path}`)).toEqual([`POST ${encoded}`, `DELETE ${encoded}`, `GET ${encoded}`]);
    expect(wire[1].query).toEqual({ tagKeys: ["a", "b c"] });
    const untag = fake.requests.find((request) => request.operation === "UntagResource");
    expect(untag?.input).toEqual({ resourceArn: CE_ARN, tagKeys: ["a", "b c"] });
  });
});

describe("tag errors", () => {
  test("unknown, foreign, malformed and child-job ARNs are ClientExceptions", async () => {
    const { batch } = setup();
    await createComputeEnvironment(batch);
    const cases: [string, string][] = [
      ["arn:aws:batch:us-east-1:000000000000:job-queue/nope", "Resource arn:aws:batch:us-east-1:000000000000:job-queue/nope not found."],
      ["arn:aws:batch:eu-west-1:000000000000:compute-environment/ce", "Resource arn:aws:batch:eu-west-1:000000000000:compute-environment/ce not found."],
      ["arn:aws:batch:us-east-1:111111111111:compute-environment/ce", "Resource arn:aws:batch:us-east-1:111111111111:compute-environment/ce not found."],
      ["arn:aws:s3:::bucket/key", "Resource arn:aws:s3:::bucket/key not found."],
      ["not-an-arn", "not-an-arn is not a valid ARN."],
      [
        "arn:aws:batch:us-east-1:000000000000:job/0b9c1a1e-1111-4222-8333-444455556666:3",
        "Resource arn:aws:batch:us-east-1:000000000000:job/0b9c1a1e-1111-4222-8333-444455556666:3 cannot be tagged: child jobs of array and multi-node parallel jobs are not taggable.",
      ],
      [
        "arn:aws:batch:us-east-1:000000000000:job/0b9c1a1e-1111-4222-8333-444455556666#1",
        "Resource arn:aws:batch:us-east-1:000000000000:job/0b9c1a1e-1111-4222-8333-444455556666#1 cannot be tagged: child jobs of array and multi-node parallel jobs are not taggable.",
      ],
    ];
    for (const [resourceArn, message] of cases) {
      for (const command of [
        new ListTagsForResourceCommand({ resourceArn }),
        new TagResourceCommand({ resourceArn, tags: { a: "1" } }),
        new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }),
      ]) {
        const error = await failure(batch.send(command as ListTagsForResourceCommand));
        expect(error).toBeInstanceOf(ClientException);
        expect(error.$metadata?.httpStatusCode).toBe(400);
        expect(error.message).toBe(message);
      }
    }
  });

  test("a resource in another region of the same account is not found from this region", async () => {
    const { fake } = setup();
    const east = new BatchClient({ region: "us-east-1", credentials: { accessKeyId: "k", secretAccessKey: "s" }, requestHandler: fake });
    const west = new BatchClient({ region: "us-west-2", credentials: { accessKeyId: "k", secretAccessKey: "s" }, requestHandler: fake });
    await createComputeEnvironment(east, { a: "1" });
    expect((await failure(west.send(new ListTagsForResourceCommand({ resourceArn: CE_ARN })))).message).toBe(`Resource ${CE_ARN} not found.`);
  });

  test("bad tag maps and key lists are refused, and a failed call changes no tag", async () => {
    const { batch } = setup();
    const start = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
    await createComputeEnvironment(batch, start);
    const refused = async (command: TagResourceCommand | UntagResourceCommand) => (await failure(batch.send(command as TagResourceCommand))).message;
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: {} }))).toBe("tags must have between 1 and 50 entries, got 0.");
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: { new1: "v", new2: "v" } }))).toBe(`Resource ${CE_ARN} would have 51 tags; a resource can have at most 50.`);
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: { "aws:x": "v" } }))).toBe("tags: the tag key aws:x uses the reserved prefix aws:.");
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: { ["k".repeat(129)]: "v" } }))).toMatch(/^tags: a tag key must have 1 to 128 characters/);
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: { long: "v".repeat(257) } }))).toBe("tags.long: a tag value can have at most 256 characters.");
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`n${i}`, "v"]));
    expect(await refused(new TagResourceCommand({ resourceArn: CE_ARN, tags: tooMany }))).toBe("tags can have at most 50 entries, got 51.");
    expect(await refused(new UntagResourceCommand({ resourceArn: CE_ARN, tagKeys: [] }))).toBe("tagKeys must have between 1 and 50 entries, got 0.");
    expect(await refused(new UntagResourceCommand({ resourceArn: CE_ARN, tagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }))).toBe("tagKeys must have between 1 and 50 entries, got 51.");
    expect(await refused(new UntagResourceCommand({ resourceArn: CE_ARN, tagKeys: ["k0", "aws:x"] }))).toBe("tagKeys: the tag key aws:x uses the reserved prefix aws:.");
    expect(await listTags(batch, CE_ARN)).toEqual(start);
    // Overwriting an existing key keeps the count at 49 + 1 = 50, which is allowed.
    await batch.send(new TagResourceCommand({ resourceArn: CE_ARN, tags: { k0: "changed", last: "v" } }));
    expect(Object.keys((await listTags(batch, CE_ARN))!)).toHaveLength(50);
  });
});
