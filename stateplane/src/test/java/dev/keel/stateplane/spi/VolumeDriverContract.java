package dev.keel.stateplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link VolumeDriver} must do, whatever keeps its volumes: the local driver, a remote plugin. A driver's
 * test extends this class, says how to open and close its driver, and adds the behaviours that are its own.
 *
 * <p>Every test uses fresh volume names; what a test leaves mounted or created is unmounted and removed afterwards,
 * even when it fails.
 */
public abstract class VolumeDriverContract {

    /** The driver under test, open for the duration of one test. */
    protected VolumeDriver driver;

    private final Set<String> created = new LinkedHashSet<>();
    private final List<String[]> mounts = new ArrayList<>();

    protected abstract VolumeDriver openDriver() throws Exception;

    /** Releases what {@link #openDriver()} took; called after the test's volumes are gone. */
    protected void closeDriver(VolumeDriver driver) throws Exception {}

    @BeforeEach
    final void openContractDriver() throws Exception {
        driver = openDriver();
    }

    @AfterEach
    final void cleanUpContractVolumes() throws Exception {
        try {
            for (String[] mount : mounts) {
                driver.unmount(mount[0], mount[1]);
            }
            for (String name : created) {
                driver.remove(name);
            }
        } finally {
            closeDriver(driver);
        }
    }

    /** A volume name no other test uses; it is removed after the test. */
    protected final String newVolumeName() {
        String name = "contract-" + UUID.randomUUID().toString().substring(0, 12);
        created.add(name);
        return name;
    }

    /** Mounts and remembers the mount, so it is undone after the test. */
    protected final Path mountFor(String name, String callerId) {
        mounts.add(new String[] {name, callerId});
        return driver.mount(name, callerId);
    }

    @Test
    void shouldTreatCreateOfExistingVolumeAsNoOp() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        assertThatCode(() -> driver.create(name, Map.of())).doesNotThrowAnyException();
        assertThat(driver.list()).filteredOn(v -> v.name().equals(name)).hasSize(1);
    }

    @Test
    void shouldListCreatedVolume() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        assertThat(driver.list()).extracting(VolumeDriver.VolumeInfo::name).contains(name);
    }

    @Test
    void shouldGetCreatedVolumeByName() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        assertThat(driver.get(name)).hasValueSatisfying(v -> assertThat(v.name()).isEqualTo(name));
    }

    @Test
    void shouldFindNothingUnderUnknownName() {
        String name = newVolumeName();

        assertThat(driver.get(name)).isEmpty();
        assertThat(driver.list()).extracting(VolumeDriver.VolumeInfo::name).doesNotContain(name);
    }

    @Test
    void shouldReturnExistingDirectoryFromMount() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        Path mountpoint = mountFor(name, "container-1");

        assertThat(mountpoint).isAbsolute().isDirectory();
    }

    @Test
    void shouldGiveEveryCallerTheSameContent() throws Exception {
        String name = newVolumeName();
        driver.create(name, Map.of());
        Path first = mountFor(name, "container-1");
        Files.writeString(first.resolve("shared"), "one volume");

        Path second = mountFor(name, "container-2");

        assertThat(second.resolve("shared")).hasContent("one volume");
    }

    @Test
    void shouldKeepContentAcrossUnmountAndMount() throws Exception {
        String name = newVolumeName();
        driver.create(name, Map.of());
        Files.writeString(driver.mount(name, "container-1").resolve("kept"), "data");
        driver.unmount(name, "container-1");

        Path again = mountFor(name, "container-2");

        assertThat(again.resolve("kept")).hasContent("data");
    }

    @Test
    void shouldRejectMountOfUnknownVolumeAsNotFound() {
        String name = newVolumeName();

        assertThatThrownBy(() -> driver.mount(name, "container-1"))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(VolumeFailure.Kind.NOT_FOUND));
    }

    @Test
    void shouldIgnoreUnmountOfUnknownVolume() {
        assertThatCode(() -> driver.unmount(newVolumeName(), "container-1")).doesNotThrowAnyException();
    }

    @Test
    void shouldIgnoreUnmountByCallerThatNeverMounted() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        assertThatCode(() -> driver.unmount(name, "never-mounted")).doesNotThrowAnyException();
    }

    @Test
    void shouldIgnoreRemoveOfUnknownVolume() {
        assertThatCode(() -> driver.remove(newVolumeName())).doesNotThrowAnyException();
    }

    @Test
    void shouldForgetRemovedVolume() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        driver.remove(name);

        assertThat(driver.get(name)).isEmpty();
        assertThat(driver.list()).extracting(VolumeDriver.VolumeInfo::name).doesNotContain(name);
    }

    @Test
    void shouldRemoveVolumeOnceLastCallerUnmounted() {
        String name = newVolumeName();
        driver.create(name, Map.of());
        driver.mount(name, "container-1");
        driver.mount(name, "container-2");
        driver.unmount(name, "container-1");
        driver.unmount(name, "container-2");

        driver.remove(name);

        assertThat(driver.get(name)).isEmpty();
    }
}
