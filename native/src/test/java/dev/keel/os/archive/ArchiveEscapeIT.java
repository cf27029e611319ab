package dev.keel.os.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveEscapeIT {
    private static final Syscalls SYS = Syscalls.load();
    private final TarExtractor extractor = new TarExtractor(SYS);

    @TempDir
    Path temp;
    private Path root;
    private Path outside;
    private Path canary;

    @BeforeEach
    void makeRootAndCanary() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        canary = Files.writeString(outside.resolve("canary"), "untouched");
    }

    private interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tar(Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            entries.write(tar);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name) throws IOException {
        byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream tar, String name, String target, byte type) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setLinkName(target);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private void assertRejected(byte[] archive, String message) throws IOException {
        assertThatThrownBy(() -> extractor.extract(new ByteArrayInputStream(archive), root,
            TarExtractor.WhiteoutHandling.OVERLAY))
            .isInstanceOf(ArchiveEscapeException.class).hasMessageContaining(message);
        assertThat(canary).hasContent("untouched");
        assertThat(Files.getAttribute(canary, "unix:nlink")).isEqualTo(1);
        try (var listing = Files.list(outside)) {
            assertThat(listing).containsExactly(canary);
        }
        assertThat(temp.resolve("pwned")).doesNotExist();
    }

    @Test
    void shouldRejectDotDotEntry() throws IOException {
        assertRejected(tar(t -> file(t, "../outside/canary")), "contains '..'");
    }

    @Test
    void shouldRejectAbsoluteEntry() throws IOException {
        assertRejected(tar(t -> file(t, outside.resolve("pwned").toString())), "is an absolute path");
    }

    @Test
    void shouldRejectFileWrittenThroughAbsoluteSymlink() throws IOException {
        assertRejected(tar(t -> {
            link(t, "escape", outside.toString(), TarArchiveEntry.LF_SYMLINK);
            file(t, "escape/pwned");
        }), "passes through the symlink 'escape'");
    }

    @Test
    void shouldRejectFileWrittenThroughRelativeSymlinkThatEscapes() throws IOException {
        assertRejected(tar(t -> {
            link(t, "escape", "../outside", TarArchiveEntry.LF_SYMLINK);
            file(t, "escape/pwned");
        }), "passes through the symlink 'escape'");
    }

    @Test
    void shouldReplaceASymlinkInsteadOfWritingThroughIt() throws IOException {
        byte[] archive = tar(t -> {
            link(t, "canary-link", canary.toString(), TarArchiveEntry.LF_SYMLINK);
            file(t, "canary-link");
        });
        extractor.extract(new ByteArrayInputStream(archive), root, TarExtractor.WhiteoutHandling.OVERLAY);
        assertThat(canary).hasContent("untouched");
        assertThat(root.resolve("canary-link")).hasContent("pwned");
        assertThat(Files.isSymbolicLink(root.resolve("canary-link"))).isFalse();
    }

    @Test
    void shouldRejectHardLinkToAHostFileOutside() throws IOException {
        assertRejected(tar(t -> link(t, "hl", "../outside/canary", TarArchiveEntry.LF_LINK)), "contains '..'");
        assertRejected(tar(t -> link(t, "hl", canary.toString(), TarArchiveEntry.LF_LINK)), "is an absolute path");
    }

    @Test
    void shouldRejectHardLinkThroughASymlinkedDirectory() throws IOException {
        assertRejected(tar(t -> {
            link(t, "dir", outside.toString(), TarArchiveEntry.LF_SYMLINK);
            link(t, "hl", "dir/canary", TarArchiveEntry.LF_LINK);
        }), "passes through the symlink 'dir'");
    }

    @Test
    void shouldResolveSymlinksInsideTheRootLikeAChroot() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("abs"), outside);
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../../../outside"));
        assertThat(ScopedPaths.resolvePath(root, "/abs/canary")).isEqualTo(root.resolve(outside.toString().substring(1)).resolve("canary"));
        assertThat(ScopedPaths.resolvePath(root, "rel/x")).isEqualTo(root.resolve("outside/x"));
        assertThat(ScopedPaths.resolvePath(root, "../../etc")).isEqualTo(root.resolve("etc"));
        assertThat(Files.exists(root.resolve("outside"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
