export * from "./data.js";
export * from "./generate.js";
export * from "./metrics.js";
export * from "./payloads.js";
export * from "./rewrite.js";
export * from "./risk-map.js";
export * from "./run.js";
export * from "./seeds.js";
