package dev.keel.pluginhost.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keel.netplane.spi.AddressPool;
import dev.keel.netplane.spi.DriverScope;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import dev.keel.pluginhost.Plugin;
import dev.keel.pluginhost.PluginFailure;
import dev.keel.pluginhost.PluginInterface;
import dev.keel.pluginhost.Plugins;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A network driver that is a legacy plugin implementing {@code NetworkDriver} (libnetwork's "remote" driver). Its
 * capabilities are asked once, when it is looked up, and a scope other than local or global refuses the plugin, as
 * libnetwork does.
 */
public final class RemoteNetworkDriver implements NetworkDriver {

    static final String GENERIC = "com.docker.network.generic";
    static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
    static final String INTERNAL = "com.docker.network.internal";
    static final String PORT_MAP = "com.docker.network.portmap";
    static final String EXPOSED_PORTS = "com.docker.network.endpoint.exposedports";

    private final Plugin plugin;
    private final DriverScope scope;

    private RemoteNetworkDriver(Plugin plugin, DriverScope scope) {
        this.plugin = plugin;
        this.scope = scope;
    }

    /**
     * The network driver of plugin {@code name}: looked up, activated and asked its capabilities at first use
     * (blocking, with retries); later calls return the same driver.
     *
     * @throws NetworkFailure NOT_FOUND when no plugin by that name implements NetworkDriver, UNAVAILABLE when it
     *     cannot be reached, FAILED when its capabilities are invalid
     */
    public static RemoteNetworkDriver lookUp(Plugins plugins, String name) {
        try {
            return plugins.adapter(name, PluginInterface.NETWORK_DRIVER, RemoteNetworkDriver::withCapabilities);
        } catch (PluginFailure e) {
            throw NetworkFailures.of("error looking up network plugin " + name + ": ", e);
        }
    }

    private static RemoteNetworkDriver withCapabilities(Plugin plugin) {
        CapabilitiesAnswer capabilities = plugin.call(PluginInterface.NETWORK_DRIVER,
                "NetworkDriver.GetCapabilities", null, CapabilitiesAnswer.class, Plugin.ERR);
        String wire = capabilities.scope() == null ? "" : capabilities.scope().toLowerCase(Locale.ROOT);
        DriverScope scope = switch (wire) {
            case "local" -> DriverScope.LOCAL;
            case "global" -> DriverScope.GLOBAL;
            default -> throw new NetworkFailure(NetworkFailure.Kind.FAILED, "network plugin " + plugin.name()
                    + ": invalid capability: expecting 'local' or 'global', got " + capabilities.scope());
        };
        return new RemoteNetworkDriver(plugin, scope);
    }

    @Override
    public String name() {
        return plugin.name();
    }

    @Override
    public DriverScope scope() {
        return scope;
    }

    @Override
    public void createNetwork(NetworkDefinition network) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(GENERIC, network.options());
        options.put(ENABLE_IPV6, network.enableIpv6());
        if (network.internal()) {
            options.put(INTERNAL, true);
        }
        call("CreateNetwork", new CreateNetworkRequest(network.networkId(), options, ipamData(network.ipv4()),
                ipamData(network.ipv6())), Empty.class);
    }

    private static List<WireIpamData> ipamData(List<AddressPool> pools) {
        return pools.stream().map(p -> new WireIpamData(p.addressSpace(), p.pool(), p.gateway(),
                p.auxAddresses())).toList();
    }

    @Override
    public void deleteNetwork(String networkId) {
        call("DeleteNetwork", new NetworkRequest(networkId), Empty.class);
    }

    /**
     * The plugin may fill in only what the daemon left empty; changing an address IPAM gave would leave IPAM and the
     * container disagreeing, so it fails the call, as libnetwork does.
     */
    @Override
    public EndpointAddresses createEndpoint(String networkId, String endpointId, EndpointAddresses requested) {
        CreateEndpointAnswer answer = call("CreateEndpoint", new CreateEndpointRequest(networkId, endpointId,
                Map.of(), new WireInterface(requested.address(), requested.addressIpv6(), requested.macAddress())),
                CreateEndpointAnswer.class);
        EndpointAddresses chosen = answer.iface() == null ? EndpointAddresses.NONE : answer.iface().toAddresses();
        if (overwrites(requested.address(), chosen.address())
                || overwrites(requested.addressIpv6(), chosen.addressIpv6())
                || overwrites(requested.macAddress(), chosen.macAddress())) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "NetworkDriver.CreateEndpoint: plugin " + name()
                    + " tried to change the interface the daemon gave (" + requested + " -> " + chosen + ")");
        }
        return chosen;
    }

    private static boolean overwrites(String requested, String chosen) {
        return !requested.isEmpty() && !chosen.isEmpty() && !requested.equals(chosen);
    }

    @Override
    public void deleteEndpoint(String networkId, String endpointId) {
        call("DeleteEndpoint", new EndpointRequest(networkId, endpointId), Empty.class);
    }

    @Override
    public JoinInfo join(String networkId, String endpointId, Path sandbox) {
        JoinAnswer answer = call("Join", new JoinRequest(networkId, endpointId, sandbox.toString(), Map.of()),
                JoinAnswer.class);
        List<JoinInfo.StaticRoute> routes = answer.staticRoutes() == null ? List.of()
                : answer.staticRoutes().stream().map(WireRoute::toRoute).toList();
        return new JoinInfo(
                answer.interfaceName() == null ? "" : orEmpty(answer.interfaceName().srcName()),
                answer.interfaceName() == null ? "" : orEmpty(answer.interfaceName().dstPrefix()),
                orEmpty(answer.gateway()), orEmpty(answer.gatewayIpv6()), routes);
    }

    @Override
    public void leave(String networkId, String endpointId) {
        call("Leave", new EndpointRequest(networkId, endpointId), Empty.class);
    }

    /**
     * The protocol answers nothing about the ports bound, so the requested ones are returned as they are; a plugin
     * that does not implement the call (404) has no external connectivity and publishes nothing.
     */
    @Override
    public List<PortMapping> programExternalConnectivity(String networkId, String endpointId,
                                                         List<PortMapping> ports) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put(PORT_MAP, ports.stream().map(WirePortBinding::of).toList());
        options.put(EXPOSED_PORTS, ports.stream()
                .map(p -> new WireTransportPort(protocolNumber(p.protocol()), p.containerPort())).distinct().toList());
        try {
            plugin.call(PluginInterface.NETWORK_DRIVER, "NetworkDriver.ProgramExternalConnectivity",
                    new ExternalConnectivityRequest(networkId, endpointId, options), Empty.class, Plugin.ERR);
            return ports;
        } catch (PluginFailure e) {
            if (e.reason() == PluginFailure.Reason.NOT_IMPLEMENTED) {
                return List.of();
            }
            throw NetworkFailures.of("", e);
        }
    }

    @Override
    public void revokeExternalConnectivity(String networkId, String endpointId) {
        try {
            plugin.call(PluginInterface.NETWORK_DRIVER, "NetworkDriver.RevokeExternalConnectivity",
                    new EndpointRequest(networkId, endpointId), Empty.class, Plugin.ERR);
        } catch (PluginFailure e) {
            if (e.reason() != PluginFailure.Reason.NOT_IMPLEMENTED) {
                throw NetworkFailures.of("", e);
            }
        }
    }

    private <T> T call(String method, Object request, Class<T> answerType) {
        try {
            return plugin.call(PluginInterface.NETWORK_DRIVER, "NetworkDriver." + method, request, answerType,
                    Plugin.ERR);
        } catch (PluginFailure e) {
            throw NetworkFailures.of("", e);
        }
    }

    /** Go's types.Protocol numbers, which is what PortBinding.Proto carries on the wire. */
    static int protocolNumber(String protocol) {
        return switch (protocol.toLowerCase(Locale.ROOT)) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "sctp" -> 132;
            default -> throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "unknown protocol " + protocol);
        };
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private record Empty() {}

    private record CapabilitiesAnswer(@JsonProperty("Scope") String scope,
                                      @JsonProperty("ConnectivityScope") String connectivityScope) {}

    private record NetworkRequest(@JsonProperty("NetworkID") String networkId) {}

    private record EndpointRequest(@JsonProperty("NetworkID") String networkId,
                                   @JsonProperty("EndpointID") String endpointId) {}

    private record CreateNetworkRequest(@JsonProperty("NetworkID") String networkId,
                                        @JsonProperty("Options") Map<String, Object> options,
                                        @JsonProperty("IPv4Data") List<WireIpamData> ipv4Data,
                                        @JsonProperty("IPv6Data") List<WireIpamData> ipv6Data) {}

    private record WireIpamData(@JsonProperty("AddressSpace") String addressSpace,
                                @JsonProperty("Pool") String pool,
                                @JsonProperty("Gateway") String gateway,
                                @JsonProperty("AuxAddresses") Map<String, String> auxAddresses) {}

    private record CreateEndpointRequest(@JsonProperty("NetworkID") String networkId,
                                         @JsonProperty("EndpointID") String endpointId,
                                         @JsonProperty("Options") Map<String, Object> options,
                                         @JsonProperty("Interface") WireInterface iface) {}

    private record WireInterface(@JsonProperty("Address") String address,
                                 @JsonProperty("AddressIPv6") String addressIpv6,
                                 @JsonProperty("MacAddress") String macAddress) {
        EndpointAddresses toAddresses() {
            return new EndpointAddresses(orEmpty(address), orEmpty(addressIpv6), orEmpty(macAddress));
        }
    }

    private record CreateEndpointAnswer(@JsonProperty("Interface") WireInterface iface) {}

    private record JoinRequest(@JsonProperty("NetworkID") String networkId,
                               @JsonProperty("EndpointID") String endpointId,
                               @JsonProperty("SandboxKey") String sandboxKey,
                               @JsonProperty("Options") Map<String, Object> options) {}

    private record JoinAnswer(@JsonProperty("InterfaceName") WireInterfaceName interfaceName,
                              @JsonProperty("Gateway") String gateway,
                              @JsonProperty("GatewayIPv6") String gatewayIpv6,
                              @JsonProperty("StaticRoutes") List<WireRoute> staticRoutes,
                              @JsonProperty("DisableGatewayService") boolean disableGatewayService) {}

    private record WireInterfaceName(@JsonProperty("SrcName") String srcName,
                                     @JsonProperty("DstPrefix") String dstPrefix) {}

    /** RouteType 0 is via NextHop, 1 is connected (no next hop). */
    private record WireRoute(@JsonProperty("Destination") String destination,
                             @JsonProperty("RouteType") int routeType,
                             @JsonProperty("NextHop") String nextHop) {
        JoinInfo.StaticRoute toRoute() {
            return new JoinInfo.StaticRoute(orEmpty(destination), routeType == 1 ? "" : orEmpty(nextHop));
        }
    }

    private record ExternalConnectivityRequest(@JsonProperty("NetworkID") String networkId,
                                               @JsonProperty("EndpointID") String endpointId,
                                               @JsonProperty("Options") Map<String, Object> options) {}

    /** libnetwork's types.PortBinding as Go encodes it: IPs as text ("" for none), one port as a range of one. */
    private record WirePortBinding(@JsonProperty("Proto") int proto, @JsonProperty("IP") String ip,
                                   @JsonProperty("Port") int port, @JsonProperty("HostIP") String hostIp,
                                   @JsonProperty("HostPort") int hostPort,
                                   @JsonProperty("HostPortEnd") int hostPortEnd) {
        static WirePortBinding of(PortMapping p) {
            return new WirePortBinding(protocolNumber(p.protocol()), "", p.containerPort(), p.hostIp(),
                    p.hostPort(), p.hostPort());
        }
    }

    private record WireTransportPort(@JsonProperty("Proto") int proto, @JsonProperty("Port") int port) {}
}
