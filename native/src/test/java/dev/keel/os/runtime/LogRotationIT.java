package dev.keel.os.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.monitor.LogEntry;
import dev.keel.os.monitor.LogLimits;
import dev.keel.os.monitor.LogPosition;
import dev.keel.os.monitor.RotatingLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Log rotation with real keel-monitor and runc: a container writes 2 MB with max-size=256k, max-file=3. */
class LogRotationIT {

    private static final String CGROUP_PARENT = "/keel-logrot-it";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MAX_SIZE = 256 * 1024;
    private static final int LINES = 14_000;
    /** What the monitor may write between a size check and its reopen. */
    private static final long OVERSHOOT = 64 * 1024;

    private static Path testRoot;
    private static RuncRuntime runtime;
    private static HostResidue before;
    private static final String ID = "logrot-" + ProcessHandle.current().pid();
    private static RotatingLog log;
    private static List<Integer> followed;

    @BeforeAll
    static void writeTwoMegabytes() throws Exception {
        testRoot = Files.createTempDirectory("keel-logrot-");
        Path rootfs = BusyboxRootfs.create(testRoot.resolve("rootfs"));
        RuntimeSettings settings = RuntimeSettingsTest.reference()
            .withRoots(testRoot.resolve("state"), testRoot.resolve("exec"))
            .withCgroupParent(CGROUP_PARENT)
            .withLog(LogLimits.of("256k", "3"));
        before = HostResidue.snapshot(testRoot, CGROUP_PARENT);
        runtime = new RuncRuntime(settings, new ObjectMapper(), System.getProperty("os.arch"));
        // 150-byte lines: 14000 of them are 2.1 MB of output, at a few MB/s like a busy service rather than as
        // fast as a pipe goes (then a follower polling as LocalContainers does can fall behind a whole window).
        String script = "p=xxxxxxxxxx; p=$p$p$p$p$p$p$p$p$p$p$p$p$p$p; i=0; "
            + "while [ $i -lt " + LINES + " ]; do printf 'line %05d %s\\n' $i $p; i=$((i+1)); "
            + "[ $((i % 200)) -eq 0 ] && usleep 10000; done";
        runtime.create(ContainerSpec.of(ID, rootfs, List.of("sh", "-c", script)));
        log = new RotatingLog(runtime.logFile(ID));
        CompletableFuture<?> exited = runtime.awaitExit(ID);
        CompletableFuture<List<Integer>> follower = CompletableFuture.supplyAsync(() -> follow(exited));
        runtime.start(ID);
        exited.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        followed = follower.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Reads the log as {@code docker logs -f} does, from before the first line until after the exit. */
    private static List<Integer> follow(CompletableFuture<?> exited) {
        List<Integer> numbers = new ArrayList<>();
        LogPosition position = LogPosition.START;
        boolean last;
        do {
            last = exited.isDone();
            RotatingLog.Chunk chunk = log.readFrom(position, last);
            chunk.entries().forEach(e -> numbers.add(numberOf(e)));
            position = chunk.next();
            if (chunk.entries().isEmpty()) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        } while (!last);
        return numbers;
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (runtime != null) {
            try {
                runtime.delete(ID, true);
            } finally {
                runtime.close();
                HostResidue.await(() -> HostResidue.snapshot(testRoot, CGROUP_PARENT).equals(before), WAIT);
                HostResidue.removeCgroupParent(CGROUP_PARENT);
                try (Stream<Path> paths = Files.walk(testRoot)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static int numberOf(LogEntry entry) {
        assertThat(entry.text()).startsWith("line ");
        return Integer.parseInt(entry.text().substring(5, 10));
    }

    @Test
    void shouldKeepAtMostThreeFilesOfAboutMaxSize() throws IOException {
        assertThat(Files.exists(log.rotated(2))).as("rotated twice or more").isTrue();
        assertThat(Files.exists(log.rotated(3))).as("a fourth file").isFalse();
        for (Path file : List.of(log.live(), log.rotated(1), log.rotated(2))) {
            assertThat(Files.size(file)).as(file.toString()).isLessThanOrEqualTo(MAX_SIZE + OVERSHOOT);
        }
    }

    @Test
    void shouldReadTheNewestLinesInOrderWithoutGaps() {
        List<Integer> numbers = log.readAll().stream().map(LogRotationIT::numberOf).toList();
        assertThat(numbers).hasSizeGreaterThan((int) (2 * MAX_SIZE / 200));
        assertThat(numbers.get(numbers.size() - 1)).isEqualTo(LINES - 1);
        for (int i = 1; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("line after %d", numbers.get(i - 1)).isEqualTo(numbers.get(i - 1) + 1);
        }
    }

    @Test
    void shouldGiveTheLastFiveLinesForTailFive() {
        List<LogEntry> all = log.readAll();
        assertThat(all.subList(all.size() - 5, all.size())).extracting(LogRotationIT::numberOf)
            .containsExactly(LINES - 5, LINES - 4, LINES - 3, LINES - 2, LINES - 1);
    }

    @Test
    void shouldFollowEveryLineAcrossRotations() {
        for (int i = 0; i < followed.size(); i++) {
            assertThat(followed.get(i)).as("line %d followed", i).isEqualTo(i);
        }
        assertThat(followed).hasSize(LINES);
    }
}
