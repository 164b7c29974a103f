/**
 * The few GenAI semantic-convention names Quorum emits. They are incubating in OpenTelemetry, so
 * (as the conventions package advises libraries) they are copied here instead of imported.
 */
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name";
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_GEN_AI_TOOL_TYPE = "gen_ai.tool.type";
export const ATTR_ERROR_TYPE = "error.type";

export const GEN_AI_OPERATION_INVOKE_WORKFLOW = "invoke_workflow";
export const GEN_AI_OPERATION_INVOKE_AGENT = "invoke_agent";
export const GEN_AI_OPERATION_EXECUTE_TOOL = "execute_tool";
export const GEN_AI_OPERATION_CHAT = "chat";

/** The span kinds Quorum uses; the API and OTLP number them differently. */
export type SpanKindName = "internal" | "client";
export const API_SPAN_KIND: Record<SpanKindName, number> = { internal: 0, client: 2 };
export const OTLP_SPAN_KIND: Record<SpanKindName, number> = { internal: 1, client: 3 };
/** SpanStatusCode, the same in the API and in OTLP. */
export const STATUS_ERROR = 2;
