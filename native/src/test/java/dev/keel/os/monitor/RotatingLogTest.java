package dev.keel.os.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogTest {

    private static final String T = "2026-01-01T00:00:00.000000000+00:00";

    @TempDir
    Path dir;

    private static void append(Path file, String records) throws IOException {
        Files.writeString(file, records, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void shouldReadRotatedFilesOldestFirstAndJoinALineCutByARotation() throws IOException {
        RotatingLog log = new RotatingLog(dir.resolve("ctr.log"));
        append(log.rotated(2), T + " stdout F one\n");
        append(log.rotated(1), T + " stdout F two\n" + T + " stdout P thr\n");
        append(log.live(), T + " stdout F ee\n");
        assertThat(log.readAll()).extracting(LogEntry::text).containsExactly("one\n", "two\n", "three\n");
    }

    @Test
    void shouldRotateOnlyWhenFullKeepingMaxFiles() throws IOException {
        RotatingLog log = new RotatingLog(dir.resolve("ctr.log"));
        LogLimits limits = LogLimits.of("64", "2");
        AtomicInteger reopens = new AtomicInteger();
        append(log.live(), T + " stdout F a\n");
        assertThat(log.rotateIfFull(limits, reopens::incrementAndGet)).isFalse();
        append(log.live(), T + " stdout F b\n");
        assertThat(log.rotateIfFull(limits, reopens::incrementAndGet)).isTrue();
        assertThat(Files.exists(log.live())).isFalse();
        assertThat(log.rotateIfFull(limits, reopens::incrementAndGet)).as("before the monitor reopened").isFalse();
        append(log.live(), T + " stdout F c\n" + T + " stdout F d\n");
        assertThat(log.rotateIfFull(limits, reopens::incrementAndGet)).isTrue();
        append(log.live(), T + " stdout F e\n");
        assertThat(reopens).hasValue(2);
        assertThat(Files.exists(log.rotated(2))).isFalse();
        assertThat(log.readAll()).extracting(LogEntry::text).containsExactly("c\n", "d\n", "e\n");
    }

    @Test
    void shouldKeepAFollowersPlaceAcrossARotation() throws IOException {
        RotatingLog log = new RotatingLog(dir.resolve("ctr.log"));
        append(log.live(), T + " stdout F a\n");
        RotatingLog.Chunk first = log.readFrom(LogPosition.START, false);
        append(log.live(), T + " stdout F b\n"); // written before the monitor reopened
        log.rotateIfFull(LogLimits.of("1", "3"), () -> { });
        append(log.rotated(1), T + " stdout F c\n");
        append(log.live(), T + " stdout F d\n");
        RotatingLog.Chunk second = log.readFrom(first.next(), false);
        assertThat(first.entries()).extracting(LogEntry::text).containsExactly("a\n");
        assertThat(second.entries()).extracting(LogEntry::text).containsExactly("b\n", "c\n", "d\n");
        assertThat(log.readFrom(second.next(), false).entries()).isEmpty();
    }

    @Test
    void shouldParseDockerSizes() {
        assertThat(LogLimits.of("256k", "3")).isEqualTo(new LogLimits(262_144, 3));
        assertThat(LogLimits.of("10m", "1").maxBytes()).isEqualTo(10L << 20);
        assertThat(LogLimits.of("-1", "1").rotates()).isFalse();
    }
}
