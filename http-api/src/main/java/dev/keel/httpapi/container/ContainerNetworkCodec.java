package dev.keel.httpapi.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerConfig;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.NetworkAttachment;
import dev.keel.actors.container.PortBinding;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.network.Networks.ContainerEndpoint;
import dev.keel.actors.network.PublishedPort;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The networking part of a container on the wire: HostConfig.PortBindings, PublishAllPorts, the DNS settings and
 * NetworkingConfig in a create; NetworkSettings and the list's Ports and Networks out.
 */
public final class ContainerNetworkCodec {

    private ContainerNetworkCodec() {}

    /** HostConfig.PortBindings: {@code {"80/tcp":[{"HostIp":"","HostPort":"8080"}]}}; a port without protocol is tcp. */
    static List<PortBinding> portBindings(JsonFields host) {
        List<PortBinding> bindings = new ArrayList<>();
        JsonNode node = host.node().get("PortBindings");
        if (node == null || node.isNull()) {
            return bindings;
        }
        if (!node.isObject()) {
            throw invalid("HostConfig.PortBindings must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String port = containerPort(entry.getKey());
            JsonNode list = entry.getValue();
            if (list == null || list.isNull() || list.isEmpty()) {
                bindings.add(new PortBinding(port, "", ""));
                continue;
            }
            for (JsonNode binding : list) {
                String hostPort = text(binding, "HostPort");
                if (!hostPort.isEmpty() && !hostPort.matches("\\d{1,5}(-\\d{1,5})?")) {
                    throw invalid("invalid port specification: \"" + hostPort + "\"");
                }
                bindings.add(new PortBinding(port, text(binding, "HostIp"), hostPort));
            }
        }
        return bindings;
    }

    /** NetworkingConfig.EndpointsConfig: the networks by name or id, with aliases and a static address. */
    static List<NetworkAttachment> endpoints(JsonFields config) {
        List<NetworkAttachment> attachments = new ArrayList<>();
        JsonNode node = config.object("NetworkingConfig").node().get("EndpointsConfig");
        if (node == null || node.isNull()) {
            return attachments;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonFields endpoint = new JsonFields(entry.getValue(), "NetworkingConfig.EndpointsConfig." + entry.getKey());
            attachments.add(attachment(entry.getKey(), endpoint));
        }
        return attachments;
    }

    /** One EndpointSettings (also the body of network connect's EndpointConfig). */
    public static NetworkAttachment attachment(String network, JsonFields endpoint) {
        List<String> aliases = endpoint.strings("Aliases", false);
        String ipv4 = endpoint.object("IPAMConfig").text("IPv4Address");
        return new NetworkAttachment(network, aliases, ipv4, endpoint.object("IPAMConfig").text("IPv6Address"));
    }

    /** HostConfig's networking fields, for inspect. */
    static void hostConfig(ObjectNode host, ContainerConfig c) {
        ObjectNode bindings = host.putObject("PortBindings");
        for (PortBinding b : c.portBindings()) {
            ArrayNode list = bindings.has(b.containerPort()) ? (ArrayNode) bindings.get(b.containerPort())
                    : bindings.putArray(b.containerPort());
            list.addObject().put("HostIp", b.hostIp()).put("HostPort", b.hostPort());
        }
        host.put("PublishAllPorts", c.publishAllPorts());
        host.set("Dns", strings(c.dns()));
        host.set("DnsOptions", strings(c.dnsOptions()));
        host.set("DnsSearch", strings(c.dnsSearch()));
        host.set("ExtraHosts", c.extraHosts().isEmpty() ? host.nullNode() : strings(c.extraHosts()));
    }

    /**
     * {@code NetworkSettings} of inspect: every network the container is connected to, with its live endpoint while
     * it runs; the top-level address fields describe the default bridge network, as in Docker.
     */
    static ObjectNode settings(State s, Map<String, ContainerEndpoint> endpoints, Function<String, String> networkName,
                               String sandboxKey) {
        boolean live = s.isRunning() || s.isPaused();
        ObjectNode net = Json.MAPPER.createObjectNode();
        net.put("Bridge", "");
        net.put("SandboxID", live && !sandboxKey.isEmpty() ? s.containerId() : "");
        net.put("HairpinMode", false);
        net.put("LinkLocalIPv6Address", "");
        net.put("LinkLocalIPv6PrefixLen", 0);
        net.set("Ports", live ? ports(s.config(), endpoints) : Json.MAPPER.createObjectNode());
        net.put("SandboxKey", live ? sandboxKey : "");
        net.putNull("SecondaryIPAddresses");
        net.putNull("SecondaryIPv6Addresses");
        ContainerEndpoint bridge = live ? endpoints.values().stream()
                .filter(e -> e.networkName().equals("bridge")).findFirst().orElse(null) : null;
        net.put("EndpointID", bridge == null ? "" : bridge.endpoint().endpointId());
        net.put("Gateway", bridge == null ? "" : bridge.gateway());
        net.put("GlobalIPv6Address", "");
        net.put("GlobalIPv6PrefixLen", 0);
        net.put("IPAddress", bridge == null ? "" : address(bridge.endpoint().ipv4Address()));
        net.put("IPPrefixLen", bridge == null ? 0 : prefix(bridge.endpoint().ipv4Address()));
        net.put("IPv6Gateway", "");
        net.put("MacAddress", bridge == null ? "" : bridge.endpoint().macAddress());
        net.set("Networks", networks(s, live ? endpoints : Map.of(), networkName));
        return net;
    }

    /** The list's {@code NetworkSettings.Networks}. */
    static ObjectNode networks(State s, Map<String, ContainerEndpoint> endpoints, Function<String, String> networkName) {
        ObjectNode networks = Json.MAPPER.createObjectNode();
        for (NetworkAttachment attachment : s.config().networks()) {
            ContainerEndpoint endpoint = endpoints.get(attachment.networkId());
            String name = endpoint != null ? endpoint.networkName() : networkName.apply(attachment.networkId());
            ObjectNode n = networks.putObject(name.isEmpty() ? attachment.networkId() : name);
            if (attachment.ipv4Address().isEmpty()) {
                n.putNull("IPAMConfig");
            } else {
                n.putObject("IPAMConfig").put("IPv4Address", attachment.ipv4Address());
            }
            n.putNull("Links");
            List<String> aliases = new ArrayList<>(attachment.aliases());
            if (endpoint != null && !NetworkSpec.PREDEFINED.contains(name)) {
                aliases.add(s.containerId().substring(0, 12));
            }
            n.set("Aliases", aliases.isEmpty() ? n.nullNode() : strings(aliases));
            n.put("NetworkID", attachment.networkId());
            n.put("EndpointID", endpoint == null ? "" : endpoint.endpoint().endpointId());
            n.put("Gateway", endpoint == null ? "" : endpoint.gateway());
            n.put("IPAddress", endpoint == null ? "" : address(endpoint.endpoint().ipv4Address()));
            n.put("IPPrefixLen", endpoint == null ? 0 : prefix(endpoint.endpoint().ipv4Address()));
            n.put("IPv6Gateway", "");
            n.put("GlobalIPv6Address", "");
            n.put("GlobalIPv6PrefixLen", 0);
            n.put("MacAddress", endpoint == null ? "" : endpoint.endpoint().macAddress());
            n.putNull("DriverOpts");
        }
        return networks;
    }

    /** {@code NetworkSettings.Ports}: every exposed or bound port, with its host bindings or null. */
    static ObjectNode ports(ContainerConfig c, Map<String, ContainerEndpoint> endpoints) {
        Map<String, List<PublishedPort>> byPort = new TreeMap<>();
        c.exposedPorts().forEach(p -> byPort.put(containerPort(p), new ArrayList<>()));
        c.portBindings().forEach(b -> byPort.putIfAbsent(b.containerPort(), new ArrayList<>()));
        endpoints.values().forEach(e -> e.endpoint().ports().forEach(p ->
                byPort.computeIfAbsent(p.containerPort() + "/" + p.protocol(), k -> new ArrayList<>()).add(p)));
        ObjectNode ports = Json.MAPPER.createObjectNode();
        byPort.forEach((port, bound) -> {
            if (bound.isEmpty()) {
                ports.putNull(port);
            } else {
                ArrayNode list = ports.putArray(port);
                bound.forEach(p -> list.addObject().put("HostIp", p.hostIp()).put("HostPort", Integer.toString(p.hostPort())));
            }
        });
        return ports;
    }

    /** The list's {@code Ports}: published ports with their host side, exposed ones without. */
    static ArrayNode summaryPorts(State s, Map<String, ContainerEndpoint> endpoints) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        List<String> published = new ArrayList<>();
        boolean live = s.isRunning() || s.isPaused();
        if (live) {
            for (ContainerEndpoint e : endpoints.values()) {
                for (PublishedPort p : e.endpoint().ports()) {
                    out.addObject().put("IP", p.hostIp()).put("PrivatePort", p.containerPort())
                            .put("PublicPort", p.hostPort()).put("Type", p.protocol());
                    published.add(p.containerPort() + "/" + p.protocol());
                }
            }
        }
        for (String exposed : s.config().exposedPorts()) {
            String port = containerPort(exposed);
            if (!published.contains(port)) {
                String[] parts = port.split("/");
                out.addObject().put("PrivatePort", Integer.parseInt(parts[0])).put("Type", parts[1]);
            }
        }
        return out;
    }

    private static String containerPort(String key) {
        String port = key.contains("/") ? key : key + "/tcp";
        if (!port.matches("\\d{1,5}/(tcp|udp|sctp)")) {
            throw invalid("invalid port specification: \"" + key + "\"");
        }
        return port;
    }

    private static String address(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    private static int prefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? 0 : Integer.parseInt(cidr.substring(slash + 1));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
