package dev.keel.actors.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.os.archive.Syscalls;
import dev.keel.os.image.ArchiveFormat;
import dev.keel.os.image.Digest;
import dev.keel.os.image.ImageArchives;
import dev.keel.os.image.ImageCatalog;
import dev.keel.os.image.ImageJson;
import dev.keel.os.image.ImagePlatform;
import dev.keel.os.image.ImageReference;
import dev.keel.os.image.ImageSettings;
import dev.keel.os.image.ImageStore;
import dev.keel.os.image.ReferenceIndex;
import dev.keel.os.image.RootfsImport;
import dev.keel.os.image.StoredImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LocalImages on a real single-node cluster with the embedded journal and the native image store in temp dirs, with
 * busybox root filesystems built from the host's /bin/busybox. Tests on the shared host use images of their own
 * (each rootfs carries a file named after the test, so each has its own id).
 */
class LocalImagesIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-02-03T04:05:06Z"), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONTAINER_ID = "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    @TempDir
    static Path shared;

    /** image id -> the container using it, as LocalContainers would answer. */
    private static final Map<String, String> users = new ConcurrentHashMap<>();
    private static Host host;

    /** One keeld's worth of images: an actor system with its journal, the store, and LocalImages over both. */
    private record Host(ActorTestKit testKit, Domain domain, ImageCatalog catalog, LocalImages images) {

        static Host start(String name, Path journalDir, Path dataRoot) throws Exception {
            Config config = ConfigFactory.parseString("""
                            pekko.actor.provider = cluster
                            pekko.remote.artery.canonical.hostname = "127.0.0.1"
                            pekko.remote.artery.canonical.port = 0
                            pekko.actor.serialize-messages = on
                            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                            """)
                    .withValue("keel.native.image.data-root", ConfigValueFactory.fromAnyRef(dataRoot.toString()))
                    .withFallback(EmbeddedJournalConfig.forDir(journalDir));
            ActorTestKit testKit = ActorTestKit.create(name, config);
            Cluster cluster = Cluster.get(testKit.system());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            TestProbe<Object> probe = testKit.createTestProbe();
            probe.awaitAssert(Duration.ofSeconds(20), () -> {
                assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
                return null;
            });
            Domain domain = Domain.start(testKit.system(), CLOCK);
            ImageCatalog catalog = LocalImages.openCatalog(testKit.system().settings().config());
            LocalImages images = new LocalImages(testKit.system(), domain, catalog,
                    imageId -> Optional.ofNullable(users.get(imageId)), CLOCK);
            await(images.recover());
            return new Host(testKit, domain, catalog, images);
        }

        void stop() {
            testKit.shutdownTestKit();
        }

        ImageEntity.State entity(String imageId) throws Exception {
            return await(domain.image(imageId).ask(ImageEntity.Get::new, Duration.ofSeconds(10)));
        }
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = Host.start("LocalImagesIT", shared.resolve("journal"), shared.resolve("data"));
    }

    @AfterAll
    static void stopHost() {
        host.stop();
    }

    // --- import, lookup, list, history ----------------------------------------------------------------------------

    @Test
    void shouldImportABusyboxRootfsWithChangesAndAnswerWhatItsEntityRecorded() throws Exception {
        ImageEntity.State state = await(host.images().importRootfs(gzipped(busybox("import")), "keel/busybox:1.0",
                List.of("CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENV GREETING=hello", "WORKDIR /srv"), "from a test"));

        assertThat(state.isPresent()).isTrue();
        assertThat(state.repoTags()).containsExactly("keel/busybox:1.0");
        assertThat(state.config().cmd()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(state.config().env()).containsExactly("GREETING=hello");
        assertThat(state.config().workingDir()).isEqualTo("/srv");
        assertThat(state.created()).isEqualTo(CLOCK.instant());
        assertThat(state.sizeBytes()).isGreaterThanOrEqualTo(Files.size(Path.of("/bin/busybox")));
        assertThat(host.entity(state.imageId())).isEqualTo(state);
        Path layer = host.catalog().store().layerDirsTopFirst(Digest.parse(state.imageId())).get(0);
        assertThat(layer.resolve("bin/busybox")).hasSameBinaryContentAs(Path.of("/bin/busybox"));
    }

    @Test
    void shouldFindAnImageByNormalizedReferenceFullIdHexAndUniquePrefix() throws Exception {
        ImageEntity.State imported = await(host.images().importRootfs(tar(busybox("lookup")), "lookup", List.of(), ""));
        String hex = imported.imageId().substring("sha256:".length());

        assertThat(imported.repoTags()).containsExactly("lookup:latest");
        for (String ref : List.of("lookup", "lookup:latest", "docker.io/library/lookup:latest", imported.imageId(), hex,
                hex.substring(0, 12))) {
            assertThat(await(host.images().inspect(ref)).imageId()).as(ref).isEqualTo(imported.imageId());
        }
        assertRefused(host.images().inspect("lookup:other"), Rejection.NOT_FOUND, "No such image: lookup:other");
    }

    @Test
    void shouldListEveryPresentImageAndNoDeletedOne() throws Exception {
        ImageEntity.State kept = await(host.images().importRootfs(tar(busybox("list-kept")), "list:kept", List.of(), ""));
        ImageEntity.State gone = await(host.images().importRootfs(tar(busybox("list-gone")), "list:gone", List.of(), ""));
        await(host.images().remove("list:gone", false, false));

        List<ImageEntity.State> listed = await(host.images().list(false));

        assertThat(listed).extracting(ImageEntity.State::imageId).contains(kept.imageId())
                .doesNotContain(gone.imageId());
        assertThat(listed).allSatisfy(s -> assertThat(s.isPresent()).isTrue());
    }

    @Test
    void shouldAnswerHistoryWithTheMessageAsComment() throws Exception {
        ImageEntity.State imported = await(host.images().importRootfs(tar(busybox("history")), "history:1", List.of(),
                "imported for history"));

        List<Images.HistoryItem> history = await(host.images().history("history:1"));

        assertThat(history).singleElement().satisfies(item -> {
            assertThat(item.id()).isEqualTo(imported.imageId());
            assertThat(item.comment()).isEqualTo("imported for history");
            assertThat(item.tags()).containsExactly("history:1");
            assertThat(item.created()).isEqualTo(CLOCK.instant());
            assertThat(item.sizeBytes()).isGreaterThan(0);
        });
    }

    @Test
    void shouldRefuseABadChangeOrReferenceWithDockersMessageAndStoreNothing() throws Exception {
        int stored = host.catalog().store().list().size();

        assertRefused(host.images().importRootfs(tar(busybox("bad-change")), "", List.of("RUN rm -rf /"), ""),
                Rejection.INVALID_ARGUMENT, "RUN is not a valid change command");
        assertRefused(host.images().importRootfs(tar(busybox("bad-ref")), "Bad/Name", List.of(), ""),
                Rejection.INVALID_ARGUMENT, "invalid reference format: repository name must be lowercase");
        assertThat(host.catalog().store().list()).hasSize(stored);
    }

    // --- tag ------------------------------------------------------------------------------------------------------

    @Test
    void shouldTagWithRepositoryAndTagAndMoveATagFromAnotherImage() throws Exception {
        ImageEntity.State first = await(host.images().importRootfs(tar(busybox("tag-first")), "", List.of(), ""));
        ImageEntity.State second = await(host.images().importRootfs(tar(busybox("tag-second")), "", List.of(), ""));

        ImageEntity.State tagged = await(host.images().tag(first.imageId(), "localhost:5000/team/app", "v1"));
        ImageEntity.State moved = await(host.images().tag(second.imageId(), "localhost:5000/team/app", "v1"));

        assertThat(tagged.repoTags()).containsExactly("localhost:5000/team/app:v1");
        assertThat(moved.repoTags()).containsExactly("localhost:5000/team/app:v1");
        assertThat(host.entity(first.imageId()).repoTags()).isEmpty();
        assertThat(await(host.images().inspect("localhost:5000/team/app:v1")).imageId()).isEqualTo(second.imageId());
    }

    @Test
    void shouldRefuseAnInvalidTagAndAMissingImage() throws Exception {
        await(host.images().importRootfs(tar(busybox("tag-invalid")), "tag-invalid:1", List.of(), ""));

        assertRefused(host.images().tag("tag-invalid:1", "Upper", ""), Rejection.INVALID_ARGUMENT,
                "invalid reference format: repository name must be lowercase");
        assertRefused(host.images().tag("tag-invalid:1", "fine", "-bad"), Rejection.INVALID_ARGUMENT,
                "invalid tag format");
        assertRefused(host.images().tag("no-such:1", "fine", "1"), Rejection.NOT_FOUND, "No such image: no-such:1");
        assertThat(await(host.images().inspect("tag-invalid:1")).repoTags()).containsExactly("tag-invalid:1");
    }

    // --- rmi ------------------------------------------------------------------------------------------------------

    @Test
    void shouldUntagAReferenceAndDeleteTheImageWithItsLastReference() throws Exception {
        ImageEntity.State image = await(host.images().importRootfs(tar(busybox("rmi-last")), "rmi:a", List.of(), ""));
        await(host.images().tag("rmi:a", "rmi", "b"));
        StoredImage stored = host.catalog().store().find(Digest.parse(image.imageId())).orElseThrow();
        Path layer = host.catalog().store().layerDirsTopFirst(stored.id()).get(0);

        List<Images.Removal> untagged = await(host.images().remove("rmi:a", false, false));
        List<Images.Removal> deleted = await(host.images().remove("rmi:b", false, false));

        assertThat(untagged).containsExactly(new Images.Removal("rmi:a", ""));
        assertThat(deleted).containsExactly(new Images.Removal("rmi:b", ""), new Images.Removal("", image.imageId()),
                new Images.Removal("", stored.chainIds().get(0).toString()));
        assertThat(host.entity(image.imageId()).status()).isEqualTo(ImageEntity.Status.DELETED);
        assertThat(host.catalog().store().find(stored.id())).isEmpty();
        assertThat(layer).doesNotExist();
        assertRefused(host.images().inspect(image.imageId()), Rejection.NOT_FOUND, "No such image: " + image.imageId());
    }

    @Test
    void shouldRefuseToDeleteByIdAnImageInSeveralRepositoriesUnlessForced() throws Exception {
        ImageEntity.State image = await(host.images().importRootfs(tar(busybox("rmi-multi")), "multi-a:1", List.of(), ""));
        await(host.images().tag("multi-a:1", "multi-b", "1"));
        String shortId = image.imageId().substring(7, 19);

        assertRefused(host.images().remove(image.imageId(), false, false), Rejection.CONFLICT,
                "conflict: unable to delete " + shortId + " (must be forced) - image is referenced in multiple repositories");
        assertThat(host.entity(image.imageId()).repoTags()).containsExactly("multi-a:1", "multi-b:1");

        List<Images.Removal> removed = await(host.images().remove(shortId, true, false));

        assertThat(removed).startsWith(new Images.Removal("multi-a:1", ""), new Images.Removal("multi-b:1", ""),
                new Images.Removal("", image.imageId()));
        assertThat(host.entity(image.imageId()).status()).isEqualTo(ImageEntity.Status.DELETED);
        assertRefused(host.images().inspect("multi-b:1"), Rejection.NOT_FOUND, "No such image: multi-b:1");
    }

    @Test
    void shouldRefuseToRemoveAnImageAContainerUsesAndKeepItWhenItsReferenceIsForced() throws Exception {
        ImageEntity.State image = await(host.images().importRootfs(tar(busybox("rmi-used")), "used:1", List.of(), ""));
        users.put(image.imageId(), CONTAINER_ID);
        String shortId = image.imageId().substring(7, 19);
        try {
            assertRefused(host.images().remove("used:1", false, false), Rejection.CONFLICT,
                    "conflict: unable to remove repository reference \"used:1\" (must force) - container "
                            + CONTAINER_ID.substring(0, 12) + " is using its referenced image " + shortId);
            assertRefused(host.images().remove(image.imageId(), true, false), Rejection.CONFLICT,
                    "conflict: unable to delete " + shortId + " (cannot be forced) - image is being used by running"
                            + " container " + CONTAINER_ID.substring(0, 12));

            List<Images.Removal> forced = await(host.images().remove("used:1", true, false));

            assertThat(forced).containsExactly(new Images.Removal("used:1", ""));
            assertThat(host.entity(image.imageId()).isPresent()).isTrue();
            assertThat(host.entity(image.imageId()).repoTags()).isEmpty();
        } finally {
            users.remove(image.imageId());
        }
        assertThat(await(host.images().remove(image.imageId(), false, false)))
                .contains(new Images.Removal("", image.imageId()));
    }

    // --- save and load --------------------------------------------------------------------------------------------

    @Test
    void shouldSaveAndLoadIntoAFreshDataRootWithTheSameIdAndTags(@TempDir Path fresh) throws Exception {
        ImageEntity.State tagged = await(host.images().importRootfs(tar(busybox("save-tagged")), "saved:1",
                List.of("CMD [\"sh\"]"), ""));
        ImageEntity.State untagged = await(host.images().importRootfs(tar(busybox("save-untagged")), "", List.of(), ""));
        byte[] archive = saved(List.of("saved:1", untagged.imageId()));
        assertRefused(host.images().save(List.of("saved:1", "not-there:1")), Rejection.NOT_FOUND,
                "No such image: not-there:1");

        Host target = Host.start("LocalImagesIT-load", fresh.resolve("journal"), fresh.resolve("data"));
        try {
            List<String> lines = await(target.images().load(new ByteArrayInputStream(archive)));

            assertThat(lines).containsExactly("Loaded image: saved:1", "Loaded image ID: " + untagged.imageId());
            ImageEntity.State loaded = await(target.images().inspect("saved:1"));
            assertThat(loaded.imageId()).isEqualTo(tagged.imageId());
            assertThat(loaded.repoTags()).containsExactly("saved:1");
            assertThat(loaded.config()).isEqualTo(tagged.config());
            assertThat(target.entity(untagged.imageId()).isPresent()).isTrue();
        } finally {
            target.stop();
        }
    }

    @Test
    void shouldRefuseAMalformedArchiveAndRecordNothing(@TempDir Path scratch) throws Exception {
        int stored = host.catalog().store().list().size();
        StoredImage outside = storeWithoutEntity(scratch, busybox("bad-archive"));
        byte[] valid = savedFrom(scratch, outside.id());

        assertRefused(host.images().load(new ByteArrayInputStream("not a tar at all".getBytes(StandardCharsets.UTF_8))),
                Rejection.INVALID_ARGUMENT, "invalid archive: neither manifest.json nor index.json found");
        assertRefused(host.images().load(new ByteArrayInputStream(withBrokenSecondImage(valid))),
                Rejection.INVALID_ARGUMENT, "invalid archive: missing.json is missing");
        assertThat(host.catalog().store().list()).hasSize(stored);
        assertThat(host.entity(outside.id().toString()).status()).isEqualTo(ImageEntity.Status.NEW);
    }

    // --- recovery -------------------------------------------------------------------------------------------------

    @Test
    void shouldRecoverImagesAndTagsFromTheEntitiesAndCollectContentNoEntityHolds(@TempDir Path root) throws Exception {
        Path journal = root.resolve("journal");
        Path data = root.resolve("data");
        Host before = Host.start("LocalImagesIT-before", journal, data);
        ImageEntity.State kept;
        StoredImage orphan;
        try {
            kept = await(before.images().importRootfs(tar(busybox("recover-kept")), "kept:1", List.of("ENV A=1"), ""));
            await(before.images().tag("kept:1", "kept", "2"));
            // A crash between storing and recording leaves content without an entity; the index file may disagree
            // with the entities (a tag they never recorded, a recorded tag missing).
            orphan = new RootfsImport(before.catalog(), new ImageJson(), ImagePlatform.host(), CLOCK)
                    .importTarball(tar(busybox("recover-orphan")), List.of(), null);
            before.catalog().references().tag(ImageReference.parse("stale:1"), Digest.parse(kept.imageId()));
            before.catalog().references().untag(ImageReference.parse("kept:2"));
        } finally {
            before.stop();
        }

        Host after = Host.start("LocalImagesIT-after", journal, data);
        try {
            ImageEntity.State recovered = await(after.images().inspect("kept:2"));

            assertThat(recovered.imageId()).isEqualTo(kept.imageId());
            assertThat(recovered.repoTags()).containsExactly("kept:1", "kept:2");
            assertThat(await(after.images().list(false))).extracting(ImageEntity.State::imageId)
                    .containsExactly(kept.imageId());
            assertThat(after.catalog().store().find(orphan.id())).isEmpty();
            assertThat(after.catalog().store().layerDirsTopFirst(Digest.parse(kept.imageId()))).hasSize(1);
            assertThat(data.resolve("image/layers").toFile().list()).hasSize(1);
            assertRefused(after.images().inspect("stale:1"), Rejection.NOT_FOUND, "No such image: stale:1");
        } finally {
            after.stop();
        }
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void assertRefused(CompletionStage<?> stage, Rejection reason, String message) throws Exception {
        try {
            stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(EngineFailure.class).hasMessage(message);
            assertThat(((EngineFailure) e.getCause()).reason()).isEqualTo(reason);
            return;
        }
        throw new AssertionError("expected " + reason + " \"" + message + "\" but the request succeeded");
    }

    private static byte[] saved(List<String> refs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        await(host.images().save(refs)).writeTo(out);
        return out.toByteArray();
    }

    /** A store of its own, outside any actor system, holding one image. */
    private static StoredImage storeWithoutEntity(Path dataRoot, byte[] rootfs) throws IOException {
        return new RootfsImport(scratchCatalog(dataRoot), new ImageJson(), ImagePlatform.host(), CLOCK)
                .importTarball(new ByteArrayInputStream(rootfs), List.of(), null);
    }

    private static byte[] savedFrom(Path dataRoot, Digest id) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ImageArchives(scratchCatalog(dataRoot), new ImageJson())
                .save(List.of(id.toString()), ArchiveFormat.DOCKER_ARCHIVE, out);
        return out.toByteArray();
    }

    private static ImageCatalog scratchCatalog(Path dataRoot) throws IOException {
        ImageJson json = new ImageJson();
        ImageSettings settings = new ImageSettings(dataRoot, 8 << 20);
        return new ImageCatalog(new ImageStore(settings, Syscalls.load(), json), new ReferenceIndex(settings, json));
    }

    /** The archive with a second image in manifest.json whose config the archive does not hold. */
    private static byte[] withBrokenSecondImage(byte[] archive) throws IOException {
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
                file(tar, entry.getName(), content, 0644);
            }
        }
        return out.toByteArray();
    }

    /** A root filesystem of /bin/busybox with a few applets, and a file that makes each test's image its own. */
    private static byte[] busybox(String marker) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin/", "etc/", "srv/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(040755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            file(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            for (String applet : List.of("sh", "echo", "ls", "cat")) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/marker", marker.getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static ByteArrayInputStream tar(byte[] plain) {
        return new ByteArrayInputStream(plain);
    }

    private static ByteArrayInputStream gzipped(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }
}
