import type { Command } from "commander";
import type { CommandGroups } from "./index.js";

// Registered by its owning feature; empty until that feature lands.
export function register(_program: Command, _groups: CommandGroups): void {}
