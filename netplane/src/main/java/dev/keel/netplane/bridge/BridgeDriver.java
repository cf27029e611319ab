package dev.keel.netplane.bridge;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.sandbox.KernelCommands;
import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.DriverScope;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import dev.keel.os.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Docker's bridge driver: one Linux bridge per network holding the gateway address, one veth pair per endpoint with
 * its host end on the bridge, masquerade out of the host, isolation between bridges and published ports through DNAT
 * (see {@link Firewall}).
 *
 * <p>State is kept in memory and rebuilt by {@link #reconcile} from the daemon's entities after a restart. A join
 * costs one {@code ip} process; publishing ports one {@code iptables-restore}.
 */
public final class BridgeDriver implements NetworkDriver, AutoCloseable {

    public static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    public static final String MTU = "com.docker.network.driver.mtu";
    public static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
    public static final String ENABLE_IP_MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";

    private static final Path SYS_NET = Path.of("/sys/class/net");
    private static final Path PROC_SYS = Path.of("/proc/sys/net");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern ENDPOINT_ID = Pattern.compile("[0-9a-f]{7,}");

    private final NetplaneSettings settings;
    private final KernelCommands commands;
    private final Firewall firewall;
    private final Map<String, Network> networks = new LinkedHashMap<>();

    public BridgeDriver(NetplaneSettings settings) {
        this(settings, new KernelCommands());
    }

    public BridgeDriver(NetplaneSettings settings, KernelCommands commands) {
        this.settings = settings;
        this.commands = commands;
        this.firewall = new Firewall(settings.chainPrefix(), commands);
    }

    @Override
    public String name() {
        return "bridge";
    }

    @Override
    public DriverScope scope() {
        return DriverScope.LOCAL;
    }

    @Override
    public synchronized void createNetwork(NetworkDefinition definition) {
        Network network = install(definition);
        try {
            syncFirewall();
        } catch (NetworkFailure e) {
            networks.remove(definition.networkId());
            if (!network.bridgeExisted) {
                deleteLinks(List.of(network.bridge));
            }
            throw e;
        }
    }

    @Override
    public synchronized void deleteNetwork(String networkId) {
        Network network = networks.remove(networkId);
        if (network == null) {
            return;
        }
        network.endpoints.values().forEach(endpoint -> endpoint.ports.close());
        // A bridge's ports outlive it: the host ends of endpoints the daemon never deleted go with it.
        List<String> links = new ArrayList<>(portsOf(network.bridge).stream()
                .filter(port -> port.startsWith("veth")).toList());
        links.add(network.bridge);
        deleteLinks(links);
        syncFirewall();
    }

    @Override
    public synchronized EndpointAddresses createEndpoint(String networkId, String endpointId,
                                                         EndpointAddresses requested) {
        Network network = network(networkId);
        checkEndpointId(endpointId);
        Endpoint existing = network.endpoints.get(endpointId);
        if (existing != null) {
            return existing.answer;
        }
        String mac = requested.macAddress().isEmpty() ? macFor(requested.address(), endpointId) : requested.macAddress();
        Endpoint endpoint = new Endpoint(endpointId, requested.address(), mac,
                requested.macAddress().isEmpty() ? new EndpointAddresses("", "", mac) : EndpointAddresses.NONE);
        network.endpoints.put(endpointId, endpoint);
        return endpoint.answer;
    }

    @Override
    public synchronized void deleteEndpoint(String networkId, String endpointId) {
        Network network = networks.get(networkId);
        Endpoint endpoint = network == null ? null : network.endpoints.remove(endpointId);
        if (endpoint != null && !endpoint.ports.bound().isEmpty()) {
            endpoint.ports.close();
            syncFirewall();
        }
        if (ENDPOINT_ID.matcher(endpointId).matches()) {
            deleteLinks(List.of(Endpoint.hostName(endpointId)));
        }
    }

    @Override
    public synchronized JoinInfo join(String networkId, String endpointId, Path sandbox) {
        Network network = network(networkId);
        Endpoint endpoint = endpoint(network, endpointId);
        // The pair is made here rather than at createEndpoint so that its peer is born in the sandbox: moving an
        // interface between namespaces costs 20-30 ms of kernel time (synchronize_net), creating it there nothing.
        List<String> lines = new ArrayList<>();
        if (linkExists(endpoint.hostName())) {
            lines.add("link del " + endpoint.hostName());
        }
        lines.add("link add name " + endpoint.hostName() + " mtu " + network.mtu + " master " + network.bridge
                + " up type veth peer name " + endpoint.peerName() + " address " + endpoint.mac + " mtu "
                + network.mtu + (isNamespace(sandbox) ? " netns " + sandbox : ""));
        lines.add("link set " + endpoint.hostName() + " type bridge_slave hairpin on");
        commands.ipBatch(lines);
        boolean routed = !network.definition.internal();
        return new JoinInfo(endpoint.peerName(), "eth", routed ? network.gateway : "",
                routed ? network.gatewayIpv6 : "", List.of());
    }

    /** The daemon removes the interface from the sandbox; the pair itself goes with {@link #deleteEndpoint}. */
    @Override
    public void leave(String networkId, String endpointId) {
        // Nothing to undo on the host: the bridge port stays until the endpoint is deleted.
    }

    @Override
    public synchronized List<PortMapping> programExternalConnectivity(String networkId, String endpointId,
                                                                       List<PortMapping> ports) {
        Network network = network(networkId);
        Endpoint endpoint = endpoint(network, endpointId);
        if (ports.isEmpty() && endpoint.ports.bound().isEmpty()) {
            return List.of();
        }
        if (!ports.isEmpty() && endpoint.address.isEmpty()) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT,
                    "endpoint " + endpointId + " has no IPv4 address to publish ports to");
        }
        PortReservation previous = endpoint.ports;
        previous.close();
        PortReservation reserved;
        try {
            reserved = PortReservation.reserve(ports);
        } catch (NetworkFailure e) {
            endpoint.ports = PortReservation.reserve(previous.bound());
            throw e;
        }
        endpoint.ports = reserved;
        try {
            syncFirewall();
        } catch (NetworkFailure e) {
            reserved.close();
            endpoint.ports = PortReservation.NONE;
            throw e;
        }
        return reserved.bound();
    }

    @Override
    public synchronized void revokeExternalConnectivity(String networkId, String endpointId) {
        Network network = networks.get(networkId);
        Endpoint endpoint = network == null ? null : network.endpoints.get(endpointId);
        if (endpoint == null || endpoint.ports.bound().isEmpty()) {
            return;
        }
        endpoint.ports.close();
        endpoint.ports = PortReservation.NONE;
        syncFirewall();
    }

    /**
     * Brings the kernel in line with the daemon's entities after a restart: recreates missing bridges and rules,
     * takes the published ports again, and removes the bridges and host-end veths of ours that no entity knows.
     * Existing bridges and veths are left as they are, so running containers keep their connectivity.
     *
     * @throws NetworkFailure after everything else is done, if some recorded ports could not be taken again
     */
    public synchronized void reconcile(List<NetworkDefinition> live, List<LiveEndpoint> endpoints) {
        networks.values().forEach(network -> network.endpoints.values().forEach(e -> e.ports.close()));
        networks.clear();
        for (NetworkDefinition definition : live) {
            install(definition);
        }
        List<String> lost = new ArrayList<>();
        for (LiveEndpoint known : endpoints) {
            Network network = networks.get(known.networkId());
            if (network == null || !ENDPOINT_ID.matcher(known.endpointId()).matches()) {
                continue;
            }
            String mac = known.addresses().macAddress().isEmpty()
                    ? macFor(known.addresses().address(), known.endpointId()) : known.addresses().macAddress();
            Endpoint endpoint = new Endpoint(known.endpointId(), known.addresses().address(), mac,
                    EndpointAddresses.NONE);
            try {
                endpoint.ports = PortReservation.reserve(known.ports());
            } catch (NetworkFailure e) {
                lost.add(known.endpointId() + ": " + e.getMessage());
            }
            network.endpoints.put(known.endpointId(), endpoint);
        }
        removeOrphans();
        syncFirewall();
        if (!lost.isEmpty()) {
            throw new NetworkFailure(NetworkFailure.Kind.CONFLICT, "published ports lost: " + String.join("; ", lost));
        }
    }

    /**
     * Lets go of the host ports this JVM holds for published ports, for a daemon that stops. Bridges, veths and rules
     * stay, so containers keep their connectivity until {@link #reconcile} takes the ports again.
     */
    @Override
    public synchronized void close() {
        networks.values().forEach(network -> network.endpoints.values().forEach(e -> e.ports.close()));
    }

    private Network install(NetworkDefinition definition) {
        String bridge = definition.option(BRIDGE_NAME,
                defaultBridgeName(settings.bridgePrefix(), definition.networkId()));
        if (!INTERFACE_NAME.matcher(bridge).matches()) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "invalid bridge name: " + bridge);
        }
        for (Network other : networks.values()) {
            if (other.bridge.equals(bridge) && !other.definition.networkId().equals(definition.networkId())) {
                throw new NetworkFailure(NetworkFailure.Kind.CONFLICT, "bridge name " + bridge
                        + " is already used by network " + other.definition.name());
            }
        }
        if (definition.ipv4().isEmpty()) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT,
                    "network " + definition.name() + " has no IPv4 pool");
        }
        int mtu = integerOption(definition, MTU, settings.mtu());
        boolean icc = booleanOption(definition, ENABLE_ICC);
        boolean masquerade = booleanOption(definition, ENABLE_IP_MASQUERADE);
        AddressPool v4 = definition.ipv4().get(0);
        String gatewayIpv6 = definition.ipv6().isEmpty() ? "" : definition.ipv6().get(0).gateway();

        boolean existed = linkExists(bridge);
        List<String> lines = new ArrayList<>();
        if (!existed) {
            lines.add("link add name " + bridge + " mtu " + mtu + " type bridge");
        }
        lines.add("link set " + bridge + " mtu " + mtu + " up");
        for (AddressPool pool : definition.ipv4()) {
            if (!pool.gateway().isEmpty()) {
                lines.add("addr replace " + pool.gateway() + " dev " + bridge);
            }
        }
        if (definition.enableIpv6() && !gatewayIpv6.isEmpty() && Files.isDirectory(PROC_SYS.resolve("ipv6"))) {
            lines.add("addr replace " + gatewayIpv6 + " dev " + bridge + " nodad");
        }
        commands.ipBatch(lines);
        writeSysctl(PROC_SYS.resolve("ipv4/ip_forward"));
        // Published ports are reachable on 127.0.0.1 only if the kernel may route loopback sources to the bridge.
        writeSysctl(PROC_SYS.resolve("ipv4/conf").resolve(bridge).resolve("route_localnet"));

        Network previous = networks.get(definition.networkId());
        Network network = new Network(definition, bridge, mtu, v4.pool(), plain(v4.gateway()), plain(gatewayIpv6),
                icc, masquerade, existed);
        if (previous != null) {
            network.endpoints.putAll(previous.endpoints);
        }
        networks.put(definition.networkId(), network);
        return network;
    }

    private void removeOrphans() {
        Set<String> liveBridges = new HashSet<>();
        Set<String> liveVeths = new HashSet<>();
        for (Network network : networks.values()) {
            liveBridges.add(network.bridge);
            network.endpoints.keySet().forEach(id -> liveVeths.add(Endpoint.hostName(id)));
        }
        List<String> links = links();
        Set<String> ourBridges = new HashSet<>();
        for (String link : links) {
            if (Files.isDirectory(SYS_NET.resolve(link).resolve("bridge"))
                    && (liveBridges.contains(link) || link.equals(settings.defaultBridge())
                    || link.startsWith(settings.bridgePrefix() + "-"))) {
                ourBridges.add(link);
            }
        }
        List<String> orphans = new ArrayList<>();
        for (String link : links) {
            if (link.startsWith("veth") && ourBridges.contains(masterOf(link)) && !liveVeths.contains(link)) {
                orphans.add(link);
            }
        }
        ourBridges.stream().filter(bridge -> !liveBridges.contains(bridge)).forEach(orphans::add);
        deleteLinks(orphans);
    }

    private void syncFirewall() {
        if (networks.isEmpty()) {
            firewall.remove();
            return;
        }
        List<Firewall.BridgeRules> rules = new ArrayList<>();
        for (Network network : networks.values()) {
            List<Firewall.Forward> forwards = new ArrayList<>();
            for (Endpoint endpoint : network.endpoints.values()) {
                for (PortMapping port : endpoint.ports.bound()) {
                    forwards.add(new Firewall.Forward(port.protocol(), port.hostIp(), port.hostPort(),
                            plain(endpoint.address), port.containerPort()));
                }
            }
            rules.add(new Firewall.BridgeRules(network.bridge, network.subnet, network.definition.internal(),
                    network.icc, network.masquerade, forwards));
        }
        firewall.apply(rules);
    }

    private void deleteLinks(List<String> names) {
        List<String> lines = names.stream().filter(BridgeDriver::linkExists).map(name -> "link del " + name).toList();
        commands.ipBatch(lines);
    }

    private Network network(String networkId) {
        Network network = networks.get(networkId);
        if (network == null) {
            throw new NetworkFailure(NetworkFailure.Kind.NOT_FOUND, "network " + networkId + " not found");
        }
        return network;
    }

    private static Endpoint endpoint(Network network, String endpointId) {
        Endpoint endpoint = network.endpoints.get(endpointId);
        if (endpoint == null) {
            throw new NetworkFailure(NetworkFailure.Kind.NOT_FOUND, "endpoint " + endpointId + " not found");
        }
        return endpoint;
    }

    private static void checkEndpointId(String endpointId) {
        if (!ENDPOINT_ID.matcher(endpointId).matches()) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "invalid endpoint id: " + endpointId);
        }
    }

    private static int integerOption(NetworkDefinition definition, String key, int fallback) {
        String value = definition.option(key, "");
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < 68 || parsed > 65535) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "invalid " + key + ": " + value);
        }
    }

    private static boolean booleanOption(NetworkDefinition definition, String key) {
        String value = definition.option(key, "true").strip();
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "t" -> true;
            case "false", "0", "f" -> false;
            default -> throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT,
                    "invalid " + key + ": " + value);
        };
    }

    /**
     * {@code <prefix>-<first 12 of the id>}, shortened so that the name fits Linux's 15 characters when the prefix
     * has three.
     */
    static String defaultBridgeName(String prefix, String networkId) {
        int length = Math.min(14 - prefix.length(), networkId.length());
        return prefix + "-" + networkId.substring(0, length);
    }

    /** Docker's MAC for an address: 02:42 then the four IPv4 bytes; from the endpoint id when there is none. */
    static String macFor(String address, String endpointId) {
        String hex;
        if (address.isEmpty()) {
            hex = endpointId.substring(0, 8);
        } else {
            String[] bytes = plain(address).split("\\.");
            StringBuilder b = new StringBuilder();
            for (String part : bytes) {
                b.append(String.format("%02x", Integer.parseInt(part)));
            }
            hex = b.toString();
        }
        return "02:42:" + hex.substring(0, 2) + ":" + hex.substring(2, 4) + ":" + hex.substring(4, 6) + ":"
                + hex.substring(6, 8);
    }

    private static String plain(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    private static boolean isNamespace(Path sandbox) {
        try {
            return sandbox != null && NetNamespace.exists(sandbox);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean linkExists(String name) {
        return Files.exists(SYS_NET.resolve(name));
    }

    private static List<String> links() {
        try (Stream<Path> entries = Files.list(SYS_NET)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot list links: " + e.getMessage(), e);
        }
    }

    private static List<String> portsOf(String bridge) {
        Path ports = SYS_NET.resolve(bridge).resolve("brif");
        if (!Files.isDirectory(ports)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(ports)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot list ports of " + bridge + ": "
                    + e.getMessage(), e);
        }
    }

    private static String masterOf(String link) {
        Path master = SYS_NET.resolve(link).resolve("master");
        try {
            return Files.isSymbolicLink(master) ? Files.readSymbolicLink(master).getFileName().toString() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void writeSysctl(Path file) {
        try {
            if (!"1".equals(Files.readString(file).strip())) {
                Files.writeString(file, "1");
            }
        } catch (IOException e) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot set " + file + ": " + e.getMessage(), e);
        }
    }

    /** A network as this driver made it; its endpoints change under the driver's lock. */
    private static final class Network {
        final NetworkDefinition definition;
        final String bridge;
        final int mtu;
        final String subnet;
        final String gateway;
        final String gatewayIpv6;
        final boolean icc;
        final boolean masquerade;
        final boolean bridgeExisted;
        final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

        Network(NetworkDefinition definition, String bridge, int mtu, String subnet, String gateway,
                String gatewayIpv6, boolean icc, boolean masquerade, boolean bridgeExisted) {
            this.definition = definition;
            this.bridge = bridge;
            this.mtu = mtu;
            this.subnet = subnet;
            this.gateway = gateway;
            this.gatewayIpv6 = gatewayIpv6;
            this.icc = icc;
            this.masquerade = masquerade;
            this.bridgeExisted = bridgeExisted;
        }
    }

    /**
     * One endpoint: its veth pair, made at join, is {@code veth<7 hex>} on the bridge and {@code vp<7 hex>} in the
     * sandbox until the daemon names it.
     */
    private static final class Endpoint {
        final String id;
        final String address;
        final String mac;
        final EndpointAddresses answer;
        PortReservation ports = PortReservation.NONE;

        Endpoint(String id, String address, String mac, EndpointAddresses answer) {
            this.id = id;
            this.address = address;
            this.mac = mac;
            this.answer = answer;
        }

        String hostName() {
            return hostName(id);
        }

        String peerName() {
            return "vp" + id.substring(0, 7);
        }

        static String hostName(String endpointId) {
            return "veth" + endpointId.substring(0, 7);
        }
    }
}
