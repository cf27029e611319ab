package dev.keel.stateplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copy-up of an image's content into a new volume; owners need root, which the build runs as. */
class VolumeCopyUpTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-02-02T02:02:02Z"));

    @TempDir
    Path temp;

    private Path image;
    private Path volume;

    @BeforeEach
    void imageDirectoryAndEmptyVolume() throws IOException {
        image = Files.createDirectories(temp.resolve("rootfs/var/lib/app"));
        volume = Files.createDirectories(temp.resolve("volumes/app/_data"));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", NOFOLLOW);
    }

    @Test
    void shouldCopyFilesAndDirectoriesWithContent() throws IOException {
        Files.writeString(image.resolve("config"), "port=80");
        Files.createDirectories(image.resolve("data/deep"));
        Files.writeString(image.resolve("data/deep/row"), "1");

        assertThat(VolumeCopyUp.copyUp(image, volume)).isTrue();

        assertThat(volume.resolve("config")).hasContent("port=80");
        assertThat(volume.resolve("data/deep/row")).hasContent("1");
    }

    @Test
    void shouldKeepModesIncludingSpecialBits() throws IOException {
        Path tool = Files.writeString(image.resolve("tool"), "x");
        Files.setAttribute(tool, "unix:mode", 04750);
        Path shared = Files.createDirectories(image.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Path locked = Files.createDirectories(image.resolve("locked"));
        Files.writeString(locked.resolve("inside"), "y");
        Files.setAttribute(locked, "unix:mode", 0500);

        VolumeCopyUp.copyUp(image, volume);

        assertThat(mode(volume.resolve("tool"))).isEqualTo(04750);
        assertThat(mode(volume.resolve("shared"))).isEqualTo(01777);
        assertThat(mode(volume.resolve("locked"))).isEqualTo(0500);
        assertThat(volume.resolve("locked/inside")).hasContent("y");
    }

    @Test
    void shouldKeepOwnersOfEntriesAndGiveRootTheSourceOwner() throws IOException {
        Path file = Files.writeString(image.resolve("owned"), "z");
        Files.setAttribute(file, "unix:uid", 1234, NOFOLLOW);
        Files.setAttribute(file, "unix:gid", 4321, NOFOLLOW);
        Path link = Files.createSymbolicLink(image.resolve("owned-link"), Path.of("owned"));
        Files.setAttribute(link, "unix:uid", 999, NOFOLLOW);
        Files.setAttribute(image, "unix:uid", 70, NOFOLLOW);
        Files.setAttribute(image, "unix:gid", 71, NOFOLLOW);
        Files.setAttribute(image, "unix:mode", 0750);

        VolumeCopyUp.copyUp(image, volume);

        assertThat(uid(volume.resolve("owned"))).isEqualTo(1234);
        assertThat(gid(volume.resolve("owned"))).isEqualTo(4321);
        assertThat(uid(volume.resolve("owned-link"))).isEqualTo(999);
        assertThat(uid(volume)).isEqualTo(70);
        assertThat(gid(volume)).isEqualTo(71);
        assertThat(mode(volume)).isEqualTo(0750);
    }

    @Test
    void shouldCopySymlinksAsLinksNotTargets() throws IOException {
        Files.createSymbolicLink(image.resolve("to-etc"), Path.of("/etc"));
        Files.createSymbolicLink(image.resolve("dangling"), Path.of("missing/file"));

        VolumeCopyUp.copyUp(image, volume);

        assertThat(Files.isSymbolicLink(volume.resolve("to-etc"))).isTrue();
        assertThat(Files.readSymbolicLink(volume.resolve("to-etc"))).isEqualTo(Path.of("/etc"));
        assertThat(Files.readSymbolicLink(volume.resolve("dangling"))).isEqualTo(Path.of("missing/file"));
    }

    @Test
    void shouldKeepModificationTimesOfFilesDirectoriesAndLinks() throws IOException {
        Path file = Files.writeString(image.resolve("old"), "1");
        Files.setLastModifiedTime(file, LONG_AGO);
        Path dir = Files.createDirectories(image.resolve("old-dir"));
        Files.writeString(dir.resolve("child"), "2");
        Files.setLastModifiedTime(dir, LONG_AGO);
        Path link = Files.createSymbolicLink(image.resolve("old-link"), Path.of("old"));
        Files.getFileAttributeView(link, java.nio.file.attribute.BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(LONG_AGO, null, null);

        VolumeCopyUp.copyUp(image, volume);

        assertThat(Files.getLastModifiedTime(volume.resolve("old"), NOFOLLOW)).isEqualTo(LONG_AGO);
        assertThat(Files.getLastModifiedTime(volume.resolve("old-dir"), NOFOLLOW)).isEqualTo(LONG_AGO);
        assertThat(Files.getLastModifiedTime(volume.resolve("old-link"), NOFOLLOW)).isEqualTo(LONG_AGO);
    }

    @Test
    void shouldLeaveVolumeWithContentUntouched() throws IOException {
        Files.writeString(image.resolve("from-image"), "image");
        Files.writeString(volume.resolve("mine"), "user data");
        Files.setAttribute(volume, "unix:mode", 0700);

        assertThat(VolumeCopyUp.copyUp(image, volume)).isFalse();

        assertThat(volume.resolve("from-image")).doesNotExist();
        assertThat(volume.resolve("mine")).hasContent("user data");
        assertThat(mode(volume)).isEqualTo(0700);
    }

    @Test
    void shouldDoNothingWhenImageHasNoSuchDirectory() throws IOException {
        assertThat(VolumeCopyUp.copyUp(temp.resolve("rootfs/nowhere"), volume)).isFalse();

        try (var entries = Files.list(volume)) {
            assertThat(entries).isEmpty();
        }
    }
}
