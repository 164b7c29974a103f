export * from "./accounting.js";
export * from "./factory.js";
export * from "./invoke.js";
export * from "./retry.js";
