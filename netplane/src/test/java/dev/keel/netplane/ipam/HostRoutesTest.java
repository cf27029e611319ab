package dev.keel.netplane.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostRoutesTest {

    @Test
    void shouldReadIpv4RoutesWithoutTheDefaultOne() {
        List<String> procNetRoute = List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "br0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0");

        assertThat(HostRoutes.parseV4(procNetRoute)).extracting(IpPrefix::toString)
                .containsExactly("192.0.2.0/24", "172.17.0.0/16");
    }

    @Test
    void shouldReadIpv6RoutesWithoutDefaultLinkLocalAndMulticastOnes() {
        String rest = " 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001"
                + " 00000000 00000001     eth0";
        List<String> procNetIpv6Route = List.of(
                "fd000000000000010000000000000000 40" + rest,
                "fe800000000000000000000000000000 40" + rest,
                "ff000000000000000000000000000000 08" + rest,
                "00000000000000000000000000000000 00" + rest);

        assertThat(HostRoutes.parseV6(procNetIpv6Route)).extracting(IpPrefix::toString)
                .containsExactly("fd00:0:0:1::/64");
    }

    @Test
    void shouldReadThisHostsRoutes() {
        assertThat(HostRoutes.fromProc().destinations()).allSatisfy(route -> assertThat(route.bits()).isPositive());
    }
}
