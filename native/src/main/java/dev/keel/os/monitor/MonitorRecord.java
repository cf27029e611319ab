package dev.keel.os.monitor;

/**
 * What the daemon keeps about a running monitor so that a later daemon can recognise it: the pid of conmon, its
 * start time (field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot) against pid reuse, and the
 * container's pid.
 */
public record MonitorRecord(long conmonPid, long conmonStartTicks, long containerPid) {}
