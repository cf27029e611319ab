package dev.keel.netplane.ipam;

import static dev.keel.netplane.spi.IpamDriver.GATEWAY;
import static dev.keel.netplane.spi.IpamDriver.REQUEST_ADDRESS_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.netplane.NetplaneSettings.AddressPoolBase;
import dev.keel.netplane.spi.IpamDriver.PoolAllocation;
import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.NetworkFailure.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class DefaultIpamTest {

    private static final Map<String, String> GATEWAY_OPTION = Map.of(REQUEST_ADDRESS_TYPE, GATEWAY);
    private static final List<AddressPoolBase> DEFAULTS = List.of(
            new AddressPoolBase("172.17.0.0/16", 16),
            new AddressPoolBase("172.18.0.0/16", 16),
            new AddressPoolBase("192.168.0.0/16", 20));

    private final List<IpPrefix> routes = new ArrayList<>();
    private final DefaultIpam ipam = new DefaultIpam(DEFAULTS, () -> routes);

    private PoolAllocation pool(String subnet) {
        return ipam.requestPool("LocalDefault", subnet, "", Map.of(), false);
    }

    private static void assertFailure(ThrowingCallable call, Kind kind, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NetworkFailure.class, failure -> {
            assertThat(failure.kind()).isEqualTo(kind);
            assertThat(failure.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldNameItselfAndItsAddressSpacesLikeDocker() {
        assertThat(ipam.name()).isEqualTo("default");
        assertThat(ipam.defaultAddressSpaces().local()).isEqualTo("LocalDefault");
        assertThat(ipam.defaultAddressSpaces().global()).isEqualTo("GlobalDefault");
    }

    @Test
    void shouldGiveTheRequestedSubnetWithDockersPoolId() {
        assertThat(pool("172.20.0.0/16")).isEqualTo(new PoolAllocation("LocalDefault/172.20.0.0/16",
                "172.20.0.0/16", Map.of()));
    }

    @Test
    void shouldNameTheRangeInThePoolIdOfASubPool() {
        PoolAllocation allocation = ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.20.5.0/24", Map.of(),
                false);

        assertThat(allocation.poolId()).isEqualTo("LocalDefault/172.20.0.0/16/172.20.5.0/24");
        assertThat(allocation.pool()).isEqualTo("172.20.0.0/16");
    }

    @Test
    void shouldRejectAnInvalidCidr() {
        assertFailure(() -> pool("172.20.0.300/16"), Kind.INVALID_ARGUMENT, "invalid CIDR address: 172.20.0.300/16");
        assertFailure(() -> pool("foo"), Kind.INVALID_ARGUMENT, "invalid CIDR address: foo");
        assertFailure(() -> pool("10.0.0.0/33"), Kind.INVALID_ARGUMENT, "invalid CIDR address: 10.0.0.0/33");
    }

    @Test
    void shouldClearHostBitsOfTheRequestedSubnet() {
        assertThat(pool("172.20.1.5/16").pool()).isEqualTo("172.20.0.0/16");
    }

    @Test
    void shouldRejectASubnetOverlappingAnotherPool() {
        pool("172.20.0.0/16");

        assertFailure(() -> pool("172.20.128.0/17"), Kind.CONFLICT,
                "Pool overlaps with other one on this address space");
        assertFailure(() -> pool("172.0.0.0/8"), Kind.CONFLICT, "Pool overlaps with other one on this address space");
    }

    @Test
    void shouldAllowTheSameSubnetInAnotherAddressSpace() {
        pool("172.20.0.0/16");

        assertThat(ipam.requestPool("GlobalDefault", "172.20.0.0/16", "", Map.of(), false).poolId())
                .isEqualTo("GlobalDefault/172.20.0.0/16");
    }

    @Test
    void shouldRejectAnUnknownAddressSpace() {
        assertFailure(() -> ipam.requestPool("Elsewhere", "172.20.0.0/16", "", Map.of(), false), Kind.NOT_FOUND,
                "cannot find address space Elsewhere");
    }

    @Test
    void shouldRejectARangeOutsideItsSubnet() {
        assertFailure(() -> ipam.requestPool("LocalDefault", "172.20.0.0/16", "10.0.0.0/24", Map.of(), false),
                Kind.INVALID_ARGUMENT, "invalid address subpool: 10.0.0.0/24 is not within 172.20.0.0/16");
    }

    @Test
    void shouldRejectARangeWiderThanItsSubnet() {
        assertFailure(() -> ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.0.0.0/8", Map.of(), false),
                Kind.INVALID_ARGUMENT, "invalid address subpool: 172.0.0.0/8 is not within 172.20.0.0/16");
    }

    @Test
    void shouldReturnTheSamePoolForIdenticalRequestsAndCountReferences() {
        PoolAllocation first = pool("172.20.0.0/16");
        PoolAllocation second = pool("172.20.0.0/16");
        assertThat(second).isEqualTo(first);

        ipam.releasePool(first.poolId());
        assertThat(ipam.requestAddress(first.poolId(), "", Map.of())).isEqualTo("172.20.0.1/16");

        ipam.releasePool(first.poolId());
        assertFailure(() -> ipam.requestAddress(first.poolId(), "", Map.of()), Kind.NOT_FOUND,
                "cannot find address pool for poolID:LocalDefault/172.20.0.0/16");
    }

    @Test
    void shouldFreeTheSubnetWhenItsLastPoolIsReleased() {
        ipam.releasePool(pool("172.20.0.0/16").poolId());

        assertThat(pool("172.20.0.0/17").pool()).isEqualTo("172.20.0.0/17");
    }

    @Test
    void shouldRejectReleasingAnUnknownPool() {
        assertFailure(() -> ipam.releasePool("LocalDefault/10.9.0.0/16"), Kind.NOT_FOUND,
                "cannot find address pool for poolID:LocalDefault/10.9.0.0/16");
    }

    @Test
    void shouldChooseTheFirstDefaultSubnetWhenNoneIsGiven() {
        assertThat(pool("").poolId()).isEqualTo("LocalDefault/172.17.0.0/16");
        assertThat(pool("").poolId()).isEqualTo("LocalDefault/172.18.0.0/16");
        assertThat(pool("").poolId()).isEqualTo("LocalDefault/192.168.0.0/20");
        assertThat(pool("").poolId()).isEqualTo("LocalDefault/192.168.16.0/20");
    }

    @Test
    void shouldSkipDefaultSubnetsOverlappingAPool() {
        pool("172.17.5.0/24");

        assertThat(pool("").pool()).isEqualTo("172.18.0.0/16");
    }

    @Test
    void shouldSkipDefaultSubnetsOverlappingAHostRoute() {
        routes.add(IpPrefix.parse("172.16.0.0/12"));

        assertThat(pool("").pool()).isEqualTo("192.168.0.0/20");
    }

    @Test
    void shouldFailWhenEveryDefaultSubnetIsTaken() {
        routes.add(IpPrefix.parse("172.16.0.0/12"));
        routes.add(IpPrefix.parse("192.168.0.0/16"));

        assertFailure(() -> pool(""), Kind.NOT_FOUND,
                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to"
                        + " the network");
    }

    @Test
    void shouldFailForAnIpv6DefaultWhenNoIpv6PoolIsConfigured() {
        assertFailure(() -> ipam.requestPool("LocalDefault", "", "", Map.of(), true), Kind.NOT_FOUND,
                "could not find an available, non-overlapping IPv6 address pool among the defaults to assign to"
                        + " the network");
    }

    @Test
    void shouldChooseAnIpv6DefaultByJumpingOverTakenSubnets() {
        DefaultIpam withIpv6 = new DefaultIpam(List.of(new AddressPoolBase("fd00::/8", 64)), () -> routes);
        withIpv6.requestPool("LocalDefault", "fd00::/16", "", Map.of(), true);
        routes.add(IpPrefix.parse("fd01::/64"));

        assertThat(withIpv6.requestPool("LocalDefault", "", "", Map.of(), true).pool()).isEqualTo("fd01:0:0:1::/64");
    }

    @Test
    void shouldRejectADefaultBaseThatCannotBeSplit() {
        assertThatThrownBy(() -> new DefaultIpam(List.of(new AddressPoolBase("10.0.0.0/16", 8)), () -> routes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("default address pool 10.0.0.0/16 cannot be split into /8");
    }

    @Test
    void shouldGiveTheGatewayTheFirstAddressOfThePool() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertThat(ipam.requestAddress(poolId, "", GATEWAY_OPTION)).isEqualTo("172.20.0.1/16");
    }

    @Test
    void shouldGiveTheGatewayTheFirstAddressOfTheRange() {
        String poolId = ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.20.5.0/24", Map.of(), false).poolId();

        assertThat(ipam.requestAddress(poolId, "", GATEWAY_OPTION)).isEqualTo("172.20.5.0/16");
    }

    @Test
    void shouldGiveAddressesInOrderAfterTheGateway() {
        String poolId = pool("172.20.0.0/16").poolId();
        ipam.requestAddress(poolId, "", GATEWAY_OPTION);

        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("172.20.0.2/16");
        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("172.20.0.3/16");
    }

    @Test
    void shouldGiveThePreferredAddress() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertThat(ipam.requestAddress(poolId, "172.20.3.4", Map.of())).isEqualTo("172.20.3.4/16");
    }

    @Test
    void shouldAcceptAPreferredAddressInCidrNotationAsTheDaemonRecordsIt() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertThat(ipam.requestAddress(poolId, "172.20.3.4/16", Map.of())).isEqualTo("172.20.3.4/16");
    }

    @Test
    void shouldRejectAPreferredAddressOutsideThePool() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertFailure(() -> ipam.requestAddress(poolId, "10.0.0.1", Map.of()), Kind.INVALID_ARGUMENT,
                "requested address is out of range");
    }

    @Test
    void shouldRejectAPreferredAddressThatIsNotAnAddress() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertFailure(() -> ipam.requestAddress(poolId, "web", Map.of()), Kind.INVALID_ARGUMENT,
                "invalid address: web");
    }

    @Test
    void shouldRejectATakenPreferredAddress() {
        String poolId = pool("172.20.0.0/16").poolId();
        ipam.requestAddress(poolId, "172.20.3.4", Map.of());

        assertFailure(() -> ipam.requestAddress(poolId, "172.20.3.4", Map.of()), Kind.CONFLICT,
                "Address already in use");
    }

    @Test
    void shouldNeverGiveTheNetworkOrBroadcastAddress() {
        String poolId = pool("10.1.0.0/30").poolId();

        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("10.1.0.1/30");
        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("10.1.0.2/30");
        assertFailure(() -> ipam.requestAddress(poolId, "10.1.0.3", Map.of()), Kind.CONFLICT,
                "Address already in use");
    }

    @Test
    void shouldUseBothAddressesOfASlash31() {
        String poolId = pool("10.1.0.0/31").poolId();

        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("10.1.0.0/31");
        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("10.1.0.1/31");
    }

    @Test
    void shouldFailWhenThePoolIsExhausted() {
        String poolId = pool("10.1.0.0/30").poolId();
        ipam.requestAddress(poolId, "", Map.of());
        ipam.requestAddress(poolId, "", Map.of());

        assertFailure(() -> ipam.requestAddress(poolId, "", Map.of()), Kind.FAILED,
                "no available addresses on this pool");
    }

    @Test
    void shouldGiveAddressesOnlyFromTheRange() {
        String poolId = ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.20.5.0/30", Map.of(), false).poolId();

        List<String> given = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            given.add(ipam.requestAddress(poolId, "", Map.of()));
        }

        assertThat(given).containsExactly("172.20.5.0/16", "172.20.5.1/16", "172.20.5.2/16", "172.20.5.3/16");
        assertFailure(() -> ipam.requestAddress(poolId, "", Map.of()), Kind.FAILED,
                "no available addresses on this pool");
    }

    @Test
    void shouldAcceptAPreferredAddressOutsideTheRangeButInsideTheSubnet() {
        String poolId = ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.20.5.0/24", Map.of(), false).poolId();

        assertThat(ipam.requestAddress(poolId, "172.20.9.9", Map.of())).isEqualTo("172.20.9.9/16");
    }

    @Test
    void shouldNotReuseAReleasedAddressAtOnce() {
        String poolId = pool("172.20.0.0/16").poolId();
        String first = ipam.requestAddress(poolId, "", Map.of());
        ipam.releaseAddress(poolId, first);

        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("172.20.0.2/16");
    }

    @Test
    void shouldWrapAroundToReleasedAddressesAtTheEndOfThePool() {
        String poolId = pool("10.1.0.0/29").poolId();
        for (int i = 0; i < 6; i++) {
            ipam.requestAddress(poolId, "", Map.of());
        }
        ipam.releaseAddress(poolId, "10.1.0.3");

        assertThat(ipam.requestAddress(poolId, "", Map.of())).isEqualTo("10.1.0.3/29");
    }

    @Test
    void shouldAcceptAReleasedAddressAgainAsPreferred() {
        String poolId = pool("172.20.0.0/16").poolId();
        ipam.requestAddress(poolId, "172.20.0.7", Map.of());
        ipam.releaseAddress(poolId, "172.20.0.7/16");

        assertThat(ipam.requestAddress(poolId, "172.20.0.7", Map.of())).isEqualTo("172.20.0.7/16");
    }

    @Test
    void shouldRejectReleasingAnAddressOutsideThePool() {
        String poolId = pool("172.20.0.0/16").poolId();

        assertFailure(() -> ipam.releaseAddress(poolId, "10.0.0.1"), Kind.INVALID_ARGUMENT,
                "requested address is out of range");
    }

    @Test
    void shouldKeepTheNetworkAddressReservedWhenItIsReleased() {
        String poolId = pool("10.1.0.0/30").poolId();
        ipam.releaseAddress(poolId, "10.1.0.0");

        assertFailure(() -> ipam.requestAddress(poolId, "10.1.0.0", Map.of()), Kind.CONFLICT,
                "Address already in use");
    }

    @Test
    void shouldShareAddressesBetweenPoolsOfOneSubnet() {
        String whole = pool("172.20.0.0/16").poolId();
        String range = ipam.requestPool("LocalDefault", "172.20.0.0/16", "172.20.0.0/24", Map.of(), false).poolId();
        ipam.requestAddress(whole, "172.20.0.1", Map.of());

        assertThat(ipam.requestAddress(range, "", Map.of())).isEqualTo("172.20.0.2/16");
    }

    @Test
    void shouldGiveIpv6AddressesFromAnExplicitSubnet() {
        PoolAllocation pool = ipam.requestPool("LocalDefault", "fd00:1:2::/64", "", Map.of(), true);

        assertThat(pool.poolId()).isEqualTo("LocalDefault/fd00:1:2::/64");
        assertThat(ipam.requestAddress(pool.poolId(), "", GATEWAY_OPTION)).isEqualTo("fd00:1:2::1/64");
        assertThat(ipam.requestAddress(pool.poolId(), "", Map.of())).isEqualTo("fd00:1:2::2/64");
        assertThat(ipam.requestAddress(pool.poolId(), "fd00:1:2:0:ffff:ffff:ffff:ffff", Map.of()))
                .isEqualTo("fd00:1:2:0:ffff:ffff:ffff:ffff/64");
    }

    @Test
    void shouldRejectAnIpv4AddressInAnIpv6Pool() {
        String poolId = ipam.requestPool("LocalDefault", "fd00:1:2::/64", "", Map.of(), true).poolId();

        assertFailure(() -> ipam.requestAddress(poolId, "10.0.0.1", Map.of()), Kind.INVALID_ARGUMENT,
                "requested address is out of range");
    }

    @Test
    void shouldRejectAnOverlappingIpv6Subnet() {
        ipam.requestPool("LocalDefault", "fd00:1:2::/64", "", Map.of(), true);

        assertFailure(() -> ipam.requestPool("LocalDefault", "fd00:1::/32", "", Map.of(), true), Kind.CONFLICT,
                "Pool overlaps with other one on this address space");
    }

    @Test
    void shouldAllocateQuicklyInALargeSubnet() {
        String poolId = pool("10.0.0.0/8").poolId();
        int requests = 10_000;
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            ipam.requestAddress(poolId, "", Map.of());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        long medianNs = nanos[requests / 2];
        System.out.println("ipam: request_address_median_ns=" + medianNs + " p99_ns=" + nanos[requests * 99 / 100]);

        assertThat(medianNs).isLessThan(100_000);
    }
}
