package dev.keel.netplane.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.netplane.sandbox.KernelCommands;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule set rendered for iptables-restore, without touching the host. */
class FirewallTest {

    private final Firewall firewall = new Firewall("KX", new KernelCommands());

    private static Firewall.BridgeRules bridge(String name, boolean internal, boolean icc,
                                              List<Firewall.Forward> forwards) {
        return new Firewall.BridgeRules(name, "10.1.0.0/24", internal, icc, true, forwards);
    }

    @Test
    void shouldAddTheJumpsFromBuiltInChainsOnlyWhenAsked() {
        String first = firewall.render(List.of(), List.of(), true);
        String later = firewall.render(List.of(), List.of(), false);

        assertThat(first).contains("-I FORWARD -j KX-FORWARD", "-I POSTROUTING -j KX-POSTROUTING",
                "-I OUTPUT -m addrtype --dst-type LOCAL -j KX", "-I PREROUTING -m addrtype --dst-type LOCAL -j KX");
        assertThat(later).doesNotContain("-I ");
    }

    @Test
    void shouldDeleteStaleJumpsInTheirOwnTable() {
        String script = firewall.render(List.of(), List.of("filter|-A FORWARD -j KX-FORWARD",
                "nat|-A POSTROUTING -j KX-POSTROUTING"), true);

        String filter = script.substring(0, script.indexOf("*nat"));
        String nat = script.substring(script.indexOf("*nat"));
        assertThat(filter).contains("-D FORWARD -j KX-FORWARD").doesNotContain("POSTROUTING");
        assertThat(nat).contains("-D POSTROUTING -j KX-POSTROUTING");
    }

    @Test
    void shouldFlushEveryOwnChainBeforeWritingIt() {
        String script = firewall.render(List.of(), List.of(), false);

        assertThat(script).contains(":KX - [0:0]", ":KX-FORWARD - [0:0]", ":KX-ISOLATION-STAGE-1 - [0:0]",
                ":KX-ISOLATION-STAGE-2 - [0:0]", ":KX-POSTROUTING - [0:0]");
    }

    @Test
    void shouldMasqueradeAndIsolateARoutedBridge() {
        String script = firewall.render(List.of(bridge("br1", false, true, List.of())), List.of(), false);

        assertThat(script).contains("-A KX-POSTROUTING -s 10.1.0.0/24 ! -o br1 -j MASQUERADE",
                "-A KX-ISOLATION-STAGE-1 -i br1 ! -o br1 -j KX-ISOLATION-STAGE-2",
                "-A KX-ISOLATION-STAGE-2 -o br1 -j DROP", "-A KX-FORWARD -i br1 -o br1 -j ACCEPT",
                "-A KX-FORWARD -i br1 ! -o br1 -j ACCEPT");
    }

    @Test
    void shouldGiveAnInternalBridgeNoWayOut() {
        String script = firewall.render(List.of(bridge("br1", true, true, List.of())), List.of(), false);

        assertThat(script).contains("-A KX-ISOLATION-STAGE-1 ! -d 10.1.0.0/24 -i br1 -j DROP",
                "-A KX-ISOLATION-STAGE-1 ! -s 10.1.0.0/24 -o br1 -j DROP")
                .doesNotContain("MASQUERADE", "-i br1 ! -o br1 -j ACCEPT");
    }

    @Test
    void shouldDropTrafficWithinABridgeWithoutIcc() {
        String script = firewall.render(List.of(bridge("br1", false, false, List.of())), List.of(), false);

        assertThat(script).contains("-A KX-FORWARD -i br1 -o br1 -j DROP");
    }

    @Test
    void shouldPublishAPortWithDnatHairpinAndLoopbackMasquerade() {
        Firewall.Forward web = new Firewall.Forward("tcp", "", 8080, "10.1.0.2", 80);
        Firewall.Forward dns = new Firewall.Forward("udp", "192.0.2.2", 5353, "10.1.0.2", 53);

        String script = firewall.render(List.of(bridge("br1", false, true, List.of(web, dns))), List.of(), false);

        assertThat(script).contains(
                "-A KX -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80",
                "-A KX -d 192.0.2.2/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.1.0.2:53",
                "-A KX-POSTROUTING -s 10.1.0.2/32 -d 10.1.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE",
                "-A KX-POSTROUTING -s 127.0.0.0/8 -o br1 -j MASQUERADE",
                "-A KX -d 10.1.0.2/32 ! -i br1 -o br1 -p tcp -m tcp --dport 80 -j ACCEPT");
    }
}
