package dev.keel.netplane.spi;

import java.util.Map;

/**
 * One pool of a network (Docker's IPAMData).
 *
 * @param addressSpace the IPAM address space, "LocalDefault" for the built-in IPAM
 * @param pool the subnet in CIDR notation, "172.20.0.0/16"
 * @param gateway the gateway's address in CIDR notation, "172.20.0.1/16", or empty
 * @param auxAddresses addresses reserved by name (CIDR notation), never given to endpoints
 */
public record AddressPool(String addressSpace, String pool, String gateway, Map<String, String> auxAddresses) {

    public AddressPool {
        auxAddresses = Map.copyOf(auxAddresses);
    }
}
