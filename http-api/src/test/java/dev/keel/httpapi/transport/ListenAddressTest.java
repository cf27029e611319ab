package dev.keel.httpapi.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

    private static final Path DEFAULT_SOCKET = Path.of("/run/keel/keel.sock");

    @Test
    void shouldParseAUnixSocketPath() {
        assertThat(ListenAddress.parse("unix:///var/run/x.sock", DEFAULT_SOCKET))
                .isEqualTo(new ListenAddress.UnixSocket(Path.of("/var/run/x.sock")));
    }

    @Test
    void shouldUseTheDefaultSocketForAnEmptyUnixPath() {
        assertThat(ListenAddress.parse("unix://", DEFAULT_SOCKET)).isEqualTo(new ListenAddress.UnixSocket(DEFAULT_SOCKET));
    }

    @Test
    void shouldParseTcpWithAndWithoutPort() {
        assertThat(ListenAddress.parse("tcp://127.0.0.1:2376", DEFAULT_SOCKET)).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 2376));
        assertThat(ListenAddress.parse("tcp://localhost", DEFAULT_SOCKET)).isEqualTo(new ListenAddress.Tcp("localhost", 2375));
        assertThat(ListenAddress.parse("tcp://:2377", DEFAULT_SOCKET)).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 2377));
        assertThat(ListenAddress.parse("tcp://[::1]:2378", DEFAULT_SOCKET)).isEqualTo(new ListenAddress.Tcp("::1", 2378));
    }

    @Test
    void shouldWriteTheUriBackAsDockerdTakesIt() {
        assertThat(new ListenAddress.Tcp("::1", 2378).uri()).isEqualTo("tcp://[::1]:2378");
        assertThat(new ListenAddress.UnixSocket(DEFAULT_SOCKET).uri()).isEqualTo("unix:///run/keel/keel.sock");
    }

    @Test
    void shouldTellLoopbackFromOtherAddresses() {
        assertThat(new ListenAddress.Tcp("127.0.0.1", 1).isLoopback()).isTrue();
        assertThat(new ListenAddress.Tcp("::1", 1).isLoopback()).isTrue();
        assertThat(new ListenAddress.Tcp("0.0.0.0", 1).isLoopback()).isFalse();
        assertThat(new ListenAddress.Tcp("192.0.2.1", 1).isLoopback()).isFalse();
    }

    @Test
    void shouldRejectABadPort() {
        assertThatThrownBy(() -> ListenAddress.parse("tcp://127.0.0.1:http", DEFAULT_SOCKET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port http is not a number");
    }

    @Test
    void shouldRejectARelativeUnixPath() {
        assertThatThrownBy(() -> ListenAddress.parse("unix://keel.sock", DEFAULT_SOCKET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be absolute");
    }

    @Test
    void shouldRejectUnknownSchemes() {
        assertThatThrownBy(() -> ListenAddress.parse("ssh://host", DEFAULT_SOCKET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use unix:///path or tcp://127.0.0.1:PORT");
    }
}
