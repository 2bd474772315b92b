// `attune models upload | list | promote`: a Hugging Face folder made here, sent in parts.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGPT, disposeGPT, exportHuggingFaceGPT2 } from "@attune/core/model";
import { selectBackend } from "@attune/core/train";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProjectHarness } from "./harness.ts";

let cli: Awaited<ReturnType<typeof startProjectHarness>>;

beforeAll(async () => {
  await selectBackend();
  cli = await startProjectHarness("models");
});

afterAll(async () => {
  await cli?.server.stop();
});

/** An untrained GPT-2 written as a folder under the CLI's home; its files by name. */
async function writeGpt2Folder(name: string, vocabSize = 30): Promise<Map<string, Uint8Array>> {
  const model = createGPT({ vocabSize, seqLen: 8, layers: 1, dModel: 16, heads: 2 }, 1);
  const folder = exportHuggingFaceGPT2(model);
  disposeGPT(model);
  await mkdir(join(cli.home, name));
  for (const [file, bytes] of folder) await writeFile(join(cli.home, name, file), bytes);
  return folder;
}

interface ListedModel {
  name: string;
  status: string;
  architecture: string;
  contentHash: string;
}

describe("attune models upload", () => {
  it("uploads a folder with progress on stderr, and lists it", async () => {
    await writeGpt2Folder("tiny");
    const result = await cli.attune(
      "models",
      "upload",
      join(cli.home, "tiny"),
      "--project",
      cli.project.id,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^model tiny is ready: [0-9a-f-]{36}\n$/);
    expect(result.stderr).toContain("hashing model.safetensors");
    expect(result.stderr).toMatch(/model\.safetensors part 1\/1: \d+% sent/);
    expect(result.stderr).toContain("100% sent");

    const listed = await cli.attuneJson<ListedModel[]>(
      "models",
      "list",
      "--project",
      cli.project.id,
    );
    expect(listed).toEqual([
      expect.objectContaining({ name: "tiny", status: "ready", architecture: "gpt2" }),
    ]);
    const table = await cli.attune("models", "list", "--project", cli.project.id);
    expect(table.stdout).toContain(listed[0]?.contentHash.slice(0, 12));
  });

  it("resumes an upload cut off before, sending only the parts it lacks", async () => {
    const folder = await writeGpt2Folder("resumed", 31);
    const files = [...folder].map(([name, bytes]) => ({
      name,
      sizeBytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    }));
    // A first run that sent config.json and stopped.
    const started = await cli.client.models.begin.mutate({
      projectId: cli.project.id,
      name: "resumed",
      files,
    });
    await cli.client.models.part.mutate({
      modelId: started.modelId,
      file: "config.json",
      index: 0,
      bytes: Buffer.from(folder.get("config.json") as Uint8Array).toString("base64"),
    });
    const result = await cli.attune(
      "models",
      "upload",
      join(cli.home, "resumed"),
      "--project",
      cli.project.id,
    );
    // generation_config.json is the first test's too: the team holds it, so it is not sent again.
    expect(result.stderr).toContain(`resuming: 1 of ${files.length - 1} parts were sent before`);
    expect(result.stderr).not.toMatch(/^config\.json part/m);
    expect(result.stdout).toContain(`model resumed is ready: ${started.modelId}`);
  });

  it("reads a tar of the folder, and fails in one line with the checks' reason", async () => {
    await writeGpt2Folder("packed", 32);
    await writeFile(
      join(cli.home, "packed", "config.json"),
      JSON.stringify({ model_type: "bert" }),
    );
    const tar = join(cli.home, "packed.tar");
    execFileSync("tar", ["cf", tar, "-C", cli.home, "packed"]);
    const result = await cli.attune("models", "upload", tar, "--project", cli.project.id);
    expect(result.code).toBe(1);
    // The progress lines come first; the failure is the last line.
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe(
      'attune: model packed failed its checks: config.json: model_type "bert" is not an architecture Attune reads (gpt2)',
    );
    expect(result.stderr).toContain("hashing model.safetensors");
  });
});
