export * from "./criteria.js";
export * from "./model-agents.js";
export * from "./planner.js";
export * from "./schemas.js";
export * from "./specialist.js";
export * from "./supervisor.js";
export * from "./types.js";
export * from "./verifier.js";
