// `attune runners`: the processes that train every team's trials, and on what.
import { connect, defineCommand } from "../command.ts";
import { table } from "../output.ts";

export const runnerCommands = [
  defineCommand({
    name: "runners",
    args: [],
    options: {},
    async run({ output }) {
      const client = await connect();
      const runners = await client.runners.list.query();
      output.emit(runners, (rows) =>
        rows.length === 0
          ? "no runner has registered yet; start one with `npm run runner`"
          : table([
              // Why the backend was chosen is free text of any length: last, so the rest line up.
              ["NAME", "HOST", "BACKEND", "TRIALS NOW", "ALIVE", "WHY THIS BACKEND"],
              ...rows.map((runner) => [
                runner.name,
                runner.host,
                runner.backend,
                `${runner.currentTrials}/${runner.capacity}${runner.currentStrategyRuns > 0 ? ` +${runner.currentStrategyRuns} strategy` : ""}`,
                runner.alive ? "yes" : "no",
                runner.backendReason || "-",
              ]),
            ]),
      );
    },
  }),
];
