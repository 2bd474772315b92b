// `attune models`: Hugging Face model folders uploaded to a project in parts (resumed when run
// again), listed, and trials' checkpoints promoted to models.
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { connect, defineCommand, required } from "../command.ts";
import { readFolder, readPart, sha256Of } from "../models/folder.ts";
import { table } from "../output.ts";

const MIB = 1024 * 1024;

export const modelCommands = [
  defineCommand({
    name: "models upload",
    args: ["folder or .tar"],
    options: { project: { type: "string" }, name: { type: "string" } },
    usage: "--project <id> [--name <name>]",
    details: [
      "Sends the folder's files (config.json, model.safetensors, tokenizer files) in parts, with",
      "progress on stderr. Run it again after an interruption: it sends only the missing parts.",
    ],
    async run({ args: [path], options, output }) {
      const projectId = required(options.project, "--project");
      const files = await readFolder(path);
      if (files.length === 0) throw new Error(`${path} holds no files`);
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const specs = [];
      for (const file of files) {
        progress(`hashing ${file.name} (${(file.sizeBytes / MIB).toFixed(1)} MiB)`);
        specs.push({ name: file.name, sizeBytes: file.sizeBytes, sha256: await sha256Of(file) });
      }
      const client = await connect();
      const state = await client.models.begin.mutate({
        projectId,
        name: options.name ?? basename(path).replace(/\.tar$/, ""),
        files: specs,
      });
      const toSend = state.files.filter((file) => !file.held);
      const total = toSend.reduce((sum, file) => sum + file.parts, 0);
      let done = toSend.reduce((sum, file) => sum + file.present.length, 0);
      if (done > 0) progress(`resuming: ${done} of ${total} parts were sent before`);
      for (const file of state.status === "uploading" ? toSend : []) {
        const source = files.find((candidate) => candidate.name === file.name);
        if (!source) throw new Error(`the server lists ${file.name}, which ${path} lacks`);
        const handle = await open(source.path, "r");
        try {
          for (let index = 0; index < file.parts; index++) {
            if (file.present.includes(index)) continue;
            const part = await readPart(handle, source, index, state.partBytes);
            await client.models.part.mutate({
              modelId: state.modelId,
              file: file.name,
              index,
              bytes: part.toString("base64"),
            });
            done++;
            progress(
              `${file.name} part ${index + 1}/${file.parts}: ${Math.round((100 * done) / total)}% sent`,
            );
          }
        } finally {
          await handle.close();
        }
      }
      const model =
        state.status === "uploading"
          ? await client.models.complete.mutate({ modelId: state.modelId })
          : await client.models.get.query({ modelId: state.modelId });
      if (model.status === "failed")
        throw new Error(`model ${model.name} failed its checks: ${model.error}`);
      output.emit(model, (m) => `model ${m.name} is ${m.status}: ${m.id}`);
    },
  }),

  defineCommand({
    name: "models list",
    args: [],
    options: { project: { type: "string" } },
    usage: "--project <id>",
    async run({ options, output }) {
      const projectId = required(options.project, "--project");
      const client = await connect();
      const models = await client.models.list.query({ projectId });
      output.emit(models, (rows) =>
        rows.length === 0
          ? `project ${projectId} has no models yet`
          : table([
              ["ID", "NAME", "SOURCE", "STATUS", "ARCHITECTURE", "PARAMETERS", "BYTES", "HASH"],
              ...rows.map((model) => [
                model.id,
                model.name,
                model.source,
                model.status,
                model.architecture ?? "-",
                String(model.parameterCount ?? "-"),
                String(model.sizeBytes),
                model.contentHash.slice(0, 12),
              ]),
            ]),
      );
    },
  }),

  defineCommand({
    name: "models promote",
    args: ["trial id"],
    options: { kind: { type: "string", default: "best" }, name: { type: "string" } },
    usage: "[--kind best|last] [--name <name>]",
    async run({ args: [trialId], options, output }) {
      const client = await connect();
      const model = await client.models.promote.mutate({
        trialId,
        kind: options.kind as "best" | "last",
        name: options.name,
      });
      output.emit(
        model,
        (m) => `promoted the trial's ${options.kind} checkpoint to model ${m.name}: ${m.id}`,
      );
    },
  }),
];
