package dev.keel.netplane.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A network driver, shaped after Docker's remote network driver protocol so that a remote plugin is one more
 * implementation.
 *
 * <p>Terms: a <em>network</em> is identified by the 64-hex network id the daemon chose; an <em>endpoint</em> is one
 * container's attachment to one network, identified by a 64-hex endpoint id; a <em>sandbox</em> is the container's
 * network namespace, given as the path of its bind-mounted nsfs file.
 *
 * <p>Lifecycle, always driven by the daemon in this order:
 * <ol>
 *   <li>{@link #createNetwork} once the IPAM driver has given the pools and gateways;</li>
 *   <li>per container start: {@link #createEndpoint} with the address IPAM gave, {@link #join} with the sandbox (the
 *       driver returns the interface it made on the host; the daemon moves it into the sandbox), then
 *       {@link #programExternalConnectivity} with the ports to publish;</li>
 *   <li>per container stop: {@link #revokeExternalConnectivity}, {@link #leave}, {@link #deleteEndpoint};</li>
 *   <li>{@link #deleteNetwork} once no endpoint is left.</li>
 * </ol>
 *
 * <p>Every method may block (kernel calls, a remote plugin) and is called off actor threads. Deleting or leaving what
 * does not exist is not an error: the daemon repeats those calls when it cleans up after a crash. Failures are
 * {@link NetworkFailure}s.
 */
public interface NetworkDriver {

    /** The name users give with {@code --driver}: "bridge", "host", "null" or a plugin's name. */
    String name();

    DriverScope scope();

    void createNetwork(NetworkDefinition network);

    void deleteNetwork(String networkId);

    /**
     * Creates the endpoint's interface. {@code requested} carries the address IPAM chose (CIDR) and possibly a MAC
     * address; the driver returns what it chose itself, or {@link EndpointAddresses#NONE} when it took the request.
     */
    EndpointAddresses createEndpoint(String networkId, String endpointId, EndpointAddresses requested);

    void deleteEndpoint(String networkId, String endpointId);

    /** Prepares the endpoint to enter {@code sandbox}; the returned interface is moved in by the daemon. */
    JoinInfo join(String networkId, String endpointId, Path sandbox);

    void leave(String networkId, String endpointId);

    /**
     * Publishes the endpoint's ports on the host and returns them as bound: a host port of 0 in the request is
     * replaced by the ephemeral port chosen. A port already in use fails with {@link NetworkFailure.Kind#CONFLICT}
     * and leaves nothing behind. Drivers without external connectivity return an empty list.
     */
    List<PortMapping> programExternalConnectivity(String networkId, String endpointId, List<PortMapping> ports);

    void revokeExternalConnectivity(String networkId, String endpointId);
}
