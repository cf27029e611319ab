package dev.keel.pluginhost.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.pluginhost.PluginHostFixture;
import dev.keel.pluginhost.PluginProcess;
import dev.keel.pluginhost.Plugins;
import dev.keel.stateplane.spi.VolumeDriver.VolumeInfo;
import dev.keel.stateplane.spi.VolumeFailure;
import dev.keel.stateplane.spi.VolumeScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every VolumeDriver method against the python directory-backed volume plugin. */
class RemoteVolumeDriverIT {

    @RegisterExtension
    final PluginHostFixture host = new PluginHostFixture();

    private PluginProcess process;

    private RemoteVolumeDriver driver(String... switches) {
        process = host.startVolume(host.socket("dirvol"), switches);
        return RemoteVolumeDriver.lookUp(host.plugins(), "dirvol");
    }

    private static void assertFailure(ThrowingCallable call, VolumeFailure.Kind kind, String text) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(VolumeFailure.class, f -> assertThat(f.kind()).isEqualTo(kind))
                .hasMessageContaining(text);
    }

    @Test
    void shouldCreateVolumeWithOptions() {
        RemoteVolumeDriver driver = driver();

        driver.create("data", Map.of("size", "1g"));

        assertThat(process.requests("VolumeDriver.Create").get(0).get("body").toString())
                .isEqualTo("{\"Name\":\"data\",\"Opts\":{\"size\":\"1g\"}}");
        assertThat(driver.get("data")).hasValueSatisfying(v -> {
            assertThat(v.name()).isEqualTo("data");
            assertThat(v.createdAt()).isNotEmpty();
            assertThat(v.mountpoint()).isEmpty();
            assertThat(v.status()).containsEntry("mounts", "0").containsEntry("opts", "{\"size\":\"1g\"}");
        });
    }

    @Test
    void shouldMountToWritableHostDirectoryAndCountCallers() throws Exception {
        RemoteVolumeDriver driver = driver();
        driver.create("data", Map.of());

        Path first = driver.mount("data", "container-1");
        Path second = driver.mount("data", "container-2");
        Files.writeString(first.resolve("hello"), "world");

        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(second.resolve("hello"))).isEqualTo("world");
        assertThat(driver.path("data")).contains(first);
        assertThat(driver.get("data").orElseThrow().status()).containsEntry("mounts", "2");
        assertThat(process.requests("VolumeDriver.Mount").get(1).get("body").get("ID").asText())
                .isEqualTo("container-2");

        driver.unmount("data", "container-1");
        assertThat(driver.path("data")).contains(first);
        driver.unmount("data", "container-2");
        assertThat(driver.path("data")).isEmpty();
    }

    @Test
    void shouldDecodeFieldNamesInAnyCase() {
        RemoteVolumeDriver driver = driver("--lowercase-keys", "--scope", "global");
        driver.create("lower", Map.of());

        Path mountpoint = driver.mount("lower", "c1");

        assertThat(mountpoint).isEqualTo(host.volumeState().resolve("data").resolve("lower"));
        assertThat(driver.get("lower").orElseThrow().mountpoint()).contains(mountpoint);
        assertThat(driver.list()).extracting(VolumeInfo::name).containsExactly("lower");
        assertThat(driver.scope()).isEqualTo(VolumeScope.GLOBAL);
        assertFailure(() -> driver.mount("unknown", "c1"), VolumeFailure.Kind.NOT_FOUND, "no such volume: unknown");
    }

    @Test
    void shouldListVolumes() {
        RemoteVolumeDriver driver = driver();
        driver.create("a", Map.of());
        driver.create("b", Map.of());
        driver.mount("b", "c1");

        List<VolumeInfo> volumes = driver.list();

        assertThat(volumes).extracting(VolumeInfo::name).containsExactly("a", "b");
        assertThat(volumes.get(0).mountpoint()).isEmpty();
        assertThat(volumes.get(1).mountpoint()).isPresent();
    }

    @Test
    void shouldRemoveVolume() {
        RemoteVolumeDriver driver = driver();
        driver.create("gone", Map.of());

        driver.remove("gone");

        assertThat(driver.get("gone")).isEmpty();
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void shouldTreatRemovingUnknownVolumeAsDone() {
        RemoteVolumeDriver driver = driver();

        driver.remove("never-created");

        assertThat(process.requests("VolumeDriver.Remove")).hasSize(1);
    }

    @Test
    void shouldRefuseRemovingVolumeInUseWithPluginsText() {
        RemoteVolumeDriver driver = driver();
        driver.create("busy", Map.of());
        driver.mount("busy", "c1");

        assertFailure(() -> driver.remove("busy"), VolumeFailure.Kind.FAILED,
                "VolumeDriver.Remove: volume busy is in use by c1");
        assertThat(driver.get("busy")).isPresent();
    }

    @Test
    void shouldReportUnknownVolumeAsAbsent() {
        assertThat(driver().get("unknown")).isEmpty();
    }

    @Test
    void shouldReportMountingUnknownVolumeAsNotFoundWithPluginsText() {
        RemoteVolumeDriver driver = driver();

        assertFailure(() -> driver.mount("unknown", "c1"), VolumeFailure.Kind.NOT_FOUND,
                "VolumeDriver.Mount: no such volume: unknown");
    }

    @Test
    void shouldTreatUnmountingUnknownVolumeAsDone() {
        RemoteVolumeDriver driver = driver();

        driver.unmount("unknown", "c1");

        assertThat(process.requests("VolumeDriver.Unmount")).hasSize(1);
    }

    @Test
    void shouldAskScopeOnceAtFirstUse() {
        RemoteVolumeDriver driver = driver("--scope", "GLOBAL");

        assertThat(driver.scope()).isEqualTo(VolumeScope.GLOBAL);
        RemoteVolumeDriver again = RemoteVolumeDriver.lookUp(host.plugins(), "dirvol");

        assertThat(again).isSameAs(driver);
        assertThat(again.scope()).isEqualTo(VolumeScope.GLOBAL);
        assertThat(process.requests("VolumeDriver.Capabilities")).hasSize(1);
    }

    @Test
    void shouldTreatMissingCapabilitiesAsLocal() {
        RemoteVolumeDriver driver = driver("--no-capabilities");

        assertThat(driver.scope()).isEqualTo(VolumeScope.LOCAL);
        assertThat(process.requests("VolumeDriver.Capabilities")).hasSize(1);
    }

    @Test
    void shouldTreatUnknownScopeAsLocal() {
        assertThat(driver("--scope", "galactic").scope()).isEqualTo(VolumeScope.LOCAL);
    }

    @Test
    void shouldFailCreateWithPluginsText() {
        RemoteVolumeDriver driver = driver("--misbehave", "error", "--on", "VolumeDriver.Create",
                "--error-text", "quota exceeded");

        assertFailure(() -> driver.create("v", Map.of()), VolumeFailure.Kind.FAILED,
                "VolumeDriver.Create: quota exceeded");
    }

    @Test
    void shouldReportTimeoutAsUnavailable() {
        process = host.startVolume(host.socket("slowvol"), "--misbehave", "slow", "--slow-seconds", "10", "--on",
                "VolumeDriver.Mount");
        try (Plugins impatient = new Plugins(host.dirs().settings(Duration.ofMillis(400), Duration.ofSeconds(1)))) {
            RemoteVolumeDriver driver = RemoteVolumeDriver.lookUp(impatient, "slowvol");
            driver.create("v", Map.of());

            assertFailure(() -> driver.mount("v", "c1"), VolumeFailure.Kind.UNAVAILABLE, "plugin slowvol");
        }
    }

    @Test
    void shouldReportCrashMidCallAsUnavailable() {
        RemoteVolumeDriver driver = driver("--misbehave", "crash", "--on", "VolumeDriver.Mount");

        assertFailure(() -> driver.mount("v", "c1"), VolumeFailure.Kind.UNAVAILABLE,
                "plugin dirvol closed the connection during VolumeDriver.Mount");
    }

    @Test
    void shouldReportGarbageAsFailure() {
        RemoteVolumeDriver driver = driver("--misbehave", "garbage", "--on", "VolumeDriver.Path");

        assertFailure(() -> driver.path("v"), VolumeFailure.Kind.FAILED, "invalid JSON");
    }

    @Test
    void shouldReportDownPluginAsUnavailableAfterRetryLimit() {
        RemoteVolumeDriver driver = driver();
        process.kill();

        assertFailure(() -> driver.list(), VolumeFailure.Kind.UNAVAILABLE, "plugin dirvol is unreachable");
    }

    @Test
    void shouldKeepVolumesAcrossPluginRestart() {
        RemoteVolumeDriver driver = driver();
        driver.create("kept", Map.of());
        process.kill();
        host.restart(process);

        assertThat(driver.get("kept")).isPresent();
    }

    @Test
    void shouldNotFindUnknownPlugin() {
        assertFailure(() -> RemoteVolumeDriver.lookUp(host.plugins(), "nothing"), VolumeFailure.Kind.NOT_FOUND,
                "error looking up volume plugin nothing: plugin \"nothing\" not found");
    }

    @Test
    void shouldNotUsePluginOfAnotherKindAsVolumeDriver() {
        host.start(PluginProcess.Kind.IPAM, host.socket("ipam"));

        assertFailure(() -> RemoteVolumeDriver.lookUp(host.plugins(), "ipam"), VolumeFailure.Kind.NOT_FOUND,
                "Plugin does not implement the requested driver");
    }
}
