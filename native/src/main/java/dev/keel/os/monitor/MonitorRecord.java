package dev.keel.os.monitor;

/**
 * What the daemon keeps about a running monitor so that a later daemon can recognise it: the pid of the monitor, its
 * start time (field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot) against pid reuse, and the
 * container's pid. The names are those of the {@code monitor.json} files written when the monitor was conmon.
 */
public record MonitorRecord(long conmonPid, long conmonStartTicks, long containerPid) {}
