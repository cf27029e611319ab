package dev.keel.actors.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.actors.Domain;
import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.ContainerEntity.State;
import dev.keel.actors.container.Containers.ChangeKind;
import dev.keel.actors.container.Containers.FileChange;
import dev.keel.actors.container.Containers.PathArchive;
import dev.keel.actors.container.Containers.PathStat;
import dev.keel.actors.container.Containers.ProcessList;
import dev.keel.actors.container.Containers.ResourceUsage;
import dev.keel.actors.container.Containers.WaitCondition;
import dev.keel.journal.store.EmbeddedJournalConfig;
import dev.keel.os.archive.Syscalls;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inspection verbs of {@link LocalContainers} (top, stats, changes, export, archive get and put) on a real
 * single-node cluster with the embedded journal, real runc, real conmon and overlayfs, with a busybox image made from
 * the host's static /bin/busybox. Every archive escape must be refused and leave the host untouched.
 */
class ContainerInspectionIT {

    private static final String CGROUP_PARENT = "/keel-it-inspection";
    private static final String IMAGE = "busybox:it";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Path root;
    private static Path hostDir;
    private static Config config;
    private static ImageCatalog catalog;
    private static ActorSystem<Void> system;
    private static LocalContainers containers;

    @BeforeAll
    static void start() throws Exception {
        // Short: <exec-root>/socks/<64-hex id>/attach must fit in a unix socket path.
        root = Files.createTempDirectory(Path.of("/tmp"), "kci");
        hostDir = Files.createDirectories(root.resolve("host"));
        config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "keel.native.runtime.state-root", root.resolve("state").toString(),
                        "keel.native.runtime.exec-root", root.resolve("x").toString(),
                        "keel.native.runtime.cgroup-parent", CGROUP_PARENT,
                        "keel.native.image.data-root", root.resolve("data").toString()))
                .withFallback(EmbeddedJournalConfig.forDir(root.resolve("journal")));
        ImageSettings images = ImageSettings.fromConfig(config.getConfig("keel.native.image"));
        ImageJson json = new ImageJson();
        catalog = new ImageCatalog(new ImageStore(images, Syscalls.load(), json), new ReferenceIndex(images, json));
        StoredImage image = new RootfsImport(catalog, json, ImagePlatform.host(), Clock.systemUTC())
                .importTarball(new ByteArrayInputStream(busyboxRootfs()), List.of("CMD [\"sh\"]"), null);
        catalog.references().tag(ImageReference.parse(IMAGE), image.id());
        system = ActorSystem.create(Behaviors.empty(), "ContainerInspectionIT", config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        assertThat(eventually(() -> cluster.selfMember().status().equals(MemberStatus.up()))).isTrue();
        Domain domain = Domain.start(system, Clock.systemUTC());
        containers = LocalContainers.start(system, domain, catalog, Clock.systemUTC());
        await(containers.reconcile());
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        for (State state : await(containers.list(true))) {
            await(containers.remove(state.containerId(), true, false));
        }
        assertThat(eventually(() -> hostResidue().isEmpty())).as("left on the host: %s", hostResidue()).isTrue();
        try (Stream<Path> left = Files.list(hostDir)) {
            assertThat(left.toList()).as("written outside a container").isEmpty();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Files.deleteIfExists(controller.resolve(CGROUP_PARENT.substring(1)));
            }
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // --- top ------------------------------------------------------------------------------------------------------

    @Test
    void shouldListTheProcessesOfARunningContainer() throws Exception {
        String id = run(config("sleep", "300"));

        ProcessList top = await(containers.top(id, ""));

        assertThat(top.titles()).contains("PID", "CMD");
        int cmd = top.titles().indexOf("CMD");
        assertThat(top.processes()).extracting(row -> row.get(cmd)).containsExactly("sleep 300");
    }

    @Test
    void shouldShowTheColumnsPsArgsAskFor() throws Exception {
        String id = run(config("sleep", "300"));

        ProcessList top = await(containers.top(id, "-o pid,comm"));

        assertThat(top.titles()).containsExactly("PID", "COMMAND");
        assertThat(top.processes()).extracting(row -> row.get(1)).containsExactly("sleep");
    }

    @Test
    void shouldRefuseTopOfAContainerThatDoesNotRun() throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config("true")))).containerId();

        assertThatThrownBy(() -> await(containers.top(id, "")))
                .cause().isInstanceOf(EngineFailure.class)
                .hasMessage("Container " + id + " is not running")
                .extracting(e -> ((EngineFailure) e).reason()).isEqualTo(Rejection.CONFLICT);
    }

    // --- stats ----------------------------------------------------------------------------------------------------

    @Test
    void shouldReadTheCountersOfARunningContainer() throws Exception {
        String id = run(config("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 300"));
        assertThat(eventually(() -> cpuNanos(id) > 0)).isTrue();

        ResourceUsage usage = await(containers.stats(id));

        assertThat(usage.running()).isTrue();
        assertThat(usage.containerId()).isEqualTo(id);
        assertThat(usage.pidsCurrent()).isPositive();
        assertThat(usage.memoryUsage()).isPositive();
        assertThat(usage.memoryLimit()).isPositive();
        assertThat(usage.memoryStat()).containsKey("total_rss");
        assertThat(usage.perCpuNanos()).isNotEmpty();
        assertThat(usage.systemCpuNanos()).isPositive();
        assertThat(usage.onlineCpus()).isPositive();
    }

    @Test
    void shouldReadZerosForAContainerThatDoesNotRun() throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config("true")))).containerId();

        ResourceUsage usage = await(containers.stats(id));

        assertThat(usage.running()).isFalse();
        assertThat(usage.pidsCurrent()).isZero();
        assertThat(usage.memoryUsage()).isZero();
        assertThat(usage.cpuTotalNanos()).isZero();
    }

    // --- changes and export ---------------------------------------------------------------------------------------

    @Test
    void shouldListTheChangesOfAStoppedContainer() throws Exception {
        String id = runToExit(config("sh", "-c", "echo new > /tmp/new; rm /etc/group; echo more >> /etc/passwd"));

        List<FileChange> changes = await(containers.changes(id));

        assertThat(changes).containsExactly(
                new FileChange("/etc", ChangeKind.MODIFIED),
                new FileChange("/etc/group", ChangeKind.DELETED),
                new FileChange("/etc/passwd", ChangeKind.MODIFIED),
                new FileChange("/tmp", ChangeKind.MODIFIED),
                new FileChange("/tmp/new", ChangeKind.ADDED));
    }

    @Test
    void shouldListNoChangesOfAContainerNeverStarted() throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config("true")))).containerId();

        assertThat(await(containers.changes(id))).isEmpty();
    }

    @Test
    void shouldExportAStoppedContainerAndUnmountAfterwards() throws Exception {
        String id = runToExit(config("sh", "-c", "echo exported > /tmp/new; rm /etc/group"));

        Map<String, byte[]> tar = entries(await(containers.export(id)));

        assertThat(tar).containsKeys("bin/", "bin/busybox", "etc/passwd", "tmp/new").doesNotContainKey("etc/group");
        assertThat(new String(tar.get("tmp/new"), StandardCharsets.UTF_8)).isEqualTo("exported\n");
        assertThat(eventually(() -> !mounted(id))).as("root filesystem unmounted after the export").isTrue();
    }

    // --- archive --------------------------------------------------------------------------------------------------

    @Test
    void shouldArchiveAFileOfARunningContainer() throws Exception {
        String id = run(config("sleep", "300"));

        PathArchive archive = await(containers.archive(id, "/etc/passwd"));

        assertThat(archive.stat().name()).isEqualTo("passwd");
        assertThat(archive.stat().mode() & 0170777).isEqualTo(0100644);
        assertThat(archive.stat().linkTarget()).isEmpty();
        Map<String, byte[]> tar = entries(archive.tar());
        assertThat(tar).containsOnlyKeys("passwd");
        assertThat(tar.get("passwd")).hasSize((int) archive.stat().size());
    }

    @Test
    void shouldStatASymlinkWithoutFollowingIt() throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config("true")))).containerId();

        PathStat stat = await(containers.statPath(id, "/bin/sh"));

        assertThat(stat.name()).isEqualTo("sh");
        assertThat(stat.mode() & 0170000).isEqualTo(0120000);
        assertThat(stat.linkTarget()).isEqualTo("/bin/busybox");
        assertThat(eventually(() -> !mounted(id))).isTrue();
    }

    @Test
    void shouldAnswerNotFoundForAMissingPath() throws Exception {
        String id = run(config("sleep", "300"));

        assertThatThrownBy(() -> await(containers.statPath(id, "/nope")))
                .cause().isInstanceOf(EngineFailure.class)
                .extracting(e -> ((EngineFailure) e).reason()).isEqualTo(Rejection.NOT_FOUND);
    }

    @Test
    void shouldExtractIntoARunningContainer() throws Exception {
        String id = run(config("sleep", "300"));

        await(containers.extractArchive(id, "/tmp", tarOf(file("dir/hello.txt", "hello")), true));

        Map<String, byte[]> back = entries(await(containers.archive(id, "/tmp/dir")).tar());
        assertThat(back).containsKeys("dir/", "dir/hello.txt");
        assertThat(new String(back.get("dir/hello.txt"), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void shouldExtractIntoAStoppedContainerAndUnmountAfterwards() throws Exception {
        String id = runToExit(config("true"));

        await(containers.extractArchive(id, "/", tarOf(file("copied", "in")), true));

        assertThat(await(containers.changes(id))).contains(new FileChange("/copied", ChangeKind.ADDED));
        assertThat(eventually(() -> !mounted(id))).isTrue();
    }

    @Test
    void shouldRefuseToReplaceADirectoryWithAFile() throws Exception {
        String id = run(config("sleep", "300"));

        assertInvalid(id, "/", tarOf(file("etc", "not a directory")));
    }

    @Test
    void shouldRefuseAnEntryWithDotDot() throws Exception {
        String id = run(config("sleep", "300"));
        String escape = "../".repeat(40) + hostDir.toString().substring(1) + "/dotdot";

        assertInvalid(id, "/tmp", tarOf(file(escape, "escaped")));
    }

    @Test
    void shouldRefuseAFileThroughAnAbsoluteSymlink() throws Exception {
        String id = run(config("sleep", "300"));

        assertInvalid(id, "/tmp", tarOf(symlink("evil", hostDir.toString()), file("evil/pwned", "escaped")));
    }

    @Test
    void shouldRefuseAFileThroughARelativeSymlink() throws Exception {
        String id = run(config("sleep", "300"));
        String up = "../".repeat(40) + hostDir.toString().substring(1);

        assertInvalid(id, "/tmp", tarOf(symlink("up", up), file("up/pwned", "escaped")));
    }

    @Test
    void shouldRefuseAHardLinkToAHostFile() throws Exception {
        String id = run(config("sleep", "300"));
        Files.writeString(root.resolve("secret"), "host secret");
        TarArchiveEntry link = new TarArchiveEntry("stolen", TarArchiveEntry.LF_LINK);
        link.setLinkName("../".repeat(40) + root.resolve("secret").toString().substring(1));

        assertInvalid(id, "/tmp", tarOf(new Entry(link, new byte[0])));
    }

    @Test
    void shouldResolveTheTargetPathInsideTheContainer() throws Exception {
        String id = run(config("sh", "-c", "ln -s " + hostDir + " /tmp/out; sleep 300"));
        assertThat(eventually(() -> {
            try {
                return await(containers.statPath(id, "/tmp/out")).linkTarget().equals(hostDir.toString());
            } catch (Exception e) {
                return false;
            }
        })).isTrue();

        // The symlink points at a path inside the container, which does not exist there.
        assertThatThrownBy(() -> await(containers.extractArchive(id, "/tmp/out", tarOf(file("pwned", "x")), true)))
                .cause().isInstanceOf(EngineFailure.class)
                .extracting(e -> ((EngineFailure) e).reason()).isEqualTo(Rejection.NOT_FOUND);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private record Entry(TarArchiveEntry header, byte[] content) {}

    private static Entry file(String name, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setMode(0100644);
        return new Entry(e, bytes);
    }

    private static Entry symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        return new Entry(e, new byte[0]);
    }

    private static Source<ByteString, ?> tarOf(Entry... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                tar.putArchiveEntry(entry.header());
                tar.write(entry.content());
                tar.closeArchiveEntry();
            }
        }
        return Source.single(ByteString.fromArray(bytes.toByteArray()));
    }

    private static void assertInvalid(String id, String path, Source<ByteString, ?> tar) {
        assertThatThrownBy(() -> await(containers.extractArchive(id, path, tar, true)))
                .cause().isInstanceOf(EngineFailure.class)
                .extracting(e -> ((EngineFailure) e).reason()).isEqualTo(Rejection.INVALID_ARGUMENT);
    }

    private static Map<String, byte[]> entries(Source<ByteString, ?> tar) throws Exception {
        ByteString all = await(tar.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(all.toArray()))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String runToExit(ContainerConfig config) throws Exception {
        String id = run(config);
        await(await(containers.await(id, WaitCondition.NOT_RUNNING)));
        assertThat(eventually(() -> !mounted(id))).isTrue();
        return id;
    }

    private static long cpuNanos(String id) {
        try {
            return await(containers.stats(id)).cpuTotalNanos();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean mounted(String id) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(id + "/merged"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContainerConfig config(String... cmd) {
        ContainerConfig e = ContainerConfig.EMPTY;
        return new ContainerConfig(List.of(cmd), e.entrypoint(), e.env(), e.workingDir(), e.user(), e.hostname(),
                e.labels(), e.tty(), e.openStdin(), e.stopSignal(), e.restartPolicy(), e.resources(), e.autoRemove(),
                e.networkMode(), e.binds(), e.exposedPorts());
    }

    private static String run(ContainerConfig config) throws Exception {
        String id = await(containers.create(new Containers.CreateRequest("", IMAGE, config))).containerId();
        await(containers.start(id));
        return id;
    }

    private static List<String> hostResidue() {
        List<String> residue = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(root.toString())) {
                    residue.add("mount " + line);
                }
            }
            long self = ProcessHandle.current().pid();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    if (Long.parseLong(p.getFileName().toString()) == self) {
                        continue;
                    }
                    String cmdline = readQuietly(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(root.toString()) || readQuietly(p.resolve("cgroup")).contains(CGROUP_PARENT + "/")) {
                        residue.add("process " + p.getFileName() + " " + cmdline.trim());
                    }
                }
            }
            try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path controller : controllers.toList()) {
                    Path parent = controller.resolve(CGROUP_PARENT.substring(1));
                    if (Files.isDirectory(parent)) {
                        try (Stream<Path> children = Files.list(parent)) {
                            children.filter(Files::isDirectory).forEach(c -> residue.add("cgroup " + c));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return residue;
    }

    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return true;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static byte[] busyboxRootfs() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin/", "etc/", "tmp/", "proc/", "sys/", "dev/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(dir.equals("tmp/") ? 041777 : 040755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            file(tar, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
            for (String applet : List.of("sh", "echo", "sleep", "true", "false", "cat", "id")) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            file(tar, "etc/passwd", ("root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "etc/group", "root:x:0:\nnobody:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(0100000 | mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

}
