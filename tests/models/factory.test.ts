import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/core/index.js";
import { createChatModel, modelConfigFromEnv, modelNameOf, resolveModel } from "../../src/models/index.js";
import { ScriptedModel } from "../../src/testing/index.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("modelConfigFromEnv", () => {
  it("is null when no model is configured, even with an API key in the environment", () => {
    expect(modelConfigFromEnv({})).toBeNull();
    expect(modelConfigFromEnv({ OPENAI_API_KEY: "sk-test", QUORUM_MODEL: "  " })).toBeNull();
  });

  it("reads model, endpoint, key, timeout and retries", () => {
    expect(
      modelConfigFromEnv({
        QUORUM_MODEL: "llama-3.1-8b",
        OPENAI_BASE_URL: "http://127.0.0.1:8080/v1",
        OPENAI_API_KEY: "local",
        QUORUM_MODEL_TIMEOUT_MS: "5000",
        QUORUM_MODEL_MAX_RETRIES: "4",
      }),
    ).toEqual({
      model: "llama-3.1-8b",
      baseURL: "http://127.0.0.1:8080/v1",
      apiKey: "local",
      timeoutMs: 5000,
      maxRetries: 4,
    });
  });

  it("names the variable to fix", () => {
    const noModel = thrown(() => modelConfigFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" }));
    expect(noModel).toBeInstanceOf(UserInputError);
    expect(noModel).toMatchObject({ field: "QUORUM_MODEL", file: "environment" });
    const badUrl = thrown(() => modelConfigFromEnv({ QUORUM_MODEL: "m", OPENAI_BASE_URL: "localhost:8080" }));
    expect(badUrl).toMatchObject({ field: "OPENAI_BASE_URL", code: "user_input" });
    const badRetries = thrown(() =>
      modelConfigFromEnv({ QUORUM_MODEL: "m", QUORUM_MODEL_MAX_RETRIES: "many" }),
    );
    expect(badRetries).toMatchObject({ field: "QUORUM_MODEL_MAX_RETRIES" });
  });
});

describe("createChatModel", () => {
  it("refuses to start without a model, with a hint", () => {
    const error = thrown(() => createChatModel({}, {}, {}));
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).hint).toContain("QUORUM_MODEL");
    expect((error as UserInputError).toLine()).toMatch(
      /^error\[user_input\] environment: QUORUM_MODEL: no model/,
    );
  });

  it("needs a key for the hosted endpoint but not for a local one", () => {
    expect(thrown(() => createChatModel({ model: "gpt-4o-mini" }, {}, {}))).toMatchObject({
      field: "OPENAI_API_KEY",
    });
    const local = createChatModel({ model: "qwen", baseURL: "http://127.0.0.1:1234/v1" }, {}, {});
    expect(local).toBeInstanceOf(ChatOpenAI);
    expect(local.model).toBe("qwen");
    expect(local.apiKey).toBe("not-needed");
  });

  it("takes options over the environment", () => {
    const env = {
      QUORUM_MODEL: "env-model",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      QUORUM_MODEL_TIMEOUT_MS: "1000",
    };
    const m = createChatModel({ model: "opt-model", timeoutMs: 2500, temperature: 0 }, {}, env);
    expect(m.model).toBe("opt-model");
    expect(m.timeout).toBe(2500);
    expect(m.temperature).toBe(0);
    expect(createChatModel({}, {}, env).timeout).toBe(1000);
  });

  it("fills gaps from the environment and only checks the variables it uses", () => {
    const m = createChatModel({ model: "opt-model" }, {}, { OPENAI_BASE_URL: "http://127.0.0.1:7/v1" });
    expect(m.model).toBe("opt-model");
    expect(m.apiKey).toBe("not-needed");
    const ignoresBadUrl = createChatModel(
      { model: "m", baseURL: "http://127.0.0.1:8/v1" },
      {},
      { OPENAI_BASE_URL: "not a url" },
    );
    expect(ignoresBadUrl.model).toBe("m");
    expect(thrown(() => createChatModel({ model: "m" }, {}, { OPENAI_BASE_URL: "not a url" }))).toMatchObject(
      {
        field: "OPENAI_BASE_URL",
      },
    );
  });

  it("rejects bad options naming the field", () => {
    expect(thrown(() => createChatModel({ model: "m", timeoutMs: -1 }, {}, {}))).toMatchObject({
      field: "timeoutMs",
      file: "model options",
    });
    const unknown = { model: "m", modle: "typo" } as unknown as Parameters<typeof createChatModel>[0];
    expect(thrown(() => createChatModel(unknown, {}, {}))).toBeInstanceOf(UserInputError);
  });
});

describe("resolveModel", () => {
  it("passes any LangChain chat model through unchanged", () => {
    const scripted = new ScriptedModel({ name: "fixture" });
    expect(resolveModel(scripted)).toBe(scripted);
    expect(modelNameOf(scripted)).toBe("fixture");
  });

  it("builds a ChatOpenAI from options", () => {
    const m = resolveModel({ model: "served", baseURL: "http://127.0.0.1:1/v1" });
    expect(m).toBeInstanceOf(ChatOpenAI);
    expect(modelNameOf(m)).toBe("served");
  });
});
