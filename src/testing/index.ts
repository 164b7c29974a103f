// The public `quorum/testing` entry point: what a user needs to test agent code without a model.
// Named exports only; `tests/public-api.test.ts` pins the runtime names.

// A seeded random source, for reproducible scripted runs.
export { seededRandom } from "./rng.js";
// An in-process LangChain chat model that replays scripted replies per agent.
export {
  type ScriptedCall,
  ScriptedModel,
  type ScriptedModelCallOptions,
  type ScriptedModelOptions,
  type ScriptedReply,
  type ScriptedToolCall,
  type ScriptedUsage,
  UnexpectedModelCallError,
} from "./scripted-model.js";
// An OpenAI-compatible HTTP test server with scripted replies and fault injection.
export {
  type ChatRequest,
  ChatRequestSchema,
  type DelaySpec,
  type FaultKind,
  type FaultSpec,
  type RecordedRequest,
  type ReplySpec,
  type Responder,
  type ScriptEntry,
  startTestServer,
  type TestServer,
  type TestServerOptions,
  type TestServerStats,
  type ToolCallSpec,
} from "./server.js";
