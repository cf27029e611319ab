package dev.keel.os.runtime;

/** The OCI runtime's view of a container ({@code runc state}), plus what only the monitor knows. */
public enum ContainerStatus {
    /** Created, its process waits for start. */
    CREATED,
    RUNNING,
    /** Frozen through the freezer cgroup. */
    PAUSED,
    /** The main process has exited; the container awaits delete. */
    STOPPED,
    /** The process may run but its monitor is gone: no log, and no exit code will ever be recorded. */
    UNMONITORED;

    static ContainerStatus ofRuntime(String status) {
        return switch (status) {
            case "created", "creating" -> CREATED;
            case "running" -> RUNNING;
            case "paused", "pausing" -> PAUSED;
            case "stopped" -> STOPPED;
            default -> throw new IllegalArgumentException("unknown runtime status " + status);
        };
    }
}
