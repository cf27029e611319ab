package dev.keel.pluginhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLocatorTest {

    @TempDir
    Path root;

    private Path dockerSockets;
    private Path keelSockets;
    private Path etc;
    private Path usrLib;
    private PluginLocator locator;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();

    @BeforeEach
    void dirs() throws IOException {
        dockerSockets = Files.createDirectories(root.resolve("run-docker"));
        keelSockets = Files.createDirectories(root.resolve("run-keel"));
        etc = Files.createDirectories(root.resolve("etc"));
        usrLib = Files.createDirectories(root.resolve("usr-lib"));
        locator = new PluginLocator(List.of(dockerSockets, keelSockets), List.of(etc, usrLib));
    }

    @AfterEach
    void closeListeners() throws IOException {
        for (ServerSocketChannel listener : listeners) {
            listener.close();
        }
    }

    private Path socketAt(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path));
        listeners.add(listener);
        return path;
    }

    @Test
    void shouldFindSocketInSocketDirectory() throws IOException {
        Path socket = socketAt(dockerSockets.resolve("vol.sock"));

        assertThat(locator.locate("vol")).contains(new PluginAddress.UnixSocket(socket));
    }

    @Test
    void shouldFindSocketInPluginsOwnSubdirectory() throws IOException {
        Path socket = socketAt(keelSockets.resolve("vol").resolve("vol.sock"));

        assertThat(locator.locate("vol")).contains(new PluginAddress.UnixSocket(socket));
    }

    @Test
    void shouldPreferDockersSocketDirectoryOverKeels() throws IOException {
        socketAt(keelSockets.resolve("vol.sock"));
        Path docker = socketAt(dockerSockets.resolve("vol").resolve("vol.sock"));

        assertThat(locator.locate("vol")).contains(new PluginAddress.UnixSocket(docker));
    }

    @Test
    void shouldIgnoreRegularFileNamedLikeSocket() throws IOException {
        Files.writeString(dockerSockets.resolve("vol.sock"), "not a socket");

        assertThat(locator.locate("vol")).isEmpty();
    }

    @Test
    void shouldPreferSocketOverSpecFile() throws IOException {
        Files.writeString(etc.resolve("vol.spec"), "tcp://127.0.0.1:9999\n");
        Path socket = socketAt(keelSockets.resolve("vol.sock"));

        assertThat(locator.locate("vol")).contains(new PluginAddress.UnixSocket(socket));
    }

    @Test
    void shouldReadUnixSpecFile() throws IOException {
        Files.writeString(etc.resolve("vol.spec"), "unix:///somewhere/else.sock\n");

        assertThat(locator.locate("vol")).contains(new PluginAddress.UnixSocket(Path.of("/somewhere/else.sock")));
    }

    @Test
    void shouldReadTcpSpecFileInSubdirectory() throws IOException {
        Files.createDirectories(usrLib.resolve("net"));
        Files.writeString(usrLib.resolve("net").resolve("net.spec"), "tcp://127.0.0.1:8080");

        assertThat(locator.locate("net")).contains(new PluginAddress.Tcp("127.0.0.1", 8080, Optional.empty()));
    }

    @Test
    void shouldPreferSpecOverJsonInSameDirectory() throws IOException {
        Files.writeString(etc.resolve("vol.json"), "{\"Name\":\"vol\",\"Addr\":\"tcp://10.0.0.1:1\"}");
        Files.createDirectories(etc.resolve("vol"));
        Files.writeString(etc.resolve("vol").resolve("vol.spec"), "tcp://10.0.0.2:2");

        assertThat(locator.locate("vol")).contains(new PluginAddress.Tcp("10.0.0.2", 2, Optional.empty()));
    }

    @Test
    void shouldPreferEarlierSpecDirectory() throws IOException {
        Files.writeString(usrLib.resolve("vol.spec"), "tcp://10.0.0.2:2");
        Files.writeString(etc.resolve("vol.json"), "{\"Addr\":\"tcp://10.0.0.1:1\"}");

        assertThat(locator.locate("vol")).contains(new PluginAddress.Tcp("10.0.0.1", 1, Optional.empty()));
    }

    @Test
    void shouldReadJsonWithTlsConfigCaseInsensitively() throws IOException {
        Files.writeString(etc.resolve("sec.json"), "{\"name\":\"sec\",\"addr\":\"tcp://10.0.0.1:443\","
                + "\"tlsconfig\":{\"InsecureSkipVerify\":false,\"CAFile\":\"/ca.pem\",\"CertFile\":\"/c.pem\","
                + "\"KeyFile\":\"/k.pem\"}}");

        assertThat(locator.locate("sec")).contains(new PluginAddress.Tcp("10.0.0.1", 443, Optional.of(
                new PluginAddress.TlsSettings(false, "/ca.pem", "/c.pem", "/k.pem"))));
    }

    @Test
    void shouldSkipVerificationWhenTlsConfigHasNoCaFile() throws IOException {
        Files.writeString(etc.resolve("sec.json"), "{\"Addr\":\"tcp://h:1\",\"TLSConfig\":{}}");

        PluginAddress.Tcp tcp = (PluginAddress.Tcp) locator.locate("sec").orElseThrow();

        assertThat(tcp.tls()).hasValueSatisfying(tls -> assertThat(tls.verifies()).isFalse());
    }

    @Test
    void shouldRejectSpecWithoutScheme() throws IOException {
        Files.writeString(etc.resolve("vol.spec"), "/run/vol.sock");

        assertThatThrownBy(() -> locator.locate("vol"))
                .isInstanceOfSatisfying(PluginFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(PluginFailure.Reason.BAD_DESCRIPTION))
                .hasMessageContaining("no scheme");
    }

    @Test
    void shouldRejectUnsupportedScheme() throws IOException {
        Files.writeString(etc.resolve("vol.spec"), "http://h:1");

        assertThatThrownBy(() -> locator.locate("vol")).hasMessageContaining("unsupported plugin address scheme");
    }

    @Test
    void shouldRejectJsonWithoutAddr() throws IOException {
        Files.writeString(etc.resolve("vol.json"), "{\"Name\":\"vol\"}");

        assertThatThrownBy(() -> locator.locate("vol")).hasMessageContaining("no Addr");
    }

    @Test
    void shouldNotResolveNamesLeavingTheDirectory() throws IOException {
        Files.writeString(root.resolve("evil.spec"), "tcp://h:1");

        assertThat(locator.locate("../evil")).isEmpty();
        assertThat(locator.locate("a/b")).isEmpty();
    }

    @Test
    void shouldFindNothingForUnknownName() {
        assertThat(locator.locate("nothing")).isEmpty();
    }
}
