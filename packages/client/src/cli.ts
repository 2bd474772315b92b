#!/usr/bin/env -S node --import tsx
// `attune`: the API from a shell. Every command prints for people, or JSON with --json for pipes;
// every failure is one line on stderr and exit status 1. The commands live in src/commands, one
// module per group; this finds the command a command line names, runs it, and reports failures.
import { TRPCClientError } from "@trpc/client";
import { type Command, UsageError, usageOf } from "./command.ts";
import { datasetCommands } from "./commands/datasets.ts";
import { loginCommands } from "./commands/login.ts";
import { modelCommands } from "./commands/models.ts";
import { projectCommands } from "./commands/projects.ts";
import { runnerCommands } from "./commands/runners.ts";
import { strategyCommands } from "./commands/strategies.ts";
import { studyCommands } from "./commands/studies.ts";
import { trialCommands } from "./commands/trials.ts";

const COMMANDS: Command[] = [
  ...loginCommands,
  ...projectCommands,
  ...datasetCommands,
  ...modelCommands,
  ...studyCommands,
  ...trialCommands,
  ...runnerCommands,
  ...strategyCommands,
];

/** Older names, kept for scripts that use them. */
const ALIASES: Record<string, string[]> = {
  "lr-find": ["strategies", "run", "lr-range-test"],
};

const USAGE = [
  "usage: attune <command> [options] [--json]",
  ...COMMANDS.map((command) => `  ${usageOf(command)}`),
  ...Object.entries(ALIASES).map(([alias, words]) => `  ${alias}: the same as ${words.join(" ")}`),
].join("\n");

/** The command the line begins with; the one of most words wins ("trials export" over "trials"). */
function findCommand(argv: string[]): Command | undefined {
  return COMMANDS.filter((command) => command.words.every((word, i) => argv[i] === word)).sort(
    (a, b) => b.words.length - a.words.length,
  )[0];
}

async function main(argv: string[]): Promise<void> {
  const [first = "", ...rest] = argv;
  if (first === "" || first === "--help" || first === "-h") return console.log(USAGE);
  const line = ALIASES[first] ? [...ALIASES[first], ...rest] : argv;
  const command = findCommand(line);
  if (command) return command.run(line.slice(command.words.length));
  const group = COMMANDS.filter((candidate) => candidate.words[0] === first);
  if (group.length > 0 && (rest[0] === "--help" || rest[0] === "-h")) {
    return console.log(group.map((member) => `usage: attune ${usageOf(member)}`).join("\n"));
  }
  if (group.length > 0) {
    const subcommands = group.map((candidate) => candidate.words.slice(1).join(" "));
    throw new UsageError(
      `${rest[0] === undefined ? `${first} needs a subcommand` : `${first} has no subcommand "${rest[0]}"`}: ${subcommands.join(", ")}`,
    );
  }
  throw new UsageError(`unknown command "${first}"`);
}

/** Why fetch failed, from the innermost of its causes: ECONNREFUSED, ENOTFOUND, "bad port". */
function connectionFailure(error: Error): string {
  let innermost = error;
  while (innermost.cause instanceof Error) innermost = innermost.cause;
  const { code } = innermost as { code?: unknown };
  return typeof code === "string" ? code : innermost.message;
}

/** The problems with a request's input, as the server's validation names them: "count: Too small". */
function inputIssues(issues: unknown): string | undefined {
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return (issues as { path: PropertyKey[]; message: string }[])
    .map(({ path, message }) => (path.length > 0 ? `${path.join(".")}: ${message}` : message))
    .join("; ");
}

/** What went wrong and, where it can, what to do. */
function describeFailure(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; issues?: unknown } | undefined;
    if (data === undefined) {
      // No answer from the API at all: nothing listening, or something else than Attune there.
      return `cannot reach the server: ${connectionFailure(error)}`;
    }
    const message = inputIssues(data.issues) ?? error.message;
    if (data.code === "UNAUTHORIZED") {
      return `the server refused the API key (401): ${message}; run \`attune login\` with a valid key`;
    }
    return `${message} (${data.code ?? "error"})`;
  }
  if (error instanceof UsageError) {
    return `${error.message}; ${error.usage ? `usage: ${error.usage}` : "attune --help lists the commands"}`;
  }
  return error instanceof Error ? error.message : String(error);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // One line, whatever the message: scripts read the first line of stderr.
  console.error(`attune: ${describeFailure(error).replaceAll("\n", "; ")}`);
  process.exitCode = 1;
});
