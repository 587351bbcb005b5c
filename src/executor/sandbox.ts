import { accessSync, constants, lstatSync, readlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";
import type { HostMount } from "./guardrails";

const MISSING = "The sandbox executor needs bubblewrap (bwrap), which was not found on PATH: install the Debian/Ubuntu package `bubblewrap` (apt-get install bubblewrap).";

/** The host directories a sandbox sees, read-only: the programs and libraries, and /etc. */
const SYSTEM_DIRECTORIES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

/** Finds bwrap and checks that it can make a sandbox here (it needs user or mount namespaces). */
export function findBubblewrap(): string {
  const path = (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((directory) => join(directory, "bwrap")).find(isExecutable);
  if (!path) throw new Error(MISSING);
  const probe = spawnSync(path, ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--", "true"], { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
  if (probe.status !== 0) {
    const detail = probe.error?.message ?? probe.stderr?.toString().trim() ?? `exit ${probe.status}`;
    throw new Error(`The sandbox executor cannot run bubblewrap here (${path}): ${detail}. bwrap needs unprivileged user namespaces or root.`);
  }
  return path;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * bwrap's arguments for one attempt: an empty root with the host's system directories read-only, a fresh
 * /dev, /proc and private /tmp, the working directory at its own path, the job's mount points at their
 * `containerPath`, and its own PID namespace, which dies with parlel-batch and takes every process with it.
 */
export function sandboxArguments(workingDirectory: string, mounts: HostMount[], command: string[]): string[] {
  const args: string[] = ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "batch"];
  for (const directory of SYSTEM_DIRECTORIES) {
    const link = symbolicLink(directory);
    if (link === null) continue;
    if (link !== undefined) args.push("--symlink", link, directory);
    else args.push("--ro-bind", directory, directory);
  }
  args.push("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp");
  args.push("--bind", workingDirectory, workingDirectory);
  for (const mount of mounts) args.push(mount.readOnly ? "--ro-bind" : "--bind", mount.hostPath, mount.containerPath);
  args.push("--chdir", workingDirectory, "--", ...command);
  return args;
}

/** The target of a symbolic link, undefined for a directory, null when the path does not exist. */
function symbolicLink(path: string): string | undefined | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return null;
  }
}
