package dev.keel.os.runtime;

import java.nio.file.Path;

/**
 * A container that the runtime has created under its monitor.
 *
 * @param pid the container's init process on the host
 * @param monitorPid the monitor's (keel-monitor's) pid
 * @param logFile the monitor's json-file log, read with {@link dev.keel.os.monitor.JsonFileLog}
 */
public record CreatedContainer(String id, long pid, long monitorPid, Path logFile) {}
