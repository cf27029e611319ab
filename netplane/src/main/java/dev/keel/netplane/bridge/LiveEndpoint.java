package dev.keel.netplane.bridge;

import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.PortMapping;
import java.util.List;

/**
 * An endpoint the daemon's entities know to be attached, handed to {@link BridgeDriver#reconcile} after a restart.
 *
 * @param addresses the endpoint's addresses and MAC address as recorded
 * @param ports its published ports as bound (real host ports, never 0)
 */
public record LiveEndpoint(String networkId, String endpointId, EndpointAddresses addresses, List<PortMapping> ports) {

    public LiveEndpoint {
        ports = List.copyOf(ports);
    }
}
