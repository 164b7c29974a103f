export * from "./ledger.js";
export * from "./shared.js";
