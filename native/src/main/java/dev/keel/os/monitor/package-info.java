/**
 * The per-container monitor: keel-monitor ({@code native/src/main/c/keel-monitor.c}, shipped in this module's jar),
 * one per container, which runs the OCI runtime, holds the container's stdio, writes its log (Docker's json-file
 * format) and its exit file, and outlives the daemon. It speaks conmon's protocols (CONMON_RECIPE.md), so a conmon
 * started by an older daemon is still served. This package spawns the monitor, reads what it leaves on disk (log,
 * exit file, oom marker) and recognises a live monitor again after a daemon restart.
 */
package dev.keel.os.monitor;
