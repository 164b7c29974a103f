export * from "./generate.js";
export * from "./run.js";
