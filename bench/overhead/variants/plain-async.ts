import { SPECIALISTS, type Variant } from "../variant.js";

/** A zero-latency "model": one awaited call, nothing else. */
async function fakeModel(counter: { calls: number }, prompt: string): Promise<string> {
  counter.calls += 1;
  return `ok:${prompt.length}`;
}

export function plainAsyncVariant(): Variant {
  return {
    name: "plain-async",
    notes:
      "The same shape as plain async functions (Promise.all for the specialists) and an awaited zero-latency function as the model: the floor, with no framework at all.",
    async setup() {
      const counter = { calls: 0 };
      return {
        async run(i) {
          const task = `task ${i}`;
          await fakeModel(counter, `route ${task}`);
          await fakeModel(counter, `plan ${task}`);
          const outputs = await Promise.all(SPECIALISTS.map((who) => fakeModel(counter, `${who}: ${task}`)));
          const verdict = await fakeModel(counter, `verify ${outputs.join(",")}`);
          if (!verdict.startsWith("ok:")) throw new Error("plain run failed");
        },
        modelCalls: () => counter.calls,
      };
    },
  };
}
