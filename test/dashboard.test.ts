import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  BatchClient,
  CancelJobCommand,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  type JobStatus,
  type SubmitJobCommandInput,
} from "@aws-sdk/client-batch";
import { chromium, type Browser, type Page } from "playwright-core";
import { fakeBatch, type FakeBatch } from "../src";
import { DASHBOARD_LIMITS, dashboardState, WAITING_LANE, type DashboardState } from "../src/server/dashboard";
import type { RunningServer } from "../src/server/http-server";

/**
 * The dashboard in a real headless Chromium (Debian's `chromium` package; CHROMIUM_PATH overrides).
 * The fake runs on the manual clock, so the scenario is the same on every run; the page's own timers run
 * on Playwright's paused clock, so each "second" of polling happens exactly when the test says.
 *
 * Set DASHBOARD_SCREENSHOT=docs/dashboard.png to (re)write the README's screenshot.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const START = Date.UTC(2026, 2, 14, 9, 0, 0);
/** The browser's wall clock, fixed so the "updated at" text and the screenshot are the same every run. */
const WALL = Date.UTC(2026, 2, 14, 12, 0, 0);
const STATUSES: JobStatus[] = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
/**
 * Where the page clock is installed. An installed clock runs in real time until it is paused, and pausing can
 * only move it forward: installed a day before WALL, it is moved forward to WALL however long the machine
 * stalls between the two calls.
 */
const CLOCK_INSTALLED_AT = WALL - 24 * 60 * MINUTE;

jest.setTimeout(60_000);

let fake: FakeBatch;
let server: RunningServer;
let browser: Browser;
let page: Page;
let east: BatchClient;
let west: BatchClient;
const pageErrors: string[] = [];
const ids: Record<string, string> = {};

const client = (region: string, requestHandler: FakeBatch) =>
  new BatchClient({ region, credentials: { accessKeyId: "parlel", secretAccessKey: "parlel" }, requestHandler });

async function submit(batch: BatchClient, name: string, input: Partial<SubmitJobCommandInput>): Promise<string> {
  const { jobId } = await batch.send(new SubmitJobCommand({ jobName: name, jobQueue: "default", jobDefinition: "render-frame", ...input }));
  ids[name] = jobId!;
  return jobId!;
}

async function computeEnvironment(batch: BatchClient, name: string, type: "EC2" | "SPOT" | "FARGATE", maxvCpus: number) {
  const ec2 = type === "FARGATE" ? {} : { instanceRole: "ecsInstanceRole", minvCpus: 0, instanceTypes: ["optimal"], ...(type === "SPOT" ? { allocationStrategy: "SPOT_CAPACITY_OPTIMIZED" as const } : {}) };
  await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: name, type: "MANAGED", computeResources: { type, maxvCpus, subnets: ["subnet-1"], securityGroupIds: ["sg-1"], ...ec2 } }));
}

async function queue(batch: BatchClient, name: string, priority: number, environments: string[], state: "ENABLED" | "DISABLED" = "ENABLED") {
  await batch.send(new CreateJobQueueCommand({ jobQueueName: name, priority, state, computeEnvironmentOrder: environments.map((ce, i) => ({ order: i + 1, computeEnvironment: ce })) }));
}

async function definition(batch: BatchClient, name: string, vcpus: number, command: string[], extra: Record<string, unknown> = {}) {
  const resourceRequirements = [{ type: "VCPU" as const, value: String(vcpus) }, { type: "MEMORY" as const, value: String(2048 * vcpus) }];
  await batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: name, type: "container", containerProperties: { image: "public.ecr.aws/acme/worker:1.4", command, resourceRequirements }, ...extra }));
}

/**
 * A working morning on two regions: a nightly ETL that is retried after running out of memory, a render
 * array with failed frames and frames still rendering, thumbnails queued behind a small Fargate pool, a
 * finished warm-up array, a validation job that fails, a job waiting on the renders, a long training run.
 */
async function scenario() {
  await computeEnvironment(east, "ondemand-ec2", "EC2", 16);
  await computeEnvironment(east, "spot-ec2", "SPOT", 8);
  await computeEnvironment(east, "fargate", "FARGATE", 4);
  await queue(east, "high-priority", 100, ["ondemand-ec2"]);
  await queue(east, "default", 10, ["spot-ec2", "ondemand-ec2"]);
  await queue(east, "fargate-jobs", 5, ["fargate"]);
  await queue(east, "archive", 1, ["spot-ec2"], "DISABLED");
  await definition(east, "render-frame", 1, ["blender", "-b", "scene.blend", "--render-frame", "Ref::frame"], { parameters: { frame: "1" } });
  await definition(east, "etl-transform", 2, ["python", "etl.py", "--date", "Ref::date"], { retryStrategy: { attempts: 3 } });
  await definition(east, "train-model", 4, ["python", "train.py", "--epochs", "40"]);
  await definition(east, "thumbnail", 1, ["convert", "input.png", "-resize", "256x256", "thumb.png"], { platformCapabilities: ["FARGATE"] });
  await computeEnvironment(west, "eu-ondemand", "EC2", 8);
  await queue(west, "eu-default", 10, ["eu-ondemand"]);
  await definition(west, "s3-sync", 1, ["aws", "s3", "sync", "s3://acme-raw/", "/data"]);

  fake.onJob({ jobName: "etl-daily" }, (_job, attempt) =>
    attempt === 1
      ? { exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage", durationMs: 90 * SECOND, logs: ["loading 2026-03-13 partitions", "joining orders x customers", "Killed"] }
      : { durationMs: 3 * MINUTE, logs: ["loading 2026-03-13 partitions", "joining orders x customers (spill to disk)", "wrote 1,204,331 rows to s3://acme-warehouse/orders/2026-03-13/"] },
  );
  fake.onJob({ jobName: "frames" }, (job) =>
    [3, 7].includes(job.arrayIndex!)
      ? { exitCode: 1, durationMs: (job.arrayIndex! + 1) * MINUTE, logs: [`frame ${job.arrayIndex}: loading scene.blend`, `Error: frame ${job.arrayIndex}: missing texture wood_diffuse.png`] }
      : { durationMs: (job.arrayIndex! + 1) * MINUTE, logs: `frame ${job.arrayIndex}: rendered in ${job.arrayIndex! + 1}m` },
  );
  fake.onJob({ jobName: "warmup-cache" }, { durationMs: 30 * SECOND });
  fake.onJob({ jobName: "train-resnet" }, { durationMs: 40 * MINUTE });
  fake.onJob({ jobName: "thumbnails" }, (job) => ({ durationMs: 90 * SECOND, exitCode: [5, 6].includes(job.arrayIndex!) ? 2 : 0 }));
  fake.onJob({ jobName: "validate-input" }, { exitCode: 2, durationMs: 20 * SECOND, logs: ["Traceback (most recent call last):", '  File "validate.py", line 41, in <module>', "ValueError: column 'price' has 312 negative values"] });
  fake.onJob({ jobName: "eu-sync-archive" }, { durationMs: 2 * MINUTE });
  fake.onJob({ jobName: "eu-sync-live" }, { durationMs: 12 * MINUTE });

  await submit(east, "etl-daily", { jobQueue: "high-priority", jobDefinition: "etl-transform", parameters: { date: "2026-03-13" } });
  await submit(east, "frames", { arrayProperties: { size: 10 } });
  await submit(east, "train-resnet", { jobQueue: "high-priority", jobDefinition: "train-model" });
  await submit(west, "eu-sync-archive", { jobQueue: "eu-default", jobDefinition: "s3-sync" });
  await submit(west, "eu-sync-live", { jobQueue: "eu-default", jobDefinition: "s3-sync" });
  await fake.advance(1 * MINUTE);
  await submit(east, "warmup-cache", { jobQueue: "high-priority", arrayProperties: { size: 6 } });
  await fake.advance(1 * MINUTE);
  await submit(east, "thumbnails", { jobQueue: "fargate-jobs", jobDefinition: "thumbnail", arrayProperties: { size: 24 } });
  await fake.advance(1 * MINUTE);
  await submit(east, "validate-input", {});
  await submit(east, "aggregate-frames", { dependsOn: [{ jobId: ids.frames }] });
  await submit(east, "report-weekly", { jobQueue: "fargate-jobs", jobDefinition: "thumbnail" });
  await fake.advance(2.5 * MINUTE);
}

/** What ListJobs says, per status, for the top-level jobs of every queue and for an array's children. */
async function listedCounts(): Promise<{ jobs: Record<string, number>; children: Record<string, number> }> {
  const jobs: Record<string, number> = {};
  const children: Record<string, number> = {};
  for (const status of STATUSES) {
    jobs[status] = 0;
    children[status] = 0;
    for (const [batch, queues] of [[east, ["high-priority", "default", "fargate-jobs", "archive"]], [west, ["eu-default"]]] as const) {
      for (const jobQueue of queues) {
        const { jobSummaryList = [] } = await batch.send(new ListJobsCommand({ jobQueue, jobStatus: status }));
        jobs[status] += jobSummaryList.length;
      }
    }
    for (const array of ["frames", "warmup-cache", "thumbnails"]) {
      const { jobSummaryList = [] } = await east.send(new ListJobsCommand({ arrayJobId: ids[array], jobStatus: status }));
      children[status] += jobSummaryList.length;
    }
  }
  return { jobs, children };
}

async function shownCounts(): Promise<{ jobs: Record<string, number>; children: Record<string, number> }> {
  const cards = await page.locator("[data-status-count]").evaluateAll((elements) =>
    elements.map((card) => [card.getAttribute("data-status-count")!, Number(card.querySelector(".count-value")!.textContent), Number(card.getAttribute("data-children"))] as const),
  );
  return { jobs: Object.fromEntries(cards.map(([status, jobs]) => [status, jobs])), children: Object.fromEntries(cards.map(([status, , children]) => [status, children])) };
}

/** Waits (bounded) for the page to render a SUCCEEDED count. */
async function succeededShown(count: number) {
  await page.waitForFunction(`document.querySelector('[data-status-count="SUCCEEDED"] .count-value')?.textContent === "${count}"`, undefined, { timeout: 10_000 });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH).`);
  fake = fakeBatch({ clock: "manual", startTime: START, seed: "dashboard" });
  server = await fake.listen({ port: 0 });
  east = client("us-east-1", fake);
  west = client("eu-west-1", fake);
  await scenario();
  // chromium.launch gives each run a new, empty temporary profile (user-data-dir) and removes it on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.clock.install({ time: CLOCK_INSTALLED_AT });
  await page.clock.pauseAt(WALL);
  await page.goto(`${server.url}/_parlel/dashboard`);
  await page.waitForSelector("[data-status-count]");
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("dashboard", () => {
  test("GET /_parlel/dashboard is one self-contained HTML page", async () => {
    const response = await fetch(`${server.url}/_parlel/dashboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });

  test("shows every partition's job queues and compute environments with their state", async () => {
    expect(await page.locator("[data-partition]").evaluateAll((sections) => sections.map((s) => s.getAttribute("data-partition")))).toEqual(["000000000000/us-east-1", "000000000000/eu-west-1"]);
    const east = page.locator('[data-partition="000000000000/us-east-1"]');
    const queueRow = (name: string) => east.locator(`tr[data-queue="${name}"]`);
    expect(await queueRow("high-priority").locator(".q-state").textContent()).toBe("ENABLED");
    expect(await queueRow("high-priority").locator(".q-status").textContent()).toBe("VALID");
    expect(await queueRow("high-priority").locator(".q-priority").textContent()).toBe("100");
    expect(await queueRow("archive").locator(".q-state").textContent()).toBe("DISABLED");
    expect(await queueRow("default").locator(".q-ces .chip").allTextContents()).toEqual(["spot-ec2", "ondemand-ec2"]);
    // The queue's RUNNABLE column: 24 thumbnails on 4 Fargate vCPUs, and the weekly report behind them.
    expect(await queueRow("fargate-jobs").locator('.q-jobs [data-status="RUNNABLE"]').textContent()).toBe("13");

    const environment = (name: string) => east.locator(`tr[data-compute-environment="${name}"]`);
    expect(await environment("spot-ec2").locator(".ce-type").textContent()).toBe("MANAGED SPOT");
    expect(await environment("fargate").locator(".ce-state").textContent()).toBe("ENABLED");
    expect(await environment("fargate").locator(".ce-status").textContent()).toBe("VALID");
    expect(await environment("fargate").locator(".ce-max").textContent()).toBe("4");
    expect(await environment("fargate").locator(".ce-used").textContent()).toBe("4");
    // Frames 0-7 went to spot (8 vCPUs) and 8-9 spilled to on-demand; 5, 6 and 7 still render on spot,
    // and on-demand holds frames 8 and 9 beside the 4-vCPU training run.
    expect(await environment("spot-ec2").locator(".ce-used").textContent()).toBe("3");
    expect(await environment("ondemand-ec2").locator(".ce-used").textContent()).toBe("6");
    expect(await page.locator('[data-partition="000000000000/eu-west-1"] tr[data-compute-environment="eu-ondemand"] .ce-used').textContent()).toBe("1");
  });

  test("counts jobs by status as ListJobs does, with array children apart", async () => {
    const listed = await listedCounts();
    expect(await shownCounts()).toEqual(listed);
    // The scenario by hand: one job of each kind of ending, and the arrays' children.
    expect(listed.jobs).toEqual({ SUBMITTED: 0, PENDING: 3, RUNNABLE: 1, STARTING: 0, RUNNING: 2, SUCCEEDED: 3, FAILED: 1 });
    expect(listed.children).toEqual({ SUBMITTED: 0, PENDING: 0, RUNNABLE: 12, STARTING: 0, RUNNING: 9, SUCCEEDED: 16, FAILED: 3 });
  });

  test("each array job has a progress bar of its children: finished over size, a segment per status", async () => {
    const frames = page.locator(`.array[data-job-id="${ids.frames}"] [role="progressbar"]`);
    expect(await frames.getAttribute("aria-valuenow")).toBe("5");
    expect(await frames.getAttribute("aria-valuemax")).toBe("10");
    expect(await frames.getAttribute("aria-valuetext")).toBe("5 of 10 children finished (4 succeeded, 1 failed), 5 running");
    const segments = await frames.locator(".seg").evaluateAll((spans) => spans.map((s) => [s.getAttribute("data-status"), s.getAttribute("style")]));
    expect(segments).toEqual([["SUCCEEDED", "width:40.000%"], ["FAILED", "width:10.000%"], ["RUNNING", "width:50.000%"]]);
    expect(await page.locator(`.array[data-job-id="${ids.frames}"] .legend-item`).allTextContents()).toEqual(["SUCCEEDED 4", "FAILED 1", "RUNNING 5"]);
    const thumbnails = page.locator(`.array[data-job-id="${ids.thumbnails}"] [role="progressbar"]`);
    expect([await thumbnails.getAttribute("aria-valuenow"), await thumbnails.getAttribute("aria-valuemax")]).toEqual(["8", "24"]);
    const warmup = page.locator(`.array[data-job-id="${ids["warmup-cache"]}"]`);
    expect(await warmup.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("6");
    expect(await warmup.locator(".badge").textContent()).toBe("SUCCEEDED");
  });

  test("clicking a job opens its detail: history, attempts with exit codes, command and logs", async () => {
    await page.locator(`tr.job-row[data-job-id="${ids["etl-daily"]}"]`).click();
    const detail = page.locator("#detail");
    await detail.waitFor({ state: "visible" });
    expect(await detail.locator("#detail-title").textContent()).toBe("etl-daily");
    expect(await detail.locator(".command").textContent()).toBe("python etl.py --date 2026-03-13");
    const attempts = detail.locator("table.attempts tbody tr");
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(0).locator(".attempt-exit").textContent()).toBe("137");
    expect(await attempts.nth(0).locator(".attempt-reason").textContent()).toContain("OutOfMemoryError: Container killed due to memory usage");
    expect(await attempts.nth(0).locator("td").nth(1).textContent()).toBe("ondemand-ec2");
    expect(await attempts.nth(1).locator(".attempt-exit").textContent()).toBe("0");
    expect(await detail.locator('[data-field="status-reason"]').textContent()).toBe("Essential container in task exited");
    const history = await detail.locator("ol.history li").evaluateAll((items) => items.map((li) => [li.querySelector(".t")!.textContent, li.getAttribute("data-status")]));
    expect(history).toEqual([["09:00:00", "SUBMITTED"], ["09:00:00", "RUNNING"], ["09:01:30", "RUNNABLE"], ["09:01:30", "RUNNING"], ["09:04:30", "SUCCEEDED"]]);
    await detail.locator("pre.logs").waitFor();
    const etlLogs = (await detail.locator("pre.logs").textContent())!.split("\n");
    expect(etlLogs).toHaveLength(6);
    expect(etlLogs[2]).toBe("Killed");
    expect(etlLogs[5]).toBe("wrote 1,204,331 rows to s3://acme-warehouse/orders/2026-03-13/");

    // An array job's detail lists its children; a failed child shows its own exit code and logs.
    await page.locator(`.array[data-job-id="${ids.frames}"] [data-open]`).click();
    await detail.locator("table.children").waitFor();
    await detail.locator(`table.children tr[data-job-id="${ids.frames}:3"] [data-open]`).click();
    await page.waitForFunction(`document.querySelector("#detail .mono.muted")?.textContent === "${ids.frames}:3"`);
    expect(await detail.locator('[data-field="exit-code"]').textContent()).toBe("1");
    expect(await detail.locator('[data-field="status-reason"]').textContent()).toBe("Essential container in task exited");
    expect(await detail.locator(".command").textContent()).toBe("blender -b scene.blend --render-frame 1");
    await detail.locator("pre.logs").waitFor();
    expect(await detail.locator("pre.logs").textContent()).toBe("frame 3: loading scene.blend\nError: frame 3: missing texture wood_diffuse.png");

    await detail.locator("button.close").click();
    await detail.waitFor({ state: "hidden" });
  });

  test("the timeline has a lane per compute environment and a bar per attempt, coloured by outcome", async () => {
    const lanes = await page.locator("#timeline-chart g.lane").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-lane")));
    expect(lanes).toEqual([
      "000000000000/us-east-1/ondemand-ec2",
      "000000000000/us-east-1/spot-ec2",
      "000000000000/us-east-1/fargate",
      "000000000000/eu-west-1/eu-ondemand",
      "waiting",
    ]);
    const bars = (jobId: string) =>
      page.locator(`#timeline-chart g.bar[data-job-id="${jobId}"]`).evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-lane"), g.getAttribute("data-outcome")]));
    expect(await bars(ids["etl-daily"])).toEqual([
      ["000000000000/us-east-1/ondemand-ec2", "failed"],
      ["000000000000/us-east-1/ondemand-ec2", "succeeded"],
    ]);
    expect(await bars(`${ids.frames}:3`)).toEqual([["000000000000/us-east-1/spot-ec2", "failed"]]);
    expect(await bars(`${ids.frames}:9`)).toEqual([["000000000000/us-east-1/ondemand-ec2", "running"]]);
    expect(await bars(ids["report-weekly"])).toEqual([["waiting", "waiting"]]);
    const outcomes = await page.locator("#timeline-chart g.bar").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-outcome")));
    const tally = (outcome: string) => outcomes.filter((o) => o === outcome).length;
    // Every attempt so far: 2 ETL, 10 frames, 6 warm-ups, 12 thumbnails started, 1 validation, training, 2 syncs;
    // and the 12 thumbnails and the report still waiting for Fargate capacity.
    expect([tally("succeeded"), tally("failed"), tally("running"), tally("waiting")]).toEqual([18, 5, 11, 13]);
    // A thumbnail that waited for Fargate capacity shows its wait before its run.
    const waited = page.locator(`#timeline-chart g.bar[data-job-id="${ids.thumbnails}:11"]`);
    expect(await waited.locator("rect.wait").count()).toBe(1);
    expect(await waited.locator("rect.run.running").count()).toBe(1);

    const target = process.env.DASHBOARD_SCREENSHOT;
    if (target) {
      mkdirSync(dirname(target), { recursive: true });
      await page.evaluate("window.scrollTo(0, 0)");
      await page.screenshot({ path: target, fullPage: true, animations: "disabled" });
    }
  });

  test("live refresh: new jobs appear without a reload, and Pause stops the polling", async () => {
    // A marker on the window survives only if the page is never reloaded.
    await page.evaluate("window.beforeRefresh = true");
    const before = await shownCounts();
    for (const name of ["hotfix-1", "hotfix-2", "hotfix-3"]) await submit(east, name, { jobQueue: "high-priority" });
    await page.clock.runFor(1000);
    await succeededShown(before.jobs.SUCCEEDED + 3);
    expect(await page.locator("tr.job-row").first().locator("button").textContent()).toBe("hotfix-3");
    expect(await page.evaluate("window.beforeRefresh")).toBe(true);

    await page.locator("#pause").click();
    expect(await page.locator("#pause").getAttribute("aria-pressed")).toBe("true");
    const polls = await page.locator("#live").getAttribute("data-poll-count");
    await submit(east, "hotfix-4", { jobQueue: "high-priority" });
    await page.clock.runFor(5000);
    expect(await page.locator("#live").getAttribute("data-poll-count")).toBe(polls);
    expect(await page.locator('[data-status-count="SUCCEEDED"] .count-value').textContent()).toBe(String(before.jobs.SUCCEEDED + 3));

    await page.locator("#pause").click();
    await succeededShown(before.jobs.SUCCEEDED + 4);
    expect(await page.locator("#pause").getAttribute("aria-pressed")).toBe("false");
  });

  test("an open running job's log is followed live: new lines appear as the job writes them, fetched from where the page was", async () => {
    fake.onJob({ jobName: "tail-me" }, { durationMs: 10 * MINUTE, logs: ["epoch 1/3 loss=0.91", { message: "epoch 2/3 loss=0.52", afterMs: MINUTE }, { message: "epoch 3/3 loss=0.31", afterMs: 2 * MINUTE }] });
    const jobId = await submit(east, "tail-me", { jobQueue: "high-priority" });
    const logRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/logs")) logRequests.push(new URL(request.url()).search);
    });
    await page.clock.runFor(1000);
    const row = page.locator(`tr.job-row[data-job-id="${jobId}"]`);
    await row.waitFor();
    await row.click();
    const detail = page.locator("#detail");
    const shown = (text: string) => page.waitForFunction(`document.querySelector("#detail pre.logs")?.textContent === ${JSON.stringify(text)}`, undefined, { timeout: 10_000 });
    await shown("epoch 1/3 loss=0.91");
    expect(await detail.locator("[data-following]").count()).toBe(1);
    await fake.advance(MINUTE);
    await page.clock.runFor(1000);
    await shown("epoch 1/3 loss=0.91\nepoch 2/3 loss=0.52");
    // A line an executor appends through the state layer shows the same way.
    const { store, job } = fake.service.findJob(jobId)!;
    fake.service.engine.writeLog(store, job, "checkpoint saved to /tmp/ckpt-2");
    await page.clock.runFor(1000);
    await shown("epoch 1/3 loss=0.91\nepoch 2/3 loss=0.52\ncheckpoint saved to /tmp/ckpt-2");
    await fake.advance(9 * MINUTE);
    await page.clock.runFor(1000);
    await shown("epoch 1/3 loss=0.91\nepoch 2/3 loss=0.52\ncheckpoint saved to /tmp/ckpt-2\nepoch 3/3 loss=0.31");
    await page.waitForFunction(`!document.querySelector("#detail [data-following]")`, undefined, { timeout: 10_000 });
    // The same lines as fake.logs and the control endpoint; after the first read, only the new lines were asked for.
    expect(fake.logs(jobId)).toEqual(["epoch 1/3 loss=0.91", "epoch 2/3 loss=0.52", "checkpoint saved to /tmp/ckpt-2", "epoch 3/3 loss=0.31"]);
    expect(logRequests).toEqual(["", "?from=1", "?from=2", "?from=3"]);
    await detail.locator("button.close").click();
    await detail.waitFor({ state: "hidden" });
  });

  test("the page clock is paused at WALL even when the machine stalls between installing and pausing it", async () => {
    const stalled = await browser.newPage();
    try {
      await stalled.clock.install({ time: CLOCK_INSTALLED_AT });
      // The installed clock catches up with real time at least every 100 ms; a busy machine can stall this long.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await stalled.clock.pauseAt(WALL);
      expect(await stalled.evaluate("Date.now()")).toBe(WALL);
      await stalled.goto(`${server.url}/_parlel/dashboard`);
      expect(await stalled.evaluate("Date.now()")).toBe(WALL);
    } finally {
      await stalled.close();
    }
  });

  test("the page ran without script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});

describe("GET /_parlel/state", () => {
  test("is JSON with the fake's clock", async () => {
    const response = await fetch(`${server.url}/_parlel/state`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const state = (await response.json()) as DashboardState;
    expect(state.clock).toBe("manual");
    expect(state.now).toBe(fake.now());
  });

  test("stays bounded however many jobs there are: the newest jobs, the attempts that ended last", async () => {
    const local = fakeBatch({ clock: "manual", startTime: START });
    await local.provision({ jobQueues: ["jq"], jobDefinitions: ["work"] });
    const batch = client("us-east-1", local);
    const submitted: string[] = [];
    for (let i = 0; i < DASHBOARD_LIMITS.timelineAttempts + 20; i++) {
      const { jobId } = await batch.send(new SubmitJobCommand({ jobName: `job-${i}`, jobQueue: "jq", jobDefinition: "work" }));
      submitted.push(jobId!);
      await local.advance(SECOND);
    }
    for (let i = 0; i < DASHBOARD_LIMITS.arrayJobs + 2; i++) {
      await batch.send(new SubmitJobCommand({ jobName: `array-${i}`, jobQueue: "jq", jobDefinition: "work", arrayProperties: { size: 2 } }));
    }
    const state = dashboardState(local.service);
    expect(state.counts.jobs.SUCCEEDED).toBe(submitted.length + DASHBOARD_LIMITS.arrayJobs + 2);
    expect(state.jobs).toHaveLength(DASHBOARD_LIMITS.recentJobs);
    expect(state.jobs[0].jobName).toBe(`array-${DASHBOARD_LIMITS.arrayJobs + 1}`);
    expect(state.arrays.map((a) => a.jobName)).toEqual(Array.from({ length: DASHBOARD_LIMITS.arrayJobs }, (_, i) => `array-${DASHBOARD_LIMITS.arrayJobs + 1 - i}`));
    expect(state.timeline.bars).toHaveLength(DASHBOARD_LIMITS.timelineAttempts);
    expect(state.timeline.truncated).toBe(true);
    // The oldest attempts are the ones left out.
    const shown = new Set(state.timeline.bars.map((bar) => bar.jobId));
    expect(shown.has(submitted[0])).toBe(false);
    expect(shown.has(submitted[submitted.length - 1])).toBe(true);
  });

  test("status history: a cancelled job, a retry waiting for capacity, a job waiting on a dependency", async () => {
    const local = fakeBatch({ clock: "manual", startTime: START });
    await local.provision({ jobQueues: ["jq"], jobDefinitions: ["work"], maxvCpus: 1 });
    const batch = client("us-east-1", local);
    local.onJob({ jobName: "hog" }, { durationMs: 10 * MINUTE });
    local.onJob({ jobName: "flaky" }, (_job, attempt) => ({ exitCode: attempt === 1 ? 1 : 0, durationMs: MINUTE }));
    const send = async (jobName: string, extra: Partial<SubmitJobCommandInput> = {}) =>
      (await batch.send(new SubmitJobCommand({ jobName, jobQueue: "jq", jobDefinition: "work", ...extra }))).jobId!;
    const flaky = await send("flaky", { retryStrategy: { attempts: 2 } });
    await local.advance(30 * SECOND);
    // The hog queues for the only vCPU; when the first attempt fails, the hog is ahead of the retry.
    const hog = await send("hog");
    const after = await send("after", { dependsOn: [{ jobId: hog }] });
    await local.advance(90 * SECOND);
    const cancelled = await send("cancelled");
    await local.advance(SECOND);
    await batch.send(new CancelJobCommand({ jobId: cancelled, reason: "not needed" }));
    const state = dashboardState(local.service);
    const history = (jobId: string) => state.jobs.find((j) => j.jobId === jobId)!.history.map((h) => [h.status, h.at - START, h.note]);
    expect(history(flaky)).toEqual([
      ["SUBMITTED", 0, undefined],
      ["RUNNING", 0, "attempt 1"],
      ["RUNNABLE", MINUTE, "attempt 1 exited with code 1; retrying"],
    ]);
    expect(history(after)).toEqual([["SUBMITTED", 30 * SECOND, undefined], ["PENDING", 30 * SECOND, undefined]]);
    expect(history(cancelled)).toEqual([["SUBMITTED", 2 * MINUTE, undefined], ["FAILED", 2 * MINUTE + SECOND, "not needed"]]);
    const waiting = state.timeline.bars.filter((bar) => bar.lane === WAITING_LANE).map((bar) => [bar.jobName, bar.attempt, bar.waitingSince - START]);
    expect(waiting).toEqual([["flaky", 2, MINUTE]]);
  });
});
