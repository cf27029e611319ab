/**
 * Running containers on the host: the OCI bundle ({@code config.json}) made from a {@link dev.keel.os.runtime.ContainerSpec},
 * and the {@link dev.keel.os.runtime.ContainerRuntime} that creates, starts, signals, pauses, execs into and deletes
 * containers through an OCI runtime (runc) under a per-container monitor ({@link dev.keel.os.monitor}).
 */
package dev.keel.os.runtime;
