package dev.keel.pluginhost.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keel.netplane.spi.IpamDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.pluginhost.Plugin;
import dev.keel.pluginhost.PluginFailure;
import dev.keel.pluginhost.PluginInterface;
import dev.keel.pluginhost.Plugins;
import java.util.Map;

/** An IPAM driver that is a legacy plugin implementing {@code IpamDriver}. Its error field is {@code Error}. */
public final class RemoteIpamDriver implements IpamDriver {

    private static final String ERROR = "Error";

    private final Plugin plugin;

    private RemoteIpamDriver(Plugin plugin) {
        this.plugin = plugin;
    }

    /**
     * The IPAM driver of plugin {@code name}, looked up and activated at first use (blocking, with retries); later
     * calls return the same driver.
     *
     * @throws NetworkFailure NOT_FOUND when no plugin by that name implements IpamDriver, UNAVAILABLE when it cannot
     *     be reached
     */
    public static RemoteIpamDriver lookUp(Plugins plugins, String name) {
        try {
            return plugins.adapter(name, PluginInterface.IPAM_DRIVER, RemoteIpamDriver::new);
        } catch (PluginFailure e) {
            throw NetworkFailures.of("error looking up IPAM plugin " + name + ": ", e);
        }
    }

    @Override
    public String name() {
        return plugin.name();
    }

    @Override
    public AddressSpaces defaultAddressSpaces() {
        AddressSpacesAnswer answer = call("GetDefaultAddressSpaces", null, AddressSpacesAnswer.class);
        return new AddressSpaces(orEmpty(answer.local()), orEmpty(answer.global()));
    }

    @Override
    public PoolAllocation requestPool(String addressSpace, String pool, String subPool, Map<String, String> options,
                                      boolean v6) {
        PoolAnswer answer = call("RequestPool", new PoolRequest(addressSpace, pool, subPool, options, v6),
                PoolAnswer.class);
        if (answer.poolId() == null || answer.poolId().isEmpty() || !isCidr(answer.pool())) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "IpamDriver.RequestPool: plugin " + name()
                    + " answered without a PoolID or a CIDR Pool: " + answer);
        }
        return new PoolAllocation(answer.poolId(), answer.pool(), answer.data() == null ? Map.of() : answer.data());
    }

    @Override
    public void releasePool(String poolId) {
        call("ReleasePool", new ReleasePoolRequest(poolId), Empty.class);
    }

    @Override
    public String requestAddress(String poolId, String preferred, Map<String, String> options) {
        AddressAnswer answer = call("RequestAddress", new AddressRequest(poolId, preferred, options),
                AddressAnswer.class);
        if (!isCidr(answer.address())) {
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "IpamDriver.RequestAddress: plugin " + name()
                    + " answered with an address that is not in CIDR notation: " + answer.address());
        }
        return answer.address();
    }

    /** Docker sends the plain address. */
    @Override
    public void releaseAddress(String poolId, String address) {
        int slash = address.indexOf('/');
        call("ReleaseAddress", new ReleaseAddressRequest(poolId, slash < 0 ? address : address.substring(0, slash)),
                Empty.class);
    }

    private <T> T call(String method, Object request, Class<T> answerType) {
        try {
            return plugin.call(PluginInterface.IPAM_DRIVER, "IpamDriver." + method, request, answerType, ERROR);
        } catch (PluginFailure e) {
            throw NetworkFailures.of("", e);
        }
    }

    private static boolean isCidr(String s) {
        return s != null && s.matches("[0-9A-Fa-f.:]+/[0-9]{1,3}");
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private record Empty() {}

    private record AddressSpacesAnswer(@JsonProperty("LocalDefaultAddressSpace") String local,
                                       @JsonProperty("GlobalDefaultAddressSpace") String global) {}

    private record PoolRequest(@JsonProperty("AddressSpace") String addressSpace, @JsonProperty("Pool") String pool,
                               @JsonProperty("SubPool") String subPool,
                               @JsonProperty("Options") Map<String, String> options, @JsonProperty("V6") boolean v6) {}

    private record PoolAnswer(@JsonProperty("PoolID") String poolId, @JsonProperty("Pool") String pool,
                              @JsonProperty("Data") Map<String, String> data) {}

    private record ReleasePoolRequest(@JsonProperty("PoolID") String poolId) {}

    private record AddressRequest(@JsonProperty("PoolID") String poolId, @JsonProperty("Address") String address,
                                  @JsonProperty("Options") Map<String, String> options) {}

    private record AddressAnswer(@JsonProperty("Address") String address,
                                 @JsonProperty("Data") Map<String, String> data) {}

    private record ReleaseAddressRequest(@JsonProperty("PoolID") String poolId,
                                         @JsonProperty("Address") String address) {}
}
