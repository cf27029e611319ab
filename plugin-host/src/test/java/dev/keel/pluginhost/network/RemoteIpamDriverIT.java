package dev.keel.pluginhost.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.netplane.spi.IpamDriver;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.pluginhost.PluginProcess;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every IpamDriver method against the python fixed-pool IPAM plugin. */
class RemoteIpamDriverIT {

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private PluginProcess process;

    private RemoteIpamDriver driver(String... switches) {
        process = host.start(PluginProcess.Kind.IPAM, host.socket("fixedipam"), switches);
        return RemoteIpamDriver.lookUp(host.plugins(), "fixedipam");
    }

    private static void assertFailure(ThrowingCallable call, NetworkFailure.Kind kind, String text) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(NetworkFailure.class, f -> assertThat(f.kind()).isEqualTo(kind))
                .hasMessageContaining(text);
    }

    @Test
    void shouldGiveDefaultAddressSpaces() {
        assertThat(driver().defaultAddressSpaces())
                .isEqualTo(new IpamDriver.AddressSpaces("keeltest-local", "keeltest-global"));
    }

    @Test
    void shouldGiveSamePoolForIdenticalRequests() {
        RemoteIpamDriver driver = driver();

        IpamDriver.PoolAllocation first = driver.requestPool("keeltest-local", "", "", Map.of(), false);
        IpamDriver.PoolAllocation second = driver.requestPool("keeltest-local", "", "", Map.of(), false);

        assertThat(first).isEqualTo(second);
        assertThat(first.pool()).isEqualTo("10.77.0.0/24");
        assertThat(first.data()).containsEntry("owner", "keel-test");
        assertThat(process.requests("IpamDriver.RequestPool").get(0).get("body").toString()).isEqualTo(
                "{\"AddressSpace\":\"keeltest-local\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
    }

    @Test
    void shouldGiveGatewayThenAddressesInCidrNotation() {
        RemoteIpamDriver driver = driver();
        String pool = driver.requestPool("keeltest-local", "10.77.0.0/24", "", Map.of(), false).poolId();

        assertThat(driver.requestAddress(pool, "", Map.of(IpamDriver.REQUEST_ADDRESS_TYPE, IpamDriver.GATEWAY)))
                .isEqualTo("10.77.0.1/24");
        assertThat(driver.requestAddress(pool, "", Map.of())).isEqualTo("10.77.0.2/24");
        assertThat(driver.requestAddress(pool, "10.77.0.9", Map.of())).isEqualTo("10.77.0.9/24");
    }

    @Test
    void shouldReleaseAddressAsPlainAddress() {
        RemoteIpamDriver driver = driver();
        String pool = driver.requestPool("keeltest-local", "", "", Map.of(), false).poolId();
        String address = driver.requestAddress(pool, "", Map.of());

        driver.releaseAddress(pool, address);

        assertThat(process.requests("IpamDriver.ReleaseAddress").get(0).get("body").get("Address").asText())
                .isEqualTo("10.77.0.2");
        assertThat(driver.requestAddress(pool, "", Map.of())).isEqualTo(address);
    }

    @Test
    void shouldReleasePool() {
        RemoteIpamDriver driver = driver();
        String pool = driver.requestPool("keeltest-local", "", "", Map.of(), false).poolId();
        driver.requestAddress(pool, "10.77.0.7", Map.of());

        driver.releasePool(pool);

        assertThat(driver.requestAddress(pool, "10.77.0.7", Map.of())).isEqualTo("10.77.0.7/24");
    }

    @Test
    void shouldReportPluginsErrorField() {
        RemoteIpamDriver driver = driver();

        assertFailure(() -> driver.requestPool("keeltest-local", "192.168.9.0/24", "", Map.of(), false),
                NetworkFailure.Kind.FAILED, "IpamDriver.RequestPool: pool 192.168.9.0/24 is not available");
    }

    @Test
    void shouldReportErrorFieldOf200Answer() {
        RemoteIpamDriver driver = driver("--misbehave", "error", "--error-status", "200", "--on",
                "IpamDriver.RequestAddress", "--error-text", "pool exhausted");
        String pool = driver.requestPool("keeltest-local", "", "", Map.of(), false).poolId();

        assertFailure(() -> driver.requestAddress(pool, "", Map.of()), NetworkFailure.Kind.FAILED,
                "IpamDriver.RequestAddress: pool exhausted");
    }

    @Test
    void shouldReportGarbageAsFailure() {
        RemoteIpamDriver driver = driver("--misbehave", "garbage", "--on", "IpamDriver.GetDefaultAddressSpaces");

        assertFailure(driver::defaultAddressSpaces, NetworkFailure.Kind.FAILED, "invalid JSON");
    }

    @Test
    void shouldReportDownPluginAsUnavailable() {
        RemoteIpamDriver driver = driver();
        process.kill();

        assertFailure(() -> driver.releasePool("fixed-10.77.0.0/24"), NetworkFailure.Kind.UNAVAILABLE,
                "plugin fixedipam is unreachable");
    }
}
