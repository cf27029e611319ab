package dev.keel.stateplane.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.os.archive.Syscalls;
import dev.keel.stateplane.StateplaneSettings;
import dev.keel.stateplane.spi.VolumeDriver;
import dev.keel.stateplane.spi.VolumeDriverContract;
import dev.keel.stateplane.spi.VolumeFailure;
import dev.keel.stateplane.spi.VolumeFailure.Kind;
import dev.keel.stateplane.spi.VolumeScope;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local driver against the real kernel: real tmpfs and bind mounts under a temporary volumes root. */
class LocalVolumeDriverIT extends VolumeDriverContract {
    private static final Syscalls SYSCALLS = Syscalls.load();

    @TempDir
    Path temp;

    private Path root;

    @Override
    protected VolumeDriver openDriver() {
        root = temp.resolve("volumes");
        return newDriver();
    }

    /** Unmounts whatever a test left under the root, deepest first, before the temporary directory is deleted. */
    @Override
    protected void closeDriver(VolumeDriver driver) throws IOException {
        List<Path> left = MountPoints.current().stream()
                .filter(p -> p.startsWith(temp))
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                .toList();
        for (Path point : left) {
            SYSCALLS.unmount(point.toString());
        }
        assertThat(left).as("mounts left behind").isEmpty();
    }

    private LocalVolumeDriver newDriver() {
        return new LocalVolumeDriver(new StateplaneSettings(root), SYSCALLS);
    }

    private static Optional<String> fsTypeAt(Path mountpoint) throws IOException {
        Optional<String> type = Optional.empty();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ");
            String[] fields = halves[0].split(" ");
            if (Path.of(MountPoints.unescape(fields[4])).equals(mountpoint)) {
                type = Optional.of(halves[1].split(" ")[0]);
            }
        }
        return type;
    }

    private static String mountOptionsAt(Path mountpoint) throws IOException {
        String options = "";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" - ")[0].split(" ");
            if (Path.of(MountPoints.unescape(fields[4])).equals(mountpoint)) {
                options = fields[5] + "," + line.split(" - ")[1].split(" ")[2];
            }
        }
        return options;
    }

    @Test
    void shouldKeepVolumeInDockersLayout() {
        String name = newVolumeName();
        driver.create(name, Map.of());

        assertThat(driver.mount(name, "c1")).isEqualTo(root.resolve(name).resolve("_data"));
        driver.unmount(name, "c1");
    }

    @Test
    void shouldMountTmpfsVolumeWhileUsedAndUnmountAfterLastCaller() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=64m,uid=1000"));
        Path data = root.resolve(name).resolve("_data");
        assertThat(fsTypeAt(data)).isEmpty();

        driver.mount(name, "c1");
        driver.mount(name, "c2");
        assertThat(fsTypeAt(data)).hasValue("tmpfs");
        assertThat(mountOptionsAt(data)).contains("size=65536k", "uid=1000");
        assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(1000);

        driver.unmount(name, "c1");
        assertThat(fsTypeAt(data)).as("still used by c2").hasValue("tmpfs");

        driver.unmount(name, "c2");
        assertThat(fsTypeAt(data)).isEmpty();
    }

    @Test
    void shouldShowHostDirectoryInBindVolume() throws IOException {
        Path host = Files.createDirectories(temp.resolve("host"));
        Files.writeString(host.resolve("from-host"), "hello");
        String name = newVolumeName();
        driver.create(name, Map.of("type", "none", "o", "bind", "device", host.toString()));

        Path data = mountFor(name, "c1");
        Files.writeString(data.resolve("from-volume"), "back");

        assertThat(data.resolve("from-host")).hasContent("hello");
        assertThat(host.resolve("from-volume")).hasContent("back");
    }

    @Test
    void shouldEnforceReadOnlyBindVolume() throws IOException {
        Path host = Files.createDirectories(temp.resolve("host-ro"));
        Files.writeString(host.resolve("file"), "original");
        String name = newVolumeName();
        driver.create(name, Map.of("type", "none", "o", "bind,ro", "device", host.toString()));

        Path data = mountFor(name, "c1");

        assertThat(data.resolve("file")).hasContent("original");
        assertThatThrownBy(() -> Files.writeString(data.resolve("file"), "changed"))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("Read-only file system");
        assertThat(host.resolve("file")).hasContent("original");
    }

    @Test
    void shouldApplyNoexecFlagFromOptions() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs", "o", "noexec,nosuid"));

        Path data = mountFor(name, "c1");

        assertThat(mountOptionsAt(data)).contains("noexec", "nosuid");
        Path script = Files.writeString(data.resolve("run.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> new ProcessBuilder(script.toString()).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Permission denied");
    }

    @Test
    void shouldKeepOptionsForNewDriverInstance() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=8m"));

        driver = newDriver();
        Path data = mountFor(name, "c1");

        assertThat(fsTypeAt(data)).hasValue("tmpfs");
        assertThat(root.resolve(name).resolve("opts.json"))
                .hasContent("{\"MountType\":\"tmpfs\",\"MountDevice\":\"tmpfs\",\"MountOpts\":\"size=8m\"}");
    }

    @Test
    void shouldKnowMountedVolumeAfterRestartAndUnmountItOnRemove() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs"));
        Path data = driver.mount(name, "c1");

        driver = newDriver();
        driver.remove(name);

        assertThat(fsTypeAt(data)).isEmpty();
        assertThat(root.resolve(name)).doesNotExist();
    }

    @Test
    void shouldRefuseToRemoveVolumeInUse() {
        String name = newVolumeName();
        driver.create(name, Map.of());
        mountFor(name, "c1");

        assertThatThrownBy(() -> driver.remove(name))
                .isInstanceOfSatisfying(VolumeFailure.class, f -> assertThat(f.kind()).isEqualTo(Kind.CONFLICT))
                .hasMessage("volume " + name + " has active mounts");
        assertThat(driver.get(name)).isPresent();
    }

    @Test
    void shouldRemoveDirectoryButNotBoundHostDirectory() throws IOException {
        Path host = Files.createDirectories(temp.resolve("host-kept"));
        Files.writeString(host.resolve("precious"), "keep me");
        String name = newVolumeName();
        driver.create(name, Map.of("type", "none", "o", "bind", "device", host.toString()));
        driver.mount(name, "c1");
        driver.unmount(name, "c1");

        driver.remove(name);

        assertThat(root.resolve(name)).doesNotExist();
        assertThat(host.resolve("precious")).hasContent("keep me");
    }

    @Test
    void shouldCountSizeWithoutFollowingSymlinksAndHardLinksOnce() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of());
        Path data = mountFor(name, "c1");
        Files.write(data.resolve("a"), new byte[1000]);
        Files.createDirectories(data.resolve("sub"));
        Files.write(data.resolve("sub/b"), new byte[24]);
        Files.createLink(data.resolve("sub/a-again"), data.resolve("a"));
        Files.createSymbolicLink(data.resolve("link"), Path.of("/usr/bin"));
        LocalVolumeDriver local = (LocalVolumeDriver) driver;

        assertThat(local.sizeBytes(name)).isEqualTo(1000 + 24 + "/usr/bin".length());
        assertThat(local.sizeBytes("no-such-volume")).isEqualTo(-1);
    }

    @Test
    void shouldRejectUnknownOptionKey() {
        assertThatThrownBy(() -> driver.create(newVolumeName(), Map.of("type", "tmpfs", "x", "1")))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("invalid option key: \"x\"");
    }

    @Test
    void shouldRejectOptionWithoutTheOnesItNeeds() {
        assertThatThrownBy(() -> driver.create(newVolumeName(), Map.of("o", "size=1m", "type", "tmpfs")))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("missing required option: \"device\"");
    }

    @Test
    void shouldRejectBindOfMissingDeviceAtCreate() {
        String name = newVolumeName();

        assertThatThrownBy(() -> driver.create(name,
                Map.of("type", "none", "o", "bind", "device", temp.resolve("absent").toString())))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(Kind.INVALID_ARGUMENT));
        assertThat(driver.get(name)).isEmpty();
        assertThat(root.resolve(name)).doesNotExist();
    }

    @Test
    void shouldRejectNameWithDockersMessage() {
        assertThatThrownBy(() -> driver.create("../escape", Map.of()))
                .isInstanceOfSatisfying(VolumeFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(Kind.INVALID_ARGUMENT))
                .hasMessage("\"../escape\" includes invalid characters for a local volume name, only"
                        + " \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory,"
                        + " use absolute path");
        assertThatThrownBy(() -> driver.create("a", Map.of()))
                .hasMessage("volume name is too short, names should be at least two alphanumeric characters");
    }

    @Test
    void shouldRejectRecreateWithOtherOptionsButAcceptBareName() {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs"));

        driver.create(name, Map.of());
        assertThatThrownBy(() -> driver.create(name, Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=1m")))
                .isInstanceOfSatisfying(VolumeFailure.class, f -> assertThat(f.kind()).isEqualTo(Kind.CONFLICT));
    }

    @Test
    void shouldFailMountWithKernelsReasonAndStayUnmounted() throws IOException {
        String name = newVolumeName();
        driver.create(name, Map.of("type", "no-such-fs", "device", "nothing"));

        assertThatThrownBy(() -> driver.mount(name, "c1"))
                .isInstanceOfSatisfying(VolumeFailure.class, f -> assertThat(f.kind()).isEqualTo(Kind.FAILED))
                .hasMessageStartingWith("failed to mount local volume: mount nothing:" + root.resolve(name));
        assertThat(fsTypeAt(root.resolve(name).resolve("_data"))).isEmpty();
        assertThatCode(() -> driver.remove(name)).doesNotThrowAnyException();
    }

    @Test
    void shouldReportCreationTimeInRfc3339() {
        String name = newVolumeName();
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        driver.create(name, Map.of());

        String createdAt = driver.get(name).orElseThrow().createdAt();

        assertThat(OffsetDateTime.parse(createdAt, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant())
                .isAfterOrEqualTo(before);
    }

    @Test
    void shouldReportLocalScopeAndName() {
        assertThat(driver.scope()).isEqualTo(VolumeScope.LOCAL);
        assertThat(driver.name()).isEqualTo("local");
    }
}
