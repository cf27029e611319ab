package dev.keel.actors.container;

import java.util.List;
import java.util.Map;

/**
 * What a Docker {@code create} fixes for the container's life (Config and HostConfig, merged with the image's defaults
 * by the caller). Absent strings are empty, never null.
 */
public record ContainerConfig(
        List<String> cmd,
        List<String> entrypoint,
        List<String> env,
        String workingDir,
        String user,
        String hostname,
        Map<String, String> labels,
        boolean tty,
        boolean openStdin,
        String stopSignal,
        RestartPolicy restartPolicy,
        ContainerResources resources,
        boolean autoRemove,
        String networkMode,
        List<String> binds,
        List<String> exposedPorts) {

    public static final ContainerConfig EMPTY = new ContainerConfig(List.of(), List.of(), List.of(), "", "", "", Map.of(),
            false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of(), List.of());

    public ContainerConfig {
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        binds = List.copyOf(binds);
        exposedPorts = List.copyOf(exposedPorts);
    }

    public ContainerConfig withUpdate(ContainerResources newResources, RestartPolicy newRestartPolicy) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                newRestartPolicy, newResources, autoRemove, networkMode, binds, exposedPorts);
    }
}
