package dev.keel.netplane.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.spi.EndpointAddresses;
import dev.keel.netplane.spi.JoinInfo;
import dev.keel.os.netns.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sandboxes against real network namespaces and veths, all under a temporary root and removed afterwards. */
class SandboxesIT {

    private Path root;
    private KernelCommands commands;
    private Sandboxes sandboxes;
    private String tag;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/run"), "keel-sandboxes-it-");
        tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        NetplaneSettings settings = new NetplaneSettings("kd" + tag, "", "KS" + tag, "s", root.resolve("netns"),
                List.of(), 1500, Path.of("/etc/resolv.conf"), Duration.ofSeconds(5));
        commands = new KernelCommands();
        sandboxes = new Sandboxes(settings, commands);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            for (String id : sandboxes.existing()) {
                sandboxes.delete(id);
            }
            for (String link : List.of("sh" + tag, "sp" + tag)) {
                if (Files.exists(Path.of("/sys/class/net", link))) {
                    commands.run("ip", "link", "del", link);
                }
            }
            assertThat(sandboxes.existing()).isEmpty();
            assertThat(Path.of("/sys/class/net", "sh" + tag)).doesNotExist();
        } finally {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void shouldCreateASandboxWithOnlyLoopbackUp() throws Exception {
        Path sandbox = sandboxes.create("c1");

        assertThat(sandboxes.interfaces(sandbox)).containsExactly("lo");
        String flags = NetNamespace.inside(sandbox, () -> commands.run("ip", "-o", "link", "show", "lo"));
        assertThat(flags).contains("<LOOPBACK,UP,LOWER_UP>");
        assertThat(sandboxes.existing()).containsExactly("c1");
    }

    @Test
    void shouldReturnTheSameSandboxWhenCreatedTwice() {
        Path first = sandboxes.create("c1");

        Path second = sandboxes.create("c1");

        assertThat(second).isEqualTo(first);
        assertThat(sandboxes.existing()).containsExactly("c1");
    }

    @Test
    void shouldMoveAHostInterfaceInAsTheNextFreeIndexAndConfigureIt() throws Exception {
        Path sandbox = sandboxes.create("c1");
        commands.ipBatch(List.of("link add name sh" + tag + " type veth peer name sp" + tag,
                "link set sh" + tag + " up"));
        JoinInfo join = new JoinInfo("sp" + tag, "eth", "10.250.3.1", "",
                List.of(new JoinInfo.StaticRoute("10.251.0.0/16", "10.250.3.1")));

        String name = sandboxes.addInterface(sandbox, join,
                new EndpointAddresses("10.250.3.2/24", "", "02:42:0a:fa:03:02"), 1400, true);

        assertThat(name).isEqualTo("eth0");
        assertThat(sandboxes.interfaces(sandbox)).containsExactlyInAnyOrder("lo", "eth0");
        String state = NetNamespace.inside(sandbox,
                () -> commands.run("ip", "addr", "show", "eth0") + commands.run("ip", "route"));
        assertThat(state).contains("10.250.3.2/24", "02:42:0a:fa:03:02", "mtu 1400",
                "default via 10.250.3.1 dev eth0", "10.251.0.0/16 via 10.250.3.1 dev eth0");
    }

    @Test
    void shouldRemoveAnInterfaceAndIgnoreUnknownOnes() {
        Path sandbox = sandboxes.create("c1");
        commands.ipBatch(List.of("link add name sh" + tag + " type veth peer name sp" + tag));
        String name = sandboxes.addInterface(sandbox, new JoinInfo("sp" + tag, "eth", "", "", List.of()),
                EndpointAddresses.NONE, 1500, false);

        sandboxes.removeInterface(sandbox, name);

        assertThat(sandboxes.interfaces(sandbox)).containsExactly("lo");
        assertThatCode(() -> sandboxes.removeInterface(sandbox, "eth7")).doesNotThrowAnyException();
        assertThatCode(() -> sandboxes.removeInterface(root.resolve("missing"), "eth0"))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldDeleteASandboxAndIgnoreUnknownOnes() {
        sandboxes.create("c1");

        sandboxes.delete("c1");
        sandboxes.delete("c2");

        assertThat(sandboxes.existing()).isEmpty();
    }
}
