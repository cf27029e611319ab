package dev.keel.actors.network;

import dev.keel.actors.ActorsSettings;
import dev.keel.actors.Confirmation;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.HostCalls;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerDirectory;
import dev.keel.actors.container.ContainerEntity;
import dev.keel.actors.container.ContainerNetworking;
import dev.keel.actors.container.ContainersSettings;
import dev.keel.actors.container.NetworkAttachment;
import dev.keel.actors.container.PortBinding;
import dev.keel.netplane.HostNetworks;
import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.bridge.BridgeDriver;
import dev.keel.netplane.bridge.LiveEndpoint;
import dev.keel.netplane.dns.EmbeddedDns;
import dev.keel.netplane.dns.NameTable;
import dev.keel.netplane.dns.SandboxFiles;
import dev.keel.netplane.ipam.DefaultIpam;
import dev.keel.netplane.ipam.IpAddress;
import dev.keel.netplane.ipam.IpPrefix;
import dev.keel.netplane.namespace.NamespaceOnlyDriver;
import dev.keel.netplane.sandbox.Sandboxes;
import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.IpamDriver;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import dev.keel.pluginhost.Plugins;
import dev.keel.pluginhost.network.RemoteIpamDriver;
import dev.keel.pluginhost.network.RemoteNetworkDriver;
import com.typesafe.config.Config;
import dev.keel.os.runtime.MountSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's networks: the {@link NetworkEntity}s record, the drivers (bridge, host, null) and the default IPAM act,
 * the embedded DNS answers names on user-defined networks.
 *
 * <p>Creating a network asks IPAM for its pools first (bad or overlapping subnets fail before anything is recorded),
 * records it, then has the driver build it; a driver failure records the removal, so nothing is left half-made. A
 * container's endpoints are set up by the kernel first and recorded once they work, with their addresses and bound
 * ports; they are torn down and recorded detached after each run. IPAM keeps its allocations in memory: {@link
 * #recover} replays every live network's pools and endpoints' addresses from the entities, then has the bridge driver
 * make the kernel agree (missing bridges and rules recreated, orphans removed) without touching running containers'
 * interfaces.
 *
 * <p>Kernel and IPAM work blocks, so it runs on {@code keel.actors.containers.host-dispatcher}, one change at a time.
 */
public final class LocalNetworks implements Networks, ContainerNetworking {

    private static final Logger log = LoggerFactory.getLogger(LocalNetworks.class);

    private static final String DEFAULT_BRIDGE = "com.docker.network.bridge.default_bridge";
    private static final String HOST_NS = "/proc/1/ns/net";
    private static final HexFormat HEX = HexFormat.of();

    private final ActorSystem<?> system;
    private final Domain domain;
    private final NetplaneSettings settings;
    private final Path containersDir;
    private final HostCalls hostCalls;
    private final Duration askTimeout;
    private final Map<String, NetworkDriver> drivers;
    private final BridgeDriver bridge;
    private final IpamDriver defaultIpam;
    private final Plugins plugins;
    private final Sandboxes sandboxes;
    private final EmbeddedDns dns;
    private final SecureRandom random = new SecureRandom();
    private final Object plane = new Object();

    /** The projection of every active network, by id. */
    private final Map<String, NetworkEntity.State> networks = new ConcurrentHashMap<>();
    /** IPAM's handle of each network's first pool. */
    private final Map<String, String> poolIds = new ConcurrentHashMap<>();
    private volatile ContainerDirectory containers;

    private LocalNetworks(ActorSystem<?> system, Domain domain, NetplaneSettings settings, Path containersDir,
                          Executor host, Duration askTimeout, EmbeddedDns dns, Plugins plugins) {
        this.system = system;
        this.domain = domain;
        this.settings = settings;
        this.containersDir = containersDir;
        this.hostCalls = new HostCalls(host, LocalNetworks::translate);
        this.askTimeout = askTimeout;
        this.bridge = new BridgeDriver(settings);
        this.drivers = Map.of(bridge.name(), bridge, NamespaceOnlyDriver.HOST.name(), NamespaceOnlyDriver.HOST,
                NamespaceOnlyDriver.NULL.name(), NamespaceOnlyDriver.NULL);
        this.defaultIpam = DefaultIpam.fromSettings(settings);
        this.plugins = plugins;
        this.sandboxes = new Sandboxes(settings);
        this.dns = dns;
    }

    /**
     * Opens the network plane ({@code keel.netplane}) with containers' /etc files under {@code containersDir} and
     * drivers that are not built in found by {@code plugins}; call {@link #recover} before anything else.
     */
    public static LocalNetworks open(ActorSystem<?> system, Domain domain, Path containersDir, Plugins plugins) {
        var config = system.settings().config();
        NetplaneSettings settings = NetplaneSettings.fromConfig(config.getConfig("keel.netplane"));
        Executor host = system.dispatchers().lookup(DispatcherSelector.fromConfig(
                ContainersSettings.from(config).hostDispatcher()));
        EmbeddedDns dns;
        try {
            dns = EmbeddedDns.fromSettings(settings);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded DNS: " + e.getMessage(), e);
        }
        system.getWhenTerminated().thenRun(() -> quietly(() -> {
            try {
                dns.close();
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }));
        LocalNetworks networks = new LocalNetworks(system, domain, settings, containersDir, host,
                ActorsSettings.from(config).askTimeout(), dns, plugins);
        // The kernel's bridges and rules stay for live restore; only the host ports held in this JVM go.
        system.getWhenTerminated().thenRun(networks.bridge::close);
        return networks;
    }

    /**
     * Removes the bridges, rules and sandboxes that the {@code keel.netplane} settings of {@code config} name, which a
     * daemon leaves behind for live restore; for a daemon that is gone for good.
     */
    public static void removeHostState(Config config) {
        HostNetworks.removeAll(NetplaneSettings.fromConfig(config.getConfig("keel.netplane")));
    }

    /** Lets DNS, inspect and connect find containers, and connect change them: the container side's index. */
    public void useContainers(ContainerDirectory directory) {
        this.containers = directory;
    }

    // --- recovery -------------------------------------------------------------------------------------------------

    /**
     * Rebuilds the projection and IPAM from the Network entities, makes the kernel agree with them, serves DNS again
     * in the sandboxes that still exist, and creates the predefined networks on a first start.
     */
    public CompletionStage<Void> recover() {
        return domain.recordedIds(NetworkEntity.ENTITY_KEY)
                .mapAsyncUnordered(8, id -> domain.network(id).ask(NetworkEntity.Get::new, askTimeout))
                .runWith(Sink.seq(), system)
                .thenCompose(states -> blocking(() -> {
                    synchronized (plane) {
                        restore(states);
                    }
                    return null;
                }))
                .thenCompose(restored -> ensurePredefined());
    }

    private void restore(List<NetworkEntity.State> states) {
        List<NetworkDefinition> bridges = new ArrayList<>();
        List<LiveEndpoint> endpoints = new ArrayList<>();
        for (NetworkEntity.State state : states) {
            if (!state.isActive()) {
                continue;
            }
            networks.put(state.networkId(), state);
            if (!usesAddresses(state.spec())) {
                continue;
            }
            try {
                reserveAddresses(state);
            } catch (RuntimeException e) {
                // A plugin's network whose IPAM cannot be reached: keeld starts, that network fails when used.
                log.warn("network {} ({}): its addresses cannot be reserved again: {}", state.spec().name(),
                        state.networkId(), e.getMessage());
            }
            if (!state.spec().driver().equals(bridge.name())) {
                continue;
            }
            bridges.add(definition(state));
            state.endpoints().forEach((containerId, endpoint) -> {
                endpoints.add(new LiveEndpoint(state.networkId(), endpoint.endpointId(),
                        new EndpointAddresses(endpoint.ipv4Address(), endpoint.ipv6Address(), endpoint.macAddress()),
                        endpoint.ports().stream().map(LocalNetworks::mapping).toList()));
            });
        }
        try {
            bridge.reconcile(bridges, endpoints);
        } catch (NetworkFailure e) {
            // Another program took a published port while keeld was away: the rest of the host is reconciled.
            log.warn("reconciling the bridge networks: {}", e.getMessage());
        }
        for (String containerId : sandboxes.existing()) {
            if (endpointsOf(containerId).isEmpty()) {
                sandboxes.delete(containerId);
            } else if (onUserNetwork(containerId)) {
                serveDns(containerId);
            }
        }
    }

    /** Asks IPAM again for the pool, gateway, auxiliary and endpoint addresses the network recorded. */
    private void reserveAddresses(NetworkEntity.State state) {
        reservePools(state);
        IpamDriver ipam = ipam(state.spec());
        state.endpoints().forEach((containerId, endpoint) -> {
            if (!endpoint.ipv4Address().isEmpty()) {
                ipam.requestAddress(poolIds.get(state.networkId()), plain(endpoint.ipv4Address()), Map.of());
            }
        });
    }

    private void reservePools(NetworkEntity.State state) {
        IpamDriver ipam = ipam(state.spec());
        for (NetworkSpec.Pool pool : state.spec().ipam().pools()) {
            var allocation = ipam.requestPool(ipam.defaultAddressSpaces().local(), pool.subnet(), pool.ipRange(),
                    state.spec().ipam().options(), false);
            poolIds.put(state.networkId(), allocation.poolId());
            if (!pool.gateway().isEmpty()) {
                ipam.requestAddress(allocation.poolId(), pool.gateway(),
                        Map.of(IpamDriver.REQUEST_ADDRESS_TYPE, IpamDriver.GATEWAY));
            }
            pool.auxAddresses().values().forEach(aux -> ipam.requestAddress(allocation.poolId(), aux, Map.of()));
        }
    }

    private CompletionStage<Void> ensurePredefined() {
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (NetworkSpec spec : predefined()) {
            chain = chain.thenCompose(done -> byName(spec.name()).isPresent()
                    ? CompletableFuture.completedFuture(null)
                    : createNetwork(spec).thenAccept(created -> log.info("created the predefined network {}", spec.name())));
        }
        return chain;
    }

    private List<NetworkSpec> predefined() {
        Map<String, String> bridgeOptions = Map.of(
                BridgeDriver.BRIDGE_NAME, settings.defaultBridge(),
                DEFAULT_BRIDGE, "true",
                BridgeDriver.ENABLE_ICC, "true",
                BridgeDriver.ENABLE_IP_MASQUERADE, "true",
                BridgeDriver.MTU, Integer.toString(settings.mtu()));
        List<NetworkSpec.Pool> pools = settings.defaultBridgeSubnet().isEmpty()
                ? List.of()
                : List.of(new NetworkSpec.Pool(settings.defaultBridgeSubnet(), "", "", Map.of()));
        return List.of(
                new NetworkSpec("bridge", "bridge", bridgeOptions, Map.of(),
                        new NetworkSpec.Ipam("default", pools, Map.of()), false, false, false),
                new NetworkSpec("host", "host", Map.of(), Map.of(), NetworkSpec.Ipam.DEFAULT, false, false, false),
                new NetworkSpec("none", "null", Map.of(), Map.of(), NetworkSpec.Ipam.DEFAULT, false, false, false));
    }

    // --- networks -------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Network> create(NetworkSpec spec) {
        if (spec.isPredefined()) {
            return failed(new EngineFailure(Rejection.FORBIDDEN, "operation is not permitted on predefined "
                    + spec.name() + " network"));
        }
        if (byName(spec.name()).isPresent()) {
            return failed(new EngineFailure(Rejection.CONFLICT, "network with name " + spec.name() + " already exists"));
        }
        return createNetwork(spec);
    }

    private CompletionStage<Network> createNetwork(NetworkSpec requested) {
        String id = newId();
        return blocking(() -> {
            // A driver or IPAM plugin that cannot be found fails here, before anything is allocated.
            driver(requested.driver());
            ipam(requested);
            synchronized (plane) {
                return allocatePools(id, requested);
            }
        }).thenCompose(spec -> domain.createNetwork(id, spec).thenCompose(outcome -> {
            if (outcome instanceof Confirmation.Rejected rejected) {
                return blocking(() -> {
                    synchronized (plane) {
                        releasePools(id, spec);
                    }
                    throw EngineFailure.of(rejected);
                });
            }
            return domain.network(id).ask(NetworkEntity.Get::new, askTimeout).thenCompose(state -> blocking(() -> {
                synchronized (plane) {
                    driver(spec.driver()).createNetwork(definition(state));
                    networks.put(id, state);
                }
                return view(state);
            }).exceptionallyCompose(failure -> undoCreate(id, spec, failure)));
        }));
    }

    /** A driver that could not build the network: the creation is recorded as removed and its pools given back. */
    private CompletionStage<Network> undoCreate(String id, NetworkSpec spec, Throwable failure) {
        return domain.removeNetwork(id).thenCompose(removed -> blocking(() -> {
            synchronized (plane) {
                releasePools(id, spec);
            }
            throw asEngineFailure(unwrap(failure), "");
        }));
    }

    /**
     * The spec with the pool IPAM gave: subnet chosen when none was asked, gateway filled in, auxiliary addresses
     * reserved. One IPv4 pool per network.
     */
    private NetworkSpec allocatePools(String id, NetworkSpec spec) {
        if (!usesAddresses(spec)) {
            return spec;
        }
        IpamDriver ipam = ipam(spec);
        if (spec.ipam().pools().size() > 1) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "a network has at most one IPv4 subnet on this host");
        }
        NetworkSpec.Pool wanted = spec.ipam().pools().isEmpty()
                ? new NetworkSpec.Pool("", "", "", Map.of())
                : spec.ipam().pools().get(0);
        var allocation = ipam.requestPool(ipam.defaultAddressSpaces().local(), wanted.subnet(), wanted.ipRange(),
                spec.ipam().options(), false);
        poolIds.put(id, allocation.poolId());
        NetworkSpec.Pool given = new NetworkSpec.Pool(allocation.pool(), wanted.ipRange(), "", Map.of());
        try {
            String gateway = plain(ipam.requestAddress(allocation.poolId(), wanted.gateway(),
                    Map.of(IpamDriver.REQUEST_ADDRESS_TYPE, IpamDriver.GATEWAY)));
            given = new NetworkSpec.Pool(allocation.pool(), wanted.ipRange(), gateway, Map.of());
            Map<String, String> reserved = new LinkedHashMap<>();
            for (var aux : wanted.auxAddresses().entrySet()) {
                ipam.requestAddress(allocation.poolId(), aux.getValue(), Map.of());
                reserved.put(aux.getKey(), aux.getValue());
                given = new NetworkSpec.Pool(allocation.pool(), wanted.ipRange(), gateway, reserved);
            }
        } catch (NetworkFailure e) {
            releasePools(id, withPools(spec, List.of(given)));
            throw e;
        }
        return withPools(spec, List.of(given));
    }

    private void releasePools(String id, NetworkSpec spec) {
        String poolId = poolIds.remove(id);
        if (poolId == null) {
            return;
        }
        IpamDriver ipam = ipam(spec);
        for (NetworkSpec.Pool pool : spec.ipam().pools()) {
            if (!pool.gateway().isEmpty()) {
                quietly(() -> ipam.releaseAddress(poolId, pool.gateway()));
            }
            pool.auxAddresses().values().forEach(aux -> quietly(() -> ipam.releaseAddress(poolId, aux)));
        }
        quietly(() -> ipam.releasePool(poolId));
    }

    private static NetworkSpec withPools(NetworkSpec spec, List<NetworkSpec.Pool> pools) {
        return new NetworkSpec(spec.name(), spec.driver(), spec.options(), spec.labels(),
                new NetworkSpec.Ipam(spec.ipam().driver().isEmpty() ? DefaultIpam.NAME : spec.ipam().driver(), pools,
                        spec.ipam().options()),
                spec.internal(), spec.attachable(), spec.enableIpv6());
    }

    @Override
    public CompletionStage<Network> inspect(String ref) {
        return find(ref).thenCompose(id -> domain.network(id).ask(NetworkEntity.Get::new, askTimeout))
                .thenApply(this::view);
    }

    @Override
    public CompletionStage<List<Network>> list() {
        List<Network> all = networks.values().stream()
                .sorted(Comparator.comparing((NetworkEntity.State s) -> !s.spec().isPredefined())
                        .thenComparing(NetworkEntity.State::createdAt))
                .map(this::view)
                .toList();
        return CompletableFuture.completedFuture(all);
    }

    @Override
    public CompletionStage<Void> remove(String ref) {
        return find(ref).thenCompose(id -> {
            NetworkEntity.State state = networks.get(id);
            if (state.spec().isPredefined()) {
                throw new EngineFailure(Rejection.FORBIDDEN, state.spec().name()
                        + " is a pre-defined network and cannot be removed");
            }
            return domain.removeNetwork(id).thenCompose(outcome -> {
                if (outcome instanceof Confirmation.Rejected rejected) {
                    throw EngineFailure.of(rejected);
                }
                return blocking(() -> {
                    synchronized (plane) {
                        networks.remove(id);
                        driver(state.spec().driver()).deleteNetwork(id);
                        releasePools(id, state.spec());
                    }
                    return null;
                });
            });
        });
    }

    // --- containers -----------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<ContainerConfig> resolve(ContainerConfig config) {
        String mode = config.effectiveNetworkMode();
        if (mode.startsWith("container:")) {
            return CompletableFuture.completedFuture(config.withNetworks(List.of()));
        }
        String modeNetwork = mode.equals("default") ? "bridge" : mode;
        return find(modeNetwork).thenCompose(modeId -> {
            List<NetworkAttachment> resolved = new ArrayList<>();
            Optional<NetworkAttachment> asked = config.networks().stream()
                    .filter(n -> n.networkId().equals(mode) || n.networkId().equals(modeNetwork)
                            || n.networkId().equals(modeId))
                    .findFirst();
            resolved.add(new NetworkAttachment(modeId, asked.map(NetworkAttachment::aliases).orElse(List.of()),
                    asked.map(NetworkAttachment::ipv4Address).orElse(""), ""));
            for (NetworkAttachment other : config.networks()) {
                if (asked.isEmpty() || other != asked.get()) {
                    String otherId = findNow(other.networkId());
                    resolved.add(new NetworkAttachment(otherId, other.aliases(), other.ipv4Address(), ""));
                }
            }
            resolved.forEach(this::validateAttachment);
            return CompletableFuture.completedFuture(config.withNetworks(resolved));
        });
    }

    /** Docker's rules for a static address: user-defined networks with a subnet of their own, inside it. */
    private void validateAttachment(NetworkAttachment attachment) {
        if (attachment.ipv4Address().isEmpty()) {
            return;
        }
        NetworkEntity.State state = networks.get(attachment.networkId());
        if (state.spec().isPredefined()) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT,
                    "user specified IP address is supported on user defined networks only");
        }
        List<NetworkSpec.Pool> pools = state.spec().ipam().pools();
        if (pools.isEmpty()) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT,
                    "user specified IP address is supported only when connecting to networks with user configured subnets");
        }
        if (pools.stream().noneMatch(pool -> contains(pool.subnet(), attachment.ipv4Address()))) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "Invalid address " + attachment.ipv4Address()
                    + ": It does not belong to any of this network's subnets");
        }
    }

    private static boolean contains(String subnet, String ip) {
        IpAddress address = IpAddress.parseOrNull(ip);
        return address != null && IpPrefix.parse(subnet).contains(address);
    }

    @Override
    public CompletionStage<Setup> attach(ContainerEntity.State container) {
        String id = container.containerId();
        ContainerConfig config = container.config();
        String mode = config.effectiveNetworkMode();
        if (mode.startsWith("container:")) {
            String other = mode.substring("container:".length());
            return blocking(() -> new Setup(Optional.of(sandboxes.pathOf(containers.find(other)
                            .orElseThrow(() -> new EngineFailure(Rejection.NOT_FOUND, "No such container: " + other))
                            .containerId())),
                    etcMounts(containersDir.resolve(other))));
        }
        if (mode.equals("host") || mode.equals("none")) {
            // No endpoint to set up: the host's namespace, or a new one with only loopback that the runtime makes.
            boolean host = mode.equals("host");
            return blocking(() -> {
                writeEtcFiles(container, List.of(), false, host);
                return new Setup(host ? Optional.of(Path.of(HOST_NS)) : Optional.empty(),
                        etcMounts(containersDir.resolve(id)));
            });
        }
        CompletionStage<Path> sandbox = blocking(() -> sandboxes.create(id));
        return sandbox.thenCompose(netns -> plugAll(container, netns, 0, new ArrayList<>())
                .thenCompose(addresses -> blocking(() -> {
                    boolean embeddedDns = onUserNetwork(id);
                    if (embeddedDns) {
                        serveDns(id);
                    }
                    writeEtcFiles(container, addresses, embeddedDns, false);
                    return new Setup(Optional.of(netns), etcMounts(containersDir.resolve(id)));
                })))
                .exceptionallyCompose(failure -> detach(id).thenApply(cleaned -> {
                    throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                }));
    }

    /** Plugs the container into its networks one after the other, collecting its addresses. */
    private CompletionStage<List<String>> plugAll(ContainerEntity.State container, Path netns, int index,
                                                  List<String> addresses) {
        List<NetworkAttachment> attachments = attachmentsOf(container.config());
        if (index == attachments.size()) {
            return CompletableFuture.completedFuture(addresses);
        }
        NetworkAttachment attachment = attachments.get(index);
        return plug(container, netns, attachment, index == 0).thenCompose(endpoint -> {
            if (!endpoint.ipv4Address().isEmpty()) {
                addresses.add(plain(endpoint.ipv4Address()));
            }
            return plugAll(container, netns, index + 1, addresses);
        });
    }

    /** The container's networks; one created before networks were recorded in its config is on the default bridge. */
    private List<NetworkAttachment> attachmentsOf(ContainerConfig config) {
        if (!config.networks().isEmpty() || !List.of("default", "bridge").contains(config.effectiveNetworkMode())) {
            return config.networks();
        }
        return byName("bridge").map(id -> List.of(new NetworkAttachment(id, List.of(), "", ""))).orElse(List.of());
    }

    /** One endpoint: address, interface in the sandbox, published ports; recorded once it works. */
    private CompletionStage<NetworkEntity.Endpoint> plug(ContainerEntity.State container, Path netns,
                                                         NetworkAttachment attachment, boolean first) {
        String networkId = attachment.networkId();
        NetworkEntity.State network = networks.get(networkId);
        if (network == null) {
            return failed(new EngineFailure(Rejection.NOT_FOUND, "network " + networkId + " not found"));
        }
        String containerId = container.containerId();
        String endpointId = newId();
        return blocking(() -> {
            synchronized (plane) {
                return connectEndpoint(container, netns, network, attachment, endpointId, first);
            }
        }).thenCompose(endpoint -> domain.network(networkId)
                .<Confirmation>ask(r -> new NetworkEntity.Attach(containerId, endpoint, r), askTimeout)
                .thenCompose(outcome -> {
                    if (outcome instanceof Confirmation.Rejected rejected) {
                        return blocking(() -> {
                            synchronized (plane) {
                                disconnectEndpoint(network, endpoint);
                            }
                            throw EngineFailure.of(rejected);
                        });
                    }
                    // The projection takes the transition the entity just made, without asking it again.
                    networks.computeIfPresent(networkId, (id, state) -> state.withEndpoint(containerId, endpoint));
                    return CompletableFuture.completedFuture(endpoint);
                }));
    }

    private NetworkEntity.Endpoint connectEndpoint(ContainerEntity.State container, Path netns,
                                                   NetworkEntity.State network, NetworkAttachment attachment,
                                                   String endpointId, boolean first) {
        String networkId = network.networkId();
        if (!usesAddresses(network.spec())) {
            return new NetworkEntity.Endpoint(endpointId, "", "", "", List.of());
        }
        NetworkDriver driver = driver(network.spec().driver());
        IpamDriver ipam = ipam(network.spec());
        String poolId = poolIds.get(networkId);
        String address;
        try {
            address = ipam.requestAddress(poolId, attachment.ipv4Address(), Map.of());
        } catch (NetworkFailure e) {
            throw asEngineFailure(e, "");
        }
        boolean created = false;
        try {
            EndpointAddresses given = driver.createEndpoint(networkId, endpointId, new EndpointAddresses(address, "", ""));
            created = true;
            String mac = given.macAddress().isEmpty() ? macOf(address) : given.macAddress();
            JoinInfo join = driver.join(networkId, endpointId, netns);
            sandboxes.addInterface(netns, join, new EndpointAddresses(address, "", mac), mtuOf(network.spec()), first);
            List<PublishedPort> ports = first && !network.spec().internal()
                    ? driver.programExternalConnectivity(networkId, endpointId, portsOf(container.config())).stream()
                            .map(LocalNetworks::published).toList()
                    : List.of();
            return new NetworkEntity.Endpoint(endpointId, address, "", mac, ports);
        } catch (NetworkFailure e) {
            if (created) {
                quietly(() -> driver.leave(networkId, endpointId));
                quietly(() -> driver.deleteEndpoint(networkId, endpointId));
            }
            quietly(() -> ipam.releaseAddress(poolId, address));
            throw asEngineFailure(e, "driver failed programming external connectivity on endpoint "
                    + container.name().substring(1) + " (" + endpointId + "): ");
        }
    }

    @Override
    public CompletionStage<Void> detach(String containerId) {
        Map<String, ContainerEndpoint> endpoints = endpointsOf(containerId);
        if (endpoints.isEmpty() && !Files.exists(sandboxes.pathOf(containerId))) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (ContainerEndpoint endpoint : endpoints.values()) {
            chain = chain.thenCompose(done -> unplug(containerId, endpoint.networkId()));
        }
        return chain.thenCompose(unplugged -> blocking(() -> {
            dns.detach(containerId);
            synchronized (plane) {
                sandboxes.delete(containerId);
            }
            return null;
        }));
    }

    private CompletionStage<Void> unplug(String containerId, String networkId) {
        NetworkEntity.State network = networks.get(networkId);
        NetworkEntity.Endpoint endpoint = network == null ? null : network.endpoints().get(containerId);
        if (endpoint == null) {
            return CompletableFuture.completedFuture(null);
        }
        return blocking(() -> {
            synchronized (plane) {
                disconnectEndpoint(network, endpoint);
            }
            return null;
        }).thenCompose(done -> domain.network(networkId)
                .<Confirmation>ask(r -> new NetworkEntity.Detach(containerId, r), askTimeout))
                .thenAccept(detached -> networks.computeIfPresent(networkId,
                        (id, state) -> state.withoutEndpoint(containerId)));
    }

    private void disconnectEndpoint(NetworkEntity.State network, NetworkEntity.Endpoint endpoint) {
        NetworkDriver driver = driver(network.spec().driver());
        IpamDriver ipam = ipam(network.spec());
        String networkId = network.networkId();
        quietly(() -> driver.revokeExternalConnectivity(networkId, endpoint.endpointId()));
        quietly(() -> driver.leave(networkId, endpoint.endpointId()));
        quietly(() -> driver.deleteEndpoint(networkId, endpoint.endpointId()));
        if (!endpoint.ipv4Address().isEmpty()) {
            quietly(() -> ipam.releaseAddress(poolIds.get(networkId), plain(endpoint.ipv4Address())));
        }
    }

    @Override
    public CompletionStage<Void> connect(String ref, String container, List<String> aliases, String ipv4Address) {
        return find(ref).thenCompose(networkId -> {
            ContainerEntity.State state = containers.find(container)
                    .orElseThrow(() -> new EngineFailure(Rejection.NOT_FOUND, "No such container: " + container));
            NetworkAttachment attachment = new NetworkAttachment(networkId, aliases, ipv4Address, "");
            if (state.config().network(networkId).isPresent()) {
                throw new EngineFailure(Rejection.FORBIDDEN, "endpoint with name " + state.name().substring(1)
                        + " already exists in network " + nameOf(networkId));
            }
            validateAttachment(attachment);
            String mode = state.config().effectiveNetworkMode();
            if (mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
                throw new EngineFailure(Rejection.FORBIDDEN, "container cannot be disconnected from host network or "
                        + "connected to host network");
            }
            String id = state.containerId();
            return containers.record(id, r -> new ContainerEntity.ConnectNetwork(attachment, r))
                    .thenCompose(connected -> {
                        if (!connected.isRunning() && !connected.isPaused()) {
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        return plug(connected, sandboxes.pathOf(id), attachment, false)
                                .thenCompose(endpoint -> refreshRunning(connected))
                                .exceptionallyCompose(failure -> containers
                                        .record(id, r -> new ContainerEntity.DisconnectNetwork(networkId, r))
                                        .thenApply(undone -> {
                                            throw failure instanceof CompletionException ce ? ce
                                                    : new CompletionException(failure);
                                        }));
                    });
        });
    }

    @Override
    public CompletionStage<Void> disconnect(String ref, String container, boolean force) {
        return find(ref).thenCompose(networkId -> {
            ContainerEntity.State state = containers.find(container)
                    .orElseThrow(() -> new EngineFailure(Rejection.NOT_FOUND, "No such container: " + container));
            String id = state.containerId();
            if (state.config().network(networkId).isEmpty()) {
                throw new EngineFailure(Rejection.CONFLICT, "container " + id + " is not connected to network "
                        + nameOf(networkId));
            }
            return containers.record(id, r -> new ContainerEntity.DisconnectNetwork(networkId, r))
                    .thenCompose(disconnected -> unplug(id, networkId).thenCompose(done ->
                            disconnected.isRunning() || disconnected.isPaused()
                                    ? refreshRunning(disconnected)
                                    : CompletableFuture.completedFuture(null)));
        });
    }

    /** After a live connect or disconnect: DNS served or not, /etc/hosts with the container's current addresses. */
    private CompletionStage<Void> refreshRunning(ContainerEntity.State state) {
        String containerId = state.containerId();
        return blocking(() -> {
            boolean embeddedDns = onUserNetwork(containerId);
            if (embeddedDns) {
                serveDns(containerId);
            } else {
                dns.detach(containerId);
            }
            List<String> addresses = endpointsOf(containerId).values().stream()
                    .map(e -> e.endpoint().ipv4Address()).filter(a -> !a.isEmpty()).map(LocalNetworks::plain).toList();
            writeEtcFiles(state, addresses, embeddedDns, false);
            return null;
        });
    }

    @Override
    public Map<String, ContainerEndpoint> endpointsOf(String containerId) {
        Map<String, ContainerEndpoint> found = new LinkedHashMap<>();
        Optional<ContainerEntity.State> container = containers.find(containerId);
        for (NetworkEntity.State network : networks.values()) {
            NetworkEntity.Endpoint endpoint = network.endpoints().get(containerId);
            if (endpoint != null) {
                List<String> aliases = container.flatMap(c -> c.config().network(network.networkId()))
                        .map(NetworkAttachment::aliases).orElse(List.of());
                String gateway = network.spec().ipam().pools().isEmpty() ? ""
                        : network.spec().ipam().pools().get(0).gateway();
                found.put(network.networkId(), new ContainerEndpoint(network.networkId(), network.spec().name(),
                        endpoint, gateway, aliases));
            }
        }
        return found;
    }

    @Override
    public String nameOf(String networkId) {
        NetworkEntity.State state = networks.get(networkId);
        return state == null ? "" : state.spec().name();
    }

    @Override
    public String sandboxKey(String containerId) {
        Path path = sandboxes.pathOf(containerId);
        return Files.exists(path) ? path.toString() : "";
    }

    // --- DNS and /etc files ---------------------------------------------------------------------------------------

    private boolean onUserNetwork(String containerId) {
        return endpointsOf(containerId).keySet().stream()
                .map(networks::get)
                .anyMatch(n -> n != null && !n.spec().isPredefined() && usesAddresses(n.spec()));
    }

    private void serveDns(String containerId) {
        try {
            dns.attach(containerId, sandboxes.pathOf(containerId), names(containerId));
        } catch (IOException e) {
            throw new EngineFailure(Rejection.HOST_FAILURE, "cannot serve DNS in the container's network namespace: "
                    + e.getMessage(), e);
        }
    }

    /**
     * What a container resolves through the embedded DNS: the containers on its user-defined networks by name, alias
     * and short id, as Docker does; anything else is forwarded.
     */
    private NameTable names(String containerId) {
        return new NameTable() {
            @Override
            public List<InetAddress> lookup(String name) {
                String wanted = name.toLowerCase(Locale.ROOT);
                List<InetAddress> found = new ArrayList<>();
                for (ContainerEndpoint own : endpointsOf(containerId).values()) {
                    NetworkEntity.State network = networks.get(own.networkId());
                    if (network == null || network.spec().isPredefined()) {
                        continue;
                    }
                    network.endpoints().forEach((peerId, endpoint) -> {
                        if (!endpoint.ipv4Address().isEmpty() && answersTo(peerId, network.networkId(), wanted)) {
                            found.add(address(endpoint.ipv4Address()));
                        }
                    });
                }
                return found;
            }

            @Override
            public Optional<String> reverse(InetAddress address) {
                for (ContainerEndpoint own : endpointsOf(containerId).values()) {
                    NetworkEntity.State network = networks.get(own.networkId());
                    if (network == null || network.spec().isPredefined()) {
                        continue;
                    }
                    for (var entry : network.endpoints().entrySet()) {
                        String ip = entry.getValue().ipv4Address();
                        if (!ip.isEmpty() && address(ip).equals(address)) {
                            return containers.find(entry.getKey())
                                    .map(peer -> peer.name().substring(1) + "." + network.spec().name());
                        }
                    }
                }
                return Optional.empty();
            }
        };
    }

    private boolean answersTo(String peerId, String networkId, String name) {
        if (peerId.startsWith(name) && name.length() == 12) {
            return true;
        }
        return containers.find(peerId).map(peer -> peer.name().substring(1).equalsIgnoreCase(name)
                        || peer.config().network(networkId).map(NetworkAttachment::aliases).orElse(List.of()).stream()
                                .anyMatch(alias -> alias.equalsIgnoreCase(name)))
                .orElse(false);
    }

    /** Docker's /etc/hosts, /etc/resolv.conf and /etc/hostname, written next to the container's layers. */
    private void writeEtcFiles(ContainerEntity.State container, List<String> addresses, boolean embeddedDns,
                               boolean hostMode) throws IOException {
        ContainerConfig config = container.config();
        Path dir = containersDir.resolve(container.containerId());
        Files.createDirectories(dir);
        String hostname = hostMode ? InetAddress.getLocalHost().getHostName() : container.hostname();
        String hostResolv = Files.exists(settings.hostResolvConf()) ? Files.readString(settings.hostResolvConf()) : "";
        Files.writeString(dir.resolve("hosts"), SandboxFiles.hosts(hostname, addresses, config.extraHosts()));
        Files.writeString(dir.resolve("resolv.conf"), SandboxFiles.resolvConf(embeddedDns, hostResolv, config.dns(),
                config.dnsSearch(), config.dnsOptions()));
        Files.writeString(dir.resolve("hostname"), SandboxFiles.hostname(hostname));
    }

    private static List<MountSpec> etcMounts(Path dir) {
        return List.of(
                MountSpec.bind(dir.resolve("resolv.conf").toString(), "/etc/resolv.conf", false),
                MountSpec.bind(dir.resolve("hostname").toString(), "/etc/hostname", false),
                MountSpec.bind(dir.resolve("hosts").toString(), "/etc/hosts", false));
    }

    // --- lookups --------------------------------------------------------------------------------------------------

    private Optional<String> byName(String name) {
        return networks.values().stream().filter(n -> n.spec().name().equals(name))
                .map(NetworkEntity.State::networkId).findFirst();
    }

    private CompletionStage<String> find(String ref) {
        try {
            return CompletableFuture.completedFuture(findNow(ref));
        } catch (EngineFailure e) {
            return failed(e);
        }
    }

    /** Docker's order: full id, then name, then a unique id prefix. */
    private String findNow(String ref) {
        if (networks.containsKey(ref)) {
            return ref;
        }
        Optional<String> named = byName(ref);
        if (named.isPresent()) {
            return named.get();
        }
        List<String> prefixed = ref.isEmpty() ? List.of()
                : networks.keySet().stream().filter(id -> id.startsWith(ref)).toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1) {
            throw new EngineFailure(Rejection.INVALID_ARGUMENT, "network " + ref + " is ambiguous ("
                    + prefixed.size() + " matches found based on ID prefix)");
        }
        throw new EngineFailure(Rejection.NOT_FOUND, "network " + ref + " not found");
    }

    private Network view(NetworkEntity.State state) {
        Map<String, String> names = new LinkedHashMap<>();
        state.endpoints().keySet().forEach(containerId -> names.put(containerId,
                containers.find(containerId).map(c -> c.name().substring(1)).orElse("")));
        return new Network(state, names);
    }

    private NetworkDefinition definition(NetworkEntity.State state) {
        NetworkSpec spec = state.spec();
        List<AddressPool> pools = spec.ipam().pools().stream()
                .map(p -> new AddressPool(DefaultIpam.LOCAL_SPACE, p.subnet(),
                        p.gateway().isEmpty() ? "" : p.gateway() + "/" + prefixOf(p.subnet()), p.auxAddresses()))
                .toList();
        return new NetworkDefinition(state.networkId(), spec.name(), spec.options(), spec.internal(),
                spec.enableIpv6(), pools, List.of());
    }

    /** Docker's {@code -p} and {@code -P}: the bindings asked for, plus every other exposed port on an ephemeral one. */
    private static List<PortMapping> portsOf(ContainerConfig config) {
        List<PortMapping> ports = new ArrayList<>();
        for (PortBinding binding : config.portBindings()) {
            String[] portAndProtocol = binding.containerPort().split("/");
            String protocol = portAndProtocol.length > 1 ? portAndProtocol[1] : "tcp";
            String hostPort = binding.hostPort().contains("-")
                    ? binding.hostPort().substring(0, binding.hostPort().indexOf('-'))
                    : binding.hostPort();
            ports.add(new PortMapping(protocol, Integer.parseInt(portAndProtocol[0]), binding.hostIp(),
                    hostPort.isEmpty() ? 0 : Integer.parseInt(hostPort)));
        }
        if (config.publishAllPorts()) {
            for (String exposed : config.exposedPorts()) {
                boolean bound = config.portBindings().stream().anyMatch(b -> b.containerPort().equals(exposed));
                if (!bound) {
                    String[] portAndProtocol = exposed.split("/");
                    ports.add(new PortMapping(portAndProtocol.length > 1 ? portAndProtocol[1] : "tcp",
                            Integer.parseInt(portAndProtocol[0]), "", 0));
                }
            }
        }
        return ports;
    }

    private static PublishedPort published(PortMapping m) {
        return new PublishedPort(m.protocol(), m.containerPort(), m.hostIp().isEmpty() ? "0.0.0.0" : m.hostIp(),
                m.hostPort());
    }

    private static PortMapping mapping(PublishedPort p) {
        return new PortMapping(p.protocol(), p.containerPort(), p.hostIp().equals("0.0.0.0") ? "" : p.hostIp(),
                p.hostPort());
    }

    /** The driver by name: bridge, host and null are built in; any other is a plugin the plugin host finds. */
    private NetworkDriver driver(String name) {
        NetworkDriver builtIn = drivers.get(name);
        return builtIn != null ? builtIn : RemoteNetworkDriver.lookUp(plugins, name);
    }

    private IpamDriver ipam(NetworkSpec spec) {
        String name = spec.ipam().driver();
        return name.isEmpty() || name.equals(DefaultIpam.NAME) ? defaultIpam : RemoteIpamDriver.lookUp(plugins, name);
    }

    /** Networks whose endpoints get addresses: all but host and none, whose containers have none of their own. */
    private static boolean usesAddresses(NetworkSpec spec) {
        return !spec.driver().equals("host") && !spec.driver().equals("null");
    }

    private int mtuOf(NetworkSpec spec) {
        String mtu = spec.options().get(BridgeDriver.MTU);
        return mtu == null ? settings.mtu() : Integer.parseInt(mtu);
    }

    /** Docker's MAC for an IPv4 endpoint: 02:42 and the four address bytes. */
    private static String macOf(String cidr) {
        byte[] ip = address(cidr).getAddress();
        return String.format("02:42:%02x:%02x:%02x:%02x", ip[0], ip[1], ip[2], ip[3]);
    }

    private static String plain(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    private static String prefixOf(String cidr) {
        return cidr.substring(cidr.indexOf('/') + 1);
    }

    private static InetAddress address(String cidr) {
        try {
            return InetAddress.getByName(plain(cidr));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an IP address: " + cidr, e);
        }
    }

    private String newId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    private static EngineFailure asEngineFailure(Throwable failure, String context) {
        if (failure instanceof EngineFailure engine) {
            return engine;
        }
        if (failure instanceof NetworkFailure network) {
            Rejection reason = switch (network.kind()) {
                case INVALID_ARGUMENT -> Rejection.INVALID_ARGUMENT;
                case CONFLICT -> Rejection.FORBIDDEN;
                case NOT_FOUND -> Rejection.NOT_FOUND;
                case UNAVAILABLE, FAILED -> Rejection.HOST_FAILURE;
            };
            return new EngineFailure(context.isEmpty() ? reason : Rejection.HOST_FAILURE,
                    context + network.getMessage(), network);
        }
        return new EngineFailure(Rejection.HOST_FAILURE, context + failure.getMessage(), failure);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void quietly(Runnable step) {
        HostCalls.quietly(log, "network", step);
    }

    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return hostCalls.run(work);
    }

    private static EngineFailure translate(Exception e) {
        return e instanceof NetworkFailure network ? asEngineFailure(network, "")
                : new EngineFailure(Rejection.HOST_FAILURE, e.getMessage(), e);
    }

    private static <T> CompletableFuture<T> failed(Throwable failure) {
        return CompletableFuture.failedFuture(failure);
    }
}
