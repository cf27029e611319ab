package dev.keel.os.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.os.archive.ArchiveEscapeException;
import dev.keel.os.archive.Syscalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreIT {
    private static final Syscalls SYS = Syscalls.load();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);

    @TempDir
    Path dataRoot;

    private record Env(ImageCatalog catalog, RootfsImport importer, ImageArchives archives) {
    }

    private static Env open(Path root) throws IOException {
        ImageJson json = new ImageJson();
        ImageSettings settings = new ImageSettings(root, 8 * 1024 * 1024);
        ImageCatalog catalog = new ImageCatalog(new ImageStore(settings, SYS, json), new ReferenceIndex(settings, json));
        return new Env(catalog, new RootfsImport(catalog, json, new ImagePlatform("linux", "amd64"), CLOCK),
            new ImageArchives(catalog, json));
    }

    @Test
    void shouldImportGzippedBusyboxRootfsWithChangesAndDiffIdOfThePlainTar() throws Exception {
        Env env = open(dataRoot);
        byte[] plain = RootfsTarball.busybox("one");
        StoredImage image = env.importer().importTarball(new ByteArrayInputStream(RootfsTarball.gzip(plain)),
            List.of("CMD [\"/bin/sh\"]", "ENV A=1", "WORKDIR /srv", "EXPOSE 8080"), null);
        env.catalog().references().tag(ImageReference.parse("busybox:test"), image.id());

        assertThat(image.config().diffIds()).containsExactly(Digest.of(plain));
        assertThat(image.config().configOrEmpty().cmd()).containsExactly("/bin/sh");
        assertThat(image.config().configOrEmpty().env()).containsExactly("A=1");
        assertThat(image.config().configOrEmpty().workingDir()).isEqualTo("/srv");
        assertThat(image.config().configOrEmpty().exposedPorts()).containsOnlyKeys("8080/tcp");
        assertThat(image.config().created()).isEqualTo("2025-01-02T03:04:05Z");
        assertThat(image.id()).isEqualTo(Digest.of(env.catalog().store().configJson(image.id())));
        Path layer = env.catalog().store().layerDirsTopFirst(image.id()).get(0);
        assertThat(layer.resolve("bin/busybox")).isExecutable().hasSameBinaryContentAs(Path.of("/usr/bin/busybox"));
        assertThat(Files.readSymbolicLink(layer.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(env.catalog().inspect("busybox:test").repoTags()).containsExactly("busybox:test");
        assertThat(env.catalog().history("busybox:test")).singleElement()
            .satisfies(h -> assertThat(h.comment()).isEqualTo("Imported from -"));
    }

    @Test
    void shouldGiveTheSameImageIdAfterDockerArchiveRoundTrip() throws Exception {
        roundTrip(ArchiveFormat.DOCKER_ARCHIVE);
    }

    @Test
    void shouldGiveTheSameImageIdAfterOciLayoutRoundTrip() throws Exception {
        roundTrip(ArchiveFormat.OCI_LAYOUT);
    }

    private void roundTrip(ArchiveFormat format) throws Exception {
        Env source = open(dataRoot.resolve("source"));
        StoredImage image = source.importer().importTarball(
            new ByteArrayInputStream(RootfsTarball.busybox("one")), List.of("CMD sh"), null);
        source.catalog().references().tag(ImageReference.parse("busybox:saved"), image.id());
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        source.archives().save(List.of("busybox:saved"), format, archive);

        Env target = open(dataRoot.resolve("target"));
        LoadResult loaded = target.archives().load(new ByteArrayInputStream(archive.toByteArray()));

        assertThat(loaded.images()).containsExactly(
            new LoadResult.Image(image.id(), List.of(ImageReference.parse("busybox:saved"))));
        assertThat(target.catalog().resolve(image.id().toString()).id()).isEqualTo(image.id());
        assertThat(target.catalog().store().layerDirsTopFirst(image.id()).get(0).resolve("bin/busybox"))
            .hasSameBinaryContentAs(Path.of("/usr/bin/busybox"));
    }

    @Test
    void shouldKeepASharedLayerUntilTheLastImageUsingItIsDeleted() throws Exception {
        Env env = open(dataRoot);
        byte[] rootfs = RootfsTarball.busybox("shared");
        StoredImage first = env.importer().importTarball(new ByteArrayInputStream(rootfs), List.of("CMD a"), null);
        StoredImage second = env.importer().importTarball(new ByteArrayInputStream(rootfs), List.of("CMD b"), null);
        ImageStore store = env.catalog().store();
        Digest layer = first.chainIds().get(0);
        Path layerDir = store.layerDirsTopFirst(first.id()).get(0);

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(second.chainIds()).containsExactly(layer);
        assertThat(store.references(layer)).isEqualTo(2);

        store.delete(first.id());
        assertThat(store.hasLayer(layer)).isTrue();
        assertThat(layerDir.resolve("bin/busybox")).exists();
        assertThat(store.references(layer)).isEqualTo(1);

        store.delete(second.id());
        assertThat(store.hasLayer(layer)).isFalse();
        assertThat(layerDir).doesNotExist();
        assertThat(store.list()).isEmpty();
        assertThat(dataRoot.resolve("image/blobs/sha256")).isEmptyDirectory();
    }

    @Test
    void shouldLeaveNothingBehindWhenAnImportedTarballEscapes() throws Exception {
        Env env = open(dataRoot);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry link = new TarArchiveEntry("etc", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(dataRoot.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            RootfsTarball.file(tar, "etc/pwned", new byte[] {1}, 0644);
        }

        assertThatThrownBy(() -> env.importer().importTarball(new ByteArrayInputStream(bytes.toByteArray()),
            List.of(), null)).isInstanceOf(ArchiveEscapeException.class)
            .hasMessageContaining("passes through the symlink 'etc'");
        assertThat(dataRoot.resolve("pwned")).doesNotExist();
        assertThat(env.catalog().store().list()).isEmpty();
        assertThat(dataRoot.resolve("image/layers")).isEmptyDirectory();
        assertThat(dataRoot.resolve("image/blobs/sha256")).isEmptyDirectory();
    }

    @Test
    void shouldRemoveTheImagesOfALoadWhenALaterImageOfTheArchiveIsInvalid() throws Exception {
        Env source = open(dataRoot.resolve("source"));
        StoredImage image = source.importer().importTarball(
            new ByteArrayInputStream(RootfsTarball.busybox("one")), List.of(), null);
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        source.archives().save(List.of(image.id().toString()), ArchiveFormat.DOCKER_ARCHIVE, archive);
        byte[] broken = withSecondManifestItemMissingItsConfig(archive.toByteArray());

        Env target = open(dataRoot.resolve("target"));
        assertThatThrownBy(() -> target.archives().load(new ByteArrayInputStream(broken)))
            .isInstanceOf(InvalidImageException.class).hasMessage("invalid archive: missing.json is missing");
        assertThat(target.catalog().store().list()).isEmpty();
        assertThat(dataRoot.resolve("target/image/layers")).isEmptyDirectory();
        assertThat(dataRoot.resolve("target/image/blobs/sha256")).isEmptyDirectory();
    }

    /** The same archive with a manifest.json whose second image names a config the archive does not hold. */
    private static byte[] withSecondManifestItemMissingItsConfig(byte[] archive) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                byte[] content = in.readAllBytes();
                if (entry.getName().equals("manifest.json")) {
                    String manifest = new String(content, StandardCharsets.UTF_8);
                    content = (manifest.substring(0, manifest.length() - 1)
                        + ",{\"Config\":\"missing.json\",\"Layers\":[]}]").getBytes(StandardCharsets.UTF_8);
                }
                RootfsTarball.file(tar, entry.getName(), content, 0644);
            }
        }
        return out.toByteArray();
    }
}
