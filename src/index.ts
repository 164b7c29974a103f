// biome-ignore-all assist/source/organizeImports: the exports are grouped by job, not by path
// The public SDK entry point (`quorum`); the test kit is `quorum/testing`. Named exports only,
// grouped by job; `tests/public-api.test.ts` pins the runtime names, so a change to this surface
// is a visible decision. Prompts, word lists, patterns and internal helpers stay in their modules.
//
// Naming rule for zod schemas: a schema is `<Name>Schema` and the type inferred from it is
// `<Name>` (`ItemSchema` / `Item`, `PlanSchema` / `Plan`).

// Team runtime: build and run a team, its tools, run files, errors.
export type {
  ErrorCode,
  Item,
  ItemKind,
  NewItem,
  QuorumErrorOptions,
  RunEvent,
  RunEventType,
  RunFile,
  RunStatus,
  Sensitivity,
  ToolEffect,
  ToolRunContext,
  ToolSpec,
  Usage,
} from "./core/index.js";
export {
  defineTool,
  EventLog,
  InternalError,
  ItemSchema,
  isQuorumError,
  ModelError,
  QuorumError,
  RunFileSchema,
  UserInputError,
} from "./core/index.js";
export type {
  Budgets,
  RunOptions,
  Scenario,
  ScenarioTeamOptions,
  SpecialistMember,
  SupervisorDecision,
  TeamConfig,
  TeamMember,
  TeamResult,
  TeamRunStream,
  TeamStatus,
  ItemContentOf,
  ItemOf,
  TeamNodeOptions,
  McpToolDeclaration,
  McpTools,
  McpToolsOptions,
  ToolApprovalRequest,
  PlanApprovalRequest,
  ToolApprover,
} from "./graph/index.js";
export {
  ApprovalDecisionSchema,
  type ApprovalDecision,
  type ApprovalRequest,
  contentOf,
  createTeam,
  isItemOf,
  loadMcpTools,
  loadScenario,
  parseScenario,
  Runtime,
  ScenarioSchema,
  Team,
  teamFromScenario,
  teamNode,
  toRunFile,
  UnresolvedCallError,
  writeRunFile,
} from "./graph/index.js";

// Agents: scripted, rule-backed, template and model-backed roles, and the plan they exchange.
export type {
  AgentEnv,
  Criteria,
  CriteriaInput,
  Planner,
  RuleVerifierOptions,
  RunnableSpecialistOptions,
  RunnableStep,
  Specialist,
  SpecialistInfo,
  StepInput,
  Supervisor,
  TemplateSupervisorOptions,
  Verifier,
  VerifyInput,
} from "./agents/index.js";
export {
  ModelPlanner,
  ModelSpecialist,
  ModelSupervisor,
  ModelVerifier,
  PlanSchema,
  PlanStepSchema,
  type Plan,
  type PlanStep,
  RuleVerifier,
  RunnableSpecialist,
  ScriptedPlanner,
  ScriptedSpecialist,
  TemplateSupervisor,
} from "./agents/index.js";

// Guards: the hook types, the plan guard, ToM / CoDef, the leak message guard, scenario leak guards.
export type {
  Decision,
  GuardContext,
  Guards,
  MessageGuard,
  MessageGuardInput,
  PlanGuard,
  PlanGuardInput,
  PlanStepView,
  RiskType,
  ToolCallGuard,
  ToolCallGuardInput,
  Verdict,
} from "./guards/types.js";
export { VerdictSchema } from "./guards/types.js";
export type {
  NormalisedPlan,
  NormalisedPlanGuard,
  PlanGuardMode,
  PlanGuardOptions,
  Policy,
  PolicyInput,
  ToolRisk,
} from "./guards/plan/index.js";
export { createPlanGuard, loadDefaultPolicy, loadPolicy, parsePolicy } from "./guards/plan/index.js";
export type {
  CoDefGuardOptions,
  CompositionPolicy,
  Detection,
  GuardMode,
  LeakGuardOptions,
  LeakRating,
  Threshold,
  TomGuardOptions,
} from "./guards/privacy/index.js";
export {
  CoDefGuard,
  CompositionPolicySchema,
  detectLeak,
  LeakMessageGuard,
  TomGuard,
} from "./guards/privacy/index.js";
export { type Canary, CanarySinkGuard, canaryGuards, scenarioCanaries } from "./graph/scenario-privacy.js";
export { scenarioGuards } from "./graph/scenario-guards.js";

// Memory: shared memory with labels and provenance, the disclosure ledger.
export type { Disclosure, MemoryReadResult, MemoryWriteOptions, TableRef } from "./memory/index.js";
export { DisclosureLedger, SharedMemory } from "./memory/index.js";

// Models: the chat model factory and its config, structured calls, usage accounting.
export type { ChatModelOptions, ModelConfig } from "./models/index.js";
export {
  ChatModelOptionsSchema,
  createChatModel,
  invokeForAgent,
  invokeStructured,
  modelConfigFromEnv,
  UsageMeter,
} from "./models/index.js";

// Trace: root-cause tracing, exporters, importers (run files, Who&When logs).
export type {
  Candidate,
  Idg,
  Replayer,
  ReplayOutcome,
  ReplayRequest,
  RootCauseReport,
  TraceFormat,
  TraceInput,
  TraceOptions,
  TraceResult,
  TraceView,
  WhoAndWhenRecord,
} from "./trace/index.js";
export {
  exportTrace,
  loadTraceFile,
  parseRunFile,
  parseTraceDocument,
  parseWhoAndWhen,
  TRACE_FORMATS,
  toOtlpJson,
  traceRun,
  WhoAndWhenRecordSchema,
} from "./trace/index.js";
// The checkpoint replayer confirms a suspect by replaying a SQLite-checkpointed run.
export { checkpointReplayer } from "./eval/replay/replay.js";

// Stores: SQLite / Postgres run stores and checkpointers, tool journals, checkpoint encryption.
export type { JournalEntry, RunStore, ThreadRecord, ToolJournal } from "./graph/index.js";
export {
  createMemoryCheckpointer,
  encryptCheckpoints,
  InMemoryToolJournal,
  openRunStore,
  PostgresRunStore,
  parseEncryptionKey,
  QuorumPostgresSaver,
  QuorumSqliteSaver,
  SqliteRunStore,
} from "./graph/index.js";

// Events and OpenTelemetry: the typed event stream's schema, events of a saved run, spans.
export type { TeamEvent, TeamEventType, TeamObserver } from "./core/index.js";
export { TeamEventSchema, teamEventsOf } from "./core/index.js";
export type { OtelObserverOptions, RecordedSpan } from "./trace/index.js";
export { createOtelObserver, SpanRecorder, spansOfRunFile } from "./trace/index.js";

// Evaluation harnesses as functions: compositional privacy, MAGPIE, Who&When, plan risk.
export type {
  EvaluateOptions as CompositionalOptions,
  Evaluation as CompositionalEvaluation,
  Scenario as CompositionalScenario,
} from "./eval/compositional/index.js";
export {
  evaluate as evaluateCompositional,
  loadScenarios as loadCompositionalScenarios,
} from "./eval/compositional/index.js";
export { loadMagpie } from "./eval/magpie/loader.js";
export { type RunMagpieOptions, type RunMagpieResult, runMagpie } from "./eval/magpie/run.js";
export type { MagpieScenario } from "./eval/magpie/schema.js";
export type {
  EvalOptions as WhoAndWhenOptions,
  EvalReport as WhoAndWhenReport,
  LabelledRecord,
  Method as WhoAndWhenMethod,
} from "./eval/who-and-when/index.js";
export { evaluateWhoAndWhen, loadWhoAndWhen } from "./eval/who-and-when/index.js";
export type {
  GeneratedRecord,
  GenerateOptions as RiskyPlanOptions,
  PlanRiskRecord,
  PlanRiskReport,
  PlanRiskRunOptions,
  SeedPlan,
} from "./eval/plan-risk/index.js";
export {
  generateRiskyPlans,
  loadPlanRiskData,
  loadSeeds as loadRiskyPlanSeeds,
  runPlanRisk,
} from "./eval/plan-risk/index.js";
