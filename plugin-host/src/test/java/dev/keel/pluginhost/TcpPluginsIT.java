package dev.keel.pluginhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.pluginhost.volume.RemoteVolumeDriver;
import dev.keel.stateplane.spi.VolumeDriver.VolumeInfo;
import dev.keel.stateplane.spi.VolumeFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins on TCP, described by .spec and .json files, with and without TLS (certificates made by the openssl CLI).
 */
class TcpPluginsIT {

    @TempDir
    static Path certificates;

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    @BeforeAll
    static void makeCertificates() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", pem("server.key"), "-out", pem("server.pem"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=keeld",
                "-keyout", pem("client.key"), "-out", pem("client.pem"));
    }

    private static String pem(String name) {
        return certificates.resolve(name).toString();
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    private PluginProcess tcpVolumePlugin(String description, String... switches) {
        List<String> arguments = new ArrayList<>(List.of("--tcp"));
        arguments.addAll(List.of(switches));
        return host.startVolume(host.dirs().specs().resolve(description), arguments.toArray(String[]::new));
    }

    private void assertUsable(String name) {
        RemoteVolumeDriver driver = RemoteVolumeDriver.lookUp(host.plugins(), name);
        driver.create("over-tcp", Map.of());
        assertThat(driver.list()).extracting(VolumeInfo::name).containsExactly("over-tcp");
    }

    @Test
    void shouldCallPluginFoundBySpecFileOverTcp() throws IOException {
        PluginProcess process = tcpVolumePlugin("tcpvol.spec");

        assertUsable("tcpvol");

        String address = Files.readString(host.dirs().specs().resolve("tcpvol.spec")).strip();
        assertThat(process.requests("VolumeDriver.Create").get(0).get("headers").get("Host").asText())
                .isEqualTo(address.substring("tcp://".length()));
    }

    @Test
    void shouldVerifyPluginCertificateAgainstCaFile() {
        tcpVolumePlugin("tlsvol.json", "--tls-cert", pem("server.pem"), "--tls-key", pem("server.key"),
                "--json-tls", "--json-ca-file", pem("server.pem"));

        assertUsable("tlsvol");
    }

    @Test
    void shouldPresentClientCertificateFromJson() {
        tcpVolumePlugin("mtlsvol.json", "--tls-cert", pem("server.pem"), "--tls-key", pem("server.key"),
                "--tls-client-ca", pem("client.pem"), "--json-tls", "--json-ca-file", pem("server.pem"),
                "--json-cert-file", pem("client.pem"), "--json-key-file", pem("client.key"));

        assertUsable("mtlsvol");
    }

    @Test
    void shouldSkipVerificationWithoutCaFileAsDockerDoes() {
        tcpVolumePlugin("insecurevol.json", "--tls-cert", pem("server.pem"), "--tls-key", pem("server.key"),
                "--json-tls");

        assertUsable("insecurevol");
    }

    @Test
    void shouldRefusePluginWhoseCertificateIsNotTrusted() {
        tcpVolumePlugin("badvol.json", "--tls-cert", pem("server.pem"), "--tls-key", pem("server.key"),
                "--json-tls", "--json-ca-file", pem("client.pem"));

        assertThatThrownBy(() -> RemoteVolumeDriver.lookUp(host.plugins(), "badvol"))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(VolumeFailure.Kind.UNAVAILABLE))
                .hasMessageContaining("TLS handshake with plugin badvol");
    }
}
