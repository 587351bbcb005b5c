import { realpathSync } from "node:fs";
import { dirname, basename, isAbsolute, join, resolve, sep } from "node:path";
import type { MountPoint, Volume } from "@aws-sdk/client-batch";

/** Raised when an attempt may not start; its message becomes the container's `reason`. */
export class StartRefused extends Error {}

/**
 * A path with `..` and every symbolic link resolved. A path that does not exist yet is resolved through
 * its nearest existing ancestor, so a link anywhere above it still counts.
 */
export function resolvedPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(resolvedPath(parent), basename(absolute));
  }
}

/** The allow-list, each root resolved once. */
export class AllowedPaths {
  private readonly roots: string[];

  constructor(paths: readonly string[]) {
    this.roots = paths.map((path) => {
      if (!isAbsolute(path)) throw new Error(`allowPaths: ${path} is not an absolute path`);
      return resolvedPath(path);
    });
  }

  /** True when the resolved path is a root or lies under one (`/data-evil` is not under `/data`). */
  allows(resolved: string): boolean {
    return this.roots.some((root) => resolved === root || resolved.startsWith(root === sep ? root : root + sep));
  }
}

/** A mount point with the host directory its volume names, judged against the allow-list. */
export interface HostMount {
  containerPath: string;
  /** The real host path, links and `..` resolved. */
  hostPath: string;
  /** The path the job wrote. */
  sourcePath: string;
  readOnly: boolean;
}

/**
 * The job's host paths: every `volumes[].host.sourcePath` must resolve inside the allow-list, or the
 * attempt is refused. Returns the mount points backed by a host path, and notes on those that are not.
 */
export function hostMounts(volumes: Volume[], mountPoints: MountPoint[], allowed: AllowedPaths): { mounts: HostMount[]; notes: string[] } {
  const hostPaths = new Map<string, { sourcePath: string; hostPath: string }>();
  for (const volume of volumes) {
    const sourcePath = volume.host?.sourcePath;
    if (sourcePath === undefined) continue;
    if (!isAbsolute(sourcePath)) throw new StartRefused(`host path ${sourcePath} of volume ${volume.name ?? "(unnamed)"} is not an absolute path`);
    const hostPath = resolvedPath(sourcePath);
    if (!allowed.allows(hostPath)) {
      throw new StartRefused(`host path ${sourcePath} of volume ${volume.name ?? "(unnamed)"} is outside the paths parlel-batch allows (resolved to ${hostPath}; see --allow-path)`);
    }
    if (volume.name !== undefined) hostPaths.set(volume.name, { sourcePath, hostPath });
  }
  const mounts: HostMount[] = [];
  const notes: string[] = [];
  for (const mountPoint of mountPoints) {
    const host = mountPoint.sourceVolume === undefined ? undefined : hostPaths.get(mountPoint.sourceVolume);
    if (!host || !mountPoint.containerPath) {
      notes.push(`mount point ${mountPoint.containerPath ?? "(no path)"} of volume ${mountPoint.sourceVolume ?? "(none)"} has no host path and is not emulated`);
      continue;
    }
    mounts.push({ containerPath: mountPoint.containerPath, readOnly: mountPoint.readOnly === true, ...host });
  }
  return { mounts, notes };
}

/** Variables a job may not set: they would change which programs and libraries the host runs. */
export function isForbiddenVariable(name: string): boolean {
  return name === "PATH" || name.startsWith("LD_") || name.startsWith("DYLD_");
}

/**
 * The attempt's environment: the host's PATH and a HOME in the working directory, then the container's
 * variables (forbidden ones dropped) and the `AWS_BATCH_*` ones. Nothing else of the host's environment
 * leaks into a job, as nothing of it leaks into a container.
 */
export function attemptEnvironment(environment: Record<string, string>, workingDirectory: string): { env: Record<string, string>; dropped: string[] } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: workingDirectory };
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    if (isForbiddenVariable(name)) dropped.push(name);
    else env[name] = value;
  }
  return { env, dropped };
}
