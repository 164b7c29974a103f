/**
 * The run context of a team run's runnables without LangChain's disabled trace trees.
 *
 * LangChain core's `runWithConfig`, which LangGraph calls for every runnable it invokes (about 25
 * per team run: each node, its channel writer, its update mapper, its routing), builds a langsmith
 * `RunTree` with tracing disabled whenever no tracer is attached, only to carry the runnable's
 * config in async-local storage. With tracing off that tree is never sent anywhere; building it
 * (ids, timestamps, environment lookups) was the largest single cost of a team step.
 *
 * `enableLeanRunContext` wraps `runWithConfig` once per process. For a config that carries the
 * `LEAN_RUN` marker in `configurable` (Quorum's team sets it on its own runs), has no callbacks,
 * and for which LangChain's callback setup finds no tracer (tracing off in the environment and no
 * traced parent), it stores a plain record holding the config (and the caller's context
 * variables) instead of the tree. `getConfig`, `interrupt` and `getContextVariable` read the same
 * fields from it. Every other call goes to the original unchanged: other graphs and runnables in
 * the process, runs with callbacks, traced runs. What differs inside a lean run: langsmith's
 * `getCurrentRunTree()` finds no tree (it would find a disabled one), and `setContextVariable`
 * inside a node replaces the record, so the node's own config is no longer found after it (a
 * tree would have been copied). A team opts out with `runContext: "langchain"`.
 *
 * If the installed LangChain does not keep the config where this module expects it, a probe at
 * install time finds out and the wrapper is not installed: runs then build trees as before.
 */
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";

/** Marker key in `configurable`: runs with it get the lean context when nothing traces them. */
export const LEAN_RUN: unique symbol = Symbol.for("quorum.lean-run-context");

/** Where LangChain core keeps a runnable's config and the context variables in the store. */
const CHILD_CONFIG = Symbol.for("lc:child_config");
const CONTEXT_VARIABLES = Symbol.for("lc:context_variables");

type RunWithConfig = (
  config: RunnableConfig | undefined,
  callback: () => unknown,
  avoidCreatingRootRunTree?: boolean,
) => unknown;

interface LeanStore {
  extra: Record<symbol, unknown>;
  [CONTEXT_VARIABLES]?: unknown;
}

let installed: boolean | undefined;

function isLeanCandidate(config: RunnableConfig | undefined): config is RunnableConfig {
  if (config?.configurable?.[LEAN_RUN as unknown as string] !== true) return false;
  const callbacks = config.callbacks;
  return callbacks === undefined || (Array.isArray(callbacks) && callbacks.length === 0);
}

/**
 * True when LangChain's callback setup for this config would attach a tracer (or fails: then the
 * original decides, and fails as it would have).
 */
function wouldTrace(config: RunnableConfig): boolean {
  try {
    const manager = CallbackManager._configureSync(
      undefined,
      undefined,
      config.tags,
      undefined,
      config.metadata,
    );
    return manager?.handlers.some((h) => h.name === "langchain_tracer") ?? false;
  } catch {
    return true;
  }
}

function leanRun(config: RunnableConfig, callback: () => unknown): unknown {
  const storage = AsyncLocalStorageProviderSingleton.getInstance();
  const previous = storage.getStore() as Record<symbol, unknown> | undefined;
  const store: LeanStore = { extra: { [CHILD_CONFIG]: config } };
  if (previous?.[CONTEXT_VARIABLES] !== undefined) store[CONTEXT_VARIABLES] = previous[CONTEXT_VARIABLES];
  return storage.run(store, callback);
}

/**
 * Whether the installed LangChain has the callback setup `wouldTrace` asks and reads a runnable's
 * config back from where `leanRun` puts it.
 */
function probe(): boolean {
  if (typeof CallbackManager._configureSync !== "function") return false;
  const config: RunnableConfig = { configurable: { probe: true } };
  let seen: RunnableConfig | undefined;
  leanRun(config, () => {
    seen = AsyncLocalStorageProviderSingleton.getRunnableConfig();
  });
  return seen === config;
}

/**
 * Installs the wrapper (once per process; later calls return the first answer). Returns whether
 * lean contexts are in use: false when the probe finds LangChain keeping configs elsewhere, or
 * when async-local storage is not initialised (no LangGraph loaded).
 */
export function enableLeanRunContext(): boolean {
  if (installed !== undefined) return installed;
  const provider = AsyncLocalStorageProviderSingleton as unknown as { runWithConfig: RunWithConfig };
  const original = provider.runWithConfig;
  if (typeof original !== "function" || !probe()) {
    installed = false;
    return installed;
  }
  const bound = original.bind(provider);
  provider.runWithConfig = (config, callback, avoidCreatingRootRunTree) => {
    if (avoidCreatingRootRunTree || !isLeanCandidate(config) || wouldTrace(config))
      return bound(config, callback, avoidCreatingRootRunTree);
    return leanRun(config, callback);
  };
  installed = true;
  return installed;
}
