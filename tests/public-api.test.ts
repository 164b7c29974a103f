import { describe, expect, it } from "vitest";
import * as quorum from "../src/index.js";
import * as testing from "../src/testing/index.js";

// The runtime names of the two public entry points. Adding, removing or renaming one is a change
// to the SDK surface: update the list here in the same commit, on purpose.
const QUORUM = [
  "ApprovalDecisionSchema",
  "CanarySinkGuard",
  "ChatModelOptionsSchema",
  "CoDefGuard",
  "CompositionPolicySchema",
  "DisclosureLedger",
  "EventLog",
  "InMemoryToolJournal",
  "InternalError",
  "ItemSchema",
  "LeakMessageGuard",
  "ModelError",
  "ModelPlanner",
  "ModelSpecialist",
  "ModelSupervisor",
  "ModelVerifier",
  "PlanSchema",
  "PlanStepSchema",
  "PostgresRunStore",
  "QuorumError",
  "QuorumPostgresSaver",
  "QuorumSqliteSaver",
  "RuleVerifier",
  "RunnableSpecialist",
  "RunFileSchema",
  "Runtime",
  "ScenarioSchema",
  "ScriptedPlanner",
  "ScriptedSpecialist",
  "SharedMemory",
  "SpanRecorder",
  "SqliteRunStore",
  "TRACE_FORMATS",
  "Team",
  "TeamEventSchema",
  "TemplateSupervisor",
  "TomGuard",
  "UnresolvedCallError",
  "UsageMeter",
  "UserInputError",
  "VerdictSchema",
  "WhoAndWhenRecordSchema",
  "canaryGuards",
  "checkpointReplayer",
  "contentOf",
  "createChatModel",
  "createMemoryCheckpointer",
  "createOtelObserver",
  "createPlanGuard",
  "createTeam",
  "defineTool",
  "detectLeak",
  "encryptCheckpoints",
  "evaluateCompositional",
  "evaluateWhoAndWhen",
  "exportTrace",
  "generateRiskyPlans",
  "invokeForAgent",
  "invokeStructured",
  "isItemOf",
  "isQuorumError",
  "loadCompositionalScenarios",
  "loadDefaultPolicy",
  "loadMagpie",
  "loadMcpTools",
  "loadPlanRiskData",
  "loadPolicy",
  "loadRiskyPlanSeeds",
  "loadScenario",
  "loadTraceFile",
  "loadWhoAndWhen",
  "modelConfigFromEnv",
  "openRunStore",
  "parseEncryptionKey",
  "parsePolicy",
  "parseRunFile",
  "parseScenario",
  "parseTraceDocument",
  "parseWhoAndWhen",
  "runMagpie",
  "runPlanRisk",
  "scenarioCanaries",
  "scenarioGuards",
  "spansOfRunFile",
  "teamEventsOf",
  "teamFromScenario",
  "teamNode",
  "toOtlpJson",
  "toRunFile",
  "traceRun",
  "writeRunFile",
];

const QUORUM_TESTING = [
  "ChatRequestSchema",
  "ScriptedModel",
  "UnexpectedModelCallError",
  "seededRandom",
  "startTestServer",
];

const namesOf = (entry: object) => Object.keys(entry).sort();

describe("public API", () => {
  it("quorum exports exactly the pinned runtime names", () => {
    expect(namesOf(quorum)).toEqual([...QUORUM].sort());
  });

  it("quorum/testing exports exactly the pinned runtime names", () => {
    expect(namesOf(testing)).toEqual([...QUORUM_TESTING].sort());
  });

  it("keeps the quorum surface small: at most 104 runtime names", () => {
    expect(namesOf(quorum).length).toBeLessThanOrEqual(104);
  });

  it("exports no prompt, word list or pattern: no SCREAMING_CASE name but the format list", () => {
    const constants = namesOf(quorum).filter((n) => /^[A-Z][A-Z0-9_]+$/.test(n));
    expect(constants).toEqual(["TRACE_FORMATS"]);
  });

  it("exports nothing undefined", () => {
    const missing = Object.entries(quorum).filter(([, value]) => value === undefined);
    expect(missing.map(([name]) => name)).toEqual([]);
  });
});
