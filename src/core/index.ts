export * from "./errors.js";
export * from "./events.js";
export * from "./ids.js";
export * from "./item.js";
export * from "./log.js";
export * from "./redact.js";
export * from "./runfile.js";
export * from "./tool.js";
