package dev.keel.os.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K8sFileLogTest {

    private static final String LOG = String.join("\n",
        "2026-11-28T17:35:11.276402194+00:00 stdout F hello",
        "2026-11-28T17:35:11.276718214+00:00 stderr F err",
        "2026-11-28T17:47:06.173043841+00:00 stdout P abc",
        "2026-11-28T17:47:06.679512489+00:00 stdout F def",
        "2026-11-28T17:47:06.679512489+00:00 stdout F ",
        "2026-11-28T19:47:07.000000001+02:00 stdout P tail", "");

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("ctr.log");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldJoinPartialRecordsIntoLines() throws IOException {
        assertThat(K8sFileLog.readAll(write(LOG))).extracting(LogEntry::stream, LogEntry::text).containsExactly(
            tuple(LogStream.STDOUT, "hello\n"),
            tuple(LogStream.STDERR, "err\n"),
            tuple(LogStream.STDOUT, "abcdef\n"),
            tuple(LogStream.STDOUT, "\n"),
            tuple(LogStream.STDOUT, "tail"));
    }

    @Test
    void shouldStampALineWithTheTimeOfItsFirstPiece() throws IOException {
        assertThat(K8sFileLog.readAll(write(LOG)).get(2).time())
            .isEqualTo(Instant.parse("2026-11-28T17:47:06.173043841Z"));
        assertThat(K8sFileLog.readAll(write(LOG)).get(4).time())
            .isEqualTo(Instant.parse("2026-11-28T17:47:07.000000001Z"));
    }

    @Test
    void shouldLeaveAnUnfinishedLineForTheNextReadWhenFollowing() throws IOException {
        Path file = write(LOG);

        LogChunk first = K8sFileLog.readFrom(file, 0);
        assertThat(first.entries()).hasSize(4);

        Files.writeString(file, LOG + "2026-11-28T17:47:08.000000000+00:00 stdout F -end\n", StandardCharsets.UTF_8);
        LogChunk next = K8sFileLog.readFrom(file, first.nextOffset());

        assertThat(next.entries()).extracting(LogEntry::text).containsExactly("tail-end\n");
        assertThat(next.nextOffset()).isEqualTo(Files.size(file));
    }

    @Test
    void shouldReadNothingFromAMissingFile() {
        assertThat(K8sFileLog.readAll(dir.resolve("none.log"))).isEmpty();
    }
}
