package dev.keel.pluginhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Discovery, activation and the transport against the python volume plugin running as a real process. */
class PluginsIT {

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private ObjectNode list(Plugin plugin) {
        return plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver.List", Map.of(), ObjectNode.class,
                Plugin.ERR);
    }

    private static void assertFailure(ThrowingCallable call, PluginFailure.Reason reason, String text) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(PluginFailure.class, f -> assertThat(f.reason()).isEqualTo(reason))
                .hasMessageContaining(text);
    }

    @Test
    void shouldDiscoverPluginBySocket() {
        host.startVolume(host.socket("vol"));

        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertThat(plugin.address()).isEqualTo(new PluginAddress.UnixSocket(host.socket("vol")));
        assertThat(list(plugin).get("Volumes")).isEmpty();
    }

    @Test
    void shouldDiscoverPluginBySocketInItsOwnDirectory() {
        Path socket = host.dirs().sockets().resolve("vol").resolve("vol.sock");
        host.startVolume(socket);

        assertThat(host.plugins().get("vol", PluginInterface.VOLUME_DRIVER).address())
                .isEqualTo(new PluginAddress.UnixSocket(socket));
    }

    @Test
    void shouldDiscoverPluginBySpecFile() throws IOException {
        Path socket = host.root().resolve("elsewhere").resolve("v.sock");
        host.startVolume(socket);
        Files.writeString(host.dirs().specs().resolve("vol.spec"), "unix://" + socket + "\n");

        assertThat(list(host.plugins().get("vol", PluginInterface.VOLUME_DRIVER)).has("Volumes")).isTrue();
    }

    @Test
    void shouldDiscoverPluginByJsonFile() throws IOException {
        Path socket = host.root().resolve("elsewhere").resolve("v.sock");
        host.startVolume(socket);
        Files.writeString(host.dirs().specs().resolve("vol.json"),
                "{\"Name\":\"vol\",\"Addr\":\"unix://" + socket + "\"}");

        assertThat(list(host.plugins().get("vol", PluginInterface.VOLUME_DRIVER)).has("Volumes")).isTrue();
    }

    @Test
    void shouldActivateOnceWithDockersHeaders() {
        PluginProcess process = host.startVolume(host.socket("vol"));

        Plugin first = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);
        Plugin second = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);
        list(second);

        assertThat(second).isSameAs(first);
        assertThat(first.implementedInterfaces()).containsExactly("VolumeDriver");
        List<JsonNode> activations = process.requests("Plugin.Activate");
        assertThat(activations).hasSize(1);
        JsonNode headers = process.requests("VolumeDriver.List").get(0).get("headers");
        assertThat(headers.get("Accept").asText()).isEqualTo("application/vnd.docker.plugins.v1.2+json");
        assertThat(headers.get("Host").asText()).isEqualTo("plugin.moby.localhost");
        assertThat(activations.get(0).get("body").isNull()).isTrue();
    }

    @Test
    void shouldRefusePluginThatDoesNotImplementTheInterface() {
        host.startVolume(host.socket("vol"));

        assertFailure(() -> host.plugins().get("vol", PluginInterface.NETWORK_DRIVER),
                PluginFailure.Reason.WRONG_INTERFACE, "Plugin does not implement the requested driver");
    }

    @Test
    void shouldGiveUpLookingForUnknownPluginAfterRetryLimit() {
        long start = System.nanoTime();

        assertFailure(() -> host.plugins().get("ghost", PluginInterface.VOLUME_DRIVER),
                PluginFailure.Reason.NO_SUCH_PLUGIN, "plugin \"ghost\" not found");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700))
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldFindPluginThatStartsWhileBeingLookedUp() throws Exception {
        try (Plugins patient = new Plugins(host.dirs().settings(Duration.ofSeconds(2), Duration.ofSeconds(20)))) {
            CompletableFuture<Plugin> lookup = CompletableFuture.supplyAsync(
                    () -> patient.get("late", PluginInterface.VOLUME_DRIVER));
            host.startVolume(host.socket("late"));

            assertThat(lookup.get(20, TimeUnit.SECONDS).name()).isEqualTo("late");
        }
    }

    @Test
    void shouldTryActivationAgainAfterItFailed() {
        PluginProcess failing = host.startVolume(host.socket("vol"), "--misbehave", "error", "--on", "Plugin.Activate",
                "--error-text", "not ready");
        assertFailure(() -> host.plugins().get("vol", PluginInterface.VOLUME_DRIVER), PluginFailure.Reason.PLUGIN_ERROR,
                "not ready");

        host.restart(failing, "--state", host.volumeState().toString());

        assertThat(host.plugins().get("vol", PluginInterface.VOLUME_DRIVER).implementedInterfaces())
                .containsExactly("VolumeDriver");
    }

    @Test
    void shouldWorkAgainAfterPluginRestarted() {
        PluginProcess process = host.startVolume(host.socket("vol"));
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);
        process.kill();
        host.restart(process);

        assertThat(list(plugin).has("Volumes")).isTrue();
    }

    @Test
    void shouldReactivatePluginThatComesBackDuringCall() throws Exception {
        PluginProcess process = host.startVolume(host.socket("vol"));
        try (Plugins patient = new Plugins(host.dirs().settings(Duration.ofSeconds(2), Duration.ofSeconds(20)))) {
            Plugin plugin = patient.get("vol", PluginInterface.VOLUME_DRIVER);
            process.kill();
            CompletableFuture<ObjectNode> call = CompletableFuture.supplyAsync(() -> list(plugin));
            awaitRetrying(call);
            host.restart(process);

            assertThat(call.get(20, TimeUnit.SECONDS).has("Volumes")).isTrue();
            assertThat(process.requests().stream().map(r -> r.get("method").asText()).toList())
                    .containsSubsequence("Plugin.Activate", "Plugin.Activate", "VolumeDriver.List");
        }
    }

    /** The call must have failed to connect at least once: it cannot have finished while nothing listens. */
    private static void awaitRetrying(CompletableFuture<?> call) throws Exception {
        assertThatThrownBy(() -> call.get(300, TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
    }

    @Test
    void shouldReportUnreachablePluginAfterRetryLimit() {
        PluginProcess process = host.startVolume(host.socket("vol"));
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);
        process.kill();
        long start = System.nanoTime();

        assertFailure(() -> list(plugin), PluginFailure.Reason.UNREACHABLE, "plugin vol is unreachable");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    @Test
    void shouldTimeOutSlowCall() {
        host.startVolume(host.socket("vol"), "--misbehave", "slow", "--slow-seconds", "10");
        try (Plugins impatient = new Plugins(host.dirs().settings(Duration.ofMillis(500), Duration.ofSeconds(1)))) {
            Plugin plugin = impatient.get("vol", PluginInterface.VOLUME_DRIVER);
            long start = System.nanoTime();

            assertFailure(() -> list(plugin), PluginFailure.Reason.TIMED_OUT,
                    "plugin vol did not answer VolumeDriver.List within 500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldRejectGarbageAnswer() {
        host.startVolume(host.socket("vol"), "--misbehave", "garbage");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> list(plugin), PluginFailure.Reason.BAD_ANSWER,
                "plugin vol answered VolumeDriver.List with invalid JSON");
    }

    @Test
    void shouldRejectAnswerThatIsNotHttp() {
        host.startVolume(host.socket("vol"), "--misbehave", "not-http");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> list(plugin), PluginFailure.Reason.BAD_ANSWER, "not an HTTP answer: SSH-2.0");
    }

    @Test
    void shouldReportPluginCrashingMidCall() {
        PluginProcess process = host.startVolume(host.socket("vol"), "--misbehave", "crash");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> list(plugin), PluginFailure.Reason.CONNECTION_LOST,
                "plugin vol closed the connection during VolumeDriver.List");
        assertThat(process.awaitExit(Duration.ofSeconds(10))).isEqualTo(3);
    }

    @Test
    void shouldReportErrOfNon200Answer() {
        host.startVolume(host.socket("vol"), "--misbehave", "error", "--error-text", "disk on fire");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> list(plugin), PluginFailure.Reason.PLUGIN_ERROR, "VolumeDriver.List: disk on fire");
    }

    @Test
    void shouldReportErrOf200Answer() {
        host.startVolume(host.socket("vol"), "--misbehave", "error", "--error-status", "200", "--error-text", "nope");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> list(plugin), PluginFailure.Reason.PLUGIN_ERROR, "VolumeDriver.List: nope");
    }

    @Test
    void shouldReportMissingMethodAsNotImplemented() {
        host.startVolume(host.socket("vol"));
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertFailure(() -> plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver.Nonsense", Map.of(),
                ObjectNode.class, Plugin.ERR), PluginFailure.Reason.NOT_IMPLEMENTED, "does not implement");
    }

    @Test
    void shouldDecodeChunkedAnswers() {
        host.startVolume(host.socket("vol"), "--chunked");
        Plugin plugin = host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertThat(list(plugin).get("Volumes").isArray()).isTrue();
        assertFailure(() -> plugin.call(PluginInterface.VOLUME_DRIVER, "VolumeDriver.Get", Map.of("Name", "x"),
                ObjectNode.class, Plugin.ERR), PluginFailure.Reason.PLUGIN_ERROR, "no such volume: x");
    }

    @Test
    void shouldListActivatedPlugins() {
        host.startVolume(host.socket("vol"));
        host.plugins().get("vol", PluginInterface.VOLUME_DRIVER);

        assertThat(host.plugins().activatedPlugins()).containsExactly(Map.entry("vol", List.of("VolumeDriver")));
    }
}
