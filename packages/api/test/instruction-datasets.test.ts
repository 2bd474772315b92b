// Instruction and dialogue datasets through datasets.upload, addBuiltin and example: each format,
// CSV columns, the task each declares, and bad data refused with the line it is on.
import { getDatasetContent } from "@attune/db";
import { beforeAll, describe, expect, it } from "vitest";
import { useApi } from "./harness.ts";
import { type People, SAMPLE_PAIRS, seedWorld, signUpPeople } from "./world.ts";

const api = useApi();
let people: People;

beforeAll(async () => {
  people = await signUpPeople(api);
});

const CHAT = [
  JSON.stringify({
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Bye" },
      { role: "assistant", content: "Ciao" },
    ],
  }),
].join("\n");

async function upload(input: Record<string, unknown>) {
  const { project } = await seedWorld(api.db, people);
  return api.as(people.member).datasets.upload({
    projectId: project.id,
    name: "data",
    tokenizer: "char",
    ...input,
  } as Parameters<ReturnType<typeof api.as>["datasets"]["upload"]>[0]);
}

async function storedLines(datasetId: string): Promise<unknown[]> {
  const content = (await getDatasetContent(api.db, datasetId)) ?? "";
  return content.split("\n").map((line) => JSON.parse(line));
}

/** The upload's error message; fails the test when it succeeds. */
async function refusal(input: Record<string, unknown>): Promise<string> {
  const error = await upload(input).then(
    () => expect.fail("the upload was accepted"),
    (caught: { code: string; message: string }) => caught,
  );
  expect(error.code).toBe("BAD_REQUEST");
  return error.message;
}

describe("instruction datasets on upload", () => {
  it("store prompt/completion JSONL for instruction, with prompt and completion lengths apart", async () => {
    const dataset = await upload({ format: "prompt-completion", content: SAMPLE_PAIRS });
    expect(dataset).toMatchObject({ format: "prompt-completion", task: "instruction" });
    // Plain template, char tokens: "<|user|>\nCAT" end-of-text "\n<|assistant|>\n" is 28 tokens,
    // "K AE1 T" end-of-text is 8.
    expect(dataset.statistics).toMatchObject({
      samples: 2,
      tokens: 2 * 36,
      promptTokenLengths: { upperBounds: [8, 16, 32], counts: [0, 0, 2] },
      completionTokenLengths: { upperBounds: [8], counts: [2] },
    });
    // Sequence lengths are measured on the rendered examples.
    const recommended = await api
      .as(people.viewer)
      .datasets.recommendSequenceLength({ datasetId: dataset.id, percentile: 100 });
    expect(recommended).toMatchObject({ basis: "data", percentileLength: 36, length: 40 });
  });

  it("store chat JSONL for dialogue, its assistant turns counted as completion", async () => {
    const dataset = await upload({ format: "chat", content: CHAT });
    expect(dataset).toMatchObject({ format: "chat", task: "dialogue" });
    // "Hello" and "Ciao", each with end-of-text.
    expect(dataset.statistics?.completionTokenLengths).toEqual({
      upperBounds: [8, 16],
      counts: [0, 1],
    });
  });

  it("read a CSV file's chosen columns and store them as the JSONL of their format", async () => {
    const pairs = await upload({
      format: "csv",
      columns: { prompt: "word", completion: "phonemes" },
      content: 'word,phonemes,source\nCAT,K AE1 T,cmu\n"DOG",D AO1 G,cmu\n',
      fileName: "g2p.csv",
    });
    expect(pairs).toMatchObject({
      format: "prompt-completion",
      task: "instruction",
      origin: "g2p.csv",
    });
    expect(await storedLines(pairs.id)).toEqual(
      SAMPLE_PAIRS.split("\n").map((line) => JSON.parse(line)),
    );

    const chat = await upload({
      format: "csv",
      columns: { user: "question", assistant: "answer", system: "persona" },
      content: "persona,question,answer\nBe brief.,Hi,Hello\n,2 + 2?,4\n",
    });
    expect(chat).toMatchObject({ format: "chat", task: "dialogue" });
    expect(await storedLines(chat.id)).toEqual([
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      },
      {
        messages: [
          { role: "user", content: "2 + 2?" },
          { role: "assistant", content: "4" },
        ],
      },
    ]);

    const conversations = await upload({
      format: "csv",
      columns: { messages: "conversation" },
      content: `id,conversation\n7,"${JSON.stringify(JSON.parse(CHAT).messages).replaceAll('"', '""')}"\n`,
    });
    expect(conversations).toMatchObject({ format: "chat", task: "dialogue" });
    expect(await storedLines(conversations.id)).toEqual([JSON.parse(CHAT)]);

    const labelled = await upload({
      format: "csv",
      columns: { text: "body", label: "kind" },
      content: "kind,body\nspam,Win now\nham,See you\n",
    });
    expect(labelled).toMatchObject({ format: "jsonl", task: "classification" });
    expect(labelled.statistics?.labelCounts).toEqual({ ham: 1, spam: 1 });
    const unlabelled = await upload({
      format: "csv",
      columns: { text: "body" },
      content: "kind,body\nspam,Win now\n",
      task: "language-modelling",
    });
    expect(unlabelled).toMatchObject({ format: "jsonl", task: "language-modelling" });
  });

  it("refuse bad data with the line it is on", async () => {
    expect(
      await refusal({
        format: "prompt-completion",
        content: `${SAMPLE_PAIRS}\n{"prompt": "EMU"}`,
      }),
    ).toBe('content: line 3: expected a string "completion" field, got none');
    expect(
      await refusal({
        format: "chat",
        content: `${CHAT}\n\n{"messages": [{"role": "robot", "content": "beep"}]}`,
      }),
    ).toBe('content: line 3: message 1: role "robot" is not one of system, user, assistant');
    expect(await refusal({ format: "chat", content: `${CHAT}\n{"messages": []}` })).toBe(
      'content: line 2: "messages" is empty: a conversation needs at least one message',
    );
    // The plain template ends each turn with <|endoftext|>: a message holding it cannot be rendered.
    expect(
      await refusal({
        format: "prompt-completion",
        content:
          '{"prompt": "a", "completion": "b"}\n{"prompt": "a<|endoftext|>", "completion": "b"}',
      }),
    ).toBe(
      "content: line 2: message 1 (user) contains <|endoftext|>, which the chat template uses to end a turn",
    );
    expect(
      await refusal({
        format: "csv",
        columns: { prompt: "word", completion: "phonemes" },
        content: "word,phonemes\nCAT,K AE1 T\nDOG,\n",
      }),
    ).toBe('content: line 3: "completion" is empty');
    expect(
      await refusal({
        format: "csv",
        columns: { prompt: "word", completion: "sounds" },
        content: "word,phonemes\nCAT,K AE1 T\n",
      }),
    ).toBe(
      'content: line 1: no column "sounds" (for completion): the header has "word", "phonemes"',
    );
  });

  it("refuse a task the format cannot serve, and columns that do not fit the format", async () => {
    expect(
      await refusal({ format: "prompt-completion", task: "dialogue", content: SAMPLE_PAIRS }),
    ).toMatch(/prompt-completion data serves instruction, not dialogue/);
    expect(
      await refusal({ format: "jsonl", task: "classification", content: '{"text": "no label"}' }),
    ).toBe('task: classification needs a "label" on every sample, and there is none');
    expect(await refusal({ format: "csv", content: "a,b\n1,2\n" })).toMatch(
      /CSV needs its columns/,
    );
    expect(
      await refusal({ format: "chat", columns: { prompt: "a", completion: "b" }, content: CHAT }),
    ).toMatch(/columns are for CSV only/);
  });
});

describe("rendered examples", () => {
  it("mark the tokens trained on, with the plain template or the model's", async () => {
    const { project } = await seedWorld(api.db, people);
    const viewer = api.as(people.viewer);
    const chat = await api.as(people.member).datasets.upload({
      projectId: project.id,
      name: "chat",
      format: "chat",
      tokenizer: "byte",
      content: CHAT,
    });
    const plain = await viewer.datasets.example({ datasetId: chat.id });
    expect(plain).toEqual({
      line: 1,
      segments: [
        {
          text: "<|system|>\nBe brief.<|endoftext|>\n<|user|>\nHi<|endoftext|>\n<|assistant|>\n",
          trained: false,
          tokens: 11 + 9 + 1 + 1 + 9 + 2 + 1 + 1 + 14,
        },
        { text: "Hello<|endoftext|>", trained: true, tokens: 6 },
        {
          text: "\n<|user|>\nBye<|endoftext|>\n<|assistant|>\n",
          trained: false,
          tokens: 1 + 9 + 3 + 1 + 15,
        },
        { text: "Ciao<|endoftext|>", trained: true, tokens: 5 },
      ],
    });
    const last = await viewer.datasets.example({ datasetId: chat.id, assistantTurns: "last" });
    expect(last.segments.map((segment) => segment.trained)).toEqual([false, true]);

    // ChatML, which ends a turn with its own marker.
    const chatml = {
      source:
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}" +
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
      eosToken: "<|im_end|>",
    };
    const modelTemplate = await viewer.datasets.example({
      datasetId: chat.id,
      chatTemplate: chatml,
    });
    expect(modelTemplate.segments.filter((segment) => segment.trained).map((s) => s.text)).toEqual([
      "Hello<|im_end|>\n",
      "Ciao<|im_end|>\n",
    ]);

    const noSystem = {
      source: `{% if messages[0].role == "system" %}{{ raise_exception("no system messages") }}{% endif %}${chatml.source}`,
      eosToken: "<|im_end|>",
    };
    await expect(
      viewer.datasets.example({ datasetId: chat.id, chatTemplate: noSystem }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "content: line 1: the chat template fails on this example: no system messages",
    });
    await expect(
      viewer.datasets.example({ datasetId: chat.id, chatTemplate: { source: "{% for %}" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/the chat template does not parse/),
    });
    await expect(viewer.datasets.example({ datasetId: chat.id, index: 1 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: 'index: dataset "chat" has 1 examples, numbered from 0',
    });
  });

  it("are for instruction data only", async () => {
    const { dataset } = await seedWorld(api.db, people);
    await expect(
      api.as(people.viewer).datasets.example({ datasetId: dataset.id }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        'dataset "samples" is jsonl data for language-modelling: examples are rendered for instruction and dialogue data',
    });
  });
});

describe("the built-in CMUdict corpus", () => {
  it("is offered and added as instruction data, grapheme to phoneme", async () => {
    const member = api.as(people.member);
    const corpora = await member.datasets.corpora();
    expect(corpora.find((corpus) => corpus.name === "cmudict")).toMatchObject({
      task: "instruction",
      size: { samples: 125_005 },
    });
    const { project } = await seedWorld(api.db, people);
    const dataset = await member.datasets.addBuiltin({
      projectId: project.id,
      corpus: "cmudict",
      tokenizer: "char",
    });
    expect(dataset).toMatchObject({
      format: "prompt-completion",
      task: "instruction",
      sizeBytes: 0,
    });
    expect(dataset.statistics?.samples).toBe(125_005);
    expect(dataset.statistics?.completionTokenLengths?.counts.reduce((a, b) => a + b)).toBe(
      125_005,
    );
    const example = await member.datasets.example({ datasetId: dataset.id, index: 5 });
    expect(example.segments.map((segment) => [segment.text, segment.trained])).toEqual([
      ["<|user|>\nA42128<|endoftext|>\n<|assistant|>\n", false],
      ["EY1 F AO1 R T UW1 W AH1 N T UW1 EY1 T<|endoftext|>", true],
    ]);
  });
});
