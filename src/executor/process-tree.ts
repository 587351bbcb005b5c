import { readdirSync, readFileSync } from "node:fs";

/**
 * A process and its descendants as Linux's /proc shows them: each thread's `children` file lists the
 * processes it started. Processes that left the tree (their parent exited) are not found here; the
 * process group signal reaches those that kept the group.
 */
export function processTree(rootPid: number): number[] {
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    found.push(pid);
    for (const child of childrenOf(pid)) if (!found.includes(child)) queue.push(child);
  }
  return found;
}

function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const thread of threads) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${thread}/children`, "latin1");
    } catch {
      continue;
    }
    for (const part of text.split(" ")) if (part !== "") children.push(Number(part));
  }
  return children;
}

const PAGE_BYTES = 4096;

/** Resident memory of the processes, in bytes (from /proc/<pid>/statm; processes gone count 0). */
export function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/statm`, "latin1").split(" ");
      total += Number(fields[1]) * PAGE_BYTES;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** True when /proc can tell a process tree's memory (Linux). */
export function canMeasureMemory(): boolean {
  try {
    readFileSync(`/proc/${process.pid}/statm`, "latin1");
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to a process group and to each process, ignoring those already gone. */
export function signalTree(groupId: number, pids: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal);
  } catch {
    // The group is empty.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}
