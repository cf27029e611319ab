package dev.keel.netplane.namespace;

import dev.keel.netplane.spi.DriverScope;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.netplane.spi.NetworkDefinition;
import dev.keel.netplane.spi.NetworkDriver;
import dev.keel.netplane.spi.PortMapping;
import java.nio.file.Path;
import java.util.List;

/**
 * Docker's "host" and "null" drivers, whose endpoints have no interface of their own: with host, containers share the
 * host's network namespace (and bind their ports on the host directly); with null (Docker's {@code --network none}),
 * the container's namespace keeps only {@code lo}. Every call succeeds and changes nothing on the host; a join answers
 * an empty interface name and nothing is ever published.
 */
public final class NamespaceOnlyDriver implements NetworkDriver {

    public static final NamespaceOnlyDriver HOST = new NamespaceOnlyDriver("host");
    public static final NamespaceOnlyDriver NULL = new NamespaceOnlyDriver("null");

    private final String name;

    private NamespaceOnlyDriver(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DriverScope scope() {
        return DriverScope.LOCAL;
    }

    @Override
    public void createNetwork(NetworkDefinition network) {
        // Nothing on the host belongs to this network.
    }

    @Override
    public void deleteNetwork(String networkId) {
        // Nothing was made.
    }

    @Override
    public EndpointAddresses createEndpoint(String networkId, String endpointId, EndpointAddresses requested) {
        return EndpointAddresses.NONE;
    }

    @Override
    public void deleteEndpoint(String networkId, String endpointId) {
        // Nothing was made.
    }

    @Override
    public JoinInfo join(String networkId, String endpointId, Path sandbox) {
        return new JoinInfo("", "", "", "", List.of());
    }

    @Override
    public void leave(String networkId, String endpointId) {
        // Nothing was moved.
    }

    @Override
    public List<PortMapping> programExternalConnectivity(String networkId, String endpointId,
                                                         List<PortMapping> ports) {
        return List.of();
    }

    @Override
    public void revokeExternalConnectivity(String networkId, String endpointId) {
        // Nothing was published.
    }
}
