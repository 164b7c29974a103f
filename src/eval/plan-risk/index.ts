export * from "./data.js";
export * from "./metrics.js";
export * from "./risk-map.js";
export * from "./run.js";
