package dev.keel.netplane.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressTest {

    @Test
    void shouldPrintIpv6CompressedLikeGo() {
        assertThat(IpAddress.parseOrNull("fd00:0:0:0:0:0:0:1")).hasToString("fd00::1");
        assertThat(IpAddress.parseOrNull("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1");
        assertThat(IpAddress.parseOrNull("fd00:1:0:1:0:0:0:0")).hasToString("fd00:1:0:1::");
        assertThat(IpAddress.parseOrNull("::")).hasToString("::");
        assertThat(IpAddress.parseOrNull("fd00:1:2:3:4:5:0:7")).hasToString("fd00:1:2:3:4:5:0:7");
    }

    @Test
    void shouldRejectWhatIsNotALiteral() {
        assertThat(IpAddress.parseOrNull("localhost")).isNull();
        assertThat(IpAddress.parseOrNull("10.0.0.256")).isNull();
        assertThat(IpAddress.parseOrNull("10.0.0.01")).isNull();
        assertThat(IpAddress.parseOrNull("10.0.0")).isNull();
        assertThat(IpAddress.parseOrNull("fd00::zz")).isNull();
        assertThat(IpAddress.parseOrNull("fe80::1%eth0")).isNull();
    }

    @Test
    void shouldRoundTripThroughInetAddress() {
        IpAddress address = IpAddress.parseOrNull("10.20.30.40");

        assertThat(IpAddress.of(address.toInetAddress())).isEqualTo(address);
    }
}
