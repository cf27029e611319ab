/**
 * The per-container monitor: podman's {@code conmon}, one per container, which runs the OCI runtime, holds the
 * container's stdio, writes its log (k8s-file format) and its exit file, and outlives the daemon. This package
 * spawns conmon, reads what it leaves on disk (log, exit file, oom marker) and recognises a live conmon again after
 * a daemon restart.
 */
package dev.keel.os.monitor;
