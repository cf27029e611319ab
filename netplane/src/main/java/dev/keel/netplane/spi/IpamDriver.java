package dev.keel.netplane.spi;

import java.util.Map;

/**
 * Address management, shaped after Docker's remote IPAM protocol.
 *
 * <p>A network asks for a pool when it is created ({@link #requestPool}, then {@link #requestAddress} for the
 * gateway with option {@link #REQUEST_ADDRESS_TYPE} = {@link #GATEWAY}); each endpoint asks for an address at container
 * start and releases it at stop; the pool is released when the network is removed. Identical pool requests return the
 * same pool. State may be kept in memory: after a restart the daemon replays the requests of every live network and
 * endpoint, with their recorded addresses as preferred ones, before anything new is asked. Failures are
 * {@link NetworkFailure}s.
 */
public interface IpamDriver {

    String REQUEST_ADDRESS_TYPE = "RequestAddressType";
    String GATEWAY = "com.docker.network.gateway";

    String name();

    /** The local and the global default address space names. */
    AddressSpaces defaultAddressSpaces();

    /**
     * @param pool the wanted subnet (CIDR), or empty to let the driver choose one that overlaps no other pool and no
     *     route of the host
     * @param subPool the range (CIDR, inside {@code pool}) addresses are given from, or empty for all of the pool
     */
    PoolAllocation requestPool(String addressSpace, String pool, String subPool, Map<String, String> options,
                               boolean v6);

    void releasePool(String poolId);

    /**
     * @param preferred the wanted address (plain, no prefix), or empty for the next free one
     * @return the address in CIDR notation with the pool's prefix length
     */
    String requestAddress(String poolId, String preferred, Map<String, String> options);

    /** @param address plain or CIDR notation */
    void releaseAddress(String poolId, String address);

    record AddressSpaces(String local, String global) {}

    /** @param poolId the handle for later calls; @param pool the subnet in CIDR notation */
    record PoolAllocation(String poolId, String pool, Map<String, String> data) {
        public PoolAllocation {
            data = Map.copyOf(data);
        }
    }
}
