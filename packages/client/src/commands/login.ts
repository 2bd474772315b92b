// `attune login`: where the other commands send their requests, and with which key.
import { defineCommand, required } from "../command.ts";
import { saveConfig } from "../config.ts";
import { createAttuneClient } from "../index.ts";

export const loginCommands = [
  defineCommand({
    name: "login",
    args: [],
    options: { url: { type: "string" }, key: { type: "string" } },
    usage: "--url <url> --key <api key>",
    async run({ options: flags, output }) {
      const login = { url: required(flags.url, "--url"), apiKey: required(flags.key, "--key") };
      // Checked before saving, so that a wrong key or address fails now rather than at the next
      // command.
      const [team] = await createAttuneClient(login).teams.list.query();
      const path = await saveConfig(login);
      output.emit(
        { url: login.url, team: team?.name ?? null, config: path },
        (saved) => `logged in to ${saved.url} as team ${saved.team}; saved in ${saved.config}`,
      );
    },
  }),
];
