// The package entry: the spawn API, group control and the signal table.
export { spawn } from './spawn/spawn.js';
export { exec } from './exec/exec.js';
export { pipeline } from './exec/pipeline.js';
export type { PipelineCommand, PipelineCommandOptions } from './exec/pipeline.js';
export type { LinesOptions, LinesFrom } from './spawn/lines.js';
export { killGroup } from './group/kill.js';
export { groupMembers, waitForGroupExit } from './group/members.js';
export { Subprocess } from './spawn/subprocess.js';
export type { TerminateOptions, SubprocessEvents } from './spawn/subprocess.js';
export { ProcessError, SpawnError } from './errors.js';
export type { ExecResult, ExecOutput, ProcessErrorReasons, PipelinePosition } from './errors.js';
export type { ExitResult, Rusage } from './exit.js';
export type {
  SpawnOptions, ExecOptions, StdioEntry, StdioName, StdioOption, StreamWithFd, RlimitName, RlimitValue, SignalLike,
  SignalName, StandardSignalName, RealtimeSignalName, StdioOf, StdioStreamOf, ExecOutputOf,
} from './options.js';
export { signals } from './signals.js';
export { UnsupportedPlatformError } from './platform.js';
export { platformSupport } from './native.js';
export type { PlatformSupport } from './native.js';
export { inspect } from './proc/inspect.js';
export type { ProcessInfo, InspectedFd } from './proc/inspect.js';
export type { StopCause, StopInfo } from './proc/stop.js';
export { processTree } from './proc/tree.js';
export type { TreeNode } from './proc/tree.js';
export { Supervisor } from './supervisor/supervisor.js';
export type {
  ChildSpec, SupervisorOptions, RestartPolicy, ContainMode, Backoff, Intensity, ChildStatus, ChildState,
  SupervisorState, SupervisorEvents, StartEvent, ExitEvent, RestartEvent, GiveUpEvent, StopEvent,
} from './supervisor/supervisor.js';
