import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/**
 * A project that uses parlel-batch as its users do: the package is packed (`npm pack`, so only what
 * `files` and `exports` ship is there; `npm test` builds first) and unpacked into the project's
 * node_modules, beside the SDK, TypeScript, Jest and Vitest of this repository.
 */
export interface ConsumerProject {
  dir: string;
  /** The package.json inside the packed tarball. */
  packedManifest: { scripts?: Record<string, string>; [key: string]: unknown };
  /** Writes a file into the project. */
  write(path: string, text: string): void;
  /** Runs `tsc` on the files given; returns each file's errors (files of the package under node_modules/parlel-batch too). */
  compile(files: string[], options?: Record<string, unknown>): Record<string, string[]>;
  /** Runs a command in the project with node; returns its exit status and output. */
  node(args: string[]): { status: number | null; stdout: string; stderr: string };
  remove(): void;
}

const root = join(__dirname, "..");

/** The settings of a careful TypeScript user, with the package's own declarations checked too. */
export const STRICTEST = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noFallthroughCasesInSwitch: true,
  forceConsistentCasingInFileNames: true,
  isolatedModules: true,
  skipLibCheck: false,
  target: "ES2022",
  module: "nodenext",
  moduleResolution: "nodenext",
  types: ["node", "jest"],
};

export function consumerProject(): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), "parlel-consumer-"));
  const modules = join(dir, "node_modules");
  const packageDir = join(modules, "parlel-batch");
  mkdirSync(packageDir, { recursive: true });
  // --ignore-scripts: the build is npm test's, not pack's.
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" })) as { filename: string }[];
  execFileSync("tar", ["-xzf", join(dir, packed!.filename), "-C", packageDir, "--strip-components=1"]);
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name !== "parlel-batch" && name !== ".bin") symlinkSync(join(root, "node_modules", name), join(modules, name));
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  const packedManifest = JSON.parse(execFileSync(process.execPath, ["-p", "JSON.stringify(require('./node_modules/parlel-batch/package.json'))"], { cwd: dir, encoding: "utf8" }));

  const project: ConsumerProject = {
    dir,
    packedManifest,
    write: (path, text) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    compile: (files, options = {}) => {
      const config = `tsconfig.${Math.random().toString(36).slice(2)}.json`;
      project.write(config, JSON.stringify({ compilerOptions: { ...STRICTEST, outDir: "build", ...options }, files }));
      const result = project.node([require.resolve("typescript/bin/tsc"), "-p", config, "--pretty", "false"]);
      const errors: Record<string, string[]> = {};
      let current: string[] | undefined;
      for (const line of result.stdout.split("\n")) {
        const start = /^(.+?)\(\d+,\d+\): error /.exec(line);
        if (start) (current = errors[relative(dir, join(dir, start[1]!))] ??= []).push(line);
        else if (line.startsWith(" ") && current) current.push(line);
      }
      if (result.status !== 0 && Object.keys(errors).length === 0) errors["tsc"] = [result.stdout, result.stderr];
      return errors;
    },
    node: (args) => {
      const result = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return project;
}
