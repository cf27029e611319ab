package dev.keel.httpapi.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.network.NetworkEntity;
import dev.keel.actors.network.NetworkSpec;
import dev.keel.actors.network.Networks.Network;
import dev.keel.httpapi.container.ContainerCodec;
import dev.keel.httpapi.route.Filters;
import dev.keel.httpapi.route.Json;
import dev.keel.httpapi.route.JsonFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Networks on the wire: Docker's NetworkResource out, NetworkCreateRequest in, and the list and prune filters. */
final class NetworkCodec {

    static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    static final Set<String> PRUNE_FILTERS = Set.of("until", "label", "label!");

    private NetworkCodec() {}

    /** {@code POST /networks/create}. */
    static NetworkSpec decodeCreate(byte[] body) {
        JsonFields request = JsonFields.root(body, "the network's Name");
        String name = request.text("Name");
        if (name.isBlank()) {
            throw invalid("network name must not be empty");
        }
        String driver = request.text("Driver").isEmpty() ? "bridge" : request.text("Driver");
        JsonFields ipam = request.object("IPAM");
        List<NetworkSpec.Pool> pools = new ArrayList<>();
        JsonNode configs = ipam.node().get("Config");
        if (configs != null && !configs.isNull()) {
            if (!configs.isArray()) {
                throw invalid("IPAM.Config must be an array");
            }
            for (JsonNode config : configs) {
                JsonFields pool = new JsonFields(config, "IPAM.Config");
                if (pool.text("Subnet").isEmpty() && (!pool.text("IPRange").isEmpty() || !pool.text("Gateway").isEmpty())) {
                    throw invalid("IPAM config with an ip-range or a gateway needs its subnet");
                }
                pools.add(new NetworkSpec.Pool(pool.text("Subnet"), pool.text("IPRange"), pool.text("Gateway"),
                        pool.stringMap("AuxiliaryAddresses")));
            }
        }
        return new NetworkSpec(name, driver, request.stringMap("Options"), request.stringMap("Labels"),
                new NetworkSpec.Ipam(ipam.text("Driver").isEmpty() ? "default" : ipam.text("Driver"), pools,
                        ipam.stringMap("Options")),
                request.bool("Internal"), request.bool("Attachable"), request.bool("EnableIPv6"));
    }

    /** Docker's NetworkResource; the list leaves Containers empty, as Docker does. */
    static ObjectNode resource(Network network, boolean withContainers) {
        NetworkEntity.State state = network.state();
        NetworkSpec spec = state.spec();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Name", spec.name());
        out.put("Id", state.networkId());
        out.put("Created", ContainerCodec.rfc3339Nano(state.createdAt()));
        out.put("Scope", "local");
        out.put("Driver", spec.driver());
        out.put("EnableIPv6", spec.enableIpv6());
        ObjectNode ipam = out.putObject("IPAM");
        ipam.put("Driver", spec.ipam().driver());
        ipam.set("Options", spec.ipam().options().isEmpty() ? ipam.nullNode() : strings(spec.ipam().options()));
        ArrayNode configs = ipam.putArray("Config");
        for (NetworkSpec.Pool pool : spec.ipam().pools()) {
            ObjectNode config = configs.addObject().put("Subnet", pool.subnet());
            if (!pool.ipRange().isEmpty()) {
                config.put("IPRange", pool.ipRange());
            }
            config.put("Gateway", pool.gateway());
            if (!pool.auxAddresses().isEmpty()) {
                config.set("AuxiliaryAddresses", strings(pool.auxAddresses()));
            }
        }
        out.put("Internal", spec.internal());
        out.put("Attachable", spec.attachable());
        out.put("Ingress", false);
        out.putObject("ConfigFrom").put("Network", "");
        out.put("ConfigOnly", false);
        ObjectNode containers = out.putObject("Containers");
        if (withContainers) {
            state.endpoints().forEach((containerId, endpoint) -> containers.putObject(containerId)
                    .put("Name", network.containerNames().getOrDefault(containerId, ""))
                    .put("EndpointID", endpoint.endpointId())
                    .put("MacAddress", endpoint.macAddress())
                    .put("IPv4Address", endpoint.ipv4Address())
                    .put("IPv6Address", endpoint.ipv6Address()));
        }
        out.set("Options", strings(spec.options()));
        out.set("Labels", strings(spec.labels()));
        return out;
    }

    /** Docker's network list filters; {@code dangling} means no container attached, {@code type} builtin or custom. */
    static boolean matches(Network network, Filters filters) {
        NetworkSpec spec = network.state().spec();
        boolean dangling = network.state().endpoints().isEmpty() && !spec.isPredefined();
        return filters.matchesAny("dangling", v -> Boolean.parseBoolean(v) == dangling || (v.equals("1") && dangling))
                && filters.matchesAny("driver", spec.driver()::equals)
                && filters.matchesAny("id", network.id()::startsWith)
                && filters.matchesAny("name", spec.name()::contains)
                && filters.matchesAny("scope", "local"::equals)
                && filters.matchesAny("type", t -> t.equals(spec.isPredefined() ? "builtin" : "custom"))
                && filters.matchesLabels("label", spec.labels());
    }

    /** Docker's prune filters: created before {@code until}, with (or without, {@code label!}) the labels. */
    static boolean prunable(Network network, Filters filters, Instant until) {
        NetworkSpec spec = network.state().spec();
        return !spec.isPredefined() && network.state().endpoints().isEmpty()
                && network.state().createdAt().isBefore(until)
                && filters.matchesLabels("label", spec.labels()) && filters.matchesNoLabel("label!", spec.labels());
    }

    private static ObjectNode strings(Map<String, String> values) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        values.forEach(out::put);
        return out;
    }

    private static EngineFailure invalid(String message) {
        return new EngineFailure(Rejection.INVALID_ARGUMENT, message);
    }
}
