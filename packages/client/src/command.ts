// How a command is declared (its name, arguments and options) and parsed, the mistakes on a
// command line that are answered with its usage, and the connection commands share.
import { parseArgs } from "node:util";
import { loadConfig } from "./config.ts";
import { type AttuneClient, type AttuneClientOptions, createAttuneClient } from "./index.ts";
import { Output } from "./output.ts";

type OptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

type ParsedOptions<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>
>["values"];

/** Options every command takes. */
const COMMON_OPTIONS = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies OptionsConfig;

/** A mistake on the command line, answered with the usage of the command it was meant for. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export interface Command {
  /** The words that name it: ["study", "pause"]. */
  readonly words: string[];
  /** Its line in the usage: "study pause <study id>". */
  readonly synopsis: string;
  /** Lines that explain its arguments and options further, for --help. */
  readonly details: string[];
  /** Runs it on the command line after its name. */
  run(argv: string[]): Promise<void>;
}

interface CommandDefinition<O extends OptionsConfig, A extends readonly string[]> {
  /** Its words, space-separated: "study pause". */
  name: string;
  /** Its arguments, all required, as the usage names them: ["study id"]. */
  args: A;
  options: O;
  /** The options as the usage shows them: "--project <id> [--start]". */
  usage?: string;
  details?: string[];
  run(input: {
    args: { [K in keyof A]: string };
    options: ParsedOptions<O & typeof COMMON_OPTIONS>;
    output: Output;
  }): Promise<void>;
}

export function defineCommand<const O extends OptionsConfig, const A extends readonly string[]>(
  definition: CommandDefinition<O, A>,
): Command {
  const { name, args, options, usage, details = [], run } = definition;
  const command: Command = {
    words: name.split(" "),
    synopsis: [name, ...args.map((arg) => `<${arg}>`), usage].filter(Boolean).join(" "),
    details,
    async run(argv) {
      try {
        const parsed = parseArgs({
          args: argv,
          options: { ...COMMON_OPTIONS, ...options },
          allowPositionals: true,
        });
        const { help, json } = parsed.values as { help: boolean; json: boolean };
        const { positionals } = parsed;
        if (help) return console.log(`usage: attune ${usageOf(command)}`);
        if (positionals.length < args.length) {
          throw new UsageError(`missing the ${args[positionals.length]}`);
        }
        if (positionals.length > args.length) {
          throw new UsageError(`unexpected argument "${positionals[args.length]}"`);
        }
        await run({
          args: positionals as { [K in keyof A]: string },
          options: parsed.values as ParsedOptions<O & typeof COMMON_OPTIONS>,
          output: new Output(json),
        });
      } catch (error) {
        throw withUsage(error, command);
      }
    },
  };
  return command;
}

/** A command's synopsis, with its details indented under it. */
export function usageOf(command: Command): string {
  return [command.synopsis, ...command.details.map((line) => `    ${line}`)].join("\n");
}

/** A usage mistake (ours, or parseArgs' own) answered with this command's usage. */
function withUsage(error: unknown, command: Command): unknown {
  const usage = `attune ${command.synopsis}`;
  if (error instanceof UsageError) return new UsageError(error.message, usage);
  const { code } = error as { code?: unknown };
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
    // Some of parseArgs' messages run over lines (what is wrong, then how to write it instead).
    const message = (error as Error).message
      .trim()
      .replace(/\.?\n+/g, "; ")
      .replace(/\.$/, "");
    return new UsageError(message, usage);
  }
  return error;
}

export function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

export function numberOption(value: string, what: string): number;
export function numberOption(value: string | undefined, what: string): number | undefined;
export function numberOption(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) {
    throw new UsageError(`${what} must be a number, not "${value}"`);
  }
  return number;
}

/** Where the CLI is logged in: the web app's URL and an API key. */
export async function login(): Promise<AttuneClientOptions> {
  const saved = await loadConfig();
  if (!saved) throw new Error("not logged in; run `attune login --url <url> --key <api key>`");
  return saved;
}

export async function connect(): Promise<AttuneClient> {
  return createAttuneClient(await login());
}
