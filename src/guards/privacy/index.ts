export * from "./codef.js";
export * from "./composition.js";
export * from "./model-replies.js";
export * from "./tom.js";
export * from "./vague.js";
