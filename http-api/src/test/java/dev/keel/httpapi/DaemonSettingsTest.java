package dev.keel.httpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.httpapi.transport.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DaemonSettingsTest {

    private static DaemonSettings settings(String overrides) {
        Config reference = ConfigFactory.parseResources(DaemonSettingsTest.class.getClassLoader(), "reference.conf");
        return DaemonSettings.from(ConfigFactory.parseString(overrides).withFallback(reference).resolve());
    }

    @Test
    void shouldDefaultToDockerdLikePathsAndTheKeelSocket() {
        DaemonSettings settings = settings("");

        assertThat(settings.hosts()).containsExactly(new ListenAddress.UnixSocket(Path.of("/run/keel/keel.sock")));
        assertThat(settings.dataRoot()).isEqualTo(Path.of("/var/lib/keel"));
        assertThat(settings.execRoot()).isEqualTo(Path.of("/run/keel"));
        assertThat(settings.pidFile()).isEqualTo(Path.of("/run/keel/keeld.pid"));
        assertThat(settings.journalDir()).isEqualTo(Path.of("/var/lib/keel/journal"));
        assertThat(settings.socketGroup()).isEqualTo("root");
        assertThat(settings.logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.clusterHostname()).isEqualTo("127.0.0.1");
        assertThat(settings.clusterPort()).isZero();
    }

    @Test
    void shouldRaiseLogLevelToDebugWhenDebugIsOn() {
        assertThat(settings("keel.daemon { log-level = error, debug = true }").logLevel()).isEqualTo(LogLevel.DEBUG);
    }

    @Test
    void shouldRejectAnUnknownLogLevel() {
        assertThatThrownBy(() -> settings("keel.daemon.log-level = loud"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use debug, info, warn, error or fatal");
    }

    @Test
    void shouldRefusePlainTcpOnANonLoopbackAddress() {
        assertThatThrownBy(() -> settings("keel.daemon.hosts = [\"tcp://0.0.0.0:2375\"]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("refusing to listen on tcp://0.0.0.0:2375 without TLS");
    }

    @Test
    void shouldAcceptPlainTcpOnLoopback() {
        assertThat(settings("keel.daemon.hosts = [\"tcp://127.0.0.1:2375\", \"tcp://localhost:2376\"]").hosts())
                .containsExactly(new ListenAddress.Tcp("127.0.0.1", 2375), new ListenAddress.Tcp("localhost", 2376));
    }

    @Test
    void shouldRejectSocketActivation() {
        assertThatThrownBy(() -> settings("keel.daemon.hosts = [\"fd://\"]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fd:// (systemd socket activation) is not supported");
    }

    @Test
    void shouldRejectARelativeDataRoot() {
        assertThatThrownBy(() -> settings("keel.daemon.data-root = keel"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keel.daemon.data-root must be an absolute path");
    }

    @Test
    void shouldRejectAMistypedValueWithThePath() {
        assertThatThrownBy(() -> settings("keel.cluster.port = many"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }
}
