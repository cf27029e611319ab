package dev.keel.httpapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.httpapi.transport.ListenAddress;
import dev.keel.httpapi.transport.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
    void shouldRefuseTlsWithoutClientVerificationOnANonLoopbackAddress() {
        assertThatThrownBy(() -> settings("keel.daemon { hosts = [\"tcp://0.0.0.0:2376\"], tls = true }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("refusing to listen on tcp://0.0.0.0:2376 with TLS but without client certificate"
                        + " verification")
                .hasMessageContaining("--tlsverify with --tlscacert, --tlscert and --tlskey");
    }

    @Test
    void shouldAcceptANonLoopbackAddressWithClientVerification() {
        DaemonSettings settings = settings("keel.daemon { hosts = [\"tcp://0.0.0.0\"], tlsverify = true,"
                + " tlscacert = /etc/keel/ca.pem, tlscert = /etc/keel/cert.pem, tlskey = /etc/keel/key.pem }");

        assertThat(settings.hosts()).containsExactly(new ListenAddress.Tcp("0.0.0.0", 2376));
        assertThat(settings.tls()).contains(new ServerTls(Path.of("/etc/keel/cert.pem"), Path.of("/etc/keel/key.pem"),
                Optional.of(Path.of("/etc/keel/ca.pem"))));
    }

    @Test
    void shouldServeTlsWithoutClientVerificationWhenOnlyTlsIsOn() {
        DaemonSettings settings = settings("keel.daemon { hosts = [\"tcp://127.0.0.1\"], tls = true,"
                + " tlscert = /etc/keel/cert.pem, tlskey = /etc/keel/key.pem }");

        assertThat(settings.tls()).hasValueSatisfying(tls -> assertThat(tls.verifiesClients()).isFalse());
        assertThat(settings.hosts()).containsExactly(new ListenAddress.Tcp("127.0.0.1", 2376));
    }

    @Test
    void shouldTakeRelativeCertificatePathsFromTheWorkingDirectory() {
        DaemonSettings settings = settings("keel.daemon { tlsverify = true, tlscacert = ca.pem, tlscert = c.pem,"
                + " tlskey = k.pem }");

        assertThat(settings.tls().orElseThrow().cert()).isEqualTo(Path.of("c.pem").toAbsolutePath());
    }

    @Test
    void shouldServePlainTcpWhenTlsIsOff() {
        assertThat(settings("").tls()).isEmpty();
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
