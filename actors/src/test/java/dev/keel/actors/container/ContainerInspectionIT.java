package dev.keel.actors.container;

import static dev.keel.actors.container.ContainerHost.IMAGE;
import static dev.keel.actors.container.ContainerHost.await;
import static dev.keel.actors.container.ContainerHost.config;
import static dev.keel.actors.container.ContainerHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.actors.EngineFailure;
import dev.keel.actors.Rejection;
import dev.keel.actors.container.Containers.ChangeKind;
import dev.keel.actors.container.Containers.FileChange;
import dev.keel.actors.container.Containers.PathArchive;
import dev.keel.actors.container.Containers.PathStat;
import dev.keel.actors.container.Containers.ProcessList;
import dev.keel.actors.container.Containers.ResourceUsage;
import dev.keel.actors.container.Containers.WaitCondition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inspection verbs of {@link LocalContainers} (top, stats, changes, export, archive get and put) on a real
 * single-node cluster with the embedded journal, real runc, real keel-monitor and overlayfs, with a busybox image made from
 * the host's static /bin/busybox. Every archive escape must be refused and leave the host untouched.
 */
class ContainerInspectionIT {

    private static ContainerHost host;
    private static LocalContainers containers;
    private static Path hostDir;

    @BeforeAll
    static void start() throws Exception {
        host = ContainerHost.start("ContainerInspectionIT", "/keel-it-inspection");
        containers = host.containers();
        hostDir = Files.createDirectories(host.root().resolve("host"));
    }

    @AfterEach
    void removeEveryContainer() throws Exception {
        host.removeEveryContainer();
        try (Stream<Path> left = Files.list(hostDir)) {
            assertThat(left.toList()).as("written outside a container").isEmpty();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @Test
    void shouldListTheProcessesOfARunningContainer() throws Exception {
        String id = host.run(config("sleep", "300"));

        ProcessList top = await(containers.top(id, ""));

        assertThat(top.titles()).contains("PID", "CMD");
        int cmd = top.titles().indexOf("CMD");
        assertThat(top.processes()).extracting(row -> row.get(cmd)).containsExactly("sleep 300");
    }

    @Test
    void shouldShowTheColumnsPsArgsAskFor() throws Exception {
        String id = host.run(config("sleep", "300"));

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
        String id = host.run(config("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 300"));
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
        String id = host.run(config("sleep", "300"));

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
        String id = host.run(config("sleep", "300"));

        assertThatThrownBy(() -> await(containers.statPath(id, "/nope")))
                .cause().isInstanceOf(EngineFailure.class)
                .extracting(e -> ((EngineFailure) e).reason()).isEqualTo(Rejection.NOT_FOUND);
    }

    @Test
    void shouldExtractIntoARunningContainer() throws Exception {
        String id = host.run(config("sleep", "300"));

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
        String id = host.run(config("sleep", "300"));

        assertInvalid(id, "/", tarOf(file("etc", "not a directory")));
    }

    @Test
    void shouldRefuseAnEntryWithDotDot() throws Exception {
        String id = host.run(config("sleep", "300"));
        String escape = "../".repeat(40) + hostDir.toString().substring(1) + "/dotdot";

        assertInvalid(id, "/tmp", tarOf(file(escape, "escaped")));
    }

    @Test
    void shouldRefuseAFileThroughAnAbsoluteSymlink() throws Exception {
        String id = host.run(config("sleep", "300"));

        assertInvalid(id, "/tmp", tarOf(symlink("evil", hostDir.toString()), file("evil/pwned", "escaped")));
    }

    @Test
    void shouldRefuseAFileThroughARelativeSymlink() throws Exception {
        String id = host.run(config("sleep", "300"));
        String up = "../".repeat(40) + hostDir.toString().substring(1);

        assertInvalid(id, "/tmp", tarOf(symlink("up", up), file("up/pwned", "escaped")));
    }

    @Test
    void shouldRefuseAHardLinkToAHostFile() throws Exception {
        String id = host.run(config("sleep", "300"));
        Files.writeString(host.root().resolve("secret"), "host secret");
        TarArchiveEntry link = new TarArchiveEntry("stolen", TarArchiveEntry.LF_LINK);
        link.setLinkName("../".repeat(40) + host.root().resolve("secret").toString().substring(1));

        assertInvalid(id, "/tmp", tarOf(new Entry(link, new byte[0])));
    }

    @Test
    void shouldResolveTheTargetPathInsideTheContainer() throws Exception {
        String id = host.run(config("sh", "-c", "ln -s " + hostDir + " /tmp/out; sleep 300"));
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
        ByteString all = await(tar.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), host.system()));
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
        String id = host.run(config);
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

}
