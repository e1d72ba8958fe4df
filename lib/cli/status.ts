// The CLI's own exit statuses (a command's own status is passed through as it is). Apart from the
// help texts, so that a command loads them without loading every help.

/** Exit status of procctl itself, inspect and tree on a usage error (exec, init and run: 125). */
export const USAGE_STATUS = 2;
/** Exit status of exec, init and run when procctl itself fails (usage, setup), as env(1) and timeout(1) use it. */
export const OWN_FAILURE_STATUS = 125;
/** Exit status of inspect and tree when the PID does not exist. */
export const MISSING_STATUS = 1;
