export * from "./codef.js";
export * from "./composition.js";
export * from "./detector.js";
export * from "./message-guard.js";
export * from "./model-replies.js";
export * from "./tom.js";
export * from "./vague.js";
