// `attune projects`: the projects of the team the API key acts for.
import { connect, defineCommand } from "../command.ts";
import { table } from "../output.ts";

export const projectCommands = [
  defineCommand({
    name: "projects",
    args: [],
    options: {},
    async run({ output }) {
      const client = await connect();
      // An API key acts for exactly one team.
      const [team] = await client.teams.list.query();
      if (!team) throw new Error("the API key's team is gone");
      const projects = await client.projects.list.query({ teamId: team.id });
      output.emit(projects, (rows) =>
        rows.length === 0
          ? `team ${team.name} has no projects yet`
          : table([["ID", "NAME"], ...rows.map((project) => [project.id, project.name])]),
      );
    },
  }),
];
