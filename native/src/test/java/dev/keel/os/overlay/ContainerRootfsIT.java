package dev.keel.os.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.os.archive.Syscalls;
import dev.keel.os.archive.TarExtractor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRootfsIT {
    private static final Syscalls SYS = Syscalls.load();

    @TempDir
    Path temp;
    private List<String> mountsBefore;
    private ContainerRootfs rootfs;

    @BeforeEach
    void recordMounts() throws IOException {
        mountsBefore = mountPoints();
    }

    @AfterEach
    void unmountAndCompare() throws IOException {
        if (rootfs != null) {
            rootfs.remove();
        }
        assertThat(mountPoints()).isEqualTo(mountsBefore);
    }

    private static List<String> mountPoints() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4]).sorted().toList();
    }

    private Path layer(String name, String... files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (String f : files) {
                byte[] content = f.getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        Path dir = Files.createDirectories(temp.resolve("layers").resolve(name));
        new TarExtractor(SYS).extract(new ByteArrayInputStream(bytes.toByteArray()), dir,
            TarExtractor.WhiteoutHandling.OVERLAY);
        return dir;
    }

    @Test
    void shouldMountLayersAndReportAddedChangedAndDeletedFiles() throws IOException {
        Path bottom = layer("bottom", "etc/passwd", "etc/hostname", "etc/old", "bin/busybox");
        Path top = layer("top", "etc/.wh.old", "usr/lib/x");
        rootfs = new ContainerRootfs(SYS, temp.resolve("containers"), "c1", List.of(top, bottom));

        Path merged = rootfs.mount();
        assertThat(rootfs.isMounted()).isTrue();
        assertThat(merged.resolve("bin/busybox")).exists();
        assertThat(merged.resolve("usr/lib/x")).exists();
        assertThat(merged.resolve("etc/old")).doesNotExist();

        Files.writeString(merged.resolve("etc/passwd"), "changed");
        Files.delete(merged.resolve("etc/hostname"));
        Files.createDirectories(merged.resolve("tmp"));
        Files.writeString(merged.resolve("tmp/new"), "new");

        assertThat(rootfs.changes()).extracting(Change::toString).containsExactly(
            "C /etc", "D /etc/hostname", "C /etc/passwd", "A /tmp", "A /tmp/new");

        rootfs.unmount();
        assertThat(rootfs.isMounted()).isFalse();
        assertThat(mountPoints()).isEqualTo(mountsBefore);
        assertThat(rootfs.upper().resolve("tmp/new")).hasContent("new");
    }

    @Test
    void shouldHideLowerLayerContentBelowAnOpaqueDirectory() throws IOException {
        Path bottom = layer("bottom", "data/a", "data/b");
        Path top = layer("top", "data/.wh..wh..opq", "data/c");
        rootfs = new ContainerRootfs(SYS, temp.resolve("containers"), "c2", List.of(top, bottom));

        Path merged = rootfs.mount();

        try (var listing = Files.list(merged.resolve("data"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("c");
        }
    }
}
