package dev.keel.netplane.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected texts are what dockerd 20.10.24 wrote into containers on this machine. */
class SandboxFilesTest {

    private static final String DEFAULT_HOSTS = "127.0.0.1\tlocalhost\n"
            + "::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "fe00::0\tip6-localnet\n"
            + "ff00::0\tip6-mcastprefix\n"
            + "ff02::1\tip6-allnodes\n"
            + "ff02::2\tip6-allrouters\n";

    @Test
    void shouldWriteHostsWithTheContainersAddress() {
        assertThat(SandboxFiles.hosts("1d498d2ecaa1", List.of("172.31.250.2"), List.of()))
                .isEqualTo(DEFAULT_HOSTS + "172.31.250.2\t1d498d2ecaa1\n");
    }

    @Test
    void shouldWriteAddedHostsBeforeTheContainersAddress() {
        assertThat(SandboxFiles.hosts("1d498d2ecaa1", List.of("172.31.250.2"),
                List.of("foo:1.2.3.4", "bar baz:5.6.7.8")))
                .isEqualTo(DEFAULT_HOSTS + "1.2.3.4\tfoo\n5.6.7.8\tbar baz\n172.31.250.2\t1d498d2ecaa1\n");
    }

    @Test
    void shouldKeepTheColonsOfAnAddedIpv6Host() {
        assertThat(SandboxFiles.hosts("h", List.of(), List.of("six:fd00::1", "seven:[fd00::2]")))
                .isEqualTo(DEFAULT_HOSTS + "fd00::1\tsix\nfd00::2\tseven\n");
    }

    @Test
    void shouldRejectAnAddedHostWithoutAddress() {
        assertThatThrownBy(() -> SandboxFiles.hosts("h", List.of(), List.of("foo")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad format for add-host: \"foo\"");
    }

    @Test
    void shouldNameBothTheQualifiedAndTheShortHostname() {
        assertThat(SandboxFiles.hosts("web.example.com", List.of("172.31.250.2"), List.of()))
                .isEqualTo(DEFAULT_HOSTS + "172.31.250.2\tweb.example.com web\n");
    }

    @Test
    void shouldWriteOneLinePerAddress() {
        assertThat(SandboxFiles.hosts("web", List.of("172.31.250.2", "10.1.0.3"), List.of()))
                .isEqualTo(DEFAULT_HOSTS + "172.31.250.2\tweb\n10.1.0.3\tweb\n");
    }

    @Test
    void shouldWriteOnlyTheDefaultsWithoutAddresses() {
        assertThat(SandboxFiles.hosts("web", List.of(), List.of())).isEqualTo(DEFAULT_HOSTS);
    }

    @Test
    void shouldPointAtTheEmbeddedDnsOnAUserNetwork() {
        assertThat(SandboxFiles.resolvConf(true, "nameserver 10.255.255.53\n", List.of(), List.of(), List.of()))
                .isEqualTo("nameserver 127.0.0.11\noptions ndots:0\n");
    }

    @Test
    void shouldKeepTheHostsSearchDomainsAndOptionsWithTheEmbeddedDns() {
        String host = "# comment\nsearch corp.example lab.example\nnameserver 127.0.0.53\noptions edns0 trust-ad\n";

        assertThat(SandboxFiles.resolvConf(true, host, List.of(), List.of(), List.of()))
                .isEqualTo("search corp.example lab.example\nnameserver 127.0.0.11\noptions edns0 trust-ad ndots:0\n");
    }

    @Test
    void shouldApplyUserSearchAndOptionsWithTheEmbeddedDns() {
        assertThat(SandboxFiles.resolvConf(true, "nameserver 10.255.255.53\n", List.of("9.9.9.9"), List.of("a.b"),
                List.of("timeout:2")))
                .isEqualTo("search a.b\nnameserver 127.0.0.11\noptions timeout:2 ndots:0\n");
    }

    @Test
    void shouldKeepTheUsersNdots() {
        assertThat(SandboxFiles.resolvConf(true, "", List.of(), List.of(), List.of("ndots:3")))
                .isEqualTo("nameserver 127.0.0.11\noptions ndots:3\n");
    }

    @Test
    void shouldListNoOtherNameserverWithTheEmbeddedDns() {
        String host = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver 2001:db8::53\n"
                + "options edns0\n";

        assertThat(SandboxFiles.resolvConf(true, host, List.of(), List.of(), List.of()))
                .isEqualTo("search corp.example\nnameserver 127.0.0.11\noptions edns0 ndots:0\n");
    }

    @Test
    void shouldDropIpv6NameserversOnTheDefaultBridge() {
        String host = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver 2001:db8::53\n"
                + "options edns0\n";

        assertThat(SandboxFiles.resolvConf(false, host, List.of(), List.of(), List.of()))
                .isEqualTo("search corp.example\nnameserver 10.0.0.2\noptions edns0\n");
    }

    @Test
    void shouldKeepAllTheHostsNameserversWhenOnlyTheSearchIsOverridden() {
        String host = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver 2001:db8::53\n"
                + "options edns0\n";

        assertThat(SandboxFiles.resolvConf(false, host, List.of(), List.of("x.y"), List.of()))
                .isEqualTo("search x.y\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver 2001:db8::53\n"
                        + "options edns0\n");
    }

    @Test
    void shouldCopyTheHostsFileOnTheDefaultBridge() {
        assertThat(SandboxFiles.resolvConf(false, "nameserver 10.255.255.53\n", List.of(), List.of(), List.of()))
                .isEqualTo("nameserver 10.255.255.53\n");
    }

    @Test
    void shouldDropLoopbackNameserversOnTheDefaultBridge() {
        String host = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver ::1\n";

        assertThat(SandboxFiles.resolvConf(false, host, List.of(), List.of(), List.of()))
                .isEqualTo("search corp.example\nnameserver 10.0.0.2\n");
    }

    @Test
    void shouldFallBackToGooglesServersWhenOnlyLoopbackOnesAreLeft() {
        String host = "search corp.example\nnameserver 127.0.0.53\noptions edns0\n";

        assertThat(SandboxFiles.resolvConf(false, host, List.of(), List.of(), List.of()))
                .isEqualTo("search corp.example\noptions edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    }

    @Test
    void shouldBuildFromUserSettingsOnTheDefaultBridge() {
        String host = "search corp.example\nnameserver 10.0.0.2\noptions edns0\n";

        assertThat(SandboxFiles.resolvConf(false, host, List.of("9.9.9.9", "1.1.1.1"), List.of(), List.of()))
                .isEqualTo("search corp.example\nnameserver 9.9.9.9\nnameserver 1.1.1.1\noptions edns0\n");
    }

    @Test
    void shouldOmitASearchOfJustADot() {
        assertThat(SandboxFiles.resolvConf(false, "nameserver 10.0.0.2\n", List.of(), List.of("."), List.of()))
                .isEqualTo("nameserver 10.0.0.2\n");
    }

    @Test
    void shouldWriteTheHostnameWithANewline() {
        assertThat(SandboxFiles.hostname("web.example.com")).isEqualTo("web.example.com\n");
    }

    @Test
    void shouldGiveTheHostsNameserversIncludingLoopbackAsUpstreams() {
        assertThat(SandboxFiles.upstreamNameservers("nameserver 127.0.0.53 # local\nnameserver 10.0.0.2\n"))
                .containsExactly("127.0.0.53", "10.0.0.2");
    }
}
