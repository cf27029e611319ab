package dev.keel.httpapi.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.httpapi.ShortExecRoot;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** keeld on TCP with TLS, Docker's model: the real docker CLIs with client certificates, and what is refused. */
class TlsIT {

    private Path dir;
    private Path execRoot;
    private TestCertificates certificates;
    private final List<LaunchedKeeld> launched = new ArrayList<>();

    @BeforeEach
    void createDirectoriesAndCertificates() throws Exception {
        dir = Files.createTempDirectory("keel-tls-it");
        execRoot = ShortExecRoot.create("kt");
        certificates = TestCertificates.create(Files.createDirectory(dir.resolve("certs")));
    }

    @AfterEach
    void stopAndClean() throws Exception {
        for (LaunchedKeeld keeld : launched) {
            keeld.kill();
        }
        for (Path root : List.of(dir, execRoot)) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private LaunchedKeeld startVerifying(int port) throws Exception {
        LaunchedKeeld keeld = LaunchedKeeld.launch(dir, execRoot, "-H", "unix://" + dir.resolve("keel.sock"),
                "-H", "tcp://127.0.0.1:" + port, "--tlsverify", "--tlscacert", certificates.ca().toString(),
                "--tlscert", certificates.serverCert().toString(), "--tlskey", certificates.serverKey().toString());
        launched.add(keeld);
        keeld.ready().get(LaunchedKeeld.START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return keeld;
    }

    private record Result(int exitCode, String out) {}

    private Result docker(String binary, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("DOCKER_HOST");
        builder.environment().remove("DOCKER_TLS_VERIFY");
        builder.environment().remove("DOCKER_CERT_PATH");
        builder.environment().put("DOCKER_CONFIG", Files.createDirectories(dir.resolve("docker-config")).toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/usr/bin/docker", "/usr/local/bin/docker"})
    void shouldServeTheDockerCliWithAClientCertificate(String binary) throws Exception {
        int port = freePort();
        startVerifying(port);

        Result version = docker(binary, "--tlsverify", "--tlscacert", certificates.ca().toString(),
                "--tlscert", certificates.clientCert().toString(), "--tlskey", certificates.clientKey().toString(),
                "-H", "tcp://127.0.0.1:" + port, "version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");
        Result ps = docker(binary, "--tlsverify", "--tlscacert", certificates.ca().toString(),
                "--tlscert", certificates.clientCert().toString(), "--tlskey", certificates.clientKey().toString(),
                "-H", "tcp://localhost:" + port, "ps", "-a", "--format", "{{.ID}}");

        assertThat(version.exitCode()).as(version.out()).isZero();
        assertThat(version.out().strip()).isEqualTo("1.41 linux");
        assertThat(ps.exitCode()).as(ps.out()).isZero();
        assertThat(ps.out()).isBlank();
    }

    @Test
    void shouldRefuseTheDockerCliWithoutAClientCertificate() throws Exception {
        int port = freePort();
        startVerifying(port);

        Result refused = docker("/usr/local/bin/docker", "--tls", "--tlscacert", certificates.ca().toString(),
                "-H", "tcp://127.0.0.1:" + port, "version", "--format", "{{.Server.APIVersion}}");

        assertThat(refused.exitCode()).as(refused.out()).isNotZero();
        assertThat(refused.out()).containsIgnoringCase("certificate");
    }

    @Test
    void shouldFailTheHandshakeOfAClientWithoutACertificate() throws Exception {
        int port = freePort();
        startVerifying(port);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", Pem.certificates(certificates.ca()).get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);

        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            // With TLS 1.3 the server's refusal of the missing certificate arrives after the client's handshake ends.
            assertThatThrownBy(() -> {
                socket.startHandshake();
                socket.getOutputStream().write("GET /_ping HTTP/1.1\r\nHost: keel\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                in.read();
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldRefuseToStartOnPlainTcpBeyondLoopbackSayingWhy() throws Exception {
        LaunchedKeeld keeld = LaunchedKeeld.launch(dir, execRoot, "-H", "tcp://0.0.0.0:2375");
        launched.add(keeld);

        assertThat(keeld.process().waitFor(LaunchedKeeld.START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        keeld.ended().get(LaunchedKeeld.START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(keeld.process().exitValue()).isNotZero();
        assertThat(keeld.log()).contains("refusing to listen on tcp://0.0.0.0:2375 without TLS",
                "use --tlsverify with --tlscacert, --tlscert and --tlskey");
    }

    @Test
    void shouldRefuseToStartWhenTheServerKeyIsMissing() throws Exception {
        Path missing = dir.resolve("no-such-key.pem");
        LaunchedKeeld keeld = LaunchedKeeld.launch(dir, execRoot, "-H", "unix://" + dir.resolve("keel.sock"),
                "-H", "tcp://127.0.0.1:" + freePort(), "--tlsverify", "--tlscacert", certificates.ca().toString(),
                "--tlscert", certificates.serverCert().toString(), "--tlskey", missing.toString());
        launched.add(keeld);

        assertThat(keeld.process().waitFor(LaunchedKeeld.START_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        keeld.ended().get(LaunchedKeeld.START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(keeld.process().exitValue()).isNotZero();
        assertThat(keeld.log()).contains("cannot set up TLS: --tlskey " + missing + " does not exist");
    }
}
