package dev.keel.actors.container;

import java.util.List;
import java.util.Map;

/**
 * What a Docker {@code create} fixes for the container's life (Config and HostConfig, merged with the image's defaults
 * by the caller). Absent strings are empty, never null.
 *
 * <p>Kryo versions: v1 ended at {@code exposedPorts} ({@link ContainerShapesV1.Config}); v2 added the published
 * ports, the networks, the DNS settings, the mounts and the volume options (VolumesFrom, VolumeDriver)
 * ({@link ContainerShapesV2.Config}); v3 added the OCI runtime.
 *
 * @param runtime the OCI runtime the container runs on, by name: the one asked for (HostConfig.Runtime) or the
 *     daemon's default when it was created; a request's config leaves it empty to take the default
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
        List<String> exposedPorts,
        List<PortBinding> portBindings,
        boolean publishAllPorts,
        List<NetworkAttachment> networks,
        List<String> dns,
        List<String> dnsSearch,
        List<String> dnsOptions,
        List<String> extraHosts,
        List<ContainerMount> mounts,
        List<String> volumesFrom,
        String volumeDriver,
        String runtime) {

    public static final ContainerConfig EMPTY = new ContainerConfig(List.of(), List.of(), List.of(), "", "", "", Map.of(),
            false, false, "", RestartPolicy.NO, ContainerResources.UNLIMITED, false, "", List.of(), List.of());

    /** The OCI runtime of containers created before the runtime could be chosen: keeld ran them all on runc. */
    static final String FIRST_RUNTIME = "runc";

    /**
     * The container's networking mode as Docker names it: "default" (the bridge network), "bridge", "host", "none",
     * "container:&lt;id&gt;" or a user-defined network's name.
     */
    public String effectiveNetworkMode() {
        return networkMode.isEmpty() ? "default" : networkMode;
    }

    public ContainerConfig {
        cmd = List.copyOf(cmd);
        entrypoint = List.copyOf(entrypoint);
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        binds = List.copyOf(binds);
        exposedPorts = List.copyOf(exposedPorts);
        portBindings = List.copyOf(portBindings);
        networks = List.copyOf(networks);
        dns = List.copyOf(dns);
        dnsSearch = List.copyOf(dnsSearch);
        dnsOptions = List.copyOf(dnsOptions);
        extraHosts = List.copyOf(extraHosts);
        mounts = List.copyOf(mounts);
        volumesFrom = List.copyOf(volumesFrom);
    }

    /**
     * A container without published ports, networks of its own choosing, DNS settings or mounts, on the daemon's
     * default runtime.
     */
    public ContainerConfig(List<String> cmd, List<String> entrypoint, List<String> env, String workingDir, String user,
                           String hostname, Map<String, String> labels, boolean tty, boolean openStdin,
                           String stopSignal, RestartPolicy restartPolicy, ContainerResources resources,
                           boolean autoRemove, String networkMode, List<String> binds, List<String> exposedPorts) {
        this(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal, restartPolicy,
                resources, autoRemove, networkMode, binds, exposedPorts, List.of(), false, List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), "", "");
    }

    public ContainerConfig withUpdate(ContainerResources newResources, RestartPolicy newRestartPolicy) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                newRestartPolicy, newResources, autoRemove, networkMode, binds, exposedPorts, portBindings,
                publishAllPorts, networks, dns, dnsSearch, dnsOptions, extraHosts, mounts, volumesFrom, volumeDriver,
                runtime);
    }

    public ContainerConfig withNetworks(List<NetworkAttachment> newNetworks) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, portBindings, publishAllPorts,
                newNetworks, dns, dnsSearch, dnsOptions, extraHosts, mounts, volumesFrom, volumeDriver, runtime);
    }

    public ContainerConfig withMounts(List<ContainerMount> newMounts) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, portBindings, publishAllPorts,
                networks, dns, dnsSearch, dnsOptions, extraHosts, newMounts, volumesFrom, volumeDriver, runtime);
    }

    public ContainerConfig withPortBindings(List<PortBinding> newBindings, boolean newPublishAll) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, newBindings, newPublishAll,
                networks, dns, dnsSearch, dnsOptions, extraHosts, mounts, volumesFrom, volumeDriver, runtime);
    }

    public ContainerConfig withDns(List<String> newDns, List<String> newSearch, List<String> newOptions,
                                   List<String> newExtraHosts) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, portBindings, publishAllPorts,
                networks, newDns, newSearch, newOptions, newExtraHosts, mounts, volumesFrom, volumeDriver, runtime);
    }

    public ContainerConfig withRuntime(String name) {
        return new ContainerConfig(cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stopSignal,
                restartPolicy, resources, autoRemove, networkMode, binds, exposedPorts, portBindings, publishAllPorts,
                networks, dns, dnsSearch, dnsOptions, extraHosts, mounts, volumesFrom, volumeDriver, name);
    }

    ContainerConfig withNetwork(NetworkAttachment added) {
        List<NetworkAttachment> next = new java.util.ArrayList<>(networks);
        next.add(added);
        return withNetworks(next);
    }

    ContainerConfig withoutNetwork(String networkId) {
        return withNetworks(networks.stream().filter(n -> !n.networkId().equals(networkId)).toList());
    }

    /** The attachment to {@code networkId}, if the container is connected to it. */
    public java.util.Optional<NetworkAttachment> network(String networkId) {
        return networks.stream().filter(n -> n.networkId().equals(networkId)).findFirst();
    }
}
