// The public `quorum/testing` entry point: everything a user needs to test agent code without a model.
export * from "./rng.js";
export * from "./scripted-model.js";
export * from "./server.js";
