export * from "./all-at-once.js";
export * from "./data.js";
export * from "./loo.js";
export * from "./methods.js";
export * from "./run.js";
