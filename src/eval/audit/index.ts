export * from "./audit.js";
export * from "./canaries.js";
export * from "./load.js";
